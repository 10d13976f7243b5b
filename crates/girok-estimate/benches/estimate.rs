//! Speed of the estimators on the shared reference tables, and the simulation study that says
//! where each method's intervals can be trusted.
//!
//! Run: `cargo bench -p girok-estimate` (reads ../shared/data/mse beside the repository).
//! `GIROK_BENCH_QUICK=1` shortens the LCMCR long run and the simulation (and writes no dated
//! run); `GIROK_SIM_RUNS=N` sets the populations per scenario (default 200).

use std::time::Instant;

use girok_estimate::dga::{dga, DgaOptions};
use girok_estimate::lcmcr::{time_per_iteration, LcmcrOptions};
use girok_estimate::loglinear::exhaustive;
use girok_estimate::summary::{dga_summary, lcmcr_summary, loglinear};
use girok_estimate::Table;

fn table(name: &str) -> Table {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mse").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Table::parse_csv(name, &text).expect("reference tables parse")
}

fn main() {
    let quick = std::env::var("GIROK_BENCH_QUICK").is_ok();
    println!("girok-estimate bench ({} cores)", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    println!("\nlog-linear exhaustive search (all hierarchical models, BIC ranking):");
    for (name, models) in
        [("hiv_rome_4lists.csv", 113), ("lesbian_allegheny_4lists.csv", 113), ("uk_2013_5lists.csv", 6893), ("us_western_site_5lists.csv", 6893)]
    {
        let t = table(name);
        let start = Instant::now();
        let ranked = exhaustive(&t);
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(ranked.len(), models);
        println!("  {name:<32} {models:>5} models  {secs:>7.3} s  best {}", ranked[0].model);
    }
    println!("\ndga (Madigan–York model averaging, delta = 2^-J, missing 0..20n):");
    for name in ["korea_palembang.csv", "us_western_site_5lists.csv", "uk_2013_5lists.csv"] {
        let t = table(name);
        let start = Instant::now();
        let post = dga(&t, &DgaOptions::default_for(&t)).expect("dga runs");
        let secs = start.elapsed().as_secs_f64();
        println!(
            "  {name:<32} {} graphs × {} values  {secs:>7.3} s  (R's dga: 7.8 s on uk_2013_5lists; target < 0.5 s)",
            post.graphs.len(),
            post.n_values.len()
        );
    }
    println!("\nLCMCR Gibbs sampler on hiv_rome_4lists (4 lists; R's LCMCR: about 20 µs/iteration at K = 10, 30 at K = 15):");
    let hiv = table("hiv_rome_4lists.csv");
    for k in [10, 15] {
        let us = time_per_iteration(&hiv, k, 200_000);
        println!("  K = {k:<3} {us:>6.2} µs per iteration");
    }
    let iters = if quick { 500_000 } else { 5_000_000 };
    let start = Instant::now();
    let us = time_per_iteration(&hiv, 10, iters);
    println!("  {iters} iterations at K = 10: {:.1} s ({us:.2} µs each, one chain, one thread)", start.elapsed().as_secs_f64());

    simulation_study(quick);
}

/// An estimate with its 95% interval (upper `None`: unbounded).
type Interval = (f64, f64, Option<f64>);

/// One method's results over a scenario's populations.
#[derive(Default)]
struct Tally {
    covered: usize,
    ran: usize,
    failed: usize,
    rel_bias: Vec<f64>,
    rel_width: Vec<f64>,
}

impl Tally {
    fn add(&mut self, s: Option<Interval>, truth: f64) {
        let Some((est, lo, hi)) = s else {
            self.failed += 1;
            return;
        };
        self.ran += 1;
        if lo <= truth && hi.is_none_or(|h| h >= truth) {
            self.covered += 1;
        }
        self.rel_bias.push((est - truth) / truth);
        self.rel_width.push(hi.map(|h| (h - lo) / truth).unwrap_or(f64::INFINITY));
    }

    fn cells(&self) -> [String; 3] {
        if self.ran == 0 {
            return ["—".into(), "—".into(), "—".into()];
        }
        let median = |v: &[f64]| {
            let mut v = v.to_vec();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let failed = if self.failed > 0 { format!(" ({} failed)", self.failed) } else { String::new() };
        [format!("{:.0}%{failed}", 100.0 * self.covered as f64 / self.ran as f64), format!("{:+.1}%", 100.0 * median(&self.rel_bias)), {
            let w = median(&self.rel_width);
            if w.is_finite() {
                format!("{:.1}%", 100.0 * w)
            } else {
                "unbounded".into()
            }
        }]
    }
}

const METHODS: [&str; 5] = ["log-linear (BIC)", "dga", "lcmcr", "band ψ ≤ 3 (log-linear)", "stratified log-linear"];

/// Every scenario's results: one tally per method, and how often the table warned.
struct Row {
    name: String,
    lists: usize,
    n: usize,
    tallies: Vec<Tally>,
    warned: usize,
    runs: usize,
}

/// The simulation study: for each SYNTHETIC scenario (`girok_estimate::simulate`), coverage of
/// the 95% interval, median relative bias and median relative width per method over seeded
/// populations. Written to `docs/simulations/<date>.md` unless quick.
fn simulation_study(quick: bool) {
    use girok_estimate::heterogeneity::check;
    use girok_estimate::sensitivity::{band, chao_lower_bound, wording, DEFAULT_PSI};
    use girok_estimate::simulate::{draw, scenarios};
    use girok_estimate::strata::{pool, MIN_STRATUM_SEEN};
    let runs: usize = std::env::var("GIROK_SIM_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(if quick { 20 } else { 200 });
    println!(
        "
simulation study: {runs} SYNTHETIC populations per scenario (seeded), 95% intervals"
    );
    let start = Instant::now();
    let mut rows = Vec::new();
    for s in scenarios() {
        let t0 = Instant::now();
        let one = |seed: u64| -> (Vec<Option<Interval>>, bool, f64) {
            let p = draw(&s, seed);
            let t = &p.table;
            let as_tuple = |r: Option<girok_estimate::summary::Summary>| r.map(|s| (s.estimate, s.lower, s.upper));
            let ll = loglinear(t, None).ok();
            let dga = dga_summary(t, &DgaOptions::default_for(t)).ok();
            let lc = lcmcr_summary(t, &LcmcrOptions { samples: 300, thinning: 10, burn_in: 1000, chains: 2, seed: seed + 1, ..Default::default() }).ok();
            let signals = check(t);
            let (banded, warned) = match &ll {
                Some(e) => {
                    let b = band(e, DEFAULT_PSI);
                    let w = wording(e, &b, signals.as_ref(), chao_lower_bound(t));
                    (Some((b.estimate_at_psi, b.lower, b.upper)), w.lower_bound)
                }
                None => (None, signals.is_some_and(|x| !x.warnings.is_empty())),
            };
            let stratified = if p.strata.is_empty() {
                None
            } else {
                let pooled = pool(p.strata.clone(), MIN_STRATUM_SEEN);
                let parts: Option<Vec<_>> = pooled.strata.iter().map(|(_, t)| loglinear(t, None).ok()).collect();
                parts.and_then(|parts| girok_estimate::summary::combine(&parts, seed)).map(|s| (s.estimate, s.lower, s.upper))
            };
            (vec![as_tuple(ll), as_tuple(dga), as_tuple(lc), banded, stratified], warned, p.n as f64)
        };
        // Two workers over the seeds (this is a 2-core machine).
        let results: Vec<_> = std::thread::scope(|sc| {
            let h = sc.spawn(|| (0..runs).filter(|i| i % 2 == 1).map(|i| one(i as u64 * 7919 + 1)).collect::<Vec<_>>());
            let mut a: Vec<_> = (0..runs).filter(|i| i % 2 == 0).map(|i| one(i as u64 * 7919 + 1)).collect();
            a.extend(h.join().expect("worker"));
            a
        });
        let mut row = Row { name: s.name.clone(), lists: s.lists(), n: s.n, tallies: (0..METHODS.len()).map(|_| Tally::default()).collect(), warned: 0, runs };
        let covariate = matches!(s.design, girok_estimate::simulate::Design::Covariate(_));
        for (estimates, warned, truth) in results {
            for (m, e) in estimates.into_iter().enumerate() {
                // Only a covariate design has strata to estimate by.
                if m != 4 || covariate {
                    row.tallies[m].add(e, truth);
                }
            }
            row.warned += warned as usize;
        }
        println!("  {:<52} {:>5.1} s", s.name, t0.elapsed().as_secs_f64());
        rows.push(row);
    }
    let table = render(&rows);
    println!("\n{table}");
    println!("({:.0} s for the study)", start.elapsed().as_secs_f64());
    if !quick {
        let date = today();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/simulations");
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{date}.md"));
        let text = format!(
            "# Estimation simulation study, {date}\n\nWritten by `cargo bench -p girok-estimate` (SYNTHETIC populations from `girok_estimate::simulate`, seeded; {runs} populations per scenario; {:.0} s on a {}-core machine). Each cell: coverage of the 95% interval / median relative bias / median interval width relative to N. \"Warned\" is the share of populations where the estimate's wording says it is a lower bound or the table shows heterogeneity. The band is the log-linear interval under the sensitivity parameter ψ from 1 to 3 (`girok_estimate::sensitivity`); its middle figure is the bias of the point at ψ = 3. LCMCR runs short chains here (2 × 3,000 iterations) to keep the study under a few minutes.\n\n{table}\n",
            start.elapsed().as_secs_f64(),
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
        );
        std::fs::write(&path, text).expect("write the dated run");
        println!("written to {}", path.display());
    }
}

fn render(rows: &[Row]) -> String {
    let mut out = format!("| scenario | lists | N | {} | warned |\n|---|---|---|{}---|\n", METHODS.join(" | "), "---|".repeat(METHODS.len()));
    for r in rows {
        let cells: Vec<String> = r.tallies.iter().map(|t| t.cells().join(" / ")).collect();
        out += &format!("| {} | {} | {} | {} | {:.0}% |\n", r.name, r.lists, r.n, cells.join(" | "), 100.0 * r.warned as f64 / r.runs as f64);
    }
    out
}

/// Today's date (UTC) as YYYY-MM-DD, from the system clock (civil-from-days, no calendar crate).
fn today() -> String {
    let days = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() / 86_400).unwrap_or(0) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}
