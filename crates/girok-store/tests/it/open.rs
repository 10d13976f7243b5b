//! Creating and opening archives, and every way that can be refused.

use girok_store::{Archive, KeySource, OpenError};

use crate::{archive, fast, key};

#[test]
fn reopen_with_passphrase_and_key_file() {
    let tmp = tempfile::tempdir().unwrap();
    drop(archive(tmp.path()));
    let a = Archive::open(&tmp.path().join("archive"), &key()).unwrap();
    assert!(a.exists("src-a").unwrap());

    let key_file = tmp.path().join("key.hex");
    girok_store::write_new_key_file(&key_file).unwrap();
    let dir = tmp.path().join("kf");
    drop(Archive::create(&dir, &KeySource::KeyFile(key_file.clone()), fast()).unwrap());
    assert!(Archive::open(&dir, &KeySource::KeyFile(key_file)).is_ok());
    let err = Archive::open(&dir, &key()).err().unwrap();
    assert!(matches!(err, OpenError::BadKey { .. }), "{err}");
}

#[test]
fn wrong_passphrase_is_named_as_such() {
    let tmp = tempfile::tempdir().unwrap();
    drop(archive(tmp.path()));
    let err = Archive::open(&tmp.path().join("archive"), &KeySource::passphrase("wrong")).err().unwrap();
    assert!(matches!(err, OpenError::BadKey { .. }));
    assert!(err.to_string().starts_with("wrong passphrase or key file"), "{err}");
    let err = Archive::open(&tmp.path().join("archive"), &KeySource::passphrase("")).err().unwrap();
    assert!(matches!(err, OpenError::EmptyPassphrase), "{err}");
}

#[test]
fn missing_and_foreign_directories_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Archive::open(&tmp.path().join("nope"), &key()).err().unwrap();
    assert!(matches!(err, OpenError::Missing { .. }), "{err}");
    assert!(err.to_string().contains("girok init"), "{err}");
    std::fs::write(tmp.path().join("notes.txt"), "hello").unwrap();
    let err = Archive::open(tmp.path(), &key()).err().unwrap();
    assert!(matches!(err, OpenError::NotAnArchive { .. }), "{err}");
    let err = Archive::create(tmp.path(), &key(), fast()).err().unwrap();
    assert!(matches!(err, OpenError::AlreadyExists { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(tmp.path().join("notes.txt")).unwrap(), "hello", "nothing was overwritten");
}

#[test]
fn archive_of_a_newer_format_is_refused_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    drop(archive(tmp.path()));
    let dir = tmp.path().join("archive");
    let header_path = dir.join("girok-archive.json");
    let header = std::fs::read_to_string(&header_path).unwrap();
    let newer = header.replace("\"format_version\": 1", "\"format_version\": 99");
    assert_ne!(header, newer);
    std::fs::write(&header_path, &newer).unwrap();
    let db_before = std::fs::read(dir.join("girok.db")).unwrap();
    let err = Archive::open(&dir, &key()).err().unwrap();
    assert!(matches!(err, OpenError::NewerFormat { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("newer Girok"), "{err}");
    assert_eq!(std::fs::read(dir.join("girok.db")).unwrap(), db_before);

    // The database's own schema version is checked too, not only the header.
    std::fs::write(&header_path, &header).unwrap();
    {
        let a = Archive::open(&dir, &key()).unwrap();
        a.raw_connection_for_tests().pragma_update(None, "user_version", girok_store::CURRENT_VERSION + 1).unwrap();
    }
    let err = Archive::open(&dir, &key()).err().unwrap();
    assert!(matches!(err, OpenError::NewerFormat { found, .. } if found == girok_store::CURRENT_VERSION + 1), "{err}");
}

#[test]
fn damaged_database_is_reported_as_damage_not_as_a_wrong_key() {
    let tmp = tempfile::tempdir().unwrap();
    drop(archive(tmp.path()));
    let db = tmp.path().join("archive").join("girok.db");
    // Fold the WAL into the main file first, so the damage below hits committed pages.
    {
        let a = Archive::open(&tmp.path().join("archive"), &key()).unwrap();
        a.raw_connection_for_tests().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    let mut bytes = std::fs::read(&db).unwrap();
    for b in bytes.iter_mut().take(200).skip(20) {
        *b ^= 0x5a;
    }
    std::fs::write(&db, bytes).unwrap();
    let err = Archive::open(&tmp.path().join("archive"), &key()).err().unwrap();
    assert!(matches!(err, OpenError::Damaged { .. }), "{err}");
    assert!(err.to_string().contains("RECOVERY.md"), "{err}");
}

#[test]
fn nothing_on_disk_contains_plaintext() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let secret = "SECRET-TESTIMONY-MARKER 정치범수용소 증언";
    let file = tmp.path().join("t.txt");
    std::fs::write(&file, secret).unwrap();
    a.write("tester", |w| w.add_file(&file, &Default::default()).map_err(|e| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() }))
        .unwrap();
    drop(a);
    std::fs::remove_file(&file).unwrap();
    let mut stack = vec![tmp.path().to_path_buf()];
    let mut n_files = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
                continue;
            }
            n_files += 1;
            let bytes = std::fs::read(e.path()).unwrap();
            for needle in ["SECRET-TESTIMONY-MARKER".as_bytes(), "정치범".as_bytes(), "W-0001".as_bytes(), "Synthetic Project".as_bytes()] {
                assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{} contains plaintext", e.path().display());
            }
        }
    }
    assert!(n_files >= 3);
}

#[test]
fn a_version_1_database_is_migrated_on_open() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    {
        let mut a = archive(tmp.path());
        a.write("coder", |w| w.put(crate::event("evt-1", "Arrest near Onsong (synthetic)", "plc-gn2042267", "1999"))).unwrap();
        // Turn it back into a version 1 database: no record_meta, list_keys or links table, the old facet
        // indexes, no accounts, no retirement, no capture rows, no replicas.
        a.raw_connection_for_tests()
            .execute_batch(
                "DROP TABLE record_meta; DROP TABLE list_keys; DROP TABLE links; DROP INDEX facets_cover; CREATE INDEX facets_rid ON facets(rid); \
                 DROP INDEX facets_filter; CREATE INDEX facets_act_type ON facets(act_type); DROP TABLE users; DROP TABLE captures; DROP TABLE capture_sources; DROP TABLE document_locations; DROP TABLE replicas; DROP TABLE sync_seen; DROP TABLE sync_conflicts; ALTER TABLE records DROP COLUMN retired; PRAGMA user_version = 1;",
            )
            .unwrap();
    }
    let a = Archive::open(&dir, &key()).unwrap();
    let version: u32 = a.raw_connection_for_tests().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, girok_store::CURRENT_VERSION);
    let mut q = girok_store::ListQuery::new(girok_core::Kind::Event, girok_core::Confidentiality::Restricted);
    q.sort = girok_store::ListSort::DateAsc;
    q.years = Some((1999, 1999));
    let page = a.list_page(&q).unwrap();
    assert_eq!(page.total, 1, "list keys were rebuilt, with dates");
    let (links, _) = a.referenced_by("plc-gn2042267", girok_core::Confidentiality::Restricted, 10).unwrap();
    assert!(links.iter().any(|l| l.id == "evt-1" && l.field == "place"), "reverse links were rebuilt from the stored records: {links:?}");
    let hits = a.search(&girok_store::SearchQuery { text: "arrest".into(), ..Default::default() }).unwrap();
    assert_eq!(hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["evt-1"], "search works on the migrated tables");
    let r = a.verify(&mut |_, _| {}).unwrap();
    assert!(r.ok(), "the migrated schema is the one Girok creates: {:?}", r.problems);
}
