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
    for field in ["method", "estimate", "lower", "upper", "observed", "model", "warnings"] {
        assert!(v.get(field).is_some(), "missing {field}: {v}");
    }
    assert_eq!(v["method"], "loglinear");
    assert_eq!(v["model"], "[12,3]");
    assert_eq!(v["observed"], 626);
    let est = v["estimate"].as_f64().unwrap();
    assert!((est - 730.9286).abs() < 1e-3, "{est}");
    assert!(v["lower"].as_f64().unwrap() < est && v["upper"].as_f64().unwrap() > est);
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
    let r = ok(&mut demo(&["estimate", "--acts", "강제송환", "--method", "dga", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let observed = v["observed"].as_f64().unwrap();
    assert!(observed > 100.0, "{v}");
    assert!(v["estimate"].as_f64().unwrap() >= observed);
    let r = ok(&mut demo(&["estimate", "--acts", "DP0100000000", "--from", "2000", "--to", "2010", "--stratify", "province", "--method", "dga"]));
    assert!(r.stdout.contains("sum of") && r.stdout.contains("strata"), "{}", r.stdout);
    let r = run(&mut demo(&["estimate", "--acts", "teleportation"]));
    assert!(r.stderr.contains("--acts \"teleportation\""), "{}", r.stderr);
}
