//! Test harness (feature `testing`): a fresh, migrated database per test, on SQLite and
//! on PostgreSQL, for this crate's tests and the host's.
//!
//! `db_test!(name)` turns `async fn name(db: DatabaseConnection)` into two tests,
//! `name::sqlite` (in-memory) and `name::postgres` (a fresh schema in the database at
//! `PORTICO_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`).
//! PostgreSQL is not optional: an unreachable server fails the test. Set
//! `PORTICO_TEST_POSTGRES_URL=skip` to run SQLite only on a machine without it.

#![allow(clippy::expect_used)]

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The PostgreSQL server for tests, or `None` when explicitly skipped.
pub fn postgres_url() -> Option<String> {
    let url = std::env::var("PORTICO_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_PG.to_owned());
    (url != "skip").then_some(url)
}

/// A migrated in-memory SQLite database.
pub async fn sqlite() -> DatabaseConnection {
    let db = crate::db::connect("sqlite::memory:").await.expect("open sqlite");
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
        let admin =
            Database::connect(url).await.expect("PostgreSQL must be reachable for the data-layer tests");
        let name = format!("t_{}", uuid::Uuid::now_v7().simple());
        admin.execute_unprepared(&format!("CREATE SCHEMA {name}")).await.expect("create schema");
        let mut options = crate::db::connect_options(url).expect("PostgreSQL options");
        options.set_schema_search_path(name.clone()).max_connections(5).sqlx_logging(false);
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

/// A real SMTP server for tests: accepts every message on a loopback port and hands
/// each received message (envelope and raw data) to the test.
pub struct SmtpSink {
    pub port: u16,
    pub received: tokio::sync::mpsc::UnboundedReceiver<ReceivedMail>,
}

/// One message as the sink received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl SmtpSink {
    /// Listens on 127.0.0.1, port chosen by the OS. With `fail_first > 0`, the first
    /// that many messages are refused with a temporary error (to test retries).
    pub async fn start(fail_first: usize) -> Self {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind smtp sink");
        let port = listener.local_addr().expect("addr").port();
        let (tx, received) = tokio::sync::mpsc::unbounded_channel();
        let refusals = Arc::new(AtomicUsize::new(fail_first));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let tx = tx.clone();
                let refusals = refusals.clone();
                tokio::spawn(async move {
                    let refuse = refusals
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    let _ = smtp_session(stream, tx, refuse).await;
                });
            }
        });
        Self { port, received }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }
}

async fn smtp_session(
    stream: tokio::net::TcpStream,
    tx: tokio::sync::mpsc::UnboundedSender<ReceivedMail>,
    refuse: bool,
) -> std::io::Result<()> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            write.write_all(b"250-sink.test\r\n250 8BITMIME\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = line[10..].trim().trim_matches(['<', '>']).to_owned();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            if refuse {
                write.write_all(b"451 try again later\r\n").await?;
            } else {
                to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                write.write_all(b"250 OK\r\n").await?;
            }
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            while let Some(l) = lines.next_line().await? {
                if l == "." {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                data.push('\n');
            }
            let _ = tx.send(ReceivedMail { from: from.clone(), to: std::mem::take(&mut to), data });
            write.write_all(b"250 queued\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            break;
        } else if upper == "RSET" || upper == "NOOP" {
            write.write_all(b"250 OK\r\n").await?;
        } else {
            write.write_all(b"502 not implemented\r\n").await?;
        }
    }
    Ok(())
}

/// The newest mail to `to` in the outbox (panics if there is none).
pub async fn latest_mail_to(db: &DatabaseConnection, to: &str) -> crate::entities::outbox_message::Model {
    use crate::entities::outbox_message;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    outbox_message::Entity::find()
        .filter(outbox_message::Column::ToAddress.eq(to))
        .order_by_desc(outbox_message::Column::CreatedAt)
        .order_by_desc(outbox_message::Column::Id)
        .one(db)
        .await
        .expect("query the outbox")
        .unwrap_or_else(|| panic!("no mail to {to}"))
}
