//! Taking files in as evidence.

use girok_core::model::Record;
use girok_store::{IntakeError, IntakeMeta, IntakeOutcome, StoreError};

use crate::archive;

fn add(a: &mut girok_store::Archive, path: &std::path::Path, meta: &IntakeMeta) -> Result<IntakeOutcome, IntakeError> {
    let mut res = None;
    a.write("intake", |w| {
        res = Some(w.add_file(path, meta));
        Ok(())
    })
    .unwrap();
    res.unwrap()
}

#[test]
fn files_are_hashed_encrypted_extracted_and_deduplicated() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let txt = tmp.path().join("testimony.txt");
    std::fs::write(&txt, "SYNTHETIC. 저는 요덕수용소에 있었습니다. I was held at Yodok.").unwrap();
    let html = tmp.path().join("report.html");
    std::fs::write(&html, "<html><body><h1>Synthetic report</h1><script>evil()</script><p>Forced labour &amp; hunger.</p></body></html>").unwrap();
    let IntakeOutcome::Added { id, .. } = add(&mut a, &txt, &IntakeMeta { received_from: Some("src-a".into()), ..Default::default() }).unwrap() else {
        panic!()
    };
    let Record::Document(doc) = a.get(&id).unwrap() else { panic!() };
    assert_eq!(doc.sha256, hex_sha256(&std::fs::read(&txt).unwrap()));
    assert_eq!(doc.media_type, "text/plain");
    assert_eq!(doc.language.as_deref(), Some("ko"));
    assert_eq!(a.read_blob(&id).unwrap(), std::fs::read(&txt).unwrap());
    assert!(a.document_text(&id).unwrap().unwrap().contains("요덕수용소"));

    let IntakeOutcome::Added { id: hid, .. } = add(&mut a, &html, &IntakeMeta::default()).unwrap() else { panic!() };
    assert_eq!(a.document_text(&hid).unwrap().unwrap(), "Synthetic report\nForced labour & hunger.\n");

    let copy = tmp.path().join("copy-of-testimony.txt");
    std::fs::copy(&txt, &copy).unwrap();
    assert_eq!(add(&mut a, &copy, &IntakeMeta::default()).unwrap(), IntakeOutcome::Duplicate { existing: id });
}

#[test]
fn euc_kr_text_is_converted_for_search_and_kept_verbatim() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let bytes = encoding_rs::EUC_KR.encode("합성 증언: 회령에서 체포되었다").0.into_owned();
    let path = tmp.path().join("old.txt");
    std::fs::write(&path, &bytes).unwrap();
    let IntakeOutcome::Added { id, warning, .. } = add(&mut a, &path, &IntakeMeta::default()).unwrap() else { panic!() };
    assert!(warning.unwrap().contains("EUC-KR"));
    assert_eq!(a.document_text(&id).unwrap().unwrap(), "합성 증언: 회령에서 체포되었다");
    assert_eq!(a.read_blob(&id).unwrap(), bytes);
}

#[test]
fn bad_files_get_specific_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let err = add(&mut a, &tmp.path().join("absent.txt"), &IntakeMeta::default()).unwrap_err();
    assert!(matches!(err, IntakeError::Missing { .. }), "{err}");
    let empty = tmp.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let err = add(&mut a, &empty, &IntakeMeta::default()).unwrap_err();
    assert!(err.to_string().contains("is empty"), "{err}");
    let big = tmp.path().join("big.bin");
    std::fs::write(&big, vec![7u8; 5000]).unwrap();
    let err = add(&mut a, &big, &IntakeMeta { max_size: 4096, ..Default::default() }).unwrap_err();
    assert!(err.to_string().contains("5000 bytes, over the intake limit of 4096"), "{err}");
    let pdf = tmp.path().join("broken.pdf");
    std::fs::write(&pdf, b"%PDF-1.4 this is not really a pdf").unwrap();
    let IntakeOutcome::Added { warning, text_chars, .. } = add(&mut a, &pdf, &IntakeMeta::default()).unwrap() else { panic!() };
    assert_eq!(text_chars, 0);
    assert!(warning.unwrap().contains("PDF"));
}

#[test]
fn uploads_with_traversal_names_stay_inside_the_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let out = a
        .write("web", |w| {
            w.add_bytes("../../../etc/passwd", b"SYNTHETIC upload", &IntakeMeta::default())
                .map_err(|e| StoreError::Invalid { id: String::new(), message: e.to_string() })
        })
        .unwrap();
    let IntakeOutcome::Added { id, .. } = out else { panic!() };
    let Record::Document(d) = a.get(&id).unwrap() else { panic!() };
    assert_eq!(d.original_name, "passwd");
    assert!(!tmp.path().join("etc").exists());
}

fn hex_sha256(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

#[test]
fn regression_11_a_failing_intake_step_commits_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = crate::archive(tmp.path());
    let file = tmp.path().join("t.txt");
    std::fs::write(&file, "SYNTHETIC testimony whose provenance names no source").unwrap();
    // The document record fails (its source does not exist) after the blob and the text rows
    // were written in the same transaction.
    let meta = girok_store::IntakeMeta { received_from: Some("src-nowhere".into()), ..Default::default() };
    assert!(a.take_in_file("tester", &file, &meta).is_err());
    let conn = a.raw_connection_for_tests();
    for table in ["blobs", "document_text"] {
        let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0, "{table} kept a row of the failed intake");
    }
    let r = a.verify(&mut |_, _| {}).unwrap();
    assert!(r.ok(), "{:?}", r.problems);
}
