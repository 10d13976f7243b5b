//! Linkage quality and speed on FEBRL 3/4 and Splink's historical_figures_50k, plus a synthetic
//! Korean-name dedupe at scale. Prints pairwise precision, recall, F1, wall time and peak memory.
//!
//! Run: `cargo bench -p girok-linkage` (reads ../shared/data/linkage beside the repository).
//! `GIROK_LINK_SCALE=N` sets the synthetic dedupe size (default 1,000,000; 0 skips it);
//! `GIROK_LINK_PEOPLE` and `GIROK_LINK_SEED` the Korean lists' population and seed.
//! With Splink installed by `scripts/bench-splink-setup.sh` (or `GIROK_SPLINK_PYTHON` naming a
//! Python that has it), Splink 5 runs on historical_figures_50k and the Korean lists in the same
//! run, and its F1 and time are printed beside Girok's.

use std::time::Instant;

use girok_linkage::{evaluate, link, BlockKey, Compare, Config, Dataset, FieldSpec, Mode};

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

fn run(name: &str, d: &Dataset, truth: &[String], config: &Config, reference: &str) -> girok_linkage::Linkage {
    run_timed(name, d, truth, config, reference, Instant::now()).0
}

/// The Python that has Splink, if the setup script (or the user) provided one.
fn splink_python() -> Option<std::path::PathBuf> {
    if let Ok(p) = std::env::var("GIROK_SPLINK_PYTHON") {
        return Some(p.into());
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let p = target.join("splink-venv/bin/python");
    p.exists().then_some(p)
}

/// Splink's (F1, seconds) on a dataset, run by `benches/splink_compare.py`.
fn splink(which: &str, path: &std::path::Path) -> Option<(f64, f64)> {
    let python = splink_python()?;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/splink_compare.py");
    let out = std::process::Command::new(python).arg(script).arg(which).arg(path).output().ok()?;
    let line = String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or("").to_string();
    let num = |key: &str| line.split(&format!("\"{key}\": ")).nth(1)?.split([',', '}']).next()?.trim().parse::<f64>().ok();
    match (num("f1"), num("seconds")) {
        (Some(f1), Some(secs)) => Some((f1, secs)),
        _ => {
            eprintln!("Splink on {which} failed: {}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or(""));
            None
        }
    }
}

fn side_by_side(name: &str, girok: (f64, f64), splink: Option<(f64, f64)>) {
    match splink {
        Some((f1, secs)) => {
            println!("  {name:<32} Girok F1 {:.4} in {:.2} s   Splink 5 F1 {f1:.4} in {secs:.2} s   time ratio 1/{:.1}", girok.0, girok.1, secs / girok.1)
        }
        None => println!("  {name:<32} Girok F1 {:.4} in {:.2} s   (Splink not installed: scripts/bench-splink-setup.sh)", girok.0, girok.1),
    }
}

/// Infers the configuration as `girok link` without `--config` does (the time includes it).
fn run_inferred(name: &str, d: &Dataset, truth: &[String], mode: Mode, reference: &str) -> (girok_linkage::Linkage, f64, f64) {
    let start = Instant::now();
    let mut d = d.clone();
    let inferred = girok_linkage::infer(&mut d, "id", Some(&girok_app::linking::places()), mode, &mut |_, _, _| {}).expect("inference runs");
    if std::env::var("GIROK_LINK_TRACE").is_ok() {
        println!("    inference {:.2} s", start.elapsed().as_secs_f64());
    }
    if std::env::var("GIROK_LINK_NOTES").is_ok() {
        for n in &inferred.notes {
            println!("    {n}");
        }
    }
    let mut config = base(inferred.fields, inferred.blocking, mode);
    config.one_per_source = mode == Mode::Link;
    run_timed(name, &d, truth, &config, reference, start)
}

/// Runs, prints the line, and returns the linkage with its F1 and seconds.
fn run_timed(name: &str, d: &Dataset, truth: &[String], config: &Config, reference: &str, start: Instant) -> (girok_linkage::Linkage, f64, f64) {
    let trace = std::env::var("GIROK_LINK_TRACE").is_ok();
    let mut last = String::new();
    let res = link(d, config, &mut |stage, _, _| {
        if trace && stage != last {
            println!("    {:>6.2} s  {stage}", start.elapsed().as_secs_f64());
            last = stage.to_string();
        }
    })
    .expect("linkage runs");
    let secs = start.elapsed().as_secs_f64();
    let e = evaluate(&res.clusters, truth, &d.sources, config.mode == Mode::Link);
    if std::env::var("GIROK_LINK_SWEEP").is_ok() {
        println!("    lambda {:e}  m {:?}", res.params.lambda, res.params.m);
    }
    if let Ok(n) = std::env::var("GIROK_LINK_MISSES") {
        // Diagnostics: true pairs left apart, with the waterfall.
        let n: usize = n.parse().unwrap_or(20);
        let mut by_truth: std::collections::HashMap<&str, Vec<usize>> = Default::default();
        for (i, t) in truth.iter().enumerate() {
            by_truth.entry(t).or_default().push(i);
        }
        let mut shown = 0;
        let mut groups: Vec<_> = by_truth.values().collect();
        groups.sort();
        'outer: for g in groups {
            for x in 0..g.len() {
                for y in x + 1..g.len() {
                    let (a, b) = (g[x], g[y]);
                    if res.clusters[a] == res.clusters[b] {
                        continue;
                    }
                    let (_, contributions, total) = girok_linkage::explain(d, config, &res, a, b).unwrap();
                    println!("  MISSED {} / {}  total {:.1}", d.ids[a], d.ids[b], total);
                    for c in contributions {
                        println!("      {:<16} {:>6.2} {:<28} {:?} | {:?}", c.field, c.bayes_factor_log2, c.level, c.left, c.right);
                    }
                    shown += 1;
                    if shown >= n {
                        break 'outer;
                    }
                }
            }
        }
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
        // The prior the data would give: true pairs among all pairs, within and across sources.
        let mut groups: std::collections::HashMap<&str, Vec<u16>> = Default::default();
        for (t, s) in truth.iter().zip(&d.sources) {
            groups.entry(t).or_default().push(*s);
        }
        let (mut same, mut cross) = (0u64, 0u64);
        for g in groups.values() {
            for i in 0..g.len() {
                for j in i + 1..g.len() {
                    if g[i] == g[j] {
                        same += 1
                    } else {
                        cross += 1
                    }
                }
            }
        }
        let mut per: std::collections::HashMap<u16, f64> = Default::default();
        for s in &d.sources {
            *per.entry(*s).or_default() += 1.0;
        }
        let n = d.len() as f64;
        let within: f64 = per.values().map(|c| c * (c - 1.0) / 2.0).sum();
        let (l, lw) = (res.params.lambda, res.params.lambda_within);
        println!(
            "    true pairs: {same} within sources, {cross} across; the priors expect {:.0} within, {:.0} across",
            lw.unwrap_or(l) * within,
            l * if lw.is_some() || config.mode == Mode::Link { n * (n - 1.0) / 2.0 - within } else { n * (n - 1.0) / 2.0 }
        );
        // Calibration: the share of true matches among scored pairs, by predicted probability.
        let mut buckets = [(0usize, 0usize); 10];
        for p in &res.pairs {
            let b = ((p.probability * 10.0) as usize).min(9);
            buckets[b].0 += 1;
            if truth[p.a as usize] == truth[p.b as usize] {
                buckets[b].1 += 1;
            }
        }
        for (i, (n, t)) in buckets.iter().enumerate().filter(|(_, (n, _))| *n > 0) {
            println!("    calibration p in [{:.1},{:.1})  {n:>8} pairs  {:.3} true", i as f64 / 10.0, (i + 1) as f64 / 10.0, *t as f64 / *n as f64);
        }
        for t in [0.5, 0.8, 0.95, 0.99, 0.999, 0.9999] {
            let c = girok_linkage::cluster(d, &res.pairs, t, config.mode == Mode::Link && config.one_per_source);
            let e = evaluate(&c, truth, &d.sources, config.mode == Mode::Link);
            println!("    threshold {t:<7} P {:.4}  R {:.4}  F1 {:.4}", e.precision, e.recall, e.f1);
        }
    }
    (res, e.f1, secs)
}

/// A SYNTHETIC four-list Korean population with every variation of real lists (see
/// `girok_synth::lists`), as one dataset: every record against every other (lists hold
/// duplicates of their own).
fn korean_lists(seed: u64, people: usize) -> (Dataset, Vec<String>) {
    let lists = girok_synth::lists::generate_lists(&girok_synth::lists::ListsConfig { seed, people, lists: 4 });
    let mut d = Dataset { columns: girok_synth::lists::HEADER.iter().map(|s| s.to_string()).collect(), ..Default::default() };
    for r in &lists.records {
        d.ids.push(r.cells[0].clone());
        d.sources.push(r.list as u16);
        d.values.push(r.cells.iter().map(|c| Some(c.clone()).filter(|s| !s.is_empty())).collect());
    }
    (d, lists.truth())
}

/// The configuration a careful user would write for those lists.
fn korean_written(d: &mut Dataset) -> Config {
    let idx = [d.column("name").unwrap(), d.column("name_hangul").unwrap()];
    d.merge_columns("names", &idx);
    let places = girok_app::linking::places();
    let fields = vec![
        f("names", Compare::KoreanName, true),
        f("sex", Compare::Sex, false),
        f("birth_year", Compare::Year, false),
        f("origin", Compare::Place(places.clone()), true),
        f("detained_at", Compare::Place(places), true),
        f("detention_year", Compare::Year, false),
    ];
    let blocking = vec![
        vec![BlockKey::KoreanName("names".into())],
        vec![BlockKey::KoreanSurname("names".into()), BlockKey::Year("birth_year".into())],
        vec![BlockKey::KoreanGiven("names".into()), BlockKey::Year("birth_year".into())],
        vec![BlockKey::KoreanGiven("names".into()), BlockKey::Year("detention_year".into())],
    ];
    let mut c = base(fields, blocking, Mode::Dedupe);
    c.one_per_source = false;
    c
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
    println!("girok-linkage bench (2-core machine; Splink 5 runs beside Girok when scripts/bench-splink-setup.sh installed it)\n");
    if std::env::var("GIROK_LINK_ONLY_KOREAN").is_err() {
        public_files();
    }
    // The SYNTHETIC Korean multi-list population.
    let people: usize = std::env::var("GIROK_LINK_PEOPLE").ok().and_then(|s| s.parse().ok()).unwrap_or(6000);
    let seed: u64 = std::env::var("GIROK_LINK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261201);
    let (d, truth) = korean_lists(seed, people);
    println!("\nSYNTHETIC Korean lists: {} records of {people} people on 4 lists", d.len());
    let (_, f1, secs) = run_inferred("Korean lists, inferred", &d, &truth, Mode::Dedupe, "target F1 ≥ 0.95");
    let mut dw = d.clone();
    let written = korean_written(&mut dw);
    run("Korean lists, written config", &dw, &truth, &written, "");
    // The same records with their truth, for Splink.
    let csv = std::env::temp_dir().join(format!("girok-korean-lists-{}.csv", std::process::id()));
    let mut text = girok_synth::lists::HEADER.join(",") + ",truth\n";
    for (row, t) in d.values.iter().zip(&truth) {
        let cells: Vec<String> = row
            .iter()
            .map(|v| v.clone().unwrap_or_default())
            .map(|c| if c.contains([',', '"']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c })
            .collect();
        text.push_str(&format!("{},{t}\n", cells.join(",")));
    }
    std::fs::write(&csv, text).expect("temp file");
    let korean_splink = splink("korean", &csv);
    let _ = std::fs::remove_file(&csv);
    end_to_end(&d, &truth, people);
    println!("\nside by side with Splink 5 (each with inference or its careful setup, training included):");
    if let Some(h) = HISTORICAL.get() {
        side_by_side("historical_figures_50k", *h, splink("historical", &shared("historical_figures_50k/historical_figures_with_errors_50k.csv")));
    }
    side_by_side("SYNTHETIC Korean lists", (f1, secs), korean_splink);
    large_dedupe();
}

/// From the lists to an estimate (`girok estimate --lists`), against the estimate from the true
/// clusters, for every method.
fn end_to_end(d: &Dataset, truth: &[String], people: usize) {
    use girok_app::estimation::{self, Method, Options};
    let names: Vec<String> = (0..4).map(|l| format!("list {l}")).collect();
    let mut ids: std::collections::HashMap<&str, u32> = Default::default();
    let true_clusters: Vec<u32> = truth
        .iter()
        .map(|t| {
            let n = ids.len() as u32;
            *ids.entry(t.as_str()).or_insert(n)
        })
        .collect();
    let true_table = girok_app::lists::capture_table(&true_clusters, &d.sources, &names);
    let o = Options { bootstrap: 0, ..Options::default() };
    let start = Instant::now();
    let mut d = d.clone();
    let run = girok_app::lists::estimate(&mut d, &names, None, "id", girok_app::lists::DEFAULT_THRESHOLD, &Method::ALL, &o, &mut |_, _, _| {})
        .expect("estimate runs");
    let secs = start.elapsed().as_secs_f64();
    let from_truth = estimation::run(&[("all".into(), true_table.clone())], &Method::ALL, &o);
    println!(
        "\nend to end (N = {people}; {} people truly seen, {} linked at ≥ {}; {secs:.1} s for linkage and all four methods at five thresholds):",
        true_table.observed(),
        run.thresholds[0].people,
        run.thresholds[0].threshold
    );
    for (linked, truth) in run.thresholds[0].results.iter().zip(&from_truth) {
        let (Some(l), Some(t)) = (&linked.total, &truth.total) else { continue };
        println!(
            "  {:<10} from linkage {:>6.0} [{:.0}, {:.0}]   from true clusters {:>6.0} [{:.0}, {:.0}]   difference {:+.1}%",
            linked.method.as_str(),
            l.estimate,
            l.lower,
            l.upper.unwrap_or(f64::INFINITY),
            t.estimate,
            t.lower,
            t.upper.unwrap_or(f64::INFINITY),
            100.0 * (l.estimate / t.estimate - 1.0)
        );
    }
}

/// Girok's inferred historical_figures F1 and time, for the side-by-side table.
static HISTORICAL: std::sync::OnceLock<(f64, f64)> = std::sync::OnceLock::new();

fn public_files() {
    // FEBRL4: link A to B.
    let d = dataset(&[("febrl/dataset4a.csv", 0), ("febrl/dataset4b.csv", 1)], "rec_id");
    let truth: Vec<String> = d.ids.iter().map(|id| id.split("-").take(2).collect::<Vec<_>>().join("-")).collect();
    run("FEBRL4 link A-B", &d, &truth, &base(febrl_fields(), febrl_blocking(), Mode::Link), "hand-written config");
    let mut d4 = d.clone();
    let id = d4.column("rec_id").unwrap();
    d4.columns[id] = "id".into();
    run_inferred("FEBRL4 link A-B, inferred", &d4, &truth, Mode::Link, "target F1 ≥ 0.9998");
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
    run("historical_50k dedupe", &d, &truth, &base(fields, blocking, Mode::Dedupe), "hand-written config");
    let mut d = d;
    let id = d.column("unique_id").unwrap();
    d.columns[id] = "id".into();
    let (_, f1, secs) = run_inferred("historical_50k dedupe, inferred", &d, &truth, Mode::Dedupe, "target F1 ≥ 0.90, < 10 s");
    let _ = HISTORICAL.set((f1, secs));
}

fn large_dedupe() {
    // The SYNTHETIC lists at scale, deduplicated with inference as `girok link` runs it: every
    // variation of the Korean lists, a million records (about 0.7 records a person per list).
    let n: usize = std::env::var("GIROK_LINK_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    if n > 0 {
        let (d, truth) = korean_lists(7, (n as f64 / 1.42) as usize);
        run_inferred(&format!("SYNTHETIC Korean lists, {} records", d.len()), &d, &truth, Mode::Dedupe, "target: under 5 min and 4 GB");
    }
}
