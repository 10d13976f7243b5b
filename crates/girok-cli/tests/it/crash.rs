//! A `kill -9` in the middle of a large import loses nothing that was committed.

use std::time::{Duration, Instant};

use girok_core::Kind;
use girok_store::{Archive, KeySource};

use crate::{girok, ok, write};

#[test]
fn kill_during_import_leaves_committed_batches_intact_and_the_chain_verifying() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let key = d.join("k.hex");
    ok(girok(d).env_remove("GIROK_PASSPHRASE").args(["init", "--new-key-file"]).arg(&key));
    let n_rows = 60_000;
    let mut csv = String::from("id,names,sex,birth,notes\n");
    for i in 0..n_rows {
        csv.push_str(&format!("per-{i:06},hangul:김철{i}|mr:Kim Ch'ŏl {i},male,19{:02},SYNTHETIC row {i}\n", i % 90 + 10));
    }
    let file = write(d, "persons.csv", &csv);
    let mut child = girok(d).env_remove("GIROK_PASSPHRASE").arg("--key-file").arg(&key).args(["import", "persons"]).arg(&file).spawn().unwrap();

    // Wait until at least one batch is committed, then kill without warning.
    let key_source = KeySource::KeyFile(key.clone());
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = 0;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(30));
        if let Ok(a) = Archive::open(&d.join("archive"), &key_source) {
            seen = a.counts().unwrap().into_iter().find(|(k, _)| *k == Kind::Person).unwrap().1;
            if seen >= 2000 {
                break;
            }
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
    }
    assert!(child.try_wait().unwrap().is_none(), "the import finished before it could be killed; make the file larger");
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    let a = Archive::open(&d.join("archive"), &key_source).unwrap();
    let n = a.counts().unwrap().into_iter().find(|(k, _)| *k == Kind::Person).unwrap().1 as usize;
    assert!(n >= seen as usize && n < n_rows, "{n} of {n_rows} rows committed");
    assert_eq!(n % 1000, 0, "whole batches only: {n}");
    let report = a.verify(&mut |_, _| {}).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    // Every committed row is intact.
    for rec in a.list(Kind::Person).unwrap() {
        let girok_core::Record::Person(p) = rec else { unreachable!() };
        let i: usize = p.id[4..].parse().unwrap();
        assert_eq!(p.notes, format!("SYNTHETIC row {i}"));
    }
    drop(a);
    // Running the import again completes it; the committed rows are unchanged, not duplicated.
    let r = ok(girok(d).env_remove("GIROK_PASSPHRASE").arg("--key-file").arg(&key).args(["import", "persons"]).arg(&file));
    assert!(r.stdout.contains(&format!("{} imported, {n} unchanged", n_rows - n)), "{}", r.stdout);
    ok(girok(d).env_remove("GIROK_PASSPHRASE").arg("--key-file").arg(&key).arg("verify"));
}
