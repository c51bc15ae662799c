//! Installs what the build needs and is missing, at the versions the build expects:
//! the wasm32 target, Trunk 0.21, wasm-bindgen-cli at Cargo.lock's wasm-bindgen version,
//! and wasm-opt from the npm package `binaryen@132` (Debian's older wasm-opt produces
//! WASM that Chromium rejects). Trunk downloads nothing itself; it finds these on PATH.

use crate::{root, run_cmd};
use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

const TRUNK_SERIES: &str = "0.21";
const BINARYEN: &str = "binaryen@132";
const WASM_OPT_VERSION: &str = "version 132";

/// Paths of the installed tools and the PATH to run Trunk with.
pub struct Tools {
    pub trunk: PathBuf,
    pub path: OsString,
}

fn home() -> PathBuf {
    std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from)
}

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME").map_or_else(|| home().join(".cargo"), PathBuf::from).join("bin")
}

/// Where xtask keeps tools that are not cargo binaries (wasm-opt).
fn tools_dir() -> PathBuf {
    home().join(".cache/portico/tools")
}

/// The output of `program --version`, if it runs.
fn version_of(program: &Path) -> Option<String> {
    let out = Command::new(program).arg("--version").output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The wasm-bindgen version pinned in Cargo.lock (the CLI must match it exactly).
pub fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    bail!("wasm-bindgen is not in Cargo.lock")
}

/// Adds the wasm32 target to the toolchain if it is missing.
pub fn ensure_wasm_target() -> Result<()> {
    let installed = Command::new("rustup").args(["target", "list", "--installed"]).output();
    let has_wasm = installed
        .as_ref()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"));
    if !has_wasm {
        run_cmd(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// Makes sure every tool is there; installs what is missing.
pub fn setup() -> Result<Tools> {
    ensure_wasm_target()?;

    let bin = cargo_bin();
    let trunk = bin.join("trunk");
    if !version_of(&trunk).is_some_and(|v| v.starts_with(&format!("trunk {TRUNK_SERIES}."))) {
        run_cmd(Command::new("cargo").args([
            "install",
            "trunk",
            "--version",
            &format!("^{TRUNK_SERIES}"),
            "--locked",
        ]))?;
    }

    let wanted = locked_wasm_bindgen()?;
    let bindgen = bin.join("wasm-bindgen");
    if version_of(&bindgen).as_deref() != Some(format!("wasm-bindgen {wanted}").as_str()) {
        // Not --locked: one of its locked dependencies is no longer on the registry.
        run_cmd(Command::new("cargo").args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &wanted,
            "--force",
        ]))?;
    }

    let binaryen = tools_dir().join("binaryen");
    let npm_bin = binaryen.join("node_modules/.bin");
    if !version_of(&npm_bin.join("wasm-opt")).is_some_and(|v| v.contains(WASM_OPT_VERSION)) {
        std::fs::create_dir_all(&binaryen)?;
        run_cmd(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&binaryen)
                .arg(BINARYEN),
        )
        .context("installing wasm-opt needs Node.js and npm")?;
    }

    let mut paths = vec![npm_bin, bin];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    let path = std::env::join_paths(paths)?;
    Ok(Tools { trunk, path })
}

/// Debian's Chromium (or `CHROMIUM_PATH`), for the browser tests.
pub fn chromium() -> Result<PathBuf> {
    let candidates = std::env::var_os("CHROMIUM_PATH")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from));
    for c in candidates {
        if c.is_file() {
            return Ok(c);
        }
    }
    bail!("the browser tests need Chromium: `apt-get install chromium` (Debian), or set CHROMIUM_PATH")
}

/// The `schemathesis` version the API contract test runs (from PyPI).
const SCHEMATHESIS: &str = "4.32.5";

/// `schemathesis` from PyPI in a virtual environment of its own, installed when missing.
pub fn schemathesis() -> Result<PathBuf> {
    let venv = tools_dir().join(format!("schemathesis-{SCHEMATHESIS}"));
    let program = venv.join("bin/schemathesis");
    if version_of(&program).is_some_and(|v| v.contains(SCHEMATHESIS)) {
        return Ok(program);
    }
    run_cmd(Command::new("python3").args(["-m", "venv"]).arg(&venv))
        .context("the API contract test needs Python 3 with venv (Debian: python3-venv)")?;
    run_cmd(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("schemathesis=={SCHEMATHESIS}")),
    )
    .context("installing schemathesis from PyPI")?;
    Ok(program)
}
