//! Usage graph benchmark: what reading a 7-day graph costs when the portal has served
//! tens of millions of calls. Prints a table; the figures go to BENCHMARKS.md.
//!
//! `cargo run --release -p portico-domain --example usage_bench -- [CALLS] [BACKENDS]`
//! (defaults: `30000000` and `sqlite,postgres`; PostgreSQL from
//! `PORTICO_TEST_POSTGRES_URL`, in a database `portico_usage_bench` made afresh).
//!
//! It writes 30 days of hourly rollups as the gateway's flush leaves them: 100
//! organisations of 10 apps, two keys per app, every hour some allowed calls and now and
//! then refusals, `CALLS` calls in all; the last two minutes not folded into the hours
//! yet, for those keys and 100,000 others (a busy gateway's); and the portal totals
//! from the same rows. Then
//! it reads graphs exactly as the dashboards do (`usage::series`): one app's, one
//! organisation's ten apps', and the whole portal's (the admin home). The baseline, in
//! the same run, is one rollup row read by its primary key.

#![allow(clippy::expect_used, clippy::print_stdout, clippy::print_stderr, clippy::cast_precision_loss)]

use chrono::Utc;
use portico_domain::db;
use portico_domain::services::usage::{self, Scope};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use std::time::{Duration, Instant};
use uuid::Uuid;

const ORGS: u128 = 100;
const APPS_PER_ORG: u128 = 10;
const KEYS_PER_APP: u128 = 2;
const HOURS: i64 = 30 * 24;
const READS: usize = 200;

fn app_id(org: u128, app: u128) -> Uuid {
    Uuid::from_u128(0xA000_0000 + org * 1000 + app)
}

fn key_id(app: Uuid, key: u128) -> Uuid {
    Uuid::from_u128(app.as_u128() * 10 + key)
}

fn product_id(app: Uuid) -> Uuid {
    Uuid::from_u128(0xB000_0000 + app.as_u128() % 4)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn fresh(backend: &str, dir: &std::path::Path) -> DatabaseConnection {
    let url = if backend == "sqlite" {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.join(format!("usage.db{suffix}")));
        }
        format!("sqlite://{}", dir.join("usage.db").display())
    } else {
        let base = std::env::var("PORTICO_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let admin = db::connect(&base).await.expect("PostgreSQL must be reachable");
        admin.execute_unprepared("DROP DATABASE IF EXISTS portico_usage_bench").await.expect("drop");
        admin.execute_unprepared("CREATE DATABASE portico_usage_bench").await.expect("create");
        admin.close().await.ok();
        let (head, _) = base.rsplit_once('/').expect("a database URL");
        format!("{head}/portico_usage_bench")
    };
    let db = db::connect(&url).await.expect("connect");
    db::migrate(&db).await.expect("migrate");
    db
}

/// Writes the rollups; returns (rows, calls).
async fn generate(db: &DatabaseConnection, calls: u64) -> (u64, u64) {
    let backend = db.get_database_backend();
    let param = |n: usize| if backend == DbBackend::Postgres { format!("${n}") } else { format!("?{n}") };
    let this_hour = Utc::now().timestamp().div_euclid(3600) * 3600;
    let series =
        u64::try_from(ORGS * APPS_PER_ORG * KEYS_PER_APP).unwrap_or(1) * u64::try_from(HOURS).unwrap_or(1);
    let per_row = (calls / series).max(1);
    let (mut rows, mut total) = (0u64, 0u64);
    let txn = db.begin().await.expect("begin");
    let mut batch: Vec<(i64, Uuid, Uuid, Uuid, &str, i64)> = Vec::with_capacity(500);
    let flush = |batch: &mut Vec<(i64, Uuid, Uuid, Uuid, &str, i64)>, table: &str, time: &str| {
        let rows: Vec<String> = (0..batch.len())
            .map(|i| format!("({})", (1..=6).map(|k| param(i * 6 + k)).collect::<Vec<_>>().join(", ")))
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({time}, app_id, key_id, product_id, outcome, count) VALUES {}",
            rows.join(", ")
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(batch.len() * 6);
        for (hour, app, key, product, outcome, n) in batch.drain(..) {
            values.extend([hour.into(), app.into(), key.into(), product.into(), outcome.into(), n.into()]);
        }
        Statement::from_sql_and_values(backend, sql, values)
    };
    for org in 0..ORGS {
        for a in 0..APPS_PER_ORG {
            let app = app_id(org, a);
            for k in 0..KEYS_PER_APP {
                let key = key_id(app, k);
                for h in 0..HOURS {
                    let hour = this_hour - h * 3600;
                    // Busier in the afternoon; a few refusals.
                    let wave = 0.5 + ((h % 24) as f64 / 24.0 * std::f64::consts::TAU).sin().abs();
                    let allowed = ((per_row as f64) * wave).round() as i64;
                    let mut push = |outcome: &'static str, n: i64| {
                        if n > 0 {
                            batch.push((hour, app, key, product_id(app), outcome, n));
                            rows += 1;
                            total += u64::try_from(n).unwrap_or(0);
                        }
                    };
                    push("allowed", allowed);
                    if h % 3 == 0 {
                        push("rate_limited", allowed / 40 + 1);
                    }
                    if h % 10 == 0 {
                        push("not_entitled", 2);
                    }
                }
                if batch.len() >= 400 {
                    txn.execute_raw(flush(&mut batch, "usage_hours", "hour")).await.expect("insert");
                }
            }
        }
    }
    if !batch.is_empty() {
        txn.execute_raw(flush(&mut batch, "usage_hours", "hour")).await.expect("insert");
    }
    // The minutes the gateway has not folded into the hours yet: the last two, for
    // every key of these apps and for 100,000 keys of other apps (a busy gateway's),
    // which a graph must seek past, not read.
    let this_minute = Utc::now().timestamp().div_euclid(60) * 60;
    let boundary = format!("UPDATE usage_folds SET folded_until = {}", param(1));
    txn.execute_raw(Statement::from_sql_and_values(backend, boundary, [(this_minute - 60).into()]))
        .await
        .expect("boundary");
    let others = (0..100_000u128)
        .map(|k| (Uuid::from_u128(0xF000_0000 + k / 2), Uuid::from_u128(0xE000_0000_0000 + k)));
    let ours = (0..ORGS * APPS_PER_ORG)
        .flat_map(|i| (0..KEYS_PER_APP).map(move |k| (app_id(i / APPS_PER_ORG, i % APPS_PER_ORG), k)))
        .map(|(app, k)| (app, key_id(app, k)));
    let keys: Vec<(Uuid, Uuid)> = ours.chain(others).collect();
    for minute in [this_minute - 60, this_minute] {
        for (app, key) in &keys {
            batch.push((minute, *app, *key, product_id(*app), "allowed", 10));
            rows += 1;
            total += 10;
            if batch.len() >= 400 {
                txn.execute_raw(flush(&mut batch, "usage_minutes", "minute")).await.expect("insert");
            }
        }
    }
    if !batch.is_empty() {
        txn.execute_raw(flush(&mut batch, "usage_minutes", "minute")).await.expect("insert");
    }
    txn.execute_unprepared(
        "INSERT INTO usage_portal_hours (hour, outcome, count) \
         SELECT hour, outcome, CAST(SUM(count) AS BIGINT) FROM usage_hours_live GROUP BY hour, outcome",
    )
    .await
    .expect("portal totals");
    txn.commit().await.expect("commit");
    db.execute_unprepared(if backend == DbBackend::Postgres { "VACUUM ANALYZE" } else { "ANALYZE" })
        .await
        .expect("analyze");
    (rows, total)
}

struct Line {
    name: &'static str,
    p50: Duration,
    p95: Duration,
    p99: Duration,
}

async fn measure<F, Fut>(name: &'static str, mut read: F) -> Line
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    read(0).await;
    let mut times = Vec::with_capacity(READS);
    for i in 0..READS {
        let started = Instant::now();
        read(i).await;
        times.push(started.elapsed());
    }
    times.sort();
    Line { name, p50: percentile(&times, 0.5), p95: percentile(&times, 0.95), p99: percentile(&times, 0.99) }
}

async fn bench(backend: &str, dir: &std::path::Path, calls: u64) {
    eprintln!("{backend}: writing 30 days of rollups for {calls} calls…");
    let db = fresh(backend, dir).await;
    let started = Instant::now();
    let (rows, total) = generate(&db, calls).await;
    eprintln!("{backend}: {rows} rows, {total} calls in {:.0?}", started.elapsed());
    let now = Utc::now();
    let this_hour = now.timestamp().div_euclid(3600) * 3600;
    let pick = |i: usize| {
        let i = u128::try_from(i).unwrap_or(0).wrapping_mul(7919);
        app_id(i % ORGS, (i / ORGS) % APPS_PER_ORG)
    };
    let point = if db.get_database_backend() == DbBackend::Postgres {
        "SELECT count FROM usage_hours WHERE hour = $1 AND app_id = $2 AND key_id = $3 AND product_id = $4 AND outcome = 'allowed'"
    } else {
        "SELECT count FROM usage_hours WHERE hour = ? AND app_id = ? AND key_id = ? AND product_id = ? AND outcome = 'allowed'"
    };
    let mut lines = Vec::new();
    lines.push(
        measure("baseline: one rollup row by primary key", |i| {
            let app = pick(i);
            let stmt = Statement::from_sql_and_values(
                db.get_database_backend(),
                point,
                [this_hour.into(), app.into(), key_id(app, 0).into(), product_id(app).into()],
            );
            let db = &db;
            async move {
                assert!(db.query_one_raw(stmt).await.expect("read").is_some(), "the row is there");
            }
        })
        .await,
    );
    lines.push(
        measure("one app's 7-day graph", |i| {
            let scope = Scope::Apps(vec![pick(i)]);
            let db = &db;
            async move {
                let s = usage::series(db, &scope, now).await.expect("series");
                assert!(s.allowed > 0);
            }
        })
        .await,
    );
    lines.push(
        measure("an organisation's 10 apps' graph", |i| {
            let org = u128::try_from(i).unwrap_or(0) % ORGS;
            let scope = Scope::Apps((0..APPS_PER_ORG).map(|a| app_id(org, a)).collect());
            let db = &db;
            async move {
                let s = usage::series(db, &scope, now).await.expect("series");
                assert!(s.allowed > 0);
            }
        })
        .await,
    );
    lines.push(
        measure("the whole portal's graph (admin home)", |_| {
            let db = &db;
            async move {
                let s = usage::series(db, &Scope::Portal, now).await.expect("series");
                assert!(s.allowed > 0);
            }
        })
        .await,
    );
    let base = lines[0].p50.as_secs_f64().max(1e-9);
    println!(
        "\nUsage graphs, {backend}: {rows} rollup rows (30 days of hours, two unfolded minutes), {total} calls, {} apps, {} keys",
        ORGS * APPS_PER_ORG,
        ORGS * APPS_PER_ORG * KEYS_PER_APP
    );
    println!("{:<42} {:>10} {:>10} {:>10} {:>12}", "read", "p50", "p95", "p99", "p50 vs base");
    for l in &lines {
        println!(
            "{:<42} {:>10} {:>10} {:>10} {:>11.1}x",
            l.name,
            ms(l.p50),
            ms(l.p95),
            ms(l.p99),
            l.p50.as_secs_f64() / base
        );
    }
    db.close().await.ok();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let calls: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(30_000_000);
    let backends = args.get(1).cloned().unwrap_or_else(|| "sqlite,postgres".to_owned());
    let dir = std::env::temp_dir().join("portico-usagebench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    for backend in backends.split(',') {
        bench(backend, &dir, calls).await;
    }
}
