//! `cargo xtask`: Portico's automation, in Rust so it runs wherever cargo does.
//!
//! - `cargo xtask run [-- <portico args>]` installs what is missing, builds the web client
//!   and the host (release), and serves the portal on 127.0.0.1:3000.
//! - `cargo xtask test` installs what is missing, builds the client once, and runs every
//!   test: unit, data-layer (SQLite and PostgreSQL), HTTP, tidy, and the browser tests in
//!   `end2end/` against the real `portico` binary on SQLite and on PostgreSQL.
//! - `cargo xtask lint` checks formatting and runs clippy on both feature sets of `app`.
//! - `cargo xtask e2e [FILTER…]` builds the client and the host and runs only the browser
//!   tests whose file name contains a filter, on SQLite (for working on one page).
//! - `cargo xtask api-contract` builds the host and runs only the REST API contract test
//!   (schemathesis against `/api/v1/openapi.json`), the last step of `test`.
//! - `cargo xtask setup` / `build-client` run those steps alone.

mod smtp_sink;
#[cfg(test)]
mod tidy;
mod tools;

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, rest) = args.split_first().map_or(("help", &[][..]), |(t, r)| (t.as_str(), r));
    match task {
        "setup" => tools::setup().map(|_| ()),
        "build-client" => build_client(&tools::setup()?),
        "run" => run(rest),
        "test" => test(),
        "e2e" => e2e(rest),
        "api-contract" => {
            run_cmd(cargo().args(["build", "-p", "portico-server"]))?;
            api_contract()
        }
        "lint" => lint(),
        "ci" => lint().and_then(|()| test()),
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\n\
                 tasks:\n  \
                 run [-- ARGS]  install tools, build everything, serve the portal (ARGS go to `portico serve`)\n  \
                 test           run every test, browser tests included\n  \
                 e2e [FILTER…]  only the browser tests whose file name contains a filter, on SQLite\n  \
                 api-contract   only the REST API contract test (schemathesis)\n  \
                 lint           rustfmt check and clippy on both feature sets\n  \
                 ci             lint, then test\n  \
                 setup          install the wasm32 target, trunk, wasm-bindgen-cli and wasm-opt\n  \
                 build-client   build the web client into dist/"
            );
            if task == "help" { Ok(()) } else { bail!("unknown task {task:?}") }
        }
    }
}

/// The workspace root: the nearest folder, from where `cargo xtask` runs, whose
/// Cargo.toml declares the workspace. Found at run time on purpose: a path baked in at
/// compile time would point at another checkout when two share a build directory.
pub fn root() -> PathBuf {
    let start = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    start
        .ancestors()
        .find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|toml| toml.contains("[workspace]"))
        })
        .map_or(start.clone(), Path::to_path_buf)
}

/// Runs a command in the workspace root, failing if it fails.
pub fn run_cmd(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {}", describe(cmd));
    let status =
        cmd.current_dir_if_unset().status().with_context(|| format!("cannot start {}", describe(cmd)))?;
    if !status.success() {
        bail!("{} failed ({status})", describe(cmd));
    }
    Ok(())
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

trait CurrentDir {
    fn current_dir_if_unset(&mut self) -> &mut Self;
}

impl CurrentDir for Command {
    fn current_dir_if_unset(&mut self) -> &mut Self {
        if self.get_current_dir().is_none() {
            self.current_dir(root());
        }
        self
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Where cargo puts build output (honours `CARGO_TARGET_DIR`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// Builds the WASM client into `dist/` (release, wasm-opt'd: what users get).
fn build_client(tools: &tools::Tools) -> Result<()> {
    run_cmd(Command::new(&tools.trunk).args(["build", "--release"]).env("PATH", &tools.path))
}

fn run(args: &[String]) -> Result<()> {
    let tools = tools::setup()?;
    build_client(&tools)?;
    run_cmd(cargo().args(["build", "--release", "-p", "portico-server"]))?;
    let args: Vec<&String> = args.iter().filter(|a| *a != "--").collect();
    let binary = target_dir().join("release").join("portico");
    eprintln!("\nStarting Portico. Open http://127.0.0.1:3000 (or PORTICO_ADDR) in your browser.");
    eprintln!(
        "The first start prints the admin's generated password unless PORTICO_ADMIN_PASSWORD is set.\n"
    );
    run_cmd(Command::new(binary).arg("serve").args(args))
}

fn lint() -> Result<()> {
    tools::ensure_wasm_target()?;
    run_cmd(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run_cmd(cargo().args([
        "clippy",
        "-p",
        "portico-model",
        "-p",
        "portico-domain",
        "-p",
        "portico-server",
        "-p",
        "xtask",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run_cmd(cargo().args([
        "clippy",
        "-p",
        "portico-app",
        "--features",
        "csr",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))
}

fn test() -> Result<()> {
    let tools = tools::setup()?;
    build_client(&tools)?;
    // `app` is tested through the host (its `ssr` build); its `csr` build is the client.
    run_cmd(cargo().args([
        "test",
        "-p",
        "portico-model",
        "-p",
        "portico-domain",
        "-p",
        "portico-server",
        "-p",
        "xtask",
    ]))?;
    run_cmd(cargo().args(["build", "-p", "portico-server"]))?;
    browser_tests()?;
    api_contract()
}

/// The REST API against its own OpenAPI document: schemathesis drives every operation
/// of the real `portico` binary (on a fresh SQLite portal with the demo data, through an
/// admin API token) with generated valid and invalid requests, and fails on any server
/// error or any answer the document does not describe.
fn api_contract() -> Result<()> {
    let schemathesis = tools::schemathesis()?;
    let work = target_dir().join("e2e");
    std::fs::create_dir_all(&work)?;
    let db_file = work.join("portico-api.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db_file.display()));
    }
    let portico = target_dir().join("debug").join("portico");
    let database_url = format!("sqlite://{}", db_file.display());
    let configure = |cmd: &mut Command| {
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("PORTICO_")) {
            cmd.env_remove(key);
        }
        cmd.env("DATABASE_URL", &database_url)
            .env("PORTICO_ADMIN_EMAIL", E2E_ADMIN_EMAIL)
            .env("PORTICO_ADMIN_PASSWORD", E2E_ADMIN_PASSWORD)
            .env("RUST_LOG", "warn")
            .current_dir(root());
    };
    let mut demo = Command::new(&portico);
    demo.arg("demo");
    configure(&mut demo);
    run_cmd(&mut demo)?;
    let mut mint = Command::new(&portico);
    mint.args(["api-token", "--name", "schemathesis"]);
    configure(&mut mint);
    let out = mint.output().context("cannot run portico api-token")?;
    if !out.status.success() {
        bail!("portico api-token failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let token = String::from_utf8(out.stdout)?.trim().to_owned();

    let port = free_port()?;
    let log_path = work.join("portico-api.log");
    let log = std::fs::File::create(&log_path)?;
    let mut server = Command::new(&portico);
    server.args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--dist", "dist"]);
    configure(&mut server);
    server.env("RUST_LOG", "info,sqlx=warn").stdout(log.try_clone()?).stderr(log);
    let server = ServerGuard(server.spawn().context("cannot start target/debug/portico")?);
    wait_healthy(port, Duration::from_secs(60))?;
    eprintln!("\n== REST API contract (schemathesis) ==");
    let result = run_cmd(
        Command::new(&schemathesis)
            .arg("run")
            .arg(format!("http://127.0.0.1:{port}/api/v1/openapi.json"))
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args(["--checks", "all", "--exclude-checks", "positive_data_acceptance"])
            // One worker: CPython 3.11's parser is not thread-safe under hypothesis
            // (a "recursion depth mismatch" inside the tool, not the API).
            .args(["--max-examples", "25", "--seed", "7", "--workers", "1", "--no-color"])
            .args(["--generation-database", "none", "--request-timeout", "30"])
            .arg("--report-dir")
            .arg(work.join("schemathesis-report"))
            .current_dir(&work),
    );
    drop(server);
    if result.is_err() {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let errors: Vec<&str> = log.lines().filter(|l| l.contains("ERROR")).take(40).collect();
        eprintln!("--- portico errors during the contract test ---\n{}", errors.join("\n"));
    }
    result
}

/// Builds what the browser tests need and runs the specs matching `filters` on SQLite.
fn e2e(filters: &[String]) -> Result<()> {
    let tools = tools::setup()?;
    build_client(&tools)?;
    run_cmd(cargo().args(["build", "-p", "portico-server"]))?;
    let (chromium, work, sqlite_url) = prepare_browser_run()?;
    browser_suite(&chromium, "SQLite", &sqlite_url, &work, None, filters)
}

/// Chromium, the npm packages, and a fresh SQLite file: `(chromium, work dir, sqlite url)`.
fn prepare_browser_run() -> Result<(PathBuf, PathBuf, String)> {
    let chromium = tools::chromium()?;
    let e2e = root().join("end2end");
    if !e2e.join("node_modules/playwright-core").is_dir() {
        run_cmd(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&e2e))?;
    }
    let work = target_dir().join("e2e");
    std::fs::create_dir_all(&work)?;
    let sqlite_file = work.join("portico-e2e.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", sqlite_file.display()));
    }
    Ok((chromium, work, format!("sqlite://{}", sqlite_file.display())))
}

/// The browser tests, once on a fresh SQLite file and once on a fresh PostgreSQL database.
fn browser_tests() -> Result<()> {
    let (chromium, work, sqlite_url) = prepare_browser_run()?;
    // SQLite run: no SMTP, mails are held in the outbox.
    browser_suite(&chromium, "SQLite", &sqlite_url, &work, None, &[])?;

    let pg_base = std::env::var("PORTICO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    if pg_base == "skip" {
        eprintln!("browser tests on PostgreSQL skipped: PORTICO_TEST_POSTGRES_URL=skip");
        return Ok(());
    }
    // A database of this run's own, so two checkouts can run the suite at the same time.
    let database = format!("portico_e2e_{}", std::process::id());
    run_cmd(Command::new("psql").args([
        pg_base.as_str(),
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
        "-c",
        &format!("CREATE DATABASE {database}"),
    ]))
    .context("the PostgreSQL browser run needs `psql` and a reachable server (PORTICO_TEST_POSTGRES_URL)")?;
    let pg_url = match pg_base.rsplit_once('/') {
        Some((server, _db)) => format!("{server}/{database}"),
        None => bail!("PORTICO_TEST_POSTGRES_URL has no database part: {pg_base}"),
    };
    // PostgreSQL run: with SMTP, to a sink, so delivery is real.
    let sink = smtp_sink::SmtpSink::start()?;
    let result = browser_suite(&chromium, "PostgreSQL", &pg_url, &work, Some(&sink), &[]);
    let dropped = Command::new("psql")
        .args([pg_base.as_str(), "-q", "-c", &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")])
        .status();
    if !dropped.is_ok_and(|s| s.success()) {
        eprintln!("could not drop the browser-test database {database}");
    }
    result?;
    eprintln!("SMTP sink received {} mails during the PostgreSQL run", sink.count());
    if sink.count() == 0 {
        bail!("the SMTP run delivered no mail to the sink");
    }
    Ok(())
}

const E2E_ADMIN_EMAIL: &str = "admin@e2e.test";
const E2E_ADMIN_PASSWORD: &str = "e2e-admin-password";

fn browser_suite(
    chromium: &Path,
    label: &str,
    database_url: &str,
    work: &Path,
    smtp: Option<&smtp_sink::SmtpSink>,
    filters: &[String],
) -> Result<()> {
    let mail = if smtp.is_some() { "SMTP delivery" } else { "mails held in the outbox" };
    eprintln!("\n== browser tests on {label}, {mail} ==");
    let port = free_port()?;
    let log_path = work.join(format!("portico-{}.log", label.to_lowercase()));
    let log = std::fs::File::create(&log_path)?;
    let mut server = Command::new(target_dir().join("debug").join("portico"));
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("PORTICO_")) {
        server.env_remove(key);
    }
    server
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--dist", "dist"])
        .env("DATABASE_URL", database_url)
        .env("PORTICO_ADMIN_EMAIL", E2E_ADMIN_EMAIL)
        .env("PORTICO_ADMIN_PASSWORD", E2E_ADMIN_PASSWORD)
        .env("RUST_LOG", "info,sqlx=warn")
        .current_dir(root())
        .stdout(log.try_clone()?)
        .stderr(log);
    if let Some(sink) = smtp {
        server
            .env("PORTICO_SMTP_URL", format!("smtp://127.0.0.1:{}", sink.port))
            .env("PORTICO_MAIL_FROM", "Portico E2E <portico@e2e.test>");
    }
    let server = ServerGuard(server.spawn().context("cannot start target/debug/portico")?);
    let base = format!("http://127.0.0.1:{port}");
    if let Err(e) = wait_healthy(port, Duration::from_secs(60)) {
        drop(server);
        eprintln!("{}", std::fs::read_to_string(&log_path).unwrap_or_default());
        return Err(e);
    }
    let result = run_cmd(
        Command::new("node")
            .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
            .args(spec_files(filters)?)
            .env("E2E_BASE_URL", &base)
            .env("E2E_ADMIN_EMAIL", E2E_ADMIN_EMAIL)
            .env("E2E_ADMIN_PASSWORD", E2E_ADMIN_PASSWORD)
            .env("E2E_DATABASE", label)
            .env("E2E_SMTP", if smtp.is_some() { "1" } else { "0" })
            .env("CHROMIUM_PATH", chromium)
            .current_dir(root().join("end2end")),
    );
    drop(server);
    if result.is_err() {
        eprintln!(
            "--- portico log ({label}) ---\n{}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
    }
    result
}

/// `end2end/tests/*.spec.mjs` whose name contains one of `filters` (all when empty), sorted.
fn spec_files(filters: &[String]) -> Result<Vec<String>> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("end2end/tests"))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".spec.mjs"))
        .filter(|n| filters.is_empty() || filters.iter().any(|f| n.contains(f.as_str())))
        .map(|n| format!("tests/{n}"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no browser tests found in end2end/tests");
    }
    Ok(files)
}

/// Stops the server when dropped, whatever happened.
struct ServerGuard(Child);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Polls `GET /healthz` until it answers 200.
fn wait_healthy(port: u16, limit: Duration) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = s.write_all(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
            let mut reply = String::new();
            let _ = s.read_to_string(&mut reply);
            if reply.starts_with("HTTP/1.0 200") || reply.starts_with("HTTP/1.1 200") {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("portico did not become healthy on port {port} within {limit:?}")
}
