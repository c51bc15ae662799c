//! `portico`: the Portico host binary.

use anyhow::Context;
use clap::Parser;
use portico_domain::services::{api_tokens, lifecycle};
use portico_domain::{Actor, demo};
use portico_server::config::{Cli, Command, Config, check_unknown_env};
use portico_server::{router, startup};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Logs go to stderr: stdout is for what a command prints (`portico api-token`).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn")),
        )
        .init();
    check_unknown_env(std::env::vars().map(|(k, _)| k))?;
    let config = Config::from_settings(&cli.settings)?;
    tracing::debug!(?config, "configuration");

    let state = startup::prepare(&config).await?;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Migrate => {
            tracing::info!("database is migrated and the defaults exist");
            Ok(())
        }
        Command::Demo { developers: Some(n) } => {
            let started = std::time::Instant::now();
            let added = demo::bulk_developers(&state.backend.db, n, |done| {
                if done.is_multiple_of(50_000) || done == n {
                    tracing::info!(done, of = n, "generating developers");
                }
            })
            .await?;
            tracing::info!(added, seconds = started.elapsed().as_secs(), "generated developers");
            Ok(())
        }
        Command::Demo { developers: None } => seed_demo(&state).await,
        Command::ApiToken { name, acting_as } => {
            let admins = lifecycle::active_admins(&state.backend.db).await?;
            let admin = match acting_as {
                Some(email) => admins
                    .iter()
                    .find(|a| a.email.eq_ignore_ascii_case(email.trim()))
                    .with_context(|| format!("{email} is not an active portal admin"))?,
                None => admins.first().context("there is no active portal admin")?,
            };
            let made = api_tokens::create(&state.backend.db, &Actor::from(admin), &name)
                .await
                .map_err(|e| anyhow::anyhow!("cannot make the token: {e}"))?;
            tracing::info!(name = %made.token.name, prefix = %made.token.prefix, admin = %admin.email, "made an API token");
            println!("{}", made.secret);
            Ok(())
        }
        Command::Serve { demo } => {
            if demo {
                seed_demo(&state).await?;
            }
            startup::spawn_session_sweeper(&state);
            if !config.dist.join("index.html").is_file() {
                tracing::warn!(dist = %config.dist.display(), "the web client is not built; run `cargo xtask run`");
            }
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .with_context(|| format!("cannot listen on {}", config.addr))?;
            let local = listener.local_addr()?;
            tracing::info!(address = %local, public_url = %config.public_url, "Portico is listening");
            let gateway = state.gateway.clone();
            axum::serve(
                listener,
                router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(shutdown_signal())
            .await?;
            // The last second's gateway calls, counted in memory, are written before exit.
            match gateway.flush().await {
                Ok(calls) => tracing::info!(calls, "stopped; the last gateway usage is written"),
                Err(e) => {
                    tracing::error!(error = %e, unflushed = gateway.unflushed(), "stopped; gateway usage could not be written")
                }
            }
            Ok(())
        }
    }
}

/// Seeds the demo portal as the first active admin and says how to look at it.
async fn seed_demo(state: &portico_server::routes::AppState) -> anyhow::Result<()> {
    let backend = &state.backend;
    let admins = lifecycle::active_admins(&backend.db).await?;
    let admin = admins.first().context("the demo needs an active portal admin")?;
    match demo::seed(&backend.db, &backend.hasher, &Actor::from(admin)).await? {
        None => tracing::info!("the demo portal is already there"),
        Some(seeded) => tracing::info!(
            organisations = seeded.organisations,
            developers = seeded.developers,
            products = seeded.products,
            apps = seeded.apps,
            keys = seeded.keys,
            usage_rows = seeded.usage_rows,
            sign_in_as = %seeded.sample_logins.join(", "),
            password = demo::DEMO_PASSWORD,
            "seeded the demo portal; developers sign in with the demo password"
        ),
    }
    Ok(())
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
