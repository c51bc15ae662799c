//! Two hosts on one PostgreSQL database. Host A is this process's router; host B is the
//! `portico` binary in a child process whose periodic check of the change counter runs
//! once an hour, so only LISTEN/NOTIFY can carry a change to it in time. While a load
//! loop hammers a key through host B, the key's developer is deactivated through host A:
//! host B must refuse the key within 2 s, and let it through again within 2 s of the
//! reactivation.

use crate::gateway::{key_on_plan, setup};
use crate::nginx::{free_port, get};
use crate::organisations::ok;
use portico_domain::testing::{PgSchema, postgres_url};
use sea_orm::{ConnectionTrait, Statement};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The second host; stopped (and its folder deleted) when dropped.
struct HostB {
    child: Child,
    port: u16,
    _dir: crate::TempDirs,
}

impl Drop for HostB {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl HostB {
    /// Starts `portico serve` on `database_url` and waits until it is ready.
    async fn start(database_url: &str) -> Self {
        let port = free_port().await;
        let dir = std::env::temp_dir().join(format!("portico-host-b-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html><title>Portico</title>").unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_portico"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .args(["--addr", &format!("127.0.0.1:{port}"), "--database-url", database_url])
            .args(["--admin-email", crate::ADMIN_EMAIL, "--gateway-poll-ms", "3600000"])
            .arg("--dist")
            .arg(&dir)
            .arg("--export-dir")
            .arg(dir.join("exports"))
            .stdout(Stdio::null())
            .spawn()
            .expect("start the second host");
        let mut host = Self { child, port, _dir: crate::TempDirs(vec![dir]) };
        for _ in 0..300 {
            if let Some(status) = host.child.try_wait().unwrap() {
                panic!("the second host stopped: {status}");
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok()
                && get(port, "/readyz", &[]).await.0 == 200
            {
                return host;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the second host did not become ready");
    }

    async fn verify(&self, key: &str) -> u16 {
        let headers = [("X-API-Key", key), ("X-Original-URI", "/payments/charges")];
        get(self.port, "/gateway/verify", &headers).await.0
    }
}

/// The same database as `schema`, as a URL another process can open.
async fn url_of(base: &str, schema: &PgSchema) -> String {
    let row = schema
        .db
        .query_one_raw(Statement::from_string(
            schema.db.get_database_backend(),
            "SELECT current_schema() AS s",
        ))
        .await
        .unwrap()
        .unwrap();
    let name: String = row.try_get("", "s").unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{name}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_host_reaches_another_by_notification_within_two_seconds_under_load() {
    let Some(base) = postgres_url() else {
        eprintln!("PostgreSQL skipped: PORTICO_TEST_POSTGRES_URL=skip");
        return;
    };
    let schema = PgSchema::new(&base).await;
    let s = setup(schema.db.clone()).await;
    let key = key_on_plan(&s, "Load", "1000000", "Second", None).await;
    let host_b = Arc::new(HostB::start(&url_of(&base, &schema).await).await);
    assert_eq!(host_b.verify(&key).await, 200, "the key works on the second host");

    // Load on host B: every call with the instant it started and its status.
    let stop = Arc::new(AtomicBool::new(false));
    let mut loops = Vec::new();
    for _ in 0..4 {
        let (host_b, key, stop) = (host_b.clone(), key.clone(), stop.clone());
        loops.push(tokio::spawn(async move {
            let mut calls = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let started = Instant::now();
                calls.push((started, host_b.verify(&key).await));
            }
            calls
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    ok(&s.app, "deactivate_user", &[("id", s.ada_id.as_str())], &s.admin).await;
    let deactivated = Instant::now();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    stop.store(true, Ordering::SeqCst);
    let mut calls = Vec::new();
    for l in loops {
        calls.extend(l.await.unwrap());
    }

    let statuses: std::collections::BTreeSet<u16> = calls.iter().map(|(_, st)| *st).collect();
    assert!(statuses.iter().all(|st| [200, 403].contains(st)), "only allowed or refused: {statuses:?}");
    let allowed_before = calls.iter().filter(|(at, st)| *at < deactivated && *st == 200).count();
    assert!(allowed_before > 0, "the load loop ran against a working key");
    let last_allowed = calls.iter().filter(|(_, st)| *st == 200).map(|(at, _)| *at).max().unwrap();
    let delay = last_allowed.saturating_duration_since(deactivated);
    let late = calls.iter().filter(|(at, _)| at.duration_since(deactivated) > Duration::from_secs(2)).count();
    let when = if last_allowed < deactivated { "before".to_owned() } else { format!("{delay:?} after") };
    eprintln!(
        "{} calls on host B; the last one allowed started {when} the deactivation returned",
        calls.len()
    );
    assert!(delay < Duration::from_secs(2), "host B still allowed the key {delay:?} after the change");
    assert!(late > 0, "the load went on past the 2 s mark, so the refusals after it were observed");

    // Reactivation reaches host B the same way.
    ok(&s.app, "activate_user", &[("id", s.ada_id.as_str())], &s.admin).await;
    let reactivated = Instant::now();
    while host_b.verify(&key).await != 200 {
        assert!(reactivated.elapsed() < Duration::from_secs(2), "host B did not take the reactivation");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(host_b);
    schema.drop().await;
}
