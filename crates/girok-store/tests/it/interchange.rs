//! CSV and JSON import/export: all-or-nothing refusals, skipping, and round trips.

use girok_core::model::{Confidentiality, Kind};
use girok_store::{Archive, Format, ImportError, ImportOptions};

use crate::{archive, fast, key};

const EVENTS: &str = "id,title,place,date\nevt-1,Arrest near Hoeryong (synthetic),Hoeryong,winter 1997\nevt-2,Detention at Yodok (synthetic),plc-fac-kwanliso-15,between March and May 2002\n";

fn import(a: &mut Archive, name: &str, text: &[u8], kind: Kind, skip: bool) -> Result<girok_store::ImportReport, ImportError> {
    a.import(name, text, Format::Csv, Some(kind), &ImportOptions { skip_invalid: skip, ..Default::default() }, &mut |_, _| {})
}

#[test]
fn csv_import_resolves_names_and_labels() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    import(&mut a, "events.csv", EVENTS.as_bytes(), Kind::Event, false).unwrap();
    let acts = "id,event,victim,act_type,place,date,source,reliability,perpetrators,description\n\
                act-1,evt-1,per-v1,Torture,회령,winter 1997,src-a,likely reliable,per-v2:Directly carried out the act,beaten (synthetic)\n\
                act-2,evt-2,per-v2,강제송환,Yodok,2002년 3월,src-b,,,\n";
    let r = import(&mut a, "acts.csv", acts.as_bytes(), Kind::Act, false).unwrap();
    assert_eq!(r.imported, 2);
    let girok_core::Record::Act(x) = a.get("act-1").unwrap() else { panic!() };
    assert_eq!(x.act_type, "020111110000");
    assert_eq!(x.place.as_deref(), Some("plc-gn2044091"));
    assert_eq!(x.reliability.as_deref(), Some("020000000000"));
    assert_eq!(x.perpetrators[0].degree.as_deref(), Some("010100000000"));
    let girok_core::Record::Act(y) = a.get("act-2").unwrap() else { panic!() };
    assert_eq!(y.act_type, "DP0100000000");
    assert_eq!(y.date.unwrap().interval(), "2002-03-01/2002-03-31");
    // Importing the same file again changes nothing.
    let r = import(&mut a, "acts.csv", acts.as_bytes(), Kind::Act, false).unwrap();
    assert_eq!((r.imported, r.unchanged), (0, 2));
}

#[track_caller]
fn refused(a: &mut Archive, csv: &str, kind: Kind, expected: &str) {
    let before = a.audit_entries(None, 0, i64::MAX).unwrap().len();
    let err = import(a, "bad.csv", csv.as_bytes(), kind, false).unwrap_err();
    assert!(err.to_string().contains(expected), "expected {expected:?} in: {err}");
    assert_eq!(a.audit_entries(None, 0, i64::MAX).unwrap().len(), before, "a refused import writes nothing");
}

#[test]
fn malformed_rows_refuse_the_whole_file_naming_row_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    import(&mut a, "events.csv", EVENTS.as_bytes(), Kind::Event, false).unwrap();
    let head = "id,event,victim,act_type,date\n";
    refused(
        &mut a,
        &format!("{head}act-1,evt-1,per-v1,torture,1999\nact-2,evt-1,per-v1,teleportation,1999\n"),
        Kind::Act,
        "bad.csv: row 3, column act_type: unknown act type \"teleportation\"",
    );
    refused(&mut a, &format!("{head}act-1,evt-1,per-v1,torture,1997-02-30\n"), Kind::Act, "row 2, column date: impossible date: 1997-02-30 does not exist");
    refused(&mut a, &format!("{head}act-1,evt-1,per-v1,torture\n"), Kind::Act, "row 2: has 4 fields, the header has 5");
    refused(&mut a, &format!("{head}act-1,evt-9,per-v1,torture,1999\n"), Kind::Act, "row 2, column event: refers to evt-9");
    refused(&mut a, &format!("{head}act-1,evt-1,per-v1,torture,1999\nact-1,evt-1,per-v1,torture,1999\n"), Kind::Act, "row 3, column id: duplicate id act-1");
    refused(&mut a, &format!("{head}act-1,evt-1,,torture,1999\n"), Kind::Act, "column victim: is empty but required");
    refused(&mut a, "id,event,victim,act_type,when\n", Kind::Act, "unknown column(s) \"when\"");
    refused(&mut a, "id,event,act_type\n", Kind::Act, "missing required column \"victim\"");
    refused(&mut a, "id,event,victim,act_type\n", Kind::Act, "has a header but no rows");
    refused(&mut a, "", Kind::Act, "the file is empty");
    refused(
        &mut a,
        &format!("{head}act-1,evt-1,per-v1,torture,1999\nact-2,evt-1,per-v1,x,y\nact-3,evt-1,per-v1,z,1999\n"),
        Kind::Act,
        "2 rows are invalid; first: row 3",
    );
    let mut bytes = format!("{head}act-1,evt-1,per-v1,torture,1999\n").into_bytes();
    bytes.extend_from_slice(b"act-2,evt-1,per-v1,\xff\xfe,1999\n");
    let err = import(&mut a, "latin1.csv", &bytes, Kind::Act, false).unwrap_err();
    assert!(err.to_string().contains("latin1.csv: invalid UTF-8 at line 3"), "{err}");
}

#[test]
fn skip_invalid_imports_the_rest_and_reports_each_row() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    import(&mut a, "events.csv", EVENTS.as_bytes(), Kind::Event, false).unwrap();
    let csv = "id,event,victim,act_type,date\nact-1,evt-1,per-v1,torture,1999\nact-2,evt-1,per-v1,teleportation,1999\nact-3,evt-1,per-v1,arrest,sometime\nact-4,evt-2,per-v2,Arrest,2002\n";
    let r = import(&mut a, "acts.csv", csv.as_bytes(), Kind::Act, true).unwrap();
    assert_eq!(r.imported, 2);
    assert_eq!(r.skipped.iter().map(|s| (s.0, s.1.clone().unwrap_or_default())).collect::<Vec<_>>(), [(3, "act_type".to_string()), (4, "date".to_string())]);
    assert!(a.exists("act-4").unwrap() && !a.exists("act-2").unwrap());
}

#[test]
fn export_import_round_trip_csv_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    import(&mut a, "events.csv", EVENTS.as_bytes(), Kind::Event, false).unwrap();
    let acts = "id,event,victim,act_type,place,date,source,citations\nact-1,evt-1,per-v1,Torture,회령,winter 1997,src-a,\n";
    import(&mut a, "acts.csv", acts.as_bytes(), Kind::Act, false).unwrap();

    let mut b = Archive::create(&tmp.path().join("b"), &key(), fast()).unwrap();
    // JSON carries every kind; import it whole.
    let json = a.export(&[Kind::Source, Kind::Person, Kind::Event, Kind::Act], Format::Json, Confidentiality::Restricted).unwrap();
    b.import("all.json", json.as_bytes(), Format::Json, None, &ImportOptions::default(), &mut |_, _| {}).unwrap();
    for kind in [Kind::Source, Kind::Person, Kind::Event, Kind::Act, Kind::Place] {
        let ea = a.export(&[kind], Format::Csv, Confidentiality::Restricted).unwrap();
        let eb = b.export(&[kind], Format::Csv, Confidentiality::Restricted).unwrap();
        assert_eq!(ea, eb, "{kind:?} differs after the JSON round trip");
    }
    // CSV round trip of acts into a third archive, given the same referents.
    let mut c = Archive::create(&tmp.path().join("c"), &key(), fast()).unwrap();
    for kind in [Kind::Source, Kind::Person, Kind::Event, Kind::Act] {
        let csv = a.export(&[kind], Format::Csv, Confidentiality::Restricted).unwrap();
        import(&mut c, "x.csv", csv.as_bytes(), kind, false).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(c.export(&[kind], Format::Csv, Confidentiality::Restricted).unwrap(), csv);
    }
    // Confidentiality ceiling on export.
    let public = a.export(&[Kind::Person], Format::Json, Confidentiality::Internal).unwrap();
    assert!(!public.contains("김철수"));
}
