//! RECOVERY.md works: every record and original file comes back with sqlcipher, argon2 and age.
//!
//! Needs the Debian packages `sqlcipher`, `argon2` and `age`, which `.ci/run` installs.

use std::path::Path;
use std::process::Command;

use crate::{girok, ok, setup, write, PASS};

fn have(tool: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().map(|o| o.status.success()).unwrap_or(false)
}

#[test]
fn stock_tools_recover_every_record_and_file() {
    let missing: Vec<&str> = ["sqlcipher", "argon2", "age"].into_iter().filter(|t| !have(t)).collect();
    assert!(missing.is_empty(), "install {missing:?} to run the recovery test (Debian: apt-get install sqlcipher argon2 age; .ci/run does this)");
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    let files =
        [write(d, "ko.txt", "SYNTHETIC 증언: 요덕수용소에서 3년 동안 강제노동을 했다."), write(d, "en.html", "<p>SYNTHETIC report on forced returns</p>")];
    let binary = d.join("photo.bin");
    std::fs::write(&binary, (0..=255u8).cycle().take(100_000).collect::<Vec<u8>>()).unwrap();
    ok(girok(d).arg("add").args(&files).arg(&binary));

    let out = d.join("recovered");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/recover.sh");
    let r = Command::new("bash").arg(&script).arg(d.join("archive")).arg(&out).env("GIROK_PASSPHRASE", PASS).output().unwrap();
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(r.status.success(), "recover.sh failed: {stdout}\n{}", String::from_utf8_lossy(&r.stderr));

    // Every original comes back byte for byte.
    let mut recovered: Vec<Vec<u8>> = std::fs::read_dir(out.join("files")).unwrap().map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect();
    let mut originals: Vec<Vec<u8>> = files.iter().chain([&binary]).map(|p| std::fs::read(p).unwrap()).collect();
    recovered.sort();
    originals.sort();
    assert_eq!(recovered, originals);

    // Every record comes back, as the JSON Girok itself would export.
    let lines = std::fs::read_to_string(out.join("records.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let a = girok_store::Archive::open(&d.join("archive"), &girok_store::KeySource::passphrase(PASS)).unwrap();
    let total: u64 = a.counts().unwrap().iter().map(|(_, n)| n).sum();
    assert_eq!(records.len() as u64, total);
    assert!(records.iter().any(|r| r["id"] == "per-1" && r["names"][0]["text"] == "김철수"));
    assert!(std::fs::read_to_string(out.join("audit.tsv")).unwrap().lines().count() > 150);
    assert!(!out.join("age-identity.txt").exists(), "the recovered key is not left behind");

    // A wrong passphrase fails clearly rather than producing empty output.
    let r = Command::new("bash").arg(&script).arg(d.join("archive")).arg(d.join("r2")).env("GIROK_PASSPHRASE", "wrong").output().unwrap();
    assert!(!r.status.success());
}
