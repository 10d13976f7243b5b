//! Evidence of every kind and the systems our users leave (issue 14), through the binary.

use crate::{girok, ok, run, setup, write};

/// A SYNTHETIC export shaped like Uwazi's entity CSV: its bookkeeping columns, a template's
/// property labels, slashed dates and a published flag.
const UWAZI: &str = "Title,Date added,Template,Language,Description,Date of incident,Location,Published,Violation type,Attachments\n\
\"Public execution at the market (SYNTHETIC)\",1600000000,Violation,en,\"Crowd assembled, SYNTHETIC\",2013/07/19,Hyesan,true,Execution,\n\
\"Forcible return (SYNTHETIC)\",1600000000,Violation,ko,,19/03/2009,Onsong,false,Refoulement,\n\
\"Interrogation (SYNTHETIC)\",1600000000,Violation,en,,the 31st of Smarch,Onsong,false,Torture,\n\
\"Detention (SYNTHETIC)\",1600000000,Violation,en,,2010,Nowhere-ville,false,Detention,\n";

#[test]
fn regression_14_an_uwazi_export_imports_through_the_shipped_mapping() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    let file = write(d, "uwazi.csv", UWAZI);
    let head = |d: &std::path::Path| ok(girok(d).args(["export", "events", "--format", "json"])).stdout;
    let before = head(d);
    // The preview names every refused row, by row and by Uwazi's own column, and writes nothing.
    let r = run(girok(d).args(["import", "events"]).arg(&file).args(["--mapping", "uwazi-events", "--preview"]));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("preview, nothing written: 2 would be imported, 0 unchanged, 2 refused"), "{}", r.stdout);
    assert!(r.stderr.contains("row 4, column Date of incident (→ date)"), "{}", r.stderr);
    assert!(r.stderr.contains("row 5, column Location (→ place)"), "{}", r.stderr);
    assert_eq!(head(d), before, "a preview changes nothing");
    // Without --skip-invalid the file is refused at its first bad row, with nothing imported.
    let r = run(girok(d).args(["import", "events"]).arg(&file).args(["--mapping", "uwazi-events"]));
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("row 4") && r.stderr.contains("Date of incident"), "{}", r.stderr);
    assert_eq!(head(d), before);
    let r = run(girok(d).args(["import", "events"]).arg(&file).args(["--mapping", "uwazi-events", "--skip-invalid"]));
    assert!(r.stdout.contains("2 imported"), "{}\n{}", r.stdout, r.stderr);
    let events: Vec<serde_json::Value> = serde_json::from_str(&head(d)).unwrap();
    let exec = events.iter().find(|e| e["title"] == "Public execution at the market (SYNTHETIC)").unwrap();
    assert_eq!(exec["date"]["earliest"], "2013-07-19");
    assert_eq!(exec["confidentiality"], "public", "Uwazi's published flag becomes the level");
    let ret = events.iter().find(|e| e["title"] == "Forcible return (SYNTHETIC)").unwrap();
    assert_eq!((ret["date"]["earliest"].as_str(), ret["confidentiality"].as_str()), (Some("2009-03-19"), Some("internal")));
    // A column the mapping does not know is refused by name: nothing is dropped unseen.
    let extra = write(d, "extra.csv", "Title,Secret notes\nX,Y\n");
    let r = run(girok(d).args(["import", "events"]).arg(&extra).args(["--mapping", "uwazi-events"]));
    assert!(r.stderr.contains("\"Secret notes\"") && r.stderr.contains("neither mapped nor ignored"), "{}", r.stderr);
}

#[test]
fn regression_14_files_of_every_kind_through_girok_add() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    let jpeg = girok_extract::media::testfiles::jpeg_with_exif(Some((41.8, 129.7)));
    std::fs::write(d.join("photo.jpg"), &jpeg).unwrap();
    std::fs::write(d.join("clip.mp4"), girok_extract::media::testfiles::mp4(12, 320, 240)).unwrap();
    let mut hwp = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    hwp.extend_from_slice(b"....HWP Document File (SYNTHETIC)");
    std::fs::write(d.join("report.hwp"), &hwp).unwrap();
    let r = ok(girok(d).args(["add", "photo.jpg", "clip.mp4", "report.hwp", "--no-ocr", "--confidentiality", "public"]));
    assert!(r.stdout.contains("3 added"), "{}", r.stdout);
    assert!(r.stdout.contains("HWP 5 file") && r.stdout.contains("not read yet"), "{}", r.stdout);
    assert!(r.stdout.contains("wait for OCR: run `girok ocr`"), "{}", r.stdout);
    let docs: Vec<serde_json::Value> = serde_json::from_str(&ok(girok(d).args(["export", "documents", "--format", "json"])).stdout).unwrap();
    let photo = docs.iter().find(|x| x["original_name"] == "photo.jpg").unwrap();
    assert_eq!(photo["media"]["device"], "SYNTHETIC Phone 1");
    assert!(!serde_json::to_string(&docs).unwrap().contains("41.8"), "the export carries no GPS position");
    let clip = docs.iter().find(|x| x["original_name"] == "clip.mp4").unwrap();
    assert_eq!((clip["kind"].as_str(), clip["media"]["duration_seconds"].as_f64()), (Some("video"), Some(12.0)));
    // The copy for publication carries no position, and says what it removed.
    let id = photo["id"].as_str().unwrap();
    let r = ok(girok(d).args(["public-copy", id, "--output", "public.jpg"]));
    assert!(r.stdout.contains("removed: EXIF (device, capture time, GPS position)"), "{}", r.stdout);
    let copy = std::fs::read(d.join("public.jpg")).unwrap();
    assert!(girok_extract::media::read("image/jpeg", &copy).unwrap().1.is_none());
    ok(girok(d).arg("verify"));
}
