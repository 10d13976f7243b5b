//! Document pages (issue 14): what intake read of a file and could not, a GPS position only for
//! readers cleared for restricted records, a translation beside its original.

use axum::http::StatusCode;
use girok_core::Confidentiality;
use girok_store::{Archive, IntakeMeta, IntakeOutcome, KeySource};

use crate::{app, get, login, send};

fn take(a: &mut Archive, name: &str, bytes: &[u8], level: Confidentiality) -> String {
    let meta = IntakeMeta { confidentiality: level, ..Default::default() };
    match a
        .write("setup", |w| w.add_bytes(name, bytes, &meta).map_err(|e| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() }))
        .unwrap()
    {
        IntakeOutcome::Added { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn regression_14_gps_only_for_restricted_readers_and_translations_side_by_side() {
    let app = app();
    let dir = app.state.with_archive(|a| a.dir().to_path_buf());
    let mut a = Archive::open(&dir, &KeySource::passphrase("synthetic test passphrase")).unwrap();
    let photo = take(&mut a, "photo.jpg", &girok_extract::media::testfiles::jpeg_with_exif(Some((42.4306, 129.75))), Confidentiality::Internal);
    let original = take(&mut a, "ko.txt", "합성 증언.\n\n온성 집결소에 갇혔습니다.".as_bytes(), Confidentiality::Internal);
    let english = take(&mut a, "en.txt", b"SYNTHETIC testimony.\n\nI was held at the Onsong holding centre.", Confidentiality::Internal);
    girok_app::translation::record_translation(&mut a, &girok_app::Actor::key_holder("setup"), &english, &original, Some("en"), Some("T (synthetic)"), None)
        .unwrap();
    drop(a);

    let (viewer, _) = login(&app, "viewer").await;
    let page = send(&app, get(&format!("/records/{photo}"), Some(&viewer))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("SYNTHETIC Phone 1"), "the device is shown");
    assert!(page.body.contains("OCR (pending)"), "the page says the image waits for OCR");
    assert!(!page.body.contains("42.43") && !page.body.contains("doc-gps"), "an internal-level reader sees no position");
    assert!(page.body.contains("shown only to restricted-level readers"));
    let (doc, _) = login(&app, "doc").await;
    let page = send(&app, get(&format!("/records/{photo}"), Some(&doc))).await;
    assert!(page.body.contains("id=\"doc-gps\"") && page.body.contains("42.43060, 129.75000"), "a restricted reader sees it");
    assert!(page.body.contains("id=\"ocr\""), "and an editor may run OCR from the page");

    let page = send(&app, get(&format!("/records/{english}"), Some(&viewer))).await;
    assert!(
        page.body.contains("id=\"side-by-side\"") && page.body.contains("온성 집결소에 갇혔습니다") && page.body.contains("T (synthetic)"),
        "{}",
        page.body
    );
    let page = send(&app, get(&format!("/records/{original}"), Some(&viewer))).await;
    assert!(page.body.contains("id=\"side-by-side\"") && page.body.contains("Onsong holding centre"));
}
