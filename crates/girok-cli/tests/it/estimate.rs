//! `girok estimate` on the shared reference tables and on the demo archive.

use std::path::PathBuf;

use crate::{girok, ok, run, write};

fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mse").join(name)
}

#[test]
fn json_output_has_the_stable_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let r = ok(girok(tmp.path()).args(["estimate", "--table"]).arg(shared("madigan_york_3lists.csv")).arg("--json"));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    for field in ["method", "estimate", "lower", "upper", "observed", "model", "warnings", "band", "lower_bound", "wording"] {
        assert!(v.get(field).is_some(), "missing {field}: {v}");
    }
    assert_eq!(v["method"], "loglinear");
    assert_eq!(v["model"], "[12,3]");
    assert_eq!(v["observed"], 626);
    let est = v["estimate"].as_f64().unwrap();
    assert!((est - 730.9286).abs() < 1e-3, "{est}");
    assert!(v["lower"].as_f64().unwrap() < est && v["upper"].as_f64().unwrap() > est);
    // ψ = 2 doubles the unobserved at the band's centre; the band starts at the method's lower limit.
    let r = ok(girok(tmp.path()).args(["estimate", "--psi", "2", "--json", "--table"]).arg(shared("madigan_york_3lists.csv")));
    let b: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!((b["band"]["estimate"].as_f64().unwrap() - (626.0 + 2.0 * (est - 626.0))).abs() < 1e-6, "{b}");
    assert_eq!(b["band"]["lower"], v["lower"]);
    let r = run(girok(tmp.path()).args(["estimate", "--psi", "0.5", "--table"]).arg(shared("madigan_york_3lists.csv")));
    assert!(r.code != 0 && r.stderr.contains("--psi 0.5"), "{}", r.stderr);
}

#[test]
fn dga_takes_madigan_and_yorks_prior() {
    let tmp = tempfile::tempdir().unwrap();
    let run_with = |prior: &str| {
        let r = ok(girok(tmp.path()).args(["estimate", "--method", "dga", "--json", "--dga-prior", prior, "--table"]).arg(shared("madigan_york_3lists.csv")));
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        (v["estimate"].as_f64().unwrap(), v["lower"].as_f64().unwrap(), v["upper"].as_f64().unwrap())
    };
    let (inverse, negbin) = (run_with("inverse"), run_with("negbin:13.14,55.17"));
    assert!(negbin.0 > 626.0 && inverse != negbin, "the prior changes the posterior: {inverse:?} vs {negbin:?}");
    let r = run(girok(tmp.path()).args(["estimate", "--method", "dga", "--dga-prior", "negbin:-1,2", "--table"]).arg(shared("madigan_york_3lists.csv")));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--dga-prior"), "{}", r.stderr);
}

#[test]
fn every_shared_table_gets_an_estimate_or_a_clear_refusal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mse");
    let mut n_files = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("csv") {
            continue;
        }
        n_files += 1;
        // dga runs on every table of up to 5 lists; larger ones are refused with a reason.
        let r = run(girok(tmp.path()).args(["estimate", "--method", "dga", "--json", "--table"]).arg(&p));
        if r.code == 0 {
            let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            assert!(v["estimate"].as_f64().unwrap() >= v["observed"].as_f64().unwrap(), "{}", p.display());
        } else {
            assert!(r.stderr.contains("dga handles 2 to 5 lists"), "{}: {}", p.display(), r.stderr);
        }
    }
    assert!(n_files >= 20);
}

#[test]
fn compare_prints_every_method_and_refusals_are_explained() {
    let tmp = tempfile::tempdir().unwrap();
    let r = ok(girok(tmp.path()).args(["estimate", "--compare", "--samples", "200", "--table"]).arg(shared("korea_palembang.csv")));
    for m in ["loglinear", "stepwise", "dga", "lcmcr"] {
        assert!(r.stdout.contains(m), "{m} missing: {}", r.stdout);
    }
    let r = run(girok(tmp.path()).args(["estimate", "--model", "[12,3]", "--table"]).arg(shared("artificial_3lists.csv")));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no maximum likelihood estimate exists"), "{}", r.stderr);
    let r = run(girok(tmp.path()).args(["estimate", "--model", "[12,13,23]", "--table"]).arg(shared("artificial_3lists.csv")));
    assert!(r.stderr.contains("not identifiable"), "{}", r.stderr);
    let bad = write(tmp.path(), "bad.csv", "A,B,C,count\n1,0,0,5\n1,0,0,6\n");
    let r = run(girok(tmp.path()).args(["estimate", "--table"]).arg(&bad));
    assert!(r.stderr.contains("row 3: pattern 100 appears twice"), "{}", r.stderr);
    let r =
        ok(girok(tmp.path()).args(["estimate", "--method", "stepwise", "--bootstrap", "50", "--json", "--table"]).arg(shared("us_western_site_5lists.csv")));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!((v["estimate"].as_f64().unwrap() - 2483.4).abs() < 0.1, "{v}");
    assert!(v["model"].as_str().unwrap().contains("A:E") && v["model"].as_str().unwrap().contains("bootstrap"), "{v}");
}

#[test]
fn estimates_from_the_demo_archive_with_strata() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(girok(d).args(["demo", "--no-serve", "--dir", "demo", "--testimonies", "300"]));
    let demo = |args: &[&str]| {
        let mut c = girok(d);
        c.env("GIROK_ARCHIVE", d.join("demo")).env("GIROK_PASSPHRASE", "girok-demo-passphrase-NOT-SECRET").args(args);
        c
    };
    let table = d.join("returns.csv");
    let r = ok(&mut demo(&["estimate", "--acts", "강제송환", "--method", "dga", "--json", "--table-out", table.to_str().unwrap()]));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let observed = v["observed"].as_f64().unwrap();
    // The written table is the archive's: estimating from it alone gives the same answer.
    let again = ok(&mut demo(&["estimate", "--table", table.to_str().unwrap(), "--method", "dga", "--json"]));
    let w: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(w["observed"], v["observed"]);
    assert_eq!(w["estimate"], v["estimate"]);
    assert!(observed > 100.0, "{v}");
    assert!(v["estimate"].as_f64().unwrap() >= observed);
    // A small demo: its provinces are pooled at the default size, so the test lowers it.
    let r = ok(&mut demo(&[
        "estimate",
        "--acts",
        "DP0100000000",
        "--from",
        "2000",
        "--to",
        "2010",
        "--stratify",
        "province",
        "--method",
        "dga",
        "--min-stratum",
        "5",
    ]));
    assert!(r.stdout.contains("sum of") && r.stdout.contains("strata"), "{}", r.stdout);
    assert!(r.stdout.contains("band (ψ ≤ 3)") && r.stdout.contains("stratifying by province"), "{}", r.stdout);
    let r = ok(&mut demo(&["estimate", "--acts", "DP0100000000", "--from", "2000", "--to", "2010", "--stratify", "province", "--method", "dga"]));
    assert!(r.stdout.contains("warning: pooled") && r.stdout.contains("too small to estimate alone"), "{}", r.stdout);
    let r = run(&mut demo(&["estimate", "--acts", "teleportation"]));
    assert!(r.stderr.contains("--acts \"teleportation\""), "{}", r.stderr);
}

#[test]
fn regression_12_estimate_from_lists_links_counts_once_and_shows_the_thresholds() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(girok(d).args(["demo-lists", "--out", "lists", "--people", "1500", "--seed", "9"]));
    let files: Vec<PathBuf> = (b'A'..=b'D').map(|c| d.join(format!("lists/synthetic-org-{}.csv", c as char))).collect();
    let r = ok(girok(d).args(["estimate", "--lists"]).args(&files).args(["--json", "--clusters", "clusters.csv"]));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["lists"].as_array().unwrap().len(), 4);
    let est = v["estimates"][0]["estimate"].as_f64().unwrap();
    assert!((1350.0..1650.0).contains(&est), "N = 1500 hidden; estimated {est}");
    let thresholds = v["thresholds"].as_array().unwrap();
    assert_eq!(thresholds.len(), 5);
    // Stricter thresholds split people and inflate the count: the reader sees it.
    let people: Vec<u64> = thresholds.iter().map(|t| t["people"].as_u64().unwrap()).collect();
    assert!(people[0] < *people.last().unwrap() || thresholds[0]["threshold"].as_f64() != Some(0.5), "{people:?}");
    let clusters = std::fs::read_to_string(d.join("clusters.csv")).unwrap();
    assert!(clusters.starts_with("id,list,person\n") && clusters.contains("synthetic-org-B"), "{}", &clusters[..200]);
    // One file with a list column gives the same answer.
    let mut one = std::fs::read_to_string(&files[0]).unwrap();
    for f in &files[1..] {
        one.push_str(std::fs::read_to_string(f).unwrap().split_once('\n').unwrap().1);
    }
    let all = write(d, "all.csv", &one);
    let r2 = ok(girok(d).args(["estimate", "--lists"]).arg(&all).args(["--list-column", "list", "--json"]));
    let v2: serde_json::Value = serde_json::from_str(&r2.stdout).unwrap();
    assert_eq!(v2["people"], v["people"]);
    // One file without a list column is refused, saying what to do.
    let r3 = run(girok(d).args(["estimate", "--lists"]).arg(&all));
    assert_ne!(r3.code, 0);
    assert!(r3.stderr.contains("--list-column"), "{}", r3.stderr);
}

#[test]
fn regression_15_warnings_fire_on_evidence_and_agreement_is_not_reassurance() {
    let tmp = tempfile::tempdir().unwrap();
    let r = ok(girok(tmp.path()).args(["estimate", "--table"]).arg(shared("madigan_york_3lists.csv")).arg("--compare"));
    let all: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with("all methods: warning:")).collect();
    assert!(all.iter().any(|l| l.contains("do not fit independent lists")), "{}", r.stdout);
    assert!(all.iter().any(|l| l.contains("not evidence that they are right")), "the methods agree here: {}", r.stdout);
    assert_eq!(r.stdout.matches("do not fit independent lists").count(), 1, "said once, not per method: {}", r.stdout);
    // In JSON every estimate carries them.
    let j = ok(girok(tmp.path()).args(["estimate", "--table"]).arg(shared("madigan_york_3lists.csv")).args(["--compare", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    for m in v.as_array().unwrap() {
        assert!(m["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("independent lists")), "{m}");
    }
}
