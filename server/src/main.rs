//! `portico`: the Portico host binary.

use anyhow::Context;
use clap::Parser;
use portico_server::config::{Cli, Command, Config, check_unknown_env};
use portico_server::{router, startup};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn")),
        )
        .init();
    check_unknown_env(std::env::vars().map(|(k, _)| k))?;
    let config = Config::from_settings(&cli.settings)?;
    tracing::debug!(?config, "configuration");

    let state = startup::prepare(&config).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => {
            tracing::info!("database is migrated and the defaults exist");
            Ok(())
        }
        Command::Serve => {
            startup::spawn_session_sweeper(&state);
            if !config.dist.join("index.html").is_file() {
                tracing::warn!(dist = %config.dist.display(), "the web client is not built; run `cargo xtask run`");
            }
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .with_context(|| format!("cannot listen on {}", config.addr))?;
            let local = listener.local_addr()?;
            tracing::info!(address = %local, public_url = %config.public_url, "Portico is listening");
            axum::serve(
                listener,
                router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(shutdown_signal())
            .await?;
            tracing::info!("stopped");
            Ok(())
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
}
