//! Gateway benchmark: requests per second and latency of `/gateway/verify` with many
//! keys, cold (every key's first lookup after the cache was dropped) and warm, against a
//! trivial handler of the same server (same router, same layers) measured in the same
//! run. Prints a table; the figures go to BENCHMARKS.md. Needs `wrk` on PATH. Then
//! alternated pairs of trivial and warm runs give the ratio between them, and paced
//! runs give the latency of an unsaturated gateway (the issue's "p99 at half
//! load"), at half the best warm rate and at half the issue's 35,000 req/s target, each
//! followed by the trivial handler paced at the same rate: the floor that this machine
//! and this generator set for any handler's latency. Beside each rate it prints the
//! server's CPU time per call (this process's, from `/proc`; in the paced runs less
//! the load thread's own): a cost that does not depend on how the two cores are
//! shared with `wrk`, whose share differs between the handlers. And beside each run,
//! the share of the machine's CPU time the hypervisor stole meanwhile (a virtual CPU
//! waiting while another guest runs): on the development machine it ranges from a few
//! percent to over half, a run's figures go with it.
//!
//! `cargo run --release -p portico-server --example gateway_bench -- [KEYS] [SECONDS]`
//! (defaults: 100000 keys, 10 seconds per warm run).

use async_io::{Async, Timer};
use axum::routing::get;
use clap::Parser;
use futures_util::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use futures_util::stream::{FuturesUnordered, StreamExt};
use portico_domain::entities::{access_request, api_key, user::OrgRole};
use portico_domain::mail::Mailer;
use portico_domain::password::PasswordHasher;
use portico_domain::secret::hash_token;
use portico_domain::services::access::{self, AppChoice, NewRequest};
use portico_domain::services::{accounts, catalogs, organisations, products};
use portico_domain::{Actor, apikey};
use portico_model::{
    ApiInput, AppInput, PlanInput, ProductInput, QuotaPeriod, RatePeriod, SignUpInput, Visibility,
};
use portico_server::config::{Cli, Config};
use portico_server::{router_with, startup};
use sea_orm::{EntityTrait, Set};
use std::io::Write;
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const LUA: &str = r#"
local keys = {}
for line in io.lines(os.getenv("PORTICO_BENCH_KEYS")) do keys[#keys + 1] = line end
local step, i = 2, 0
local counter = 0
-- Each thread takes every other key, so a pass touches every key once.
function setup(thread) counter = counter + 1; thread:set("offset", counter - 1) end
function init(args) offset = tonumber(offset) or 0 end
function request()
  local k = keys[((offset + i * step) % #keys) + 1]
  i = i + 1
  return wrk.format("GET", wrk.path, { ["X-API-Key"] = k, ["X-Original-URI"] = "/payments/1" })
end
"#;

/// The issue's warm target (req/s on 2 cores).
const WARM_TARGET: f64 = 35_000.0;
/// Alternated (trivial handler, verify) pairs for the ratio between them.
const PAIRS: usize = 3;

struct Run {
    name: &'static str,
    rps: f64,
    p50: String,
    p99: String,
    /// This process's CPU time per call (µs): the server's alone, `wrk` being another
    /// process.
    cpu_us: f64,
    /// Share of the machine's CPU time stolen by the hypervisor meanwhile.
    stolen: f64,
}

/// The machine's CPU time so far, in ticks, from the first line of `/proc/stat`: in
/// all, and stolen (time a virtual CPU was ready to run while the hypervisor ran
/// something else). On this machine a large and varying share, and a stall of
/// whatever was running on that CPU: it goes with each figure.
#[derive(Clone, Copy)]
struct MachineTicks {
    all: u64,
    stolen: u64,
}

impl MachineTicks {
    fn now() -> Self {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"; guest
        // time is counted in user time already.
        let fields: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        Self { all: fields.iter().take(8).sum(), stolen: fields.get(7).copied().unwrap_or(0) }
    }

    /// Share of the CPU time since `self` that was stolen.
    fn stolen_since(self) -> f64 {
        let now = Self::now();
        (now.stolen - self.stolen) as f64 / ((now.all - self.all) as f64).max(1.0)
    }
}

/// CPU time this process has used, all its threads (ended ones too), from
/// `/proc/self/stat` (user and system time, in the kernel's 100 Hz ticks).
fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    // Fields 14 and 15 of the line; the name (field 2) ends at the last ')'.
    let ticks: u64 =
        after_name.split_whitespace().skip(11).take(2).filter_map(|f| f.parse::<u64>().ok()).sum();
    Duration::from_millis(ticks * 10)
}

/// CPU time the calling thread has used (`/proc/thread-self/schedstat`, nanoseconds).
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    Duration::from_nanos(stat.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0))
}

fn wrk(name: &'static str, url: &str, seconds: u64, connections: u32, keys_file: &str, script: &str) -> Run {
    let (cpu, machine) = (process_cpu(), MachineTicks::now());
    let out = Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s"), "--latency", "-s", script, url])
        .env("PORTICO_BENCH_KEYS", keys_file)
        .output()
        .expect("wrk must be installed (apt-get install wrk)");
    let (cpu, stolen) = (process_cpu().saturating_sub(cpu), machine.stolen_since());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_owned()
    };
    let rps = field("Requests/sec:").parse().unwrap_or(0.0);
    if text.contains("Non-2xx") {
        eprintln!("{name}: some answers were not 2xx:\n{text}");
    }
    // "N requests in 10.00s, …"
    let calls: f64 = text
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    let cpu_us = cpu.as_secs_f64() * 1e6 / calls.max(1.0);
    Run { name, rps, p50: field("50%"), p99: field("99%"), cpu_us, stolen }
}

/// What a paced run measured.
struct Paced {
    rps: f64,
    p50: Duration,
    p99: Duration,
    p999: Duration,
    failures: u64,
    /// CPU time per call of this process's threads but the load's own (µs).
    cpu_us: f64,
    /// Share of the machine's CPU time stolen by the hypervisor meanwhile.
    stolen: f64,
}

/// Reads one HTTP/1.1 response (headers, then `Content-Length` bytes); false on EOF
/// or a status other than 200.
async fn read_response(stream: &mut BufReader<Async<TcpStream>>, line: &mut String) -> std::io::Result<bool> {
    let mut ok = false;
    let mut length = 0usize;
    let mut first = true;
    loop {
        line.clear();
        if stream.read_line(line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let l = line.trim_end();
        if first {
            ok = l.split_whitespace().nth(1) == Some("200");
            first = false;
        } else if l.is_empty() {
            break;
        } else if let Some((name, value)) = l.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await?;
    Ok(ok)
}

/// Open-loop load at a fixed total `rate` over `connections` keep-alive connections
/// (wrk2-style, which Debian does not package), each call a different key. Call `i` of
/// a connection is due at `start + i * connections / rate`; its latency runs from when
/// it was due when the generator is behind (so a stalled server is charged for every
/// call it delayed), and from when it was sent when the generator had to wait (timer
/// oversleep is not the server's). `path`: the verification endpoint or the trivial
/// handler (the same request either way).
///
/// Blocks the caller's thread, the one thread of the whole load, while it drives every
/// connection with `async-io`'s timers: they wake at the microsecond asked (a timerfd),
/// where tokio's wake on whole milliseconds and so released a millisecond's calls (17
/// at 17,500 req/s) at once, a burst that sat in every call's latency, on any handler.
fn paced(
    port: u16,
    path: &'static str,
    rate: f64,
    seconds: u64,
    connections: usize,
    keys: Arc<Vec<String>>,
) -> Paced {
    let (process, thread, machine) = (process_cpu(), thread_cpu(), MachineTicks::now());
    let (mut times, failures) = async_io::block_on(async move {
        let interval = Duration::from_secs_f64(connections as f64 / rate);
        let start = Instant::now() + Duration::from_millis(50);
        let end = start + Duration::from_secs(seconds);
        let mut running: FuturesUnordered<_> = (0..connections)
            .map(|c| {
                let keys = keys.clone();
                async move {
                    let stream = Async::<TcpStream>::connect(([127, 0, 0, 1], port)).await.expect("connect");
                    let mut stream = BufReader::new(stream);
                    let (mut times, mut failures, mut line) = (Vec::new(), 0u64, String::new());
                    let mut due = start + interval.mul_f64(c as f64 / connections as f64);
                    let mut i = c;
                    while due < end {
                        let from = if Instant::now() < due {
                            Timer::at(due).await;
                            Instant::now()
                        } else {
                            due
                        };
                        let key = &keys[i % keys.len()];
                        let request = format!(
                            "GET {path} HTTP/1.1\r\nHost: bench\r\nX-API-Key: {key}\r\nX-Original-URI: /payments/1\r\n\r\n"
                        );
                        stream.get_mut().write_all(request.as_bytes()).await.expect("send");
                        if !read_response(&mut stream, &mut line).await.expect("answer") {
                            failures += 1;
                        }
                        times.push(from.elapsed());
                        i += connections;
                        due += interval;
                    }
                    (times, failures)
                }
            })
            .collect();
        let (mut times, mut failures) = (Vec::new(), 0);
        while let Some((t, f)) = running.next().await {
            times.extend(t);
            failures += f;
        }
        (times, failures)
    });
    let server = process_cpu().saturating_sub(process).saturating_sub(thread_cpu().saturating_sub(thread));
    let stolen = machine.stolen_since();
    times.sort();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    Paced {
        rps: times.len() as f64 / seconds as f64,
        p50: at(0.5),
        p99: at(0.99),
        p999: at(0.999),
        failures,
        cpu_us: server.as_secs_f64() * 1e6 / (times.len() as f64).max(1.0),
        stolen,
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let keys: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let dir = std::env::temp_dir().join(format!("portico-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db_url = format!("sqlite://{}/bench.db", dir.display());
    let cli = Cli::parse_from([
        "portico",
        "--database-url",
        &db_url,
        "--admin-email",
        "root@example.com",
        "--admin-password",
        "bench-password-1",
    ]);
    let config = Config::from_settings(&cli.settings)?;
    let state = startup::prepare(&config).await?;
    let db = state.backend.db.clone();

    // One organisation, one developer, one product on "/payments", an unlimited plan.
    let hasher = PasswordHasher::new(2);
    let mailer = Mailer::outbox_only("http://bench.test");
    let root = accounts::authenticate(&db, &hasher, "root@example.com", "bench-password-1").await?;
    let admin = Actor::from(&root);
    let org = organisations::create(&db, &admin, "Bench Org").await?;
    let dev = accounts::sign_up(
        &db,
        &hasher,
        &mailer,
        SignUpInput::parse("Bea", "Bench", "bea@bench.test", "bench-password-2")
            .map_err(|e| anyhow::anyhow!("{e:?}"))?,
    )
    .await?;
    organisations::assign(&db, &admin, dev.id, org.id, &[], OrgRole::SuperAdmin).await?;
    let dev = Actor::from(&accounts::get(&db, dev.id).await?);
    let product = ProductInput::parse("Payments", "payments", "", "https://api.example.com", "")
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let product_id = products::create(&db, &admin, product.clone()).await?;
    products::update(&db, &admin, product_id, product, true).await?;
    products::add_api(
        &db,
        &admin,
        product_id,
        ApiInput::parse("Payments", "/payments").map_err(|e| anyhow::anyhow!("{e:?}"))?,
        None,
    )
    .await?;
    let catalog = catalogs::create(&db, &admin, "Public", Visibility::Public).await?;
    catalogs::set_product(&db, &admin, catalog, product_id, true).await?;
    let plan = PlanInput {
        name: "Unlimited".into(),
        rate_limit: 1_000_000,
        rate_period: RatePeriod::Second,
        quota: None,
        quota_period: QuotaPeriod::Day,
        key_lifetime_days: None,
        requires_approval: false,
    };
    let plan = catalogs::create_plan(&db, &admin, catalog, plan).await?;
    let new = NewRequest {
        catalog_id: catalog,
        plan_id: plan.id.0,
        product_ids: vec![product_id],
        app: AppChoice::New(AppInput::parse("Bench app", "").map_err(|e| anyhow::anyhow!("{e:?}"))?),
        comment: String::new(),
        idempotency_key: "bench-form-0001".into(),
    };
    let outcome = access::request(&db, &mailer, &dev, new).await?;
    let request = access_request::Entity::find_by_id(outcome.request.id.0)
        .one(&db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no request"))?;

    eprintln!("inserting {keys} keys…");
    let keys_file = dir.join("keys.txt");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&keys_file)?);
    let now = chrono::Utc::now();
    for chunk in (0..keys).collect::<Vec<_>>().chunks(2000) {
        let mut rows = Vec::with_capacity(chunk.len());
        for _ in chunk {
            let secret = apikey::generate();
            writeln!(file, "{secret}")?;
            rows.push(api_key::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                app_id: Set(request.app_id),
                request_id: Set(request.id),
                prefix: Set(apikey::visible_prefix(&secret)),
                key_hash: Set(hash_token(&secret)),
                created_by: Set(dev.user_id),
                created_at: Set(now),
                expires_at: Set(None),
                revoked_at: Set(None),
                last_used_at: Set(None),
            });
        }
        api_key::Entity::insert_many(rows).exec(&db).await?;
    }
    file.flush()?;
    drop(file);
    let script = dir.join("keys.lua");
    std::fs::write(&script, LUA)?;

    // Inside the router's layers, as `/gateway/verify` is: the same middleware for both.
    let gateway = state.gateway.clone();
    let app = router_with(state, axum::Router::new().route("/bench/trivial", get(|| async { "ok" })));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let key_list: Arc<Vec<String>> =
        Arc::new(std::fs::read_to_string(&keys_file)?.lines().map(str::to_owned).collect());
    let (keys_file, script) = (keys_file.display().to_string(), script.display().to_string());
    let verify = format!("http://127.0.0.1:{port}/gateway/verify");
    let trivial = format!("http://127.0.0.1:{port}/bench/trivial");

    let (runs, pairs) = tokio::task::spawn_blocking(move || {
        let mut runs = Vec::new();
        runs.push(wrk("trivial handler", &trivial, seconds, 64, &keys_file, &script));
        // Cold: no key has been looked up yet; each call in this short run is a key's
        // first (format, hash, database load, then the decision).
        let cold_secs = 3;
        runs.push(wrk("verify, cold (first use of each key)", &verify, cold_secs, 64, &keys_file, &script));
        // Warm every key (a pass long enough to touch each one), then measure.
        let warming = u64::try_from(keys / 1500).unwrap_or(60).clamp(seconds, 120);
        let _ = wrk("(warming)", &verify, warming, 64, &keys_file, &script);
        runs.push(wrk("verify, warm", &verify, seconds, 64, &keys_file, &script));
        runs.push(wrk("verify, warm, 16 connections", &verify, seconds, 16, &keys_file, &script));
        // The ratio to the trivial handler, in alternated pairs: this machine's speed
        // drifts by more than the ratio's margin within a run, so the first trivial run
        // alone, 80 s before the warm one, is a noisy base.
        let pairs: Vec<(Run, Run)> = (0..PAIRS)
            .map(|_| {
                let base = wrk("trivial handler", &trivial, seconds, 64, &keys_file, &script);
                (base, wrk("verify, warm", &verify, seconds, 64, &keys_file, &script))
            })
            .collect();
        (runs, pairs)
    })
    .await?;
    // Usage writes run at a lower priority than calls (see `portico_domain::priority`):
    // at saturation they fall behind. How far, and how long they take to catch up.
    let backlog = gateway.unflushed();
    let waited = std::time::Instant::now();
    while gateway.unflushed() > 0 && waited.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let caught_up = waited.elapsed();
    // Paced, for the latency a gateway sees when not saturated, at two rates: half of
    // the best warm rate measured and half of the issue's warm target ("p99 < 2 ms at
    // half of that load" read both ways); each followed by the trivial handler at the
    // same rate, the floor this machine and this generator set for any handler's tail.
    let best =
        runs.iter().skip(2).chain(pairs.iter().map(|(_, warm)| warm)).map(|r| r.rps).fold(0.0, f64::max);
    let mut paced_runs = Vec::new();
    for (what, rate) in
        [("half of the best warm rate", best / 2.0), ("half of the 35,000 req/s target", WARM_TARGET / 2.0)]
    {
        let (keys, again) = (key_list.clone(), key_list.clone());
        let half =
            tokio::task::spawn_blocking(move || paced(port, "/gateway/verify", rate, seconds, 16, keys))
                .await?;
        let floor =
            tokio::task::spawn_blocking(move || paced(port, "/bench/trivial", rate, seconds, 16, again))
                .await?;
        paced_runs.push((what, rate, half, floor));
    }
    let base = runs[0].rps;
    println!(
        "\nGateway benchmark: {keys} keys, SQLite, wrk -t2, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<38} {:>12} {:>9} {:>9} {:>10} {:>9} {:>7}",
        "run", "req/s", "p50", "p99", "vs trivial", "CPU/call", "stolen"
    );
    for r in &runs {
        println!(
            "{:<38} {:>12.0} {:>9} {:>9} {:>9.0}% {:>7.1}µs {:>6.0}%",
            r.name,
            r.rps,
            r.p50,
            r.p99,
            100.0 * r.rps / base.max(1.0),
            r.cpu_us,
            100.0 * r.stolen
        );
    }
    println!("\nalternated, 64 connections, {seconds} s each: trivial handler, then verify (warm)");
    let mut ratios = Vec::new();
    for (base, warm) in &pairs {
        let ratio = warm.rps / base.rps.max(1.0);
        println!(
            "  {:.0} req/s ({:.1}µs CPU/call, {:.0}% stolen), then {:.0} req/s ({:.1}µs, p99 {}, {:.0}% stolen): {:.0}%",
            base.rps,
            base.cpu_us,
            100.0 * base.stolen,
            warm.rps,
            warm.cpu_us,
            warm.p99,
            100.0 * warm.stolen,
            100.0 * ratio
        );
        ratios.push(ratio);
    }
    ratios.sort_by(f64::total_cmp);
    println!("  median: {:.0}% of the trivial handler", 100.0 * ratios[ratios.len() / 2]);
    let ms = |d: Duration| format!("{:.2}ms", d.as_secs_f64() * 1000.0);
    let report = |what: &str, p: &Paced| {
        println!(
            "{what} (16 connections): {:.0} req/s, p50 {}, p99 {}, p99.9 {}, {} not 200; server CPU {:.1}µs/call; {:.0}% of the machine's CPU time stolen",
            p.rps,
            ms(p.p50),
            ms(p.p99),
            ms(p.p999),
            p.failures,
            p.cpu_us,
            100.0 * p.stolen
        );
    };
    println!(
        "\ncalls waiting in memory for a flush when the warm runs ended: {backlog}; {} {:.1} s later",
        if gateway.unflushed() == 0 { "all taken by a flush" } else { "still not all taken" },
        caught_up.as_secs_f64()
    );
    for (what, rate, half, floor) in &paced_runs {
        report(&format!("\nverify, warm, paced at {rate:.0} req/s ({what})"), half);
        report("trivial handler, paced at the same rate", floor);
        println!(
            "  server CPU per call, trivial ÷ verify: {:.0}%",
            100.0 * floor.cpu_us / half.cpu_us.max(1e-9)
        );
    }
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
