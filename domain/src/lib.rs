//! Portico's domain: entities, migrations and services, free of HTTP and UI.
//!
//! Services are plain async functions over a sea-orm connection. Each one states its
//! own authorisation rule against an [`Actor`] and returns [`DomainError`]. Nothing here
//! imports leptos, axum or http (a tidy test in `xtask` checks it).

pub mod apikey;
pub mod db;
pub mod demo;
pub mod entities;
pub mod error;
pub mod export;
pub mod gateway;
pub mod mail;
pub mod markdown;
pub mod migration;
pub mod openapi;
pub mod password;
pub mod priority;
pub mod ratelimit;
pub mod secret;
pub mod services;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::DomainError;
pub use services::actor::Actor;

/// Result of a domain service.
pub type DomainResult<T> = Result<T, DomainError>;
