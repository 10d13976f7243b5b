//! Each subcommand, its output and its errors.

use crate::{girok, ok, run, setup, write};

#[test]
fn coding_searching_showing_and_history() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    let t = write(d, "testimony.txt", "SYNTHETIC testimony. 저는 1997년 겨울 온성에서 체포되어 보위부에서 고문을 당했습니다. Later I was beaten at Yodok.");
    let r = ok(girok(d).args(["add", "--source", "src-a"]).arg(&t));
    assert!(r.stdout.contains("1 added, 0 duplicate, 0 failed"), "{}", r.stdout);
    let doc = r.stdout.split_whitespace().nth(1).unwrap().to_string();
    assert!(doc.starts_with("doc-"));
    let acts = write(d, "acts.csv", &format!("id,event,victim,act_type,place,date,source,citations,description\nact-1,evt-1,per-1,고문,Onsong,1997년 겨울,src-a,{doc}@20-64,tortured by bowibu (synthetic)\n"));
    ok(girok(d).args(["import", "acts"]).arg(&acts));

    let r = ok(girok(d).args(["search", "고문"]));
    assert!(r.stdout.contains("act-1") && r.stdout.contains(&doc), "{}", r.stdout);
    let r = ok(girok(d).args(["search", "beaten", "--kind", "document"]));
    assert!(r.stdout.contains("[beaten]"), "{}", r.stdout);
    let r = ok(girok(d).args(["search", "--act-type", "torture", "--place", "North Hamgyong Province", "--from", "1998", "--to", "1998", "--json"]));
    let hits: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let ids: Vec<&str> = hits.as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"act-1") && ids.contains(&"evt-1") && ids.contains(&doc.as_str()), "{ids:?}");
    let r = run(girok(d).args(["search", "teleportation"]));
    assert_eq!(r.code, 1, "no hits exits 1");

    let r = ok(girok(d).args(["show", "act-1"]));
    assert!(r.stdout.contains("ICCPR art. 7"), "{}", r.stdout);
    assert!(r.stdout.contains("cites"), "{}", r.stdout);

    let acts2 = write(d, "acts2.csv", "id,event,victim,act_type,place,date,source\nact-1,evt-1,per-1,torture,Onsong,January 1998,src-a\n");
    ok(girok(d).args(["import", "acts"]).arg(&acts2));
    let r = ok(girok(d).args(["history", "act-1"]));
    assert!(r.stdout.contains("version 2") && r.stdout.contains("tester"), "{}", r.stdout);
    assert!(r.stdout.contains("January 1998"), "{}", r.stdout);

    let r = ok(girok(d).arg("verify"));
    assert!(r.stdout.contains("OK: nothing altered or missing"), "{}", r.stdout);

    let r = ok(girok(d).args(["export", "acts", "--format", "csv"]));
    assert!(r.stdout.starts_with("id,event,victim,act_type"), "{}", r.stdout);

    let bundle = d.join("bundle");
    let r = ok(girok(d).args(["export", "--bundle"]).arg(&bundle).args(["--id", "act-1"]));
    let key = r.stdout.lines().find_map(|l| l.strip_prefix("Signed by archive key ")).unwrap().trim().to_string();
    let r = ok(girok(d).args(["verify-bundle"]).arg(&bundle).args(["--key", &key]));
    assert!(r.stdout.contains("OK"), "{}", r.stdout);
    std::fs::write(bundle.join("records.json"), "[]").unwrap();
    let r = run(girok(d).args(["verify-bundle"]).arg(&bundle));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("records.json: SHA-256 does not match"), "{}", r.stdout);
}

#[test]
fn duplicates_and_bad_files_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(girok(d).arg("init"));
    let folder = d.join("intake");
    std::fs::create_dir_all(folder.join("sub")).unwrap();
    write(&folder, "a.txt", "SYNTHETIC A");
    write(&folder, "sub/b.html", "<p>SYNTHETIC B</p>");
    write(&folder, "copy.txt", "SYNTHETIC A");
    write(&folder, "empty.txt", "");
    let r = run(girok(d).arg("add").arg(&folder));
    assert_eq!(r.code, 1, "a failed file makes the run exit 1: {}", r.stdout);
    assert!(r.stdout.contains("2 added, 1 duplicate, 1 failed"), "{}", r.stdout);
    assert!(r.stdout.contains("empty.txt is empty"), "{}", r.stdout);
    let r = run(girok(d).arg("add").arg(d.join("absent.txt")));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("absent.txt does not exist"), "{}", r.stderr);
}

#[test]
fn wrong_key_missing_archive_and_bad_flags_exit_2_with_a_message() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let r = run(girok(d).arg("verify"));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no archive at") && r.stderr.contains("girok init"), "{}", r.stderr);
    ok(girok(d).arg("init"));
    let r = run(girok(d).env("GIROK_PASSPHRASE", "not the passphrase").arg("verify"));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("wrong passphrase or key file"), "{}", r.stderr);
    assert!(!r.stderr.contains("not the passphrase"), "no secret in messages");
    let r = run(girok(d).args(["search", "x", "--from", "1997-02-30"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--from \"1997-02-30\": impossible date"), "{}", r.stderr);
    let r = run(girok(d).args(["search", "--act-type", "teleportation"]));
    assert!(r.stderr.contains("--act-type \"teleportation\": unknown act type"), "{}", r.stderr);
    let r = run(girok(d).args(["import", "widgets"]).arg(write(d, "w.csv", "id\n")));
    assert!(r.stderr.contains("unknown record kind \"widgets\""), "{}", r.stderr);
    let r = run(girok(d).args(["import", "acts"]).arg(d.join("nope.csv")));
    assert!(r.stderr.contains("reading") && r.stderr.contains("nope.csv"), "{}", r.stderr);
}

#[test]
fn key_file_archives() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let key = d.join("archive.key");
    let r = ok(girok(d).env_remove("GIROK_PASSPHRASE").args(["init", "--new-key-file"]).arg(&key));
    assert!(r.stdout.contains("Created archive"));
    ok(girok(d).env_remove("GIROK_PASSPHRASE").arg("--key-file").arg(&key).arg("info"));
    let r = run(girok(d).arg("info"));
    assert!(r.stderr.contains("wrong passphrase or key file"), "{}", r.stderr);
}

#[test]
fn demo_builds_a_verifying_archive_and_prints_how_to_use_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let r = ok(girok(d).args(["demo", "--no-serve", "--dir", "demo", "--testimonies", "30"]));
    assert!(r.stdout.contains("SYNTHETIC"), "{}", r.stdout);
    assert!(r.stdout.contains("demo passphrase: girok-demo-passphrase-NOT-SECRET"));
    assert!(r.stdout.matches("cargo run --release --").count() >= 3);
    let demo = |args: &[&str]| {
        let mut c = girok(d);
        c.env("GIROK_ARCHIVE", d.join("demo")).env("GIROK_PASSPHRASE", "girok-demo-passphrase-NOT-SECRET").args(args);
        c
    };
    ok(&mut demo(&["verify"]));
    let r = ok(&mut demo(&["search", "수용소"]));
    assert!(r.stdout.contains("doc-synth"), "{}", r.stdout);
    // Running the demo again replaces the previous demo archive.
    ok(girok(d).args(["demo", "--no-serve", "--dir", "demo", "--testimonies", "5"]));
    // But never an archive that is not a demo.
    ok(girok(d).arg("init"));
    let r = run(girok(d).args(["demo", "--no-serve", "--dir", "archive"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not a demo archive"), "{}", r.stderr);
}

#[test]
fn regression_10_csv_exports_neutralise_spreadsheet_formulas() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    let events = write(d, "formula.csv", "id,title\nevt-f,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"synthetic\"\")\"\n");
    ok(girok(d).args(["import", "events"]).arg(events));
    let out = d.join("events.csv");
    ok(girok(d).args(["export", "events", "--format", "csv", "-o"]).arg(&out));
    let csv = std::fs::read_to_string(&out).unwrap();
    let row = csv.lines().find(|l| l.starts_with("evt-f,")).unwrap_or_else(|| panic!("{csv}"));
    assert!(row.contains("'=HYPERLINK"), "{row}");
    assert!(!row.split(',').any(|cell| cell.trim_start_matches('"').starts_with('=')), "no cell starts a formula: {row}");
    // Imported into another archive, the title comes back as it was.
    let other = tempfile::tempdir().unwrap();
    ok(girok(other.path()).arg("init"));
    ok(girok(other.path()).args(["import", "events"]).arg(&out));
    let shown = ok(girok(other.path()).args(["show", "evt-f", "--json"]));
    assert!(shown.stdout.contains("=HYPERLINK(\\\"http://evil.example\\\""), "{}", shown.stdout);
}

#[test]
fn keeping_the_record_from_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    let created = |r: &crate::Run| r.stdout.split_whitespace().nth(1).unwrap().to_string();
    let r = ok(girok(d).args([
        "new",
        "person",
        "--set",
        "names=hangul:김영호|mr:Kim Yŏng-ho",
        "--set",
        "birth=circa 1975",
        "--set",
        "origin=Hoeryong",
        "--set",
        "confidentiality=restricted",
    ]));
    let son = created(&r);
    let r = ok(girok(d).args(["new", "event", "--set", "title=Forcible return (synthetic)", "--set", "place=Onsong", "--set", "date=winter 1997"]));
    let event = created(&r);
    ok(girok(d).args(["relate", "per-1", "mother", &son]));
    // A correction with --set, and one in the editor (a script standing in for a person).
    ok(girok(d).args(["edit", &event, "--set", "date=December 1997"]));
    let editor = write(d, "editor.sh", "#!/bin/sh\nsed -i 's/Forcible return (synthetic)/Forcible return from China (synthetic)/' \"$1\"\n");
    std::process::Command::new("chmod").arg("+x").arg(&editor).status().unwrap();
    ok(girok(d).args(["edit", &event]).env("EDITOR", &editor).env_remove("VISUAL"));
    let r = ok(girok(d).args(["history", &event]));
    assert!(r.stdout.contains("date.text: \"winter 1997\" → \"December 1997\""), "{}", r.stdout);
    assert!(r.stdout.contains("title: \"Forcible return (synthetic)\" → \"Forcible return from China (synthetic)\""), "{}", r.stdout);
    // A level change needs a reason; a bad term names the field and suggests.
    let r = run(girok(d).args(["edit", &event, "--set", "confidentiality=public"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("reason"), "{}", r.stderr);
    ok(girok(d).args(["edit", &event, "--set", "confidentiality=public", "--reason", "cleared for the synthetic briefing"]));
    let r = run(girok(d).args(["new", "act", "--set", &format!("event={event}"), "--set", &format!("victim={son}"), "--set", "act_type=연좌제"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("act_type") && r.stderr.contains("연좌제 처벌"), "{}", r.stderr);
    // Sealing an identity (from standard input here; a terminal is asked without echo).
    let mut seal = girok(d);
    seal.args(["seal-identity", "src-a"]).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = seal.spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"SYNTHETIC-SEALED-PERSON\nSYNTHETIC-PHONE\ninterviewed in a synthetic town\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("SYNTHETIC-SEALED-PERSON"), "never echoed");
    let exported = ok(girok(d).args(["export", "sources"]));
    assert!(!exported.stdout.contains("SYNTHETIC-SEALED-PERSON"), "never exported");
    // Retire, then restore; verify passes after all of it.
    ok(girok(d).args(["retire", &event, "--reason", "entered twice (synthetic)"]));
    let r = run(girok(d).args(["search", "forcible"]));
    assert!(!r.stdout.contains(&event), "a retired event is not found: {}", r.stdout);
    ok(girok(d).args(["restore", &event, "--reason", "not a duplicate"]));
    assert!(ok(girok(d).args(["search", "forcible"])).stdout.contains(&event));
    ok(girok(d).arg("verify"));
}

#[test]
fn importing_rows_with_existing_ids_updates_them_and_says_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    let events = write(d, "events2.csv", "id,title,place,date\nevt-1,Arrest and return (synthetic),Onsong,December 1997\nevt-2,Yodok detention (synthetic),plc-fac-kwanliso-15,between 1999 and 2002\nevt-3,New event (synthetic),,2001\n");
    let r = ok(girok(d).args(["import", "events"]).arg(&events));
    assert!(r.stdout.contains("updated evt-1: date"), "{}", r.stdout);
    assert!(r.stdout.contains("2 imported, 1 unchanged"), "{}", r.stdout);
    let h = ok(girok(d).args(["history", "evt-1"]));
    assert!(h.stdout.contains("date.text: \"winter 1997\" → \"December 1997\""), "{}", h.stdout);
    assert!(
        !ok(girok(d).args(["export", "events", "--format", "csv"])).stdout.contains("evt-1,Arrest and return (synthetic),plc-gn2042267,winter 1997"),
        "no duplicate row"
    );
}

#[test]
fn indicator_series_import_and_export_as_csv_one_row_per_value() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    let csv = "id,name,unit,source,year,to_year,value,place,value_source\n\
               ind-imr,Infant mortality (SYNTHETIC),per 1000 live births,Synthetic survey,1993,,27,,src-a\n\
               ind-imr,Infant mortality (SYNTHETIC),per 1000 live births,Synthetic survey,1999,,48,,src-a\n\
               ind-mal,Chronic malnutrition (SYNTHETIC),% of children,Synthetic survey,1998,2002,42,North Hamgyong Province,\n";
    let file = write(d, "indicators.csv", csv);
    let r = ok(girok(d).args(["import", "indicators"]).arg(&file));
    assert!(r.stdout.contains("2 imported"), "two series from three rows: {}", r.stdout);
    let out = ok(girok(d).args(["export", "indicators", "--format", "csv"]));
    let rows: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("ind-")).collect();
    assert_eq!(rows.len(), 3, "one row per value: {}", out.stdout);
    assert!(rows.iter().any(|r| r.contains(",1998,2002,42,")), "{}", out.stdout);
    let shown = ok(girok(d).args(["show", "ind-imr", "--json"]));
    assert!(shown.stdout.contains("\"source\": \"src-a\""), "each value keeps its source: {}", shown.stdout);
    // A row that names the series differently is refused with its row.
    let bad = write(d, "bad.csv", "id,name,unit,source,year,value\nind-x,A,u,s,2000,1\nind-x,B,u,s,2001,2\n");
    let r = run(girok(d).args(["import", "indicators"]).arg(&bad));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("row 3") && r.stderr.contains("differently"), "{}", r.stderr);
    ok(girok(d).arg("verify"));
}
