//! House rules as tests: every file says why it exists; pure crates stay pure.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "target") {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let mut files = Vec::new();
    rust_files(&workspace().join("crates"), &mut files);
    assert!(files.len() > 30);
    let missing: Vec<String> = files.iter().filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!")).map(|f| f.display().to_string()).collect();
    assert!(missing.is_empty(), "files without a leading //! doc: {missing:?}");
}

#[test]
fn pure_crates_know_nothing_of_storage_terminals_or_http() {
    for (krate, forbidden) in [
        ("girok-core", &["rusqlite", "clap", "axum", "indicatif", "age"][..]),
        ("girok-linkage", &["rusqlite", "clap", "axum", "indicatif", "girok-store"][..]),
        ("girok-estimate", &["rusqlite", "clap", "axum", "indicatif", "girok-store", "girok-core"][..]),
        ("girok-store", &["clap", "axum", "indicatif"][..]),
        ("girok-server", &["clap", "indicatif"][..]),
    ] {
        let manifest = std::fs::read_to_string(workspace().join("crates").join(krate).join("Cargo.toml")).unwrap();
        let deps = manifest.split("[dependencies]").nth(1).unwrap_or("").split("\n[").next().unwrap_or("");
        for f in forbidden {
            assert!(
                !deps.lines().any(|l| l.trim_start().starts_with(&format!("{f} ")) || l.trim_start().starts_with(&format!("{f}."))),
                "{krate} must not depend on {f}"
            );
        }
    }
}
