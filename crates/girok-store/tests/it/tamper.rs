//! `verify` names every altered, missing or unaudited record, log entry and file.

use girok_store::{Archive, IntakeMeta, IntakeOutcome, Problem};

use crate::{archive, key};

fn doc(a: &mut Archive, name: &str, text: &str) -> String {
    let out = a
        .write("intake", |w| {
            w.add_bytes(name, text.as_bytes(), &IntakeMeta::default())
                .map_err(|e| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() })
        })
        .unwrap();
    match out {
        IntakeOutcome::Added { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

fn blob_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for shard in std::fs::read_dir(dir.join("blobs")).unwrap().flatten() {
        for f in std::fs::read_dir(shard.path()).unwrap().flatten() {
            out.push(f.path());
        }
    }
    out
}

#[test]
fn clean_archive_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    doc(&mut a, "a.txt", "SYNTHETIC testimony one");
    let r = a.verify(&mut |_, _| {}).unwrap();
    assert!(r.ok(), "{:?}", r.problems);
    assert_eq!(r.blobs, 1);
    assert!(r.entries > 100, "gazetteer seeding is audited too");
}

#[test]
fn flipped_byte_in_a_blob_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let id = doc(&mut a, "a.txt", "SYNTHETIC testimony one");
    let path = blob_files(a.dir()).remove(0);
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n - 20] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let r = a.verify(&mut |_, _| {}).unwrap();
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert!(matches!(&r.problems[0], Problem::BlobUnreadable { doc, .. } if *doc == id));
    assert!(r.problems[0].to_string().contains(&id));
}

#[test]
fn missing_blob_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let id = doc(&mut a, "a.txt", "SYNTHETIC testimony one");
    std::fs::remove_file(blob_files(a.dir()).remove(0)).unwrap();
    let r = a.verify(&mut |_, _| {}).unwrap();
    assert!(matches!(&r.problems[..], [Problem::BlobMissing { doc, .. }] if *doc == id), "{:?}", r.problems);
}

#[test]
fn altered_log_entry_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    let conn = a.raw_connection_for_tests();
    // Someone holding the key drops the guard trigger and rewrites history.
    conn.execute_batch("DROP TRIGGER audit_log_no_update;").unwrap();
    let seq: i64 = conn.query_row("SELECT seq FROM audit_log WHERE record_id = 'per-v1'", [], |r| r.get(0)).unwrap();
    conn.execute("UPDATE audit_log SET content = replace(content, '김철수', '김철호') WHERE seq = ?1", [seq]).unwrap();
    let r = a.verify(&mut |_, _| {}).unwrap();
    assert!(r.problems.contains(&Problem::EntryAltered { seq, record: Some("per-v1".into()) }), "{:?}", r.problems);
    assert!(r.problems.contains(&Problem::RecordAltered { id: "per-v1".into() }), "{:?}", r.problems);
}

#[test]
fn deleted_row_altered_row_and_deleted_log_entry_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    let conn = a.raw_connection_for_tests();
    conn.execute("DELETE FROM records WHERE id = 'per-v2'", []).unwrap();
    conn.execute("UPDATE records SET body = replace(body, 'W-0001', 'W-9999') WHERE id = 'src-a'", []).unwrap();
    conn.execute("INSERT INTO records(id, kind, conf, title, body) VALUES ('per-x', 'person', 0, 'x', '{}')", []).unwrap();
    let r = a.verify(&mut |_, _| {}).unwrap();
    assert!(r.problems.contains(&Problem::RecordMissing { id: "per-v2".into() }), "{:?}", r.problems);
    assert!(r.problems.contains(&Problem::RecordAltered { id: "src-a".into() }), "{:?}", r.problems);
    assert!(r.problems.contains(&Problem::RecordUnaudited { id: "per-x".into() }), "{:?}", r.problems);

    conn.execute_batch("DROP TRIGGER audit_log_no_delete;").unwrap();
    conn.execute("DELETE FROM audit_log WHERE seq = 3", []).unwrap();
    let r = a.verify(&mut |_, _| {}).unwrap();
    assert!(r.problems.contains(&Problem::ChainGap { expected: 3, found: 4 }), "{:?}", r.problems);
    assert!(r.problems.contains(&Problem::ChainLink { seq: 4 }), "{:?}", r.problems);
    let _ = key;
}
