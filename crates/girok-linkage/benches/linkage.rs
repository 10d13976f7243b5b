//! Linkage quality and speed on FEBRL 3/4 and Splink's historical_figures_50k, plus a synthetic
//! Korean-name dedupe at scale. Prints pairwise precision, recall, F1, wall time and peak memory.
//!
//! Run: `cargo bench -p girok-linkage` (reads ../shared/data/linkage beside the repository).
//! `GIROK_LINK_SCALE=N` sets the synthetic dedupe size (default 1,000,000; 0 skips it).

use std::time::Instant;

use girok_linkage::{evaluate, link, BlockKey, Compare, Config, Dataset, FieldSpec, Mode};
use rand::{Rng, SeedableRng};

fn shared(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/linkage").join(path)
}

fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Minimal CSV reader for these files (RFC 4180 quotes; FEBRL's ", " separators).
fn read_csv(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                '"' => quoted = !quoted,
                ',' if !quoted => fields.push(std::mem::take(&mut cur).trim().to_string()),
                _ => cur.push(c),
            }
        }
        fields.push(cur.trim().to_string());
        rows.push(fields);
    }
    let header = rows.remove(0);
    (header, rows)
}

fn dataset(files: &[(&str, u16)], id_col: &str) -> Dataset {
    let mut d = Dataset::default();
    for (f, source) in files {
        let (header, rows) = read_csv(&shared(f));
        let id_idx = header.iter().position(|h| h == id_col).expect("id column");
        if d.columns.is_empty() {
            d.columns = header.clone();
        }
        for r in rows {
            d.ids.push(r[id_idx].clone());
            d.sources.push(*source);
            d.values.push(r.into_iter().map(|v| Some(v).filter(|s| !s.is_empty())).collect());
        }
    }
    d
}

fn f(c: &str, compare: Compare, tf: bool) -> FieldSpec {
    FieldSpec { column: c.into(), compare, term_frequency: tf }
}

fn run(name: &str, d: &Dataset, truth: &[String], config: &Config, reference: &str) {
    let start = Instant::now();
    let res = link(d, config, &mut |_, _, _| {}).expect("linkage runs");
    let secs = start.elapsed().as_secs_f64();
    let e = evaluate(&res.clusters, truth, &d.sources, config.mode == Mode::Link);
    if std::env::var("GIROK_LINK_SWEEP").is_ok() {
        println!("    lambda {:e}  m {:?}", res.params.lambda, res.params.m);
    }
    println!(
        "{name:<34} P {:.4}  R {:.4}  F1 {:.4}  {:>8} candidates  {:>6.2} s  peak {:>5.0} MB   ({reference})",
        e.precision,
        e.recall,
        e.f1,
        res.candidate_count,
        secs,
        peak_mb()
    );
    if std::env::var("GIROK_LINK_SWEEP").is_ok() {
        for support in [0.05, 0.1, 0.15, 0.2] {
            let c = girok_linkage::engine::cluster_with_support(d, &res.pairs, config.threshold, config.mode == Mode::Link && config.one_per_source, support);
            let e = evaluate(&c, truth, &d.sources, config.mode == Mode::Link);
            println!("    support {support:<5} P {:.4}  R {:.4}  F1 {:.4}", e.precision, e.recall, e.f1);
        }
        for t in [0.5, 0.8, 0.95, 0.99, 0.999, 0.9999] {
            let c = girok_linkage::cluster(d, &res.pairs, t, config.mode == Mode::Link && config.one_per_source);
            let e = evaluate(&c, truth, &d.sources, config.mode == Mode::Link);
            println!("    threshold {t:<7} P {:.4}  R {:.4}  F1 {:.4}", e.precision, e.recall, e.f1);
        }
    }
}

fn febrl_fields() -> Vec<FieldSpec> {
    vec![
        f("given_name", Compare::Name, true),
        f("surname", Compare::Name, true),
        f("date_of_birth", Compare::Date, false),
        f("soc_sec_id", Compare::Code, false),
        f("street_number", Compare::Code, false),
        f("address_1", Compare::Text, false),
        f("suburb", Compare::Name, true),
        f("postcode", Compare::Code, false),
        f("state", Compare::Exact, false),
    ]
}

fn febrl_blocking() -> Vec<Vec<BlockKey>> {
    vec![
        vec![BlockKey::Exact("surname".into())],
        vec![BlockKey::Exact("given_name".into())],
        vec![BlockKey::Exact("date_of_birth".into())],
        vec![BlockKey::Exact("soc_sec_id".into())],
        vec![BlockKey::Exact("postcode".into()), BlockKey::Exact("street_number".into())],
    ]
}

fn base(fields: Vec<FieldSpec>, blocking: Vec<Vec<BlockKey>>, mode: Mode) -> Config {
    Config {
        fields,
        blocking,
        mode,
        max_pairs: 50_000_000,
        threshold: 0.9,
        em_iterations: 40,
        u_samples: 200_000,
        seed: 1,
        one_per_source: true,
        min_support: 0.05,
    }
}

fn main() {
    println!("girok-linkage bench (2-core machine; Splink 5 reference figures measured on the same kind of machine)\n");
    // FEBRL4: link A to B.
    let d = dataset(&[("febrl/dataset4a.csv", 0), ("febrl/dataset4b.csv", 1)], "rec_id");
    let truth: Vec<String> = d.ids.iter().map(|id| id.split("-").take(2).collect::<Vec<_>>().join("-")).collect();
    run("FEBRL4 link A-B", &d, &truth, &base(febrl_fields(), febrl_blocking(), Mode::Link), "Splink 5: F1 0.9999, 13.8 s, 198 MB");
    // FEBRL3: deduplicate.
    let d = dataset(&[("febrl/dataset3.csv", 0)], "rec_id");
    let truth: Vec<String> = d.ids.iter().map(|id| id.split("-").take(2).collect::<Vec<_>>().join("-")).collect();
    run("FEBRL3 dedupe", &d, &truth, &base(febrl_fields(), febrl_blocking(), Mode::Dedupe), "no Splink figure given");
    // historical_figures_50k: deduplicate.
    let d = dataset(&[("historical_figures_50k/historical_figures_with_errors_50k.csv", 0)], "unique_id");
    let cluster_col = d.column("cluster").expect("cluster column");
    let truth: Vec<String> = d.values.iter().map(|v| v[cluster_col].clone().unwrap_or_default()).collect();
    let fields = vec![
        f("first_name", Compare::Name, true),
        f("surname", Compare::Name, true),
        f("dob", Compare::Date, false),
        f("birth_place", Compare::Name, true),
        f("postcode_fake", Compare::Code, false),
        f("gender", Compare::Exact, false),
        f("occupation", Compare::Name, true),
    ];
    let blocking = vec![
        vec![BlockKey::Exact("first_name".into()), BlockKey::Exact("surname".into())],
        vec![BlockKey::Exact("surname".into()), BlockKey::Year("dob".into())],
        vec![BlockKey::Exact("first_name".into()), BlockKey::Year("dob".into())],
        vec![BlockKey::Exact("postcode_fake".into())],
        vec![BlockKey::Exact("dob".into())],
        vec![BlockKey::Prefix("surname".into(), 3), BlockKey::Exact("birth_place".into())],
        vec![BlockKey::Exact("first_name".into()), BlockKey::Exact("birth_place".into())],
    ];
    run("historical_50k dedupe", &d, &truth, &base(fields, blocking, Mode::Dedupe), "Splink 5: F1 0.840, 41.7 s, 682 MB");

    // Synthetic Korean-name dedupe at scale (every record SYNTHETIC).
    let n: usize = std::env::var("GIROK_LINK_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    if n > 0 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut d = Dataset { columns: vec!["name".into(), "birth".into(), "origin".into()], ..Default::default() };
        let mut truth = Vec::new();
        let towns = ["Hoeryong", "Musan", "Onsong", "Hyesan", "Chongjin", "Hamhung", "Sinuiju", "Kaechon", "Wonsan", "Kimchaek"];
        let mut p = 0;
        while d.ids.len() < n {
            let name = girok_synth::korean_name(&mut rng);
            let year = rng.gen_range(1940..2005);
            let town = towns[rng.gen_range(0..towns.len())];
            let copies = rng.gen_range(1..=3);
            for c in 0..copies {
                let shown = match rng.gen_range(0..4) {
                    0 => name.hangul.clone(),
                    1 => name.rr.clone(),
                    2 => name.mr.clone(),
                    _ => name.informal.clone(),
                };
                let y = if c > 0 && rng.gen_bool(0.3) { year + rng.gen_range(-1..=1) } else { year };
                d.ids.push(format!("s{p}-{c}"));
                d.sources.push(0);
                d.values.push(vec![Some(shown), Some(y.to_string()), Some(town.to_string())]);
                truth.push(format!("s{p}"));
            }
            p += 1;
        }
        let fields = vec![f("name", Compare::KoreanName, true), f("birth", Compare::Date, false), f("origin", Compare::Exact, false)];
        let blocking = vec![
            vec![BlockKey::KoreanName("name".into()), BlockKey::Year("birth".into())],
            vec![BlockKey::KoreanName("name".into()), BlockKey::Exact("origin".into())],
        ];
        let mut c = base(fields, blocking, Mode::Dedupe);
        c.max_pairs = 200_000_000;
        run(&format!("synthetic Korean names, {} records", d.len()), &d, &truth, &c, "target: under 5 min and 4 GB");
    }
}
