//! Host-side support for server functions (`ssr` only): the shared [`Backend`] state
//! taken from context, the caller's session, cookies, and entity → DTO conversions.
//!
//! This is the only module of `app` that knows sea-orm; pages and components never do.

pub mod auth;
pub mod convert;

use leptos::prelude::use_context;
use portico_domain::entities::user;
use portico_domain::mail::Mailer;
use portico_domain::password::PasswordHasher;
use portico_domain::ratelimit::RateLimiter;
use portico_domain::services::accounts;
use portico_domain::services::sessions::SessionPolicy;
use portico_model::{AppError, Me};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// What every server function needs, built once at start-up and handed to each call
/// through Leptos context (one pool, never a connection per call).
pub struct Backend {
    pub db: DatabaseConnection,
    pub hasher: PasswordHasher,
    pub sessions: SessionPolicy,
    /// Mark cookies `Secure` (the public URL is https).
    pub secure_cookies: bool,
    pub mailer: Mailer,
    /// How long invitation links work.
    pub invite_ttl: chrono::Duration,
    /// Password-reset requests per email address.
    pub reset_per_email: RateLimiter,
    /// Password-reset requests per client address.
    pub reset_per_client: RateLimiter,
    /// Where export files are written.
    pub export_dir: std::path::PathBuf,
}

/// The client's network address, provided by the host per request when known.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub std::net::IpAddr);

/// The caller's address, if the host knows it.
pub fn client_addr() -> Option<std::net::IpAddr> {
    use_context::<ClientAddr>().map(|c| c.0)
}

/// The backend of the current request.
pub fn get() -> Result<Arc<Backend>, AppError> {
    use_context::<Arc<Backend>>().ok_or_else(|| {
        tracing::error!("server function called without a Backend in context");
        AppError::Internal("no-backend".into())
    })
}

/// The signed-in user as the client sees them.
pub async fn me(be: &Backend, user: &user::Model) -> Result<Me, AppError> {
    let org = accounts::organisation_of(&be.db, user).await?;
    Ok(convert::me(user, &org))
}
