//! The axum host behind the `portico` binary.
//!
//! It owns start-up (configuration, database, migrations, first admin), the HTTP surface
//! (server functions under `/api/`, the REST API under `/api/v1/`, `/healthz`, the built SPA with an `index.html`
//! fallback) and the cross-cutting layers (CSRF origin check, error → status mapping,
//! compression, cache headers).

pub mod api_v1;
pub mod config;
pub mod exports;
pub mod gateway;
pub mod routes;
pub mod startup;

pub use routes::{AppState, router, router_with};

/// The host's allocator (so the `portico` binary, its tests and the benchmarks all run
/// on it). With glibc's, a `perf` profile of `/gateway/verify` under load put about a
/// sixth of the request threads' time in `malloc`, `free` and `malloc_consolidate`
/// (which glibc runs when a large block is asked for among many freed small ones, as
/// the usage flush's buffers are among the calls' header values); with mimalloc the
/// warm verify rate rose from 54–66k to 70–72k req/s in three alternated runs each
/// (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns transparent huge pages off for this process (Linux; elsewhere it does
/// nothing), as `MIMALLOC_ALLOW_THP=0` would. mimalloc asks the kernel for huge pages
/// for its memory; a huge page is zeroed whole, 2 MiB at once, by whichever thread
/// first touches it, often a request thread, and in the gateway benchmark about three
/// were faulted in each second. With them on, `/gateway/verify` paced at 17,500 req/s
/// had a p99 of 0.64–1.98 ms in five runs of one build; off, 0.64–1.10 ms in four, at
/// the same throughput. At twice that rate the tails stayed as spread either way
/// (BENCHMARKS.md).
pub fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::thread::disable_transparent_huge_pages(true) {
        tracing::debug!(error = %e, "cannot turn transparent huge pages off");
    }
}
