//! Test harness (feature `testing`): a fresh, migrated database per test, on SQLite and
//! on PostgreSQL, for this crate's tests and the host's.
//!
//! `db_test!(name)` turns `async fn name(db: DatabaseConnection)` into two tests,
//! `name::sqlite` (in-memory) and `name::postgres` (a fresh schema in the database at
//! `PORTICO_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`).
//! PostgreSQL is not optional: an unreachable server fails the test. Set
//! `PORTICO_TEST_POSTGRES_URL=skip` to run SQLite only on a machine without it.

#![allow(clippy::expect_used)]

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The PostgreSQL server for tests, or `None` when explicitly skipped.
pub fn postgres_url() -> Option<String> {
    let url = std::env::var("PORTICO_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_PG.to_owned());
    (url != "skip").then_some(url)
}

/// A migrated in-memory SQLite database.
pub async fn sqlite() -> DatabaseConnection {
    let db = crate::db::connect("sqlite::memory:")
        .await
        .expect("open sqlite");
    crate::db::migrate(&db).await.expect("migrate sqlite");
    db
}

/// A migrated PostgreSQL schema of its own; removed by [`PgSchema::drop`].
pub struct PgSchema {
    pub db: DatabaseConnection,
    admin: DatabaseConnection,
    name: String,
}

impl PgSchema {
    pub async fn new(url: &str) -> Self {
        let admin = Database::connect(url)
            .await
            .expect("PostgreSQL must be reachable for the data-layer tests");
        let name = format!("t_{}", uuid::Uuid::now_v7().simple());
        admin
            .execute_unprepared(&format!("CREATE SCHEMA {name}"))
            .await
            .expect("create schema");
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .set_schema_search_path(name.clone())
            .max_connections(5)
            .sqlx_logging(false);
        let db = Database::connect(options).await.expect("connect to schema");
        crate::db::migrate(&db).await.expect("migrate postgres");
        Self { db, admin, name }
    }

    pub async fn drop(self) {
        let _ = self.db.close().await;
        self.admin
            .execute_unprepared(&format!("DROP SCHEMA {} CASCADE", self.name))
            .await
            .expect("drop schema");
    }
}

/// Declares a test that runs once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! db_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::testing::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(url) = $crate::testing::postgres_url() else {
                    eprintln!("PostgreSQL skipped: PORTICO_TEST_POSTGRES_URL=skip");
                    return;
                };
                let schema = $crate::testing::PgSchema::new(&url).await;
                super::$name(schema.db.clone()).await;
                schema.drop().await;
            }
        }
    };
}
