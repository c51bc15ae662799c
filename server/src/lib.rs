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
