//! Writes, history, validation and the append-only audit chain.

use girok_core::model::*;
use girok_store::{Archive, StoreError};

use crate::{act, archive, event};

#[test]
fn history_keeps_every_version_and_skips_no_op_updates() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    // The store takes codes; labels are resolved by the front ends (import, CLI, web).
    let err = a
        .write("coder", |w| {
            w.put(event("evt-1", "Arrest near Hoeryong", "plc-gn2044091", "winter 1997"))?;
            w.put(act("act-1", "evt-1", "per-v1", "torture", "plc-gn2044091", "winter 1997", "src-a", "beaten"))
        })
        .unwrap_err();
    assert!(err.to_string().contains("act_type"), "{err}");
    a.write("coder", |w| w.put(event("evt-1", "Arrest near Hoeryong", "plc-gn2044091", "winter 1997"))).unwrap();
    a.write("coder", |w| w.put(act("act-1", "evt-1", "per-v1", "020111110000", "plc-gn2044091", "winter 1997", "src-a", "beaten"))).unwrap();
    a.write("reviewer", |w| w.put(act("act-1", "evt-1", "per-v1", "020111110000", "plc-gn2044091", "January 1998", "src-a", "beaten"))).unwrap();
    a.write("reviewer", |w| w.put(act("act-1", "evt-1", "per-v1", "020111110000", "plc-gn2044091", "January 1998", "src-a", "beaten"))).unwrap();
    let h = a.history("act-1").unwrap();
    assert_eq!(h.iter().map(|e| (e.action.as_str(), e.actor.as_str())).collect::<Vec<_>>(), [("create", "coder"), ("update", "reviewer")]);
    assert!(h[0].content.as_deref().unwrap().contains("winter 1997"));
    assert!(h[1].content.as_deref().unwrap().contains("January 1998"));
    a.write("reviewer", |w| w.delete("act-1")).unwrap();
    assert!(matches!(a.get("act-1"), Err(StoreError::NotFound(_))));
    assert_eq!(a.history("act-1").unwrap().last().unwrap().action, "delete");
    assert!(a.verify(&mut |_, _| {}).unwrap().ok());
}

#[test]
fn unknown_codes_and_dangling_references_are_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let n_entries = a.audit_entries(None, 0, i64::MAX).unwrap().len();
    let err = a
        .write("coder", |w| {
            w.put(event("evt-1", "x", "plc-gn2044091", "1999"))?;
            w.put(act("act-1", "evt-1", "per-v1", "999999999999", "plc-gn2044091", "1999", "src-a", ""))
        })
        .unwrap_err();
    assert!(err.to_string().contains("unknown act type code \"999999999999\""), "{err}");
    let err = a.write("coder", |w| w.put(act("act-2", "evt-404", "per-v1", "020111110000", "plc-gn2044091", "1999", "src-a", ""))).unwrap_err();
    assert!(matches!(&err, StoreError::DanglingReference { field: "event", .. }), "{err}");
    assert!(!a.exists("evt-1").unwrap(), "the failed transaction rolled back");
    assert_eq!(a.audit_entries(None, 0, i64::MAX).unwrap().len(), n_entries);
}

#[test]
fn citation_spans_must_lie_inside_the_text() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let outcome = a
        .write("intake", |w| {
            w.add_bytes("t.txt", "Beaten at Onsong.".as_bytes(), &Default::default())
                .map_err(|e| StoreError::Invalid { id: String::new(), message: e.to_string() })
        })
        .unwrap();
    let girok_store::IntakeOutcome::Added { id: doc, .. } = outcome else { panic!() };
    let mut ev = event("evt-1", "x", "plc-gn2042267", "2001");
    if let Record::Event(e) = &mut ev {
        e.citations = vec![Citation { document: doc.clone(), span: Some((0, 500)) }];
    }
    let err = a.write("coder", |w| w.put(ev.clone())).unwrap_err();
    assert!(matches!(err, StoreError::SpanOutOfRange { len: 17, .. }), "{err}");
    if let Record::Event(e) = &mut ev {
        e.citations = vec![Citation { document: doc, span: Some((0, 6)) }];
    }
    a.write("coder", |w| w.put(ev)).unwrap();
}

#[test]
fn audit_log_is_append_only_in_the_database_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    let conn = a.raw_connection_for_tests();
    let err = conn.execute("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn.execute("DELETE FROM audit_log WHERE seq = 2", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn
        .execute(
            "INSERT INTO audit_log(seq, prev_hash, at, actor, action, hash) VALUES ((SELECT MAX(seq)+1 FROM audit_log), 'forged', 'now', 'x', 'create', 'h')",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("extend the chain"), "{err}");
}

#[test]
fn place_hierarchy_is_queryable_and_cycles_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let in_north_hamgyong = a.place_descendants("plc-kp-17").unwrap();
    assert!(in_north_hamgyong.contains(&"plc-gn2044091".to_string()), "Hoeryong");
    assert!(in_north_hamgyong.contains(&"plc-fac-kyohwaso-12".to_string()), "Jongori, under Hoeryong");
    assert!(!in_north_hamgyong.contains(&"plc-fac-kwanliso-15".to_string()), "Yodok is in South Hamgyong");
    assert_eq!(a.resolve_place("회령").unwrap(), "plc-gn2044091");
    assert_eq!(a.resolve_place("hoeryong").unwrap(), "plc-gn2044091");
    let Record::Place(mut prov) = a.get("plc-kp-17").unwrap() else { panic!() };
    prov.parent = Some("plc-gn2044091".into());
    let err = a.write("x", |w| w.put(Record::Place(prov))).unwrap_err();
    assert!(err.to_string().contains("cycle"), "{err}");
}

#[test]
fn sealed_identities_are_kept_apart_and_only_hashed_in_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let sealed =
        SealedIdentity { source: "src-a".into(), legal_name: "SYNTHETIC 홍길동".into(), contact: "synthetic@example.invalid".into(), notes: String::new() };
    a.write("admin", |w| w.seal_identity(&sealed)).unwrap();
    assert_eq!(a.sealed_identity("src-a").unwrap().unwrap(), sealed);
    let log = a.audit_entries(None, 0, i64::MAX).unwrap();
    assert!(log.iter().all(|e| !e.content.clone().unwrap_or_default().contains("홍길동")));
    let export = a.export(&girok_core::Kind::ALL, girok_store::Format::Json, Confidentiality::Restricted).unwrap();
    assert!(!export.contains("홍길동"));
    let _ = Archive::open;
}
