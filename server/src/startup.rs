//! Start-up: connect, migrate, create the defaults, build the shared state.

use crate::config::Config;
use crate::routes::AppState;
use portico_app::backend::Backend;
use portico_domain::gateway::Gateway;
use portico_domain::mail::{Mailer, delivery};
use portico_domain::password::PasswordHasher;
use portico_domain::ratelimit::RateLimiter;
use portico_domain::services::bootstrap::{self, FirstAdmin};
use portico_domain::services::exports;
use portico_domain::services::sessions::{self, SessionPolicy};
use portico_domain::{DomainError, db};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;

/// Why the host could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot prepare the database: {0}")]
    Bootstrap(#[from] DomainError),
}

/// Opens the database, applies migrations, and makes sure the default organisation,
/// its default team and the first admin exist. Safe to run on every start. Also turns
/// transparent huge pages off for the process ([`crate::no_transparent_huge_pages`]).
pub async fn prepare(config: &Config) -> Result<AppState, StartError> {
    crate::no_transparent_huge_pages();
    let db = db::connect(&config.database_url).await?;
    let readers = db::connect_readers(&config.database_url, &db, GATEWAY_READERS).await?;
    prepare_with_pools(config, db, readers).await
}

/// Connections the gateway reads keys with on a SQLite file (its loaders, the change
/// poll, and one to spare).
const GATEWAY_READERS: u32 = 4;

/// [`prepare`] on an open connection (tests bring their own database).
pub async fn prepare_with_db(config: &Config, db: DatabaseConnection) -> Result<AppState, StartError> {
    prepare_with_pools(config, db.clone(), db).await
}

/// [`prepare`] on open pools: `readers` serves the gateway's reads (see
/// `db::connect_readers`).
async fn prepare_with_pools(
    config: &Config,
    db: DatabaseConnection,
    readers: DatabaseConnection,
) -> Result<AppState, StartError> {
    db::migrate(&db).await?;
    let hasher = PasswordHasher::per_core();
    let report = bootstrap::ensure_defaults(
        &db,
        &hasher,
        FirstAdmin { email: config.admin_email.clone(), password: config.admin_password.clone() },
    )
    .await?;
    if report.created_default_org {
        tracing::info!("created the default organisation and its default team");
    }
    match report.created_admin {
        Some((email, Some(password))) => tracing::warn!(
            %email,
            %password,
            "created the first portal admin with a generated password; it is shown only this once — sign in and keep it safe"
        ),
        Some((email, None)) => {
            tracing::info!(%email, "created the first portal admin from PORTICO_ADMIN_EMAIL/PORTICO_ADMIN_PASSWORD")
        }
        None => {}
    }
    let mailer = Mailer::new(config.smtp.is_some(), &config.public_url);
    match &config.smtp {
        Some(smtp) => delivery::spawn(db.clone(), &mailer, smtp.clone()),
        None => tracing::info!("no SMTP configured (PORTICO_SMTP_URL): mails are held in Admin → Outbox"),
    }
    let backend = Backend {
        db,
        hasher,
        sessions: SessionPolicy { idle: config.session_idle, absolute: config.session_max },
        secure_cookies: config.secure_cookies(),
        mailer,
        invite_ttl: config.invite_ttl,
        reset_per_email: RateLimiter::new(3, Duration::from_secs(15 * 60)),
        reset_per_client: RateLimiter::new(10, Duration::from_secs(15 * 60)),
        export_dir: config.export_dir.clone(),
    };
    let interrupted = exports::fail_interrupted(&backend.db).await?;
    if interrupted > 0 {
        tracing::warn!(jobs = interrupted, "exports interrupted by the last stop were marked failed");
    }
    let gateway = Gateway::with_readers(backend.db.clone(), readers);
    gateway.spawn_background(config.gateway_poll);
    Ok(AppState::new(Arc::new(backend), gateway, config))
}

/// Deletes expired sessions every ten minutes, for as long as the host runs.
pub fn spawn_session_sweeper(state: &AppState) {
    let backend = state.backend.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            every.tick().await;
            match sessions::purge_expired(&backend.db, backend.sessions).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sessions = n, "expired sessions removed"),
                Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
            }
        }
    });
}
