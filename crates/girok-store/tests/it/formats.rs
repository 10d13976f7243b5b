//! Evidence of every kind (issue 14): office files, mail, images with EXIF, recordings, scans
//! and formats stored but not read, all made by the tests themselves (SYNTHETIC).

use girok_core::model::{Confidentiality, DocumentKind, Record, TextOrigin};
use girok_store::{IntakeMeta, IntakeOutcome, SearchQuery};

use crate::archive;

fn take(a: &mut girok_store::Archive, name: &str, bytes: &[u8], level: Confidentiality) -> (String, Option<String>, Vec<String>) {
    let meta = IntakeMeta { confidentiality: level, ..Default::default() };
    let out = a
        .write("intake", |w| w.add_bytes(name, bytes, &meta).map_err(|e| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() }))
        .unwrap();
    match out {
        IntakeOutcome::Added { id, warning, attachments, .. } => (id, warning, attachments),
        other => panic!("{other:?}"),
    }
}

fn doc(a: &girok_store::Archive, id: &str) -> girok_core::model::Document {
    match a.get(id).unwrap() {
        Record::Document(d) => d,
        other => panic!("{other:?}"),
    }
}

fn found(a: &girok_store::Archive, q: &str) -> Vec<String> {
    a.search(&SearchQuery { text: q.into(), limit: 50, ..Default::default() }).unwrap().into_iter().map(|h| h.id).collect()
}

#[test]
fn regression_14_office_files_and_mail_are_read_and_searchable() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let docx_body = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>SYNTHETIC transcript: held at Jongori kyohwaso.</w:t></w:r></w:p><w:p><w:r><w:t>전거리 교화소에서 노동했습니다.</w:t></w:r></w:p></w:body></w:document>"#;
    let docx = girok_extract::zip_stored(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", docx_body.as_bytes())]);
    // Named .bin: the content says what it is.
    let (d1, _, _) = take(&mut a, "transcript.bin", &docx, Confidentiality::Internal);
    let content = r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:p>SYNTHETIC notes on Onsong holding centre.</text:p></office:text></office:body></office:document-content>"#;
    let odt = girok_extract::zip_stored(&[("mimetype", girok_extract::sniff::ODT.as_bytes()), ("content.xml", content.as_bytes())]);
    let (d2, _, _) = take(&mut a, "notes.odt", &odt, Confidentiality::Internal);
    let (docx_doc, odt_doc) = (doc(&a, &d1), doc(&a, &d2));
    assert_eq!((docx_doc.kind, docx_doc.media_type.as_str()), (DocumentKind::Office, girok_extract::sniff::DOCX));
    assert_eq!(docx_doc.text_origin, Some(TextOrigin::File));
    assert_eq!(odt_doc.media_type, girok_extract::sniff::ODT);
    assert!(found(&a, "Jongori").contains(&d1) && found(&a, "교화소").contains(&d1), "the .docx's text is searchable");
    assert!(found(&a, "Onsong").contains(&d2));

    let mail = "From: synthetic@example.org\r\nSubject: SYNTHETIC report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSYNTHETIC message about Hoeryong.\r\n--B\r\nContent-Type: text/plain; name=\"list.txt\"\r\nContent-Disposition: attachment; filename=\"list.txt\"\r\n\r\nSYNTHETIC attached list of Musan.\r\n--B--\r\n";
    let (m, _, attachments) = take(&mut a, "message.eml", mail.as_bytes(), Confidentiality::Internal);
    assert_eq!(doc(&a, &m).kind, DocumentKind::Message);
    assert_eq!(attachments.len(), 1);
    let att = doc(&a, &attachments[0]);
    assert_eq!(att.attached_to.as_deref(), Some(m.as_str()), "the attachment is linked to its message");
    assert_eq!((att.original_name.as_str(), att.confidentiality), ("list.txt", Confidentiality::Internal));
    assert!(found(&a, "Hoeryong").contains(&m) && found(&a, "Musan").contains(&attachments[0]));
    assert!(a.verify(&mut |_, _| {}).unwrap().problems.is_empty());
}

#[test]
fn regression_14_media_metadata_is_kept_and_gps_only_for_restricted_readers() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let jpeg = girok_extract::media::testfiles::jpeg_with_exif(Some((42.4306, 129.75)));
    let (img, warning, _) = take(&mut a, "photo.dat", &jpeg, Confidentiality::Internal);
    let d = doc(&a, &img);
    assert_eq!((d.kind, d.media_type.as_str()), (DocumentKind::Image, "image/jpeg"));
    let media = d.media.clone().unwrap();
    assert_eq!(media.device.as_deref(), Some("SYNTHETIC Phone 1"));
    assert!(media.has_location && d.location_sha256.is_some());
    assert!(warning.unwrap().contains("OCR"), "an image waits for OCR, and intake says so");
    assert_eq!(d.text_origin, Some(TextOrigin::OcrPending));
    // The position is nowhere in the record, and only a restricted reader gets it.
    let json = serde_json::to_string(&d).unwrap();
    assert!(!json.contains("42.43") && !json.contains("129.75"), "{json}");
    assert!(a.document_location(&img, Confidentiality::Internal).unwrap().is_none());
    let loc = a.document_location(&img, Confidentiality::Restricted).unwrap().unwrap();
    assert!((loc.lat - 42.4306).abs() < 1e-4 && (loc.lon - 129.75).abs() < 1e-4);
    assert!(a.ocr_pending().unwrap().contains(&img));

    let (wav, _, _) = take(&mut a, "interview.wav", &girok_extract::media::testfiles::wav(2), Confidentiality::Restricted);
    let w = doc(&a, &wav).media.unwrap();
    assert_eq!((w.container.as_str(), w.duration_seconds), ("WAV", Some(2.0)));
    let (mp4, _, _) = take(&mut a, "clip", &girok_extract::media::testfiles::mp4(30, 640, 360), Confidentiality::Restricted);
    let v = doc(&a, &mp4);
    assert_eq!((v.kind, v.media_type.as_str()), (DocumentKind::Video, "video/mp4"));
    assert_eq!(v.media.unwrap().tracks, vec!["avc1 video 640×360", "mp4a audio"]);
    assert!(a.verify(&mut |_, _| {}).unwrap().problems.is_empty());

    // Moving the position kept apart is named by verify.
    a.raw_connection_for_tests().execute("UPDATE document_locations SET body = '39.0000000,125.7000000'", []).unwrap();
    let problems = a.verify(&mut |_, _| {}).unwrap().problems;
    assert!(problems.iter().any(|p| p.to_string().contains(&img) && p.to_string().contains("GPS")), "{problems:?}");
}

#[test]
fn regression_14_a_file_without_text_says_so_and_public_copies_lose_their_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    // A PDF with a page and no text layer: a scan, as far as intake can tell.
    let scan = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    let (pdf, warning, _) = take(&mut a, "scan.pdf", scan, Confidentiality::Restricted);
    assert!(warning.unwrap().contains("no text layer"), "intake says the scan has no text");
    let d = doc(&a, &pdf);
    assert_eq!((d.text_chars, d.text_origin.clone()), (0, Some(TextOrigin::OcrPending)));
    assert!(d.notice.unwrap().contains("OCR"), "and so does its page");
    let mut hwp = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    hwp.extend_from_slice(&[0; 64]);
    hwp.extend_from_slice(b"HWP Document File SYNTHETIC");
    let (h, warning, _) = take(&mut a, "보고서.hwp", &hwp, Confidentiality::Restricted);
    assert!(warning.unwrap().contains("HWP"), "HWP is detected and reported as not yet readable");
    assert_eq!(doc(&a, &h).media_type, girok_extract::sniff::HWP);

    let jpeg = girok_extract::media::testfiles::jpeg_with_exif(Some((42.4306, 129.75)));
    let (internal, _, _) = take(&mut a, "internal.jpg", &jpeg, Confidentiality::Internal);
    let err = a.publication_copy(&internal).unwrap_err().to_string();
    assert!(err.contains("only public documents"), "{err}");
    let mut public_jpeg = jpeg.clone();
    public_jpeg.extend_from_slice(b"x"); // another file: not a duplicate of the internal one
    let (public, _, _) = take(&mut a, "public.jpg", &public_jpeg, Confidentiality::Public);
    let (_, copy) = a.publication_copy(&public).unwrap();
    let (info, loc) = girok_extract::media::read("image/jpeg", &copy.bytes).unwrap();
    assert!(loc.is_none() && info.device.is_none(), "the public copy carries no position and no device");
    assert!(copy.removed.iter().any(|r| r.contains("GPS")), "{:?}", copy.removed);
    assert_eq!(a.read_blob(&public).unwrap(), public_jpeg, "the original stays byte-identical");
}
