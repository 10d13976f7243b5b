//! Speed of the estimators on the shared reference tables, and a coverage simulation study.
//!
//! Run: `cargo bench -p girok-estimate` (reads ../shared/data/mse beside the repository).
//! `GIROK_BENCH_QUICK=1` shortens the LCMCR long run and the simulation.

use std::time::Instant;

use girok_estimate::dga::{dga, DgaOptions};
use girok_estimate::lcmcr::{time_per_iteration, LcmcrOptions};
use girok_estimate::loglinear::exhaustive;
use girok_estimate::summary::{dga_summary, lcmcr_summary, loglinear};
use girok_estimate::Table;
use rand::{Rng, SeedableRng};

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

    // Simulation: populations of known size with heterogeneous capture (two latent strata,
    // four lists), as in Manrique-Vallier (2016). How often does each 95% interval cover N?
    let reps = if quick { 10 } else { 40 };
    println!("\ncoverage study: {reps} synthetic populations, N = 2000, 4 lists, heterogeneous capture");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
    let mut cover = [0usize; 3];
    let mut ok = [0usize; 3];
    let mut err = [0f64; 3];
    let start = Instant::now();
    for rep in 0..reps {
        let mut counts = vec![0u64; 16];
        for i in 0..2000 {
            let probs: [f64; 4] = if i < 1600 { [0.1, 0.08, 0.15, 0.12] } else { [0.5, 0.45, 0.6, 0.55] };
            let mut mask = 0;
            for (j, p) in probs.iter().enumerate() {
                if rng.gen_bool(*p) {
                    mask |= 1 << j;
                }
            }
            counts[mask] += 1;
        }
        let t = Table::new(vec!["A".into(), "B".into(), "C".into(), "D".into()], counts);
        let results = [
            loglinear(&t, None).ok(),
            dga_summary(&t, &DgaOptions::default_for(&t)).ok(),
            lcmcr_summary(&t, &LcmcrOptions { samples: 400, thinning: 25, burn_in: 2000, chains: 2, seed: rep as u64 + 1, ..Default::default() }).ok(),
        ];
        for (m, r) in results.iter().enumerate() {
            if let Some(s) = r {
                ok[m] += 1;
                err[m] += (s.estimate - 2000.0).abs();
                if s.lower <= 2000.0 && s.upper.is_none_or(|u| u >= 2000.0) {
                    cover[m] += 1;
                }
            }
        }
    }
    for (m, name) in ["loglinear (BIC-best)", "dga", "lcmcr"].iter().enumerate() {
        println!("  {name:<22} 95% interval covered N in {}/{} runs; mean |error| {:.0}", cover[m], ok[m], err[m] / ok[m].max(1) as f64);
    }
    println!("  ({:.0} s)", start.elapsed().as_secs_f64());
}
