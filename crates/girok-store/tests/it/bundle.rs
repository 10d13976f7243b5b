//! Signed evidence bundles, verified without the archive.

use girok_store::{verify_bundle, IntakeMeta, IntakeOutcome};

use crate::{act, archive, event};

#[test]
fn bundle_round_trip_and_tamper_detection() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let text = "SYNTHETIC testimony: I was beaten at Onsong.";
    let out = a
        .write("intake", |w| {
            w.add_bytes("t.txt", text.as_bytes(), &IntakeMeta::default())
                .map_err(|e| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() })
        })
        .unwrap();
    let IntakeOutcome::Added { id: doc, .. } = out else { panic!() };
    a.write("coder", |w| {
        w.put(event("evt-1", "Beating at Onsong", "plc-gn2042267", "2001"))?;
        let mut r = act("act-1", "evt-1", "per-v1", "020111110000", "plc-gn2042267", "2001", "src-a", "beaten");
        if let girok_core::Record::Act(x) = &mut r {
            x.citations = vec![girok_core::model::Citation { document: doc.clone(), span: Some((21, 44)) }];
        }
        w.put(r)
    })
    .unwrap();
    let out = tmp.path().join("bundle");
    let manifest = a.export_bundle(&["act-1".to_string()], &out, "legal").unwrap();
    assert!(manifest.records.contains(&doc), "cited documents come along");
    assert!(manifest.records.contains(&"per-v1".to_string()));
    let key = a.public_key_hex();
    let ok = verify_bundle(&out, Some(&key)).unwrap();
    assert!(ok.problems.is_empty(), "{:?}", ok.problems);
    assert!(ok.files_checked >= 3);
    assert_eq!(a.history("act-1").unwrap().len(), 1);
    assert!(a.audit_entries(None, 0, i64::MAX).unwrap().iter().any(|e| e.action == "export_bundle"));

    // Wrong pinned key.
    let other = "00".repeat(32);
    assert!(verify_bundle(&out, Some(&other)).unwrap().problems.iter().any(|p| p.contains("not by the expected archive key")));
    // Altered original.
    let original = std::fs::read_dir(out.join("documents")).unwrap().flatten().map(|e| e.path()).find(|p| p.to_string_lossy().ends_with("t.txt")).unwrap();
    std::fs::write(&original, "SYNTHETIC testimony: I was fine.").unwrap();
    let bad = verify_bundle(&out, Some(&key)).unwrap();
    assert!(bad.problems.iter().any(|p| p.contains("t.txt: SHA-256 does not match")), "{:?}", bad.problems);
    // Altered manifest (e.g. the hash edited to match the forgery): the signature fails.
    let m = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    std::fs::write(out.join("manifest.json"), m.replacen("\"records\"", "\"records\" ", 1)).unwrap();
    assert!(verify_bundle(&out, None).unwrap().problems.iter().any(|p| p.contains("signature does not match")));
    // Not a bundle at all.
    assert!(verify_bundle(tmp.path(), None).is_err());
}
