//! Developer search and export benchmark. Prints tables; the figures go to BENCHMARKS.md.
//!
//! `cargo run --release -p portico-domain --example developer_bench -- [SIZES] [BACKENDS]`
//! (defaults: `100000,1000000` and `sqlite,postgres`; PostgreSQL from
//! `PORTICO_TEST_POSTGRES_URL`, in a database `portico_bench` made afresh).
//!
//! For each backend the developers are generated with `portico demo --developers`'s
//! generator, growing to each size in turn. At each size:
//!
//! - **search**: prefixes typed one character at a time (names, emails, organisations,
//!   attribute values; with and without a status filter), each answered by the admin
//!   search exactly as the live search asks it (first page plus the capped count). The
//!   baseline, in the same run, is one index row read by primary key.
//! - **export** (largest size only): the CSV export of everyone, once through the general
//!   reader and once through the fast one (`export::Reader`), each in a child process
//!   whose peak resident memory is read at the end; the two files are compared byte for
//!   byte. The baseline is a child reading every user through the ORM's plain read (full
//!   models, keyset batches) and writing nothing. `PORTICO_BENCH_BATCH` sets the rows
//!   per batch of both readers (default `export::BATCH`).
//!
//! With `PORTICO_BENCH_KEEP=1` the generated databases are kept (the SQLite file in
//! `$TMPDIR/portico-devbench-<name>`, PostgreSQL's database `<name>`) and a later run
//! with the same setting starts from what they hold, so a change to the search can be
//! measured at 1M without generating a million developers again. `<name>` is
//! `PORTICO_BENCH_NAME` (default `portico_bench`), so two checkouts keep their own.
//! `PORTICO_BENCH_EXPORT_ONLY=1` skips the search (generation still happens);
//! `PORTICO_BENCH_SEARCH_ONLY=1` skips the export.

#![allow(clippy::expect_used, clippy::print_stdout, clippy::print_stderr, clippy::cast_precision_loss)]

use portico_domain::entities::{developer_search, user};
use portico_domain::services::{lifecycle, search_index};
use portico_domain::{Actor, db, demo, export};
use portico_model as m;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::process::Command;
use std::time::{Duration, Instant};

/// What is typed, one character at a time.
const TYPED: &[&str] =
    &["margaret", "rodriguez", "northwind", "james smith", "crm-00012", "kim.wagner", "wide world"];
const REPEATS: usize = 3;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Peak resident memory of this process, from `/proc/self/status` (kB).
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

async fn admin(db: &DatabaseConnection) -> Actor {
    let admins = lifecycle::active_admins(db).await.expect("admins");
    Actor::from(admins.first().expect("the bench database has an admin"))
}

async fn open(url: &str) -> DatabaseConnection {
    let db = db::connect(url).await.expect("connect");
    db::migrate(&db).await.expect("migrate");
    db
}

/// The kept databases' name: `PORTICO_BENCH_NAME` (letters, digits and `_`), or
/// `portico_bench`.
fn bench_name() -> String {
    std::env::var("PORTICO_BENCH_NAME")
        .ok()
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or_else(|| "portico_bench".to_owned())
}

/// A database with the defaults and an admin, empty otherwise.
async fn fresh(backend: &str, dir: &std::path::Path, keep: bool) -> String {
    if backend == "sqlite" {
        let file = dir.join("developers.db");
        if keep && file.exists() {
            return format!("sqlite://{}", file.display());
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        let url = format!("sqlite://{}", file.display());
        prepare(&url).await;
        url
    } else {
        let server = portico_domain::testing::postgres_url().expect("PostgreSQL for the postgres run");
        let admin = sea_orm::Database::connect(&server).await.expect("connect to PostgreSQL");
        let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b).to_owned();
        let name = bench_name();
        let url = format!("{base}/{name}");
        if keep && sea_orm::Database::connect(&url).await.is_ok() {
            return url;
        }
        admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}")).await.expect("drop bench db");
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create bench db");
        prepare(&url).await;
        url
    }
}

async fn prepare(url: &str) {
    let db = open(url).await;
    let hasher = portico_domain::password::PasswordHasher::new(1);
    let first = portico_domain::services::bootstrap::FirstAdmin {
        email: m::Email::parse("bench@example.com").expect("email"),
        password: Some(m::Password::parse("bench-password-1").expect("password")),
    };
    portico_domain::services::bootstrap::ensure_defaults(&db, &hasher, first).await.expect("defaults");
}

/// How many developers the database holds already.
async fn developers(db: &DatabaseConnection) -> u64 {
    user::Entity::find()
        .filter(user::Column::PortalRole.eq(user::PortalRole::Developer))
        .count(db)
        .await
        .expect("count developers")
}

struct Stats {
    p50: Duration,
    p95: Duration,
    p99: Duration,
    n: usize,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    Stats {
        p50: percentile(&samples, 0.5),
        p95: percentile(&samples, 0.95),
        p99: percentile(&samples, 0.99),
        n: samples.len(),
    }
}

async fn search_run(db: &DatabaseConnection, actor: &Actor) -> (Stats, Stats, u32) {
    let mut searches = Vec::new();
    let mut lookups = Vec::new();
    let mut matched_last = 0;
    let mut slowest = Vec::new();
    let ids: Vec<uuid::Uuid> = developer_search::Entity::find()
        .select_only()
        .column(developer_search::Column::UserId)
        .order_by_asc(developer_search::Column::DocId)
        .limit(1000)
        .into_tuple()
        .all(db)
        .await
        .expect("ids");
    for round in 0..REPEATS {
        for (w, word) in TYPED.iter().enumerate() {
            for end in 1..=word.len() {
                let status = (w % 2 == 1).then_some(m::AccountStatus::Active);
                let q = m::DeveloperQuery { text: word[..end].to_owned(), status, ..Default::default() };
                let t = Instant::now();
                let (rows, page) = search_index::search(db, actor, &q).await.expect("search");
                searches.push(t.elapsed());
                slowest.push((t.elapsed(), q.text.clone(), status.is_some()));
                std::hint::black_box(rows);
                matched_last = page.matched;
                // The baseline: one row by primary key, same connection, same moment.
                let id = ids[(round * 97 + w * 13 + end) % ids.len()];
                let t = Instant::now();
                let row = developer_search::Entity::find()
                    .filter(developer_search::Column::UserId.eq(id))
                    .one(db)
                    .await
                    .expect("lookup");
                lookups.push(t.elapsed());
                assert!(row.is_some(), "the baseline reads a real row");
            }
        }
    }
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (took, text, active) in slowest.iter().take(8) {
        eprintln!("  slow: {:>9} {text:?}{}", ms(*took), if *active { " (active only)" } else { "" });
    }
    (stats(searches), stats(lookups), matched_last)
}

/// The child's work: `general URL FILE` or `fast URL FILE` (the CSV export of everyone
/// through that reader) or `scan URL`. Prints `rows seconds peak_kb general_batches`.
async fn child(mode: &str, url: &str, file: Option<&str>) {
    let db = db::connect(url).await.expect("connect");
    let started = Instant::now();
    let (rows, general_batches) = if mode == "scan" {
        // The ORM's plain read of every user, batch by batch, and nothing else.
        let mut after: Option<uuid::Uuid> = None;
        let mut rows = 0u64;
        loop {
            let mut q = user::Entity::find().order_by_asc(user::Column::Id).limit(export::BATCH);
            if let Some(a) = after {
                q = q.filter(user::Column::Id.gt(a));
            }
            let batch = q.all(&db).await.expect("scan");
            let Some(last) = batch.last() else { break };
            after = Some(last.id);
            rows += batch.len() as u64;
            std::hint::black_box(&batch);
        }
        (rows, 0)
    } else {
        let reader = if mode == "fast" { export::Reader::Fast } else { export::Reader::General };
        let batch =
            std::env::var("PORTICO_BENCH_BATCH").ok().and_then(|b| b.parse().ok()).unwrap_or(export::BATCH);
        let out = std::fs::File::create(file.expect("file")).expect("create export file");
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, out);
        let written =
            export::developers_with(&db, m::ExportFormat::Csv, None, &mut out, |_| {}, reader, batch)
                .await
                .expect("export");
        std::io::Write::flush(&mut out).expect("flush");
        assert_eq!(written.reader, reader, "the {mode} reader ran");
        (written.rows, written.general_batches)
    };
    println!("{rows} {} {} {general_batches}", started.elapsed().as_secs_f64(), peak_rss_kb());
}

/// (rows, seconds, peak kB, batches read the general way) of a child run.
fn run_child(mode: &str, url: &str, file: &str) -> (u64, f64, u64, u64) {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe).args(["--child", mode, url, file]).output().expect("run child");
    assert!(out.status.success(), "child {mode} failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let rows = parts.next().and_then(|v| v.parse().ok()).expect("rows");
    let secs = parts.next().and_then(|v| v.parse().ok()).expect("seconds");
    let kb = parts.next().and_then(|v| v.parse().ok()).expect("peak");
    let general = parts.next().and_then(|v| v.parse().ok()).expect("general batches");
    (rows, secs, kb, general)
}

/// Whether two files hold the same bytes (read in blocks: they are hundreds of MB).
fn same_bytes(a: &std::path::Path, b: &std::path::Path) -> bool {
    use std::io::Read;
    let open = |p: &std::path::Path| {
        std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(p).expect("open"))
    };
    let (mut a, mut b) = (open(a), open(b));
    let (mut x, mut y) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = a.read(&mut x).expect("read");
        if n == 0 {
            return b.read(&mut y).expect("read") == 0;
        }
        if b.read_exact(&mut y[..n]).is_err() || x[..n] != y[..n] {
            return false;
        }
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1], &args[2], args.get(3).map(String::as_str)).await;
        return;
    }
    let sizes: Vec<u64> = args
        .first()
        .map_or("100000,1000000", String::as_str)
        .split(',')
        .map(|s| s.parse().expect("sizes are numbers"))
        .collect();
    let backends: Vec<String> =
        args.get(1).map_or("sqlite,postgres", String::as_str).split(',').map(str::to_owned).collect();
    let keep = std::env::var("PORTICO_BENCH_KEEP").is_ok_and(|v| v == "1");
    let export_only = std::env::var("PORTICO_BENCH_EXPORT_ONLY").is_ok_and(|v| v == "1");
    let search_only = std::env::var("PORTICO_BENCH_SEARCH_ONLY").is_ok_and(|v| v == "1");
    let dir = if keep {
        std::env::temp_dir().join(format!("portico-devbench-{}", bench_name()))
    } else {
        std::env::temp_dir().join(format!("portico-devbench-{}", std::process::id()))
    };
    std::fs::create_dir_all(&dir).expect("bench dir");

    let mut search_table = Vec::new();
    let mut export_table = Vec::new();
    for backend in &backends {
        let url = fresh(backend, &dir, keep).await;
        let db = open(&url).await;
        let actor = admin(&db).await;
        let mut have = developers(&db).await;
        for &size in &sizes {
            let t = Instant::now();
            have += demo::bulk_developers(&db, size.saturating_sub(have), |_| {}).await.expect("generate");
            eprintln!("{backend}: {have} developers generated in {:.0} s", t.elapsed().as_secs_f64());
            if backend == "postgres" {
                // What autovacuum does after a bulk load: statistics, and the visibility
                // map that lets index-only scans skip the table.
                db.execute_unprepared("VACUUM ANALYZE").await.expect("vacuum analyze");
            }
            if export_only {
                continue;
            }
            let (search, base, matched) = search_run(&db, &actor).await;
            search_table.push(format!(
                "| {backend:<8} | {size:>9} | {:>5} | {:>9} | {:>9} | {:>9} | {:>9} | {:>6.1}× | {matched} |",
                search.n,
                ms(search.p50),
                ms(search.p95),
                ms(search.p99),
                ms(base.p95),
                search.p95.as_secs_f64() / base.p95.as_secs_f64().max(1e-9),
            ));
            eprintln!("{}", search_table.last().expect("row"));
        }
        db.close().await.expect("close");
        if search_only {
            continue;
        }
        let (general_file, fast_file) = (dir.join("export-general.csv"), dir.join("export-fast.csv"));
        let (general_name, fast_name) = (general_file.to_string_lossy(), fast_file.to_string_lossy());
        let (scan_rows, scan_secs, scan_kb, _) = run_child("scan", &url, &general_name);
        let (rows, secs, kb, _) = run_child("general", &url, &general_name);
        let (fast_rows, fast_secs, fast_kb, fallbacks) = run_child("fast", &url, &fast_name);
        let same = fast_rows == rows && same_bytes(&general_file, &fast_file);
        let bytes = std::fs::metadata(&general_file).map(|m| m.len()).unwrap_or(0);
        export_table.push(format!(
            "| {backend:<8} | {rows:>9} | {:>8.0} | {:>6.1} MB | {:>8.0} | {:>6.1} MB | {:>5.2}× | {} ({fallbacks} general batches) | {:>6.0} MB | {:>8.0} | {:>6.1} MB |",
            rows as f64 / secs,
            kb as f64 / 1024.0,
            fast_rows as f64 / fast_secs,
            fast_kb as f64 / 1024.0,
            (fast_rows as f64 / fast_secs) / (rows as f64 / secs),
            if same { "identical" } else { "DIFFERENT" },
            bytes as f64 / 1_048_576.0,
            scan_rows as f64 / scan_secs,
            scan_kb as f64 / 1024.0,
        ));
        eprintln!("{}", export_table.last().expect("row"));
        for f in [&general_file, &fast_file] {
            let _ = std::fs::remove_file(f);
        }
    }
    if export_only {
        search_table.push("| (skipped: PORTICO_BENCH_EXPORT_ONLY=1) |".to_owned());
    }
    println!("\nSearch (each keystroke of {} typed words, {REPEATS} rounds):\n", TYPED.len());
    println!(
        "| database | developers | searches | p50 | p95 | p99 | baseline p95 | p95 ÷ baseline | matches of last |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in &search_table {
        println!("{row}");
    }
    if search_only {
        export_table.push("| (skipped: PORTICO_BENCH_SEARCH_ONLY=1) |".to_owned());
    }
    println!("\nCSV export of everyone (child processes; peak = VmHWM):\n");
    println!(
        "| database | rows | general rows/s | general peak | fast rows/s | fast peak | fast ÷ general | files | file size | baseline rows/s (ORM read only) | baseline peak |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|");
    for row in &export_table {
        println!("{row}");
    }
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
