//! Tidy tests: keep the docs and the layering honest. They read the source tree and
//! fail when ARCHITECTURE.md, README.md or `.env.example` fall behind the code, or when
//! a layer imports what it must not.

use crate::root;
use std::path::{Path, PathBuf};

/// Top-level folders that are build output or local state, not part of the map.
const NOT_MAPPED: &[&str] = &["target", "dist", "data", "node_modules"];

fn read(path: impl AsRef<Path>) -> String {
    let path = root().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Workspace members named in the root Cargo.toml.
fn workspace_members() -> Vec<String> {
    let manifest = read("Cargo.toml");
    let line = manifest.lines().find(|l| l.starts_with("members")).expect("members line");
    line.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

#[test]
fn architecture_maps_every_top_level_folder_and_crate() {
    let arch = read("ARCHITECTURE.md");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root()).expect("root").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() || name.starts_with('.') || NOT_MAPPED.contains(&name.as_str()) {
            continue;
        }
        if !arch.contains(&format!("`{name}/`")) {
            missing.push(name);
        }
    }
    for member in workspace_members() {
        let crate_name = read(format!("{member}/Cargo.toml"))
            .lines()
            .find_map(|l| l.strip_prefix("name = \"").map(|n| n.trim_end_matches('"').to_owned()))
            .expect("package name");
        if !arch.contains(&format!("`{crate_name}`")) {
            missing.push(crate_name);
        }
    }
    assert!(missing.is_empty(), "ARCHITECTURE.md does not mention: {missing:?}");
}

/// `(folder, forbidden words)`: the layering invariants of ARCHITECTURE.md.
const LAYERS: &[(&str, &[&str])] = &[
    ("model/src", &["leptos", "axum", "sea_orm", "portico_domain", "tokio"]),
    ("domain/src", &["leptos", "axum", "http::", "portico_app"]),
    ("app/src/pages", &["sea_orm", "portico_domain", "axum"]),
    ("app/src/components", &["sea_orm", "portico_domain", "axum"]),
];

#[test]
fn layers_import_only_what_they_may() {
    let mut violations = Vec::new();
    for (dir, forbidden) in LAYERS {
        for file in rust_files(&root().join(dir)) {
            let text = std::fs::read_to_string(&file).expect("read source");
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                for word in *forbidden {
                    if code.contains(word) {
                        violations.push(format!("{}:{}: uses {word}", file.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(violations.is_empty(), "layering violations:\n{}", violations.join("\n"));
}

#[test]
fn every_module_states_its_role() {
    let mut silent = Vec::new();
    for member in workspace_members() {
        for file in rust_files(&root().join(&member)) {
            let text = std::fs::read_to_string(&file).expect("read source");
            if !text.trim_start().starts_with("//!") {
                silent.push(file.display().to_string());
            }
        }
    }
    assert!(silent.is_empty(), "files without a `//!` line saying what they are for: {silent:?}");
}

#[test]
fn every_setting_is_documented() {
    let config = read("server/src/config.rs");
    let readme = read("README.md");
    let example = read(".env.example");
    let settings: Vec<&str> =
        config.split("env = \"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    assert!(settings.len() >= 6, "found settings: {settings:?}");
    let undocumented: Vec<_> =
        settings.iter().filter(|s| !readme.contains(*s) || !example.contains(*s)).collect();
    assert!(undocumented.is_empty(), "settings missing from README.md or .env.example: {undocumented:?}");
}
