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
    // Six count tables (national provisions among them), two two-way tables, the demo's two
    // indicator series, the page, its PDF.
    assert_eq!(files.len(), 12, "{manifest}");
    assert!(std::fs::read(out.join("briefing.pdf")).unwrap().starts_with(b"%PDF-"));
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

/// The demo's saved briefing (sections in the reference briefing's structure, an estimate,
/// recommendations), published with `--briefing`: every count, every indicator value and every
/// cited record in it is found in the archive, and remaking it gives the same bytes.
#[test]
fn regression_13_the_demo_briefing_traces_every_figure_to_the_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let g = demo(d);
    let list = ok(&mut g(&["briefing", "list"])).stdout;
    assert!(list.contains("demo-briefing"), "{list}");
    ok(&mut g(&["publish", "--briefing", "demo-briefing", "--out", "full"]));
    let out = d.join("full");
    let html = std::fs::read_to_string(out.join("briefing.html")).unwrap();
    for heading in [
        "Torture and ill-treatment",
        "punishment of families",
        "Public executions",
        "The food crisis",
        "What cannot be seen",
        "Recommendations",
        "What stays hidden",
        "Records cited",
    ] {
        assert!(html.contains(heading), "{heading} missing");
    }
    let export = |kind: &str| -> Vec<serde_json::Value> {
        let text = ok(&mut g(&["export", kind, "--format", "json"])).stdout;
        serde_json::from_str::<serde_json::Value>(&text).unwrap().as_array().unwrap().clone()
    };
    // Acts by type: each shown count is the number of exported acts of that type.
    let acts = export("acts");
    let vocab = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../girok-core/data/dprk-act-types.csv")).unwrap();
    let label_of = |code: &str| vocab.lines().find(|l| l.starts_with(code)).map(|l| l.split(',').nth(2).unwrap().to_string()).unwrap();
    let by_type = std::fs::read_to_string(out.join("acts-by-type.csv")).unwrap();
    let mut checked = 0;
    for line in by_type.lines().skip(1) {
        let (label, n) = line.rsplit_once(',').unwrap();
        let Ok(n) = n.parse::<usize>() else { continue };
        let label = label.trim_matches('"');
        let found = if label == "Total" { acts.len() } else { acts.iter().filter(|a| label_of(a["act_type"].as_str().unwrap()) == label).count() };
        assert_eq!(found, n, "{label}: the briefing says {n}, the archive holds {found}");
        checked += 1;
    }
    assert!(checked >= 4, "{by_type}");
    // Acts by year: an act counts in a year when its whole date lies in it.
    let by_year = std::fs::read_to_string(out.join("acts-by-year.csv")).unwrap();
    for line in by_year.lines().skip(1) {
        let (year, n) = line.split_once(',').unwrap();
        let (Ok(y), Ok(n)) = (year.parse::<i32>(), n.parse::<usize>()) else { continue };
        let found = acts
            .iter()
            .filter(|a| {
                let (e, l) = (a["date"]["earliest"].as_str().unwrap_or(""), a["date"]["latest"].as_str().unwrap_or(""));
                e.starts_with(&format!("{y}-")) && l.starts_with(&format!("{y}-"))
            })
            .count();
        assert_eq!(found, n, "year {y}");
    }
    // Every indicator value quoted is a value of that series in the archive.
    let indicators = export("indicators");
    for ind in &indicators {
        let file = out.join(format!("indicator-{}.csv", ind["id"].as_str().unwrap()));
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines().skip(1) {
            let mut cells = line.split(',');
            let (year, _, value) = (cells.next().unwrap().parse::<i64>().unwrap(), cells.next(), cells.next().unwrap().parse::<f64>().unwrap());
            assert!(
                ind["values"].as_array().unwrap().iter().any(|v| v["year"].as_i64() == Some(year) && (v["value"].as_f64().unwrap() - value).abs() < 1e-9),
                "{}: {year} {value} is not in the archive",
                file.display()
            );
        }
    }
    // Acts by provision of national law: each shown count is the number of exported acts
    // citing it, and each provision is quoted with its text and what the Committee said.
    let provisions = export("provisions");
    assert_eq!(provisions.len(), 4);
    let by_law = std::fs::read_to_string(out.join("acts-by-national-provision.csv")).unwrap();
    let mut shown = 0;
    for p in &provisions {
        let label = format!("{}, art. {}", p["instrument"].as_str().unwrap(), p["article"].as_str().unwrap());
        let line = by_law
            .lines()
            .find(|l| l.trim_matches('"').starts_with(&label) || l.starts_with(&format!("\"{label}\"")))
            .unwrap_or_else(|| panic!("{label} missing:\n{by_law}"));
        let found = acts.iter().filter(|a| a["provisions"].as_array().is_some_and(|ps| ps.iter().any(|x| x == &p["id"]))).count();
        assert!(found > 0, "{label}: the demo's executions cite it");
        if let Ok(n) = line.rsplit_once(',').unwrap().1.parse::<usize>() {
            assert_eq!(n, found, "{label}");
            shown += 1;
        }
        assert!(html.contains(&format!("<h3 id=\"{}\">", p["id"].as_str().unwrap())), "{label} is quoted");
    }
    assert!(shown >= 1, "at least one provision's count is large enough to show:\n{by_law}");
    assert!(html.contains("couched in terms so broad"), "the Committee's words are quoted");
    // What cannot be seen: the demo's closed province, on the map and in words.
    assert!(html.contains("Closed to outside agencies: Chagang Province (about"), "the closed area is said");
    assert!(html.contains("stroke=\"#b00020\""), "and drawn");
    // Every record cited is in the archive; the estimate shows its interval and band.
    let events = export("events");
    let cited: Vec<&str> = html.split("<li id=\"ref-").skip(1).map(|s| s.split("<span class=\"meta\">(").nth(1).unwrap().split(')').next().unwrap()).collect();
    assert!(cited.len() >= 11, "{cited:?}");
    for id in &cited {
        assert!(events.iter().chain(&indicators).chain(&provisions).any(|r| r["id"].as_str() == Some(id)), "{id} is cited but not in the archive");
    }
    assert!(html.contains("95% interval") && html.contains("Sensitivity band"), "the estimate carries its interval and band");
    // Made again from the same state: the same bytes.
    ok(&mut g(&["publish", "--briefing", "demo-briefing", "--out", "again"]));
    for f in std::fs::read_dir(&out).unwrap().flatten() {
        assert_eq!(std::fs::read(f.path()).unwrap(), std::fs::read(d.join("again").join(f.file_name())).unwrap(), "{:?} differs", f.file_name());
    }
    // A section citing a record above the level stops the publish, naming section and record.
    let show = ok(&mut g(&["briefing", "show", "demo-briefing"])).stdout;
    let public = show.replace("level = \"restricted\"", "level = \"public\"");
    std::fs::write(d.join("public.toml"), &public).unwrap();
    let r = run(&mut g(&["briefing", "save", d.join("public.toml").to_str().unwrap()]));
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("Torture and ill-treatment") && r.stderr.contains("above the briefing's public level"), "{}", r.stderr);
}
