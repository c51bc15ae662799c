//! Connecting to the database chosen by URL, and running the migrations.

use crate::migration::Migrator;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use std::path::Path;
use std::time::Duration;

/// SQLite page cache sizes (negative: KiB) of the main pool's connection and of each
/// reader.
const WRITER_CACHE: &str = "-65536";
const READER_CACHE: &str = "-16384";

/// The name of the thread behind the main pool's SQLite file connection, the one that
/// runs every write (sqlx gives each SQLite connection a thread of its own). The gateway
/// lowers its priority (see [`crate::priority`]). Kept under the 15 bytes the kernel
/// keeps of a thread's name.
pub const WRITER_THREAD: &str = "portico-writer";

/// Opens a pool for `url` (`sqlite://…` or `postgres://…`). For a SQLite file the parent
/// directory is created and the file too (`mode=rwc`), so first start needs nothing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    Database::connect(connect_options(url)?).await
}

/// The options [`connect`] opens `url` with (the tests' PostgreSQL schemas start from
/// them too).
pub fn connect_options(url: &str) -> Result<ConnectOptions, DbErr> {
    let mut url = url.to_owned();
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    if let Some(path) = sqlite_file_path(&url) {
        if let Some(dir) = Path::new(&path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
        }
        if !url.contains("mode=") {
            url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
        }
    }
    let mut options = ConnectOptions::new(url);
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    // PostgreSQL plans each statement for the values it runs with. (By default, after
    // five runs of a prepared statement it may keep one generic plan made without them:
    // the developer search's probe then took the trigram index for every pattern, and
    // "c", which 346,005 of a million documents match, took 19 ms instead of the 1.3 ms
    // of a sequential read that stops at the 1,001st match.)
    options.map_sqlx_postgres_opts(|o| o.options([("plan_cache_mode", "force_custom_plan")]));
    if in_memory {
        // Each connection to `sqlite::memory:` is its own database: keep exactly one.
        options.max_connections(1).min_connections(1);
    } else {
        // Set on every connection of the pool: WAL lets readers run beside the writer
        // (sqlx waits on a busy lock for 5 s and enables foreign keys by itself). The
        // writer's page cache is 64 MiB instead of SQLite's 2 MiB: the gateway's flush
        // updates a row per key used in the last second, and with the default cache
        // most of those pages were read again from the file on every flush.
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .pragma("cache_size", WRITER_CACHE)
                .thread_name(|_| WRITER_THREAD.to_owned())
        });
    }
    Ok(options)
}

/// A pool for read-only work that must not wait behind a write, beside the main pool
/// [`connect`] opened for `url`. On a SQLite file the main pool has one connection
/// (sea-orm's default for SQLite, which keeps writers from meeting on SQLite's lock:
/// a transaction that reads and then writes would fail at once if another connection
/// wrote in between), so the gateway's key loads would queue behind its usage writes;
/// a second pool of `connections` only reads, and in WAL mode readers never wait for the
/// writer. PostgreSQL pools already hold several connections, and an in-memory SQLite
/// database cannot be opened twice: both get `main` back.
pub async fn connect_readers(
    url: &str,
    main: &DatabaseConnection,
    connections: u32,
) -> Result<DatabaseConnection, DbErr> {
    if sqlite_file_path(url).is_none() {
        return Ok(main.clone());
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(connections)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .pragma("cache_size", READER_CACHE)
        });
    Database::connect(options).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Whether the database answers (for `/healthz`).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

/// The file behind a `sqlite:` URL, if it names one.
fn sqlite_file_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_sqlite_file() {
        assert_eq!(sqlite_file_path("sqlite://data/portico.db").as_deref(), Some("data/portico.db"));
        assert_eq!(sqlite_file_path("sqlite:///tmp/x.db?mode=rwc").as_deref(), Some("/tmp/x.db"));
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://localhost/db"), None);
    }
}
