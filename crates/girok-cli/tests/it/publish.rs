//! `girok publish` on the synthetic demo archive: what leaves the archive holds no small cell
//! and no name, its manifest checks out, and it never writes over anything.

use sha2::{Digest, Sha256};

use crate::{girok, ok, run};

fn demo(d: &std::path::Path) -> impl Fn(&[&str]) -> std::process::Command + '_ {
    ok(girok(d).args(["demo", "--no-serve", "--dir", "demo", "--testimonies", "200"]));
    move |args: &[&str]| {
        let mut c = girok(d);
        c.env("GIROK_ARCHIVE", d.join("demo")).env("GIROK_PASSPHRASE", "girok-demo-passphrase-NOT-SECRET").args(args);
        c
    }
}

#[test]
fn a_briefing_withholds_small_cells_and_names_and_its_manifest_checks_out() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let g = demo(d);
    let k = 30u64;
    ok(&mut g(&["publish", "--out", "brief", "--level", "internal", "--min-cell", &k.to_string()]));
    let out = d.join("brief");
    let mut withheld_somewhere = false;
    for table in ["acts-by-type.csv", "acts-by-year.csv", "acts-by-province.csv", "acts-by-treaty-article.csv", "events-by-corroboration.csv"] {
        let text = std::fs::read_to_string(out.join(table)).unwrap();
        let lines: Vec<&str> = text.lines().skip(1).collect();
        let cells: Vec<&str> = lines.iter().map(|l| l.rsplit(',').next().unwrap()).collect();
        let withheld = cells.iter().filter(|c| **c == format!("<{k}")).count();
        withheld_somewhere |= withheld > 0;
        for c in &cells {
            if let Ok(n) = c.parse::<u64>() {
                assert!(n == 0 || n >= k, "{table}: a shown count {n} is below {k}:\n{text}");
            }
        }
        let total_shown = cells.last().unwrap().parse::<u64>().is_ok();
        assert!(!(total_shown && withheld == 1), "{table}: one withheld cell next to a shown total:\n{text}");
    }
    assert!(withheld_somewhere, "with k = {k} the demo has small cells; none were withheld");

    // No person's name or any record id reaches the page.
    let html = std::fs::read_to_string(out.join("briefing.html")).unwrap();
    let persons = ok(&mut g(&["export", "persons", "--format", "json"])).stdout;
    let persons: serde_json::Value = serde_json::from_str(&persons).unwrap();
    let mut names = 0;
    for p in persons.as_array().unwrap() {
        for n in p["names"].as_array().unwrap() {
            let name = n["text"].as_str().unwrap();
            if name.chars().count() >= 3 {
                names += 1;
                assert!(!html.contains(name), "the name {name} is in the briefing");
            }
        }
        assert!(!html.contains(p["id"].as_str().unwrap()));
    }
    assert!(names > 50, "the check looked at {names} names");
    assert!(!html.contains("<script"), "a briefing has no scripts");

    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap();
    // Five count tables, two two-way tables, the demo's two indicator series, the page.
    assert_eq!(files.len(), 10, "{manifest}");
    // Two-way tables: no shown small cell, and no row or column (margins included) with a
    // single withheld entry, which its total would give back.
    for table in ["acts-by-year-and-type.csv", "acts-by-year-and-province.csv"] {
        let text = std::fs::read_to_string(out.join(table)).unwrap();
        let grid: Vec<Vec<String>> = text.lines().skip(1).map(|l| l.split(',').skip(1).map(str::to_string).collect()).collect();
        let hidden = |c: &String| *c == format!("<{k}");
        for row in &grid {
            for c in row {
                if let Ok(n) = c.parse::<u64>() {
                    assert!(n == 0 || n >= k, "{table}: {n} shown:\n{text}");
                }
            }
            assert_ne!(row.iter().filter(|c| hidden(c)).count(), 1, "{table}: a row with one withheld entry:\n{text}");
        }
        for j in 0..grid[0].len() {
            assert_ne!(grid.iter().filter(|r| hidden(&r[j])).count(), 1, "{table}: column {j} with one withheld entry:\n{text}");
        }
        assert!(grid.len() > 3, "{table}: years as rows:\n{text}");
    }
    let law = std::fs::read_to_string(out.join("acts-by-treaty-article.csv")).unwrap();
    assert!(law.contains("ICCPR art. 7: ") && law.contains("freedom from torture") && law.contains("(party since 1981)"), "the law section: {law}");
    assert!(html.contains("Infant mortality (SYNTHETIC)") && html.contains("<h2>Sources</h2>"), "indicators are quoted with their sources");
    assert!(out.join("indicator-ind-synth-infant-mortality.csv").exists());
    let only = d.join("one-series");
    ok(&mut g(&["publish", "--out", only.to_str().unwrap(), "--level", "internal", "--indicator", "ind-synth-stunting"]));
    let one = std::fs::read_to_string(only.join("briefing.html")).unwrap();
    assert!(one.contains("chronically malnourished") && !one.contains("Infant mortality (SYNTHETIC)"), "--indicator chooses the series");
    // An estimate of what stays hidden, always with its interval, lists and assumptions.
    let est = d.join("with-estimate");
    ok(&mut g(&["publish", "--out", est.to_str().unwrap(), "--level", "restricted", "--estimate", "강제송환"]));
    let page = std::fs::read_to_string(est.join("briefing.html")).unwrap();
    assert!(page.contains("What stays hidden") && page.contains("95% interval") && page.contains("What the estimate assumes"), "{page}");
    assert!(page.contains("Synthetic Documentation Project A"), "the lists it rests on");
    let r = run(&mut g(&["publish", "--out", "no-estimate", "--estimate", "flying"]));
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("--estimate \"flying\""), "{}", r.stderr);
    let r = run(&mut g(&["publish", "--out", "none", "--indicator", "ind-nope"]));
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("ind-nope"), "{}", r.stderr);
    for f in files {
        let bytes = std::fs::read(out.join(f["name"].as_str().unwrap())).unwrap();
        assert_eq!(f["sha256"].as_str().unwrap(), hex::encode(Sha256::digest(&bytes)));
    }
    let state = manifest["archive_state"].as_str().unwrap();
    assert!(state.len() == 64 && state.chars().all(|c| c.is_ascii_hexdigit()), "the audit head's hash: {manifest}");

    // The same archive state and settings give the same bytes, so a briefing can be remade and
    // checked against a published manifest.
    ok(&mut g(&["publish", "--out", "again", "--level", "internal", "--min-cell", &k.to_string()]));
    for f in files {
        let name = f["name"].as_str().unwrap();
        assert_eq!(std::fs::read(out.join(name)).unwrap(), std::fs::read(d.join("again").join(name)).unwrap(), "{name} differs");
    }

    // A holder of the archive ties the briefing to the verified chain by its state.
    let r = ok(&mut g(&["verify", "--state", state]));
    assert!(r.stdout.contains(&format!("state {state}: audit entry ")), "{}", r.stdout);
    let r = run(&mut g(&["verify", "--state", &"0".repeat(64)]));
    assert_eq!(r.code, 1, "an unknown state is a problem found: {}", r.stdout);
    assert!(r.stdout.contains("NOT in this archive's audit chain"), "{}", r.stdout);

    // Never over other files.
    let r = run(&mut g(&["publish", "--out", "brief"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--out brief: the directory is not empty"), "{}", r.stderr);
}

#[test]
fn public_by_default_and_says_when_nothing_is_public() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let g = demo(d);
    // The demo's coded records are internal: a public briefing has nothing to count, and says so.
    let r = ok(&mut g(&["publish", "--out", "public", "--lang", "ko"]));
    assert!(r.stderr.contains("no acts at or below the public level"), "{}", r.stderr);
    let csv = std::fs::read_to_string(d.join("public/acts-by-type.csv")).unwrap();
    assert_eq!(csv, "행위 유형,건수\n합계,0\n");
    let r = run(&mut g(&["publish", "--out", "x", "--min-cell", "0"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--min-cell must be at least 1"), "{}", r.stderr);
}
