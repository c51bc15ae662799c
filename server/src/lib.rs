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
