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

/// An archive with acts, events, a document and citations, so every derived table has rows.
fn coded(dir: &std::path::Path) -> (Archive, String) {
    let mut a = archive(dir);
    let doc_id = doc(&mut a, "t.txt", "SYNTHETIC testimony: 보위부 구류장에서 구타를 당했다. He was beaten at the holding centre.");
    a.write("tester", |w| {
        w.put(crate::event("evt-t1", "Detention (synthetic)", "plc-fac-kwanliso-15", "winter 1997"))?;
        let mut act = crate::act("act-t1", "evt-t1", "per-v1", "DP0100000000", "plc-fac-kwanliso-15", "winter 1997", "src-a", "SYNTHETIC beating");
        if let girok_core::model::Record::Act(x) = &mut act {
            x.citations = vec![girok_core::model::Citation { document: doc_id.clone(), span: Some((0, 10)) }];
            x.confidentiality = girok_core::model::Confidentiality::Restricted;
        }
        w.put(act)?;
        Ok(())
    })
    .unwrap();
    (a, doc_id)
}

fn problems(a: &Archive) -> Vec<Problem> {
    a.verify(&mut |_, _| {}).unwrap().problems
}

#[test]
fn regression_10_a_coded_archive_verifies_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = coded(tmp.path());
    assert_eq!(problems(&a), vec![]);
}

#[test]
fn regression_10_edits_to_derived_tables_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, doc_id) = coded(tmp.path());
    let conn = a.raw_connection_for_tests();
    // Someone holding the key lowers a restricted act's level for readers, and hides it from
    // filters, without touching the record itself.
    conn.execute("UPDATE record_meta SET conf = 0 WHERE rid = (SELECT rid FROM records WHERE id = 'act-t1')", []).unwrap();
    conn.execute("DELETE FROM facets WHERE origin = 'evt-t1'", []).unwrap();
    conn.execute("UPDATE list_keys SET conf = 0 WHERE rid = (SELECT rid FROM records WHERE id = 'src-a')", []).unwrap();
    conn.execute("DELETE FROM citations WHERE record_id = 'act-t1'", []).unwrap();
    conn.execute("DELETE FROM links WHERE from_rid = (SELECT rid FROM records WHERE id = 'per-v2')", []).unwrap();
    // ... and moves the act onto another victim's capture history, so an estimate counts wrong.
    conn.execute("UPDATE captures SET victim = 'per-v2' WHERE rid = (SELECT rid FROM records WHERE id = 'act-t1')", []).unwrap();
    // ... or puts a source on another organisation's list.
    conn.execute("UPDATE capture_sources SET organisation = 'planted' WHERE id = 'src-a'", []).unwrap();
    let found = problems(&a);
    for (table, record) in [
        ("record_meta", "act-t1"),
        ("facets", "evt-t1"),
        ("list_keys", "src-a"),
        ("citations", "act-t1"),
        ("links", "per-v2"),
        ("captures", "act-t1"),
        ("capture_sources", "src-a"),
    ] {
        assert!(found.contains(&Problem::DerivedAltered { table, record: record.into() }), "{table} {record}: {found:?}");
    }
    assert!(!found.iter().any(|p| p.to_string().contains(&doc_id)), "the untouched document is not named: {found:?}");
}

#[test]
fn regression_10_edits_to_the_full_text_index_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, doc_id) = coded(tmp.path());
    let conn = a.raw_connection_for_tests();
    // The document's row disappears from search, and a planted row appears.
    let fts_row = {
        // Rows are numbered backwards from the record ids; find the document's by its text.
        let mut stmt = conn.prepare("SELECT rowid FROM fts WHERE fts MATCH 'beaten'").unwrap();
        let rows: Vec<i64> = stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
        rows[0]
    };
    conn.execute("DELETE FROM fts WHERE rowid = ?1", [fts_row]).unwrap();
    conn.execute("INSERT INTO fts(rowid, title, body, bigrams, facets) VALUES (?1, 'planted', 'planted', '', 'xc0')", [fts_row]).unwrap();
    let found = problems(&a);
    assert!(found.contains(&Problem::DerivedAltered { table: "fts", record: doc_id.clone() }), "{found:?}");
}

#[test]
fn regression_10_accounts_are_under_the_audit_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    a.write("admin", |w| {
        w.set_user("viewer1", "synthetic password 1234", girok_store::Role::Viewer, false)?;
        w.set_user("viewer2", "synthetic password 1234", girok_store::Role::Viewer, false)
    })
    .unwrap();
    assert_eq!(problems(&a), vec![]);
    let conn = a.raw_connection_for_tests();
    conn.execute("UPDATE users SET role = 'admin', identity_clearance = 1 WHERE username = 'viewer1'", []).unwrap();
    conn.execute("UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE username = 'viewer1') WHERE username = 'viewer2'", []).unwrap();
    conn.execute("INSERT INTO users(username, password_hash, role) VALUES ('planted', 'x', 'admin')", []).unwrap();
    let found = problems(&a);
    for (username, field) in [("viewer1", "role"), ("viewer1", "identity clearance"), ("viewer2", "password")] {
        assert!(found.contains(&Problem::AccountAltered { username: username.into(), field }), "{username} {field}: {found:?}");
    }
    assert!(found.contains(&Problem::AccountUnaudited { username: "planted".into() }), "{found:?}");
}

#[test]
fn regression_10_a_dropped_trigger_is_restored_at_open_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = {
        let a = archive(tmp.path());
        let conn = a.raw_connection_for_tests();
        conn.execute_batch("DROP TRIGGER audit_log_no_delete;").unwrap();
        let found = problems(&a);
        assert!(found.contains(&Problem::Schema { detail: "trigger audit_log_no_delete is missing".into() }), "{found:?}");
        // ... and deletes the newest entry (say, an identity viewing) without leaving a gap.
        conn.execute("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)", []).unwrap();
        a.dir().to_path_buf()
    };
    let a = Archive::open(&dir, &key()).unwrap();
    let deleted = a.raw_connection_for_tests().execute("DELETE FROM audit_log WHERE seq = 1", []);
    assert!(deleted.is_err(), "the trigger is back");
    let found = problems(&a);
    assert!(found.iter().any(|p| matches!(p, Problem::SchemaRestored { detail, .. } if detail.contains("audit_log_no_delete"))), "{found:?}");
    assert!(!found.iter().any(|p| matches!(p, Problem::Schema { .. })), "the schema itself is whole again: {found:?}");
}

#[test]
fn regression_10_a_changed_index_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    a.raw_connection_for_tests().execute_batch("DROP INDEX facets_filter; CREATE TABLE exfil(x);").unwrap();
    let found = problems(&a);
    assert!(found.contains(&Problem::Schema { detail: "index facets_filter is missing".into() }), "{found:?}");
    assert!(found.contains(&Problem::Schema { detail: "table exfil is not part of Girok's schema".into() }), "{found:?}");
}

#[test]
fn regression_10_every_flipped_page_is_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = {
        let (mut a, _) = coded(tmp.path());
        a.optimize().unwrap();
        a.dir().to_path_buf()
    };
    let db = dir.join("girok.db");
    let original = std::fs::read(&db).unwrap();
    let pages = original.len() / 4096;
    assert!(pages >= 20, "enough pages to sample: {pages}");
    let samples = 40.min(pages);
    let mut caught = 0;
    for k in 0..samples {
        let page = k * pages / samples;
        let mut bytes = original.clone();
        // Past the first page's salt (a flip there makes the whole file unreadable: caught too).
        bytes[page * 4096 + 100] ^= 0x40;
        std::fs::write(&db, &bytes).unwrap();
        let _ = std::fs::remove_file(dir.join("girok.db-wal"));
        let found = match Archive::open(&dir, &key()) {
            Err(_) => true,
            Ok(a) => match a.verify(&mut |_, _| {}) {
                Err(_) => true,
                Ok(r) => !r.ok(),
            },
        };
        if found {
            caught += 1;
        } else {
            eprintln!("page {page} of {pages}: flip not caught");
        }
    }
    std::fs::write(&db, &original).unwrap();
    assert_eq!(caught, samples, "every flipped page is caught");
}
