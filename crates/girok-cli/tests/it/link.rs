//! `girok link` on CSV files: results, explanations and every bad input.

use std::path::PathBuf;

use crate::{girok, ok, run, write};

fn febrl(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/linkage/febrl").join(name)
}

#[test]
fn links_febrl4_and_writes_a_cluster_for_every_record() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let config = write(
        d,
        "link.toml",
        r#"threshold = 0.9
[[field]]
column = "given_name"
compare = "name"
term_frequency = true
[[field]]
column = "surname"
compare = "name"
term_frequency = true
[[field]]
column = "date_of_birth"
compare = "date"
[[field]]
column = "soc_sec_id"
compare = "code"
[[field]]
column = "postcode"
compare = "code"
[[field]]
column = "suburb"
compare = "name"
[[blocking]]
keys = ["exact:surname"]
[[blocking]]
keys = ["exact:given_name"]
[[blocking]]
keys = ["exact:date_of_birth"]
[[blocking]]
keys = ["exact:soc_sec_id"]
"#,
    );
    let out = d.join("clusters.csv");
    let r = ok(girok(d)
        .args(["link", "--id-column", "rec_id", "--input"])
        .arg(febrl("dataset4a.csv"))
        .arg("--input")
        .arg(febrl("dataset4b.csv"))
        .arg("--config")
        .arg(&config)
        .arg("--output")
        .arg(&out)
        .args(["--explain", "rec-1070-org,rec-1070-dup-0", "--json"]));
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<(&str, &str)> = text.lines().skip(1).map(|l| l.split_once(',').unwrap()).collect();
    assert_eq!(rows.len(), 10_000);
    // Every org record shares a cluster with its dup-0 (pairwise recall), no cluster mixes entities.
    let mut cluster_of = std::collections::HashMap::new();
    for (id, c) in &rows {
        cluster_of.insert(id.to_string(), c.to_string());
    }
    let linked = (0..5000).filter(|i| cluster_of.get(&format!("rec-{i}-org")).is_some_and(|c| Some(c) == cluster_of.get(&format!("rec-{i}-dup-0")))).count();
    assert!(linked >= 4975, "{linked} of 5000 true links found");
    let json_start = r.stdout.find('{').unwrap();
    let v: serde_json::Value = serde_json::from_str(&r.stdout[json_start..]).unwrap();
    assert!(v["probability"].as_f64().unwrap() > 0.99);
    assert!(
        v["fields"].as_array().unwrap().iter().any(|f| f["field"] == "surname" && f["bayes_factor_log2"].as_f64().unwrap() < 0.0),
        "the surname changed in this pair and counts against it"
    );
}

#[test]
fn korean_names_in_hangul_and_romanization_are_linked_with_an_inferred_config() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // SYNTHETIC persons.
    let a = write(d, "a.csv", "id,name,birth_year,origin\na1,이철수,1970,회령\na2,박영희,1982,혜산\na3,김민호,1990,무산\n");
    let b = write(d, "b.csv", "id,name,birth_year,origin\nb1,Lee Chul-soo,1970,Hoeryong\nb2,Pak Yong-hui,1981,Hyesan\nb3,Choi Su-jin,1990,Musan\n");
    let out = d.join("c.csv");
    ok(girok(d).args(["link", "--threshold", "0.5", "--input"]).arg(&a).arg("--input").arg(&b).arg("--output").arg(&out));
    let text = std::fs::read_to_string(&out).unwrap();
    let c: std::collections::HashMap<&str, &str> = text.lines().skip(1).map(|l| l.split_once(',').unwrap()).collect();
    assert_eq!(c["a1"], c["b1"], "{text}");
    assert_ne!(c["a3"], c["b3"], "{text}");
}

#[test]
fn bad_inputs_get_clear_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = d.join("o.csv");
    let check = |files: &[PathBuf], extra: &[&str], expected: &str| {
        let mut c = girok(d);
        c.arg("link");
        for f in files {
            c.arg("--input").arg(f);
        }
        c.args(extra).arg("--output").arg(&out);
        let r = run(&mut c);
        assert_eq!(r.code, 2, "{expected}: {}", r.stdout);
        assert!(r.stderr.contains(expected), "expected {expected:?} in {:?}", r.stderr);
    };
    check(&[write(d, "noid.csv", "key,name\n1,x\n")], &[], "no \"id\" column");
    check(&[write(d, "dup.csv", "id,name\n1,x\n2,y\n1,z\n")], &[], "row 4: id \"1\" appears more than once");
    check(&[write(d, "ragged.csv", "id,name\n1,x\n2,y,extra\n")], &[], "row 3 has 3 fields, the header has 2");
    let bad = d.join("latin1.csv");
    std::fs::write(&bad, b"id,name\n1,Andr\xe9\n").unwrap();
    check(&[bad], &[], "invalid UTF-8 at line 2");
    check(&[write(d, "empty.csv", "")], &[], "is empty");
    check(&[write(d, "header.csv", "id,name\n")], &[], "no records");
    let cfg = write(d, "c.toml", "[[field]]\ncolumn = \"nmae\"\ncompare = \"name\"\n[[blocking]]\nkeys = [\"exact:name\"]\n");
    check(&[write(d, "ok.csv", "id,name\n1,x\n2,x\n")], &["--config", cfg.to_str().unwrap()], "column \"nmae\" named in the comparisons does not exist");
    let mut rows = String::from("id,name\n");
    for i in 0..300 {
        rows.push_str(&format!("{i},kim\n"));
    }
    let cfg = write(d, "c2.toml", "[[field]]\ncolumn = \"name\"\ncompare = \"name\"\n[[blocking]]\nkeys = [\"exact:name\"]\n");
    check(
        &[write(d, "big.csv", &rows)],
        &["--config", cfg.to_str().unwrap(), "--max-pairs", "1000"],
        "produce 44850 candidate pairs, more than the limit of 1000",
    );
    check(&[write(d, "x.csv", "id,name\n1,x\n")], &["--config", write(d, "c3.toml", "bogus = 1\n").to_str().unwrap()], "not a valid linkage config");
}

#[test]
fn archive_persons_go_through_a_reversible_review_queue() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(girok(d).args(["demo", "--no-serve", "--dir", "demo", "--testimonies", "200"]));
    let demo = |args: &[&str]| {
        let mut c = girok(d);
        c.env("GIROK_ARCHIVE", d.join("demo")).env("GIROK_PASSPHRASE", "girok-demo-passphrase-NOT-SECRET").args(args);
        c
    };
    let r = ok(&mut demo(&["link", "persons"]));
    assert!(r.stdout.contains("new proposals"), "{}", r.stdout);
    // The same persons as CSV for another engine; `girok link --input` reads it back and finds
    // the demo's duplicates in it too. The file is never overwritten.
    let inputs = d.join("persons-inputs.csv");
    let r = ok(demo(&["link", "persons", "--max-level", "restricted", "--inputs-out"]).arg(&inputs));
    assert!(r.stderr.contains("plaintext"), "{}", r.stderr);
    let text = std::fs::read_to_string(&inputs).unwrap();
    assert!(text.starts_with("id,name_hangul,name_other,birth_year,origin,sex\n"), "{}", &text[..80.min(text.len())]);
    let rows = text.lines().count() - 1;
    assert!(rows > 100, "{rows} persons");
    let r = run(demo(&["link", "persons", "--inputs-out"]).arg(&inputs));
    assert!(r.code != 0 && r.stderr.contains("must not exist yet"), "{}", r.stderr);
    let clusters = d.join("clusters.csv");
    ok(girok(d).arg("link").arg("--input").arg(&inputs).arg("--output").arg(&clusters));
    let out = std::fs::read_to_string(&clusters).unwrap();
    let distinct: std::collections::HashSet<&str> = out.lines().skip(1).filter_map(|l| l.rsplit(',').next()).collect();
    assert_eq!(out.lines().count() - 1, rows, "a cluster for every exported person");
    assert!(distinct.len() < rows, "the demo's duplicate persons are found in the exported inputs");
    let list = ok(&mut demo(&["review", "list"])).stdout;
    let first = list.lines().next().expect("the demo has duplicate persons to propose");
    assert!(first.starts_with("#1 ") && first.contains("open"), "{first}");
    let right = first.rsplit('[').next().unwrap().trim_end_matches(']').to_string();
    // Running it again proposes nothing new.
    let r = ok(&mut demo(&["link", "persons"]));
    assert!(r.stdout.contains(" 0 new proposals"), "{}", r.stdout);

    let before = ok(&mut demo(&["estimate", "--acts", "DP0100000000", "--method", "dga", "--json"])).stdout;
    ok(&mut demo(&["review", "accept", "1"]));
    let shown = ok(&mut demo(&["show", &right, "--json"])).stdout;
    assert!(shown.contains("\"same_as\""), "{shown}");
    let after = ok(&mut demo(&["estimate", "--acts", "DP0100000000", "--method", "dga", "--json"])).stdout;
    let observed = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap()["observed"].as_u64().unwrap();
    assert!(observed(&after) <= observed(&before), "merging can only reduce the count of distinct victims");

    let r = run(&mut demo(&["review", "reject", "1"]));
    assert!(r.stderr.contains("cannot reject a review that is accepted"), "{}", r.stderr);
    ok(&mut demo(&["review", "undo", "1"]));
    let shown = ok(&mut demo(&["show", &right, "--json"])).stdout;
    assert!(!shown.contains("\"same_as\""), "{shown}");
    let history = ok(&mut demo(&["history", &right])).stdout;
    assert!(history.contains("review_accepted") && history.contains("review_undone"), "{history}");
    ok(&mut demo(&["verify"]));
}

#[test]
fn regression_12_inference_counts_every_rule_and_tightens_or_drops_one_over_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // Synthetic: 3,000 records sharing one name (4.5 million pairs on it alone), with varied
    // birth dates.
    let mut csv = String::from("id,first_name,surname,dob\n");
    for i in 0..3000 {
        csv.push_str(&format!("r{i},synthetic,person,{}-0{}-1{}\n", 1930 + i % 60, 1 + i % 9, i % 10));
    }
    let input = crate::write(d, "big.csv", &csv);
    let r = crate::run(crate::girok(d).args(["link", "--input"]).arg(&input).args(["--output", "clusters.csv"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("blocking on first_name + surname would compare 4498500 pairs"), "the rule is counted before anything is compared: {}", r.stderr);
    assert!(r.stderr.contains("tightened to first_name + surname + year of dob"), "{}", r.stderr);
    assert!(r.stderr.contains("candidate pairs"), "every kept rule says its count: {}", r.stderr);
}

#[test]
fn regression_12_a_romanized_korean_name_column_is_compared_as_korean_names() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // Synthetic names in several romanizations and orders, no Hangul anywhere.
    let names = [
        "KIM Jun Hwan",
        "Kim Junhwan",
        "Ri Chol-su",
        "Lee Chul-soo",
        "Pak Yong-hui",
        "Park Young-hee",
        "Choe Myong-ho",
        "Su Chong Kim",
        "Han Mi-suk",
        "Yi Ch'ol-su",
        "Jong Sun-ok",
        "Chong Sunok",
    ];
    let mut csv = String::from("id,full_name,birth\n");
    for (i, n) in names.iter().enumerate() {
        csv.push_str(&format!("s{i},{n},19{}\n", 60 + i % 3));
    }
    let input = write(d, "romanized.csv", &csv);
    let r = run(girok(d).args(["link", "--input"]).arg(&input).args(["--output", "clusters.csv"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("column \"full_name\": Korean name"), "{}", r.stderr);
    // Western names stay names.
    let western = write(d, "western.csv", "id,full_name,birth\nw1,robert stevenson,1850\nw2,rob stevenson,1850\nw3,jane austen,1775\nw4,j austen,1775\nw5,mary shelley,1797\nw6,m shelley,1797\nw7,john keats,1795\nw8,j keats,1795\nw9,percy shelley,1792\nw10,p shelley,1792\n");
    let r = run(girok(d).args(["link", "--input"]).arg(&western).args(["--output", "clusters2.csv"]));
    assert!(r.stderr.contains("column \"full_name\": name (spelling similarity)"), "{}", r.stderr);
}
