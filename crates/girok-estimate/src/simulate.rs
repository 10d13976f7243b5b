//! SYNTHETIC populations of known size, captured by lists under stated designs, so the
//! estimators can be judged where the truth is known: how often each 95% interval covers N,
//! how biased each method is, and what stratification and the sensitivity band recover.
//!
//! The designs are the ones that matter for documentation of a closed country: lists that are
//! independent (the case every method handles), two lists that depend on each other (one
//! organisation refers victims to another), hidden classes of people hard for every list to
//! reach (people from remote counties, people who never left), the same classes made visible by
//! a recorded attribute (so stratifying on it should fix the estimate), and small sparse lists.
//! Seeded: the same scenario and seed give the same population on every machine.

use rand::{Rng, SeedableRng};

use crate::Table;

/// How people come to be on lists.
#[derive(Clone, Debug, PartialEq)]
pub enum Design {
    /// Everyone has the same chance of being on each list, lists independent.
    Independent { p: Vec<f64> },
    /// As `Independent`, but being on the first list multiplies the odds of being on the second
    /// by `odds_ratio` (both ways of referral between two organisations look like this).
    PairDependent { p: Vec<f64>, odds_ratio: f64 },
    /// Hidden classes: (share of the population, chance per list). Nothing recorded tells the
    /// classes apart.
    LatentClasses(Vec<(f64, Vec<f64>)>),
    /// Classes told apart by a recorded attribute: (stratum name, share, chance per list).
    Covariate(Vec<(&'static str, f64, Vec<f64>)>),
}

/// A named design at a population size: one row of the simulation study.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub n: usize,
    pub design: Design,
}

impl Scenario {
    pub fn lists(&self) -> usize {
        match &self.design {
            Design::Independent { p } | Design::PairDependent { p, .. } => p.len(),
            Design::LatentClasses(c) => c[0].1.len(),
            Design::Covariate(c) => c[0].2.len(),
        }
    }

    /// Whether the design breaks the assumptions every method shares (homogeneous,
    /// independent lists given the model): where a warning should fire.
    pub fn heterogeneous(&self) -> bool {
        matches!(self.design, Design::LatentClasses(_) | Design::Covariate(_))
    }
}

/// One drawn population: its true size, the capture table of everyone seen, and, for a
/// covariate design, one table per stratum (same lists, in the same order).
#[derive(Clone, Debug)]
pub struct Population {
    pub n: u64,
    pub table: Table,
    pub strata: Vec<(String, Table)>,
}

fn list_names(k: usize) -> Vec<String> {
    (0..k).map(|j| format!("list {}", (b'A' + j as u8) as char)).collect()
}

/// Capture chances for `k` lists from a fixed cycle, scaled: lists differ, as real lists do.
pub fn chances(k: usize, scale: f64) -> Vec<f64> {
    const BASE: [f64; 6] = [1.0, 0.8, 1.2, 0.9, 1.1, 0.85];
    (0..k).map(|j| (BASE[j % BASE.len()] * scale).clamp(0.001, 0.95)).collect()
}

/// Draws one population.
pub fn draw(s: &Scenario, seed: u64) -> Population {
    let k = s.lists();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut counts = vec![0u64; 1 << k];
    let mut by_stratum: Vec<Vec<u64>> = match &s.design {
        Design::Covariate(c) => vec![vec![0u64; 1 << k]; c.len()],
        _ => Vec::new(),
    };
    let capture = |rng: &mut rand_chacha::ChaCha8Rng, p: &[f64]| -> usize {
        let mut mask = 0;
        for (j, pj) in p.iter().enumerate() {
            if rng.gen_bool(*pj) {
                mask |= 1 << j;
            }
        }
        mask
    };
    for i in 0..s.n {
        let mask = match &s.design {
            Design::Independent { p } => capture(&mut rng, p),
            Design::PairDependent { p, odds_ratio } => {
                let mut mask = capture(&mut rng, p);
                // Redraw list B given list A, with the odds moved by the ratio; the marginal
                // chance stays near p[1] when list A is rare.
                let odds = p[1] / (1.0 - p[1]) * if mask & 1 != 0 { *odds_ratio } else { 1.0 };
                mask &= !2;
                if rng.gen_bool(odds / (1.0 + odds)) {
                    mask |= 2;
                }
                mask
            }
            Design::LatentClasses(classes) => {
                let p = pick(classes.iter().map(|(w, p)| (*w, p)), i, s.n);
                capture(&mut rng, p)
            }
            Design::Covariate(classes) => {
                let c = pick_index(classes.iter().map(|(_, w, _)| *w), i, s.n);
                let mask = capture(&mut rng, &classes[c].2);
                by_stratum[c][mask] += 1;
                mask
            }
        };
        counts[mask] += 1;
    }
    let strata = match &s.design {
        Design::Covariate(c) => c.iter().zip(by_stratum).map(|((name, _, _), counts)| (name.to_string(), Table::new(list_names(k), counts))).collect(),
        _ => Vec::new(),
    };
    Population { n: s.n as u64, table: Table::new(list_names(k), counts), strata }
}

/// Class membership by position: exact shares, no sampling noise in the class sizes.
fn pick_index(weights: impl Iterator<Item = f64>, i: usize, n: usize) -> usize {
    let x = (i as f64 + 0.5) / n as f64;
    let mut acc = 0.0;
    let w: Vec<f64> = weights.collect();
    let total: f64 = w.iter().sum();
    for (c, wc) in w.iter().enumerate() {
        acc += wc / total;
        if x < acc {
            return c;
        }
    }
    w.len() - 1
}

fn pick<'a>(classes: impl Iterator<Item = (f64, &'a Vec<f64>)>, i: usize, n: usize) -> &'a [f64] {
    let c: Vec<(f64, &Vec<f64>)> = classes.collect();
    let idx = pick_index(c.iter().map(|x| x.0), i, n);
    c[idx].1
}

/// The study's scenarios: every design the issue names, at 3, 4 and 5 lists where the list
/// count is what changes.
pub fn scenarios() -> Vec<Scenario> {
    let hard_easy = |k: usize| Design::LatentClasses(vec![(0.7, chances(k, 0.1)), (0.3, chances(k, 0.4))]);
    let mut out = Vec::new();
    for k in [3, 4, 5] {
        out.push(Scenario { name: format!("independent, {k} lists"), n: 2000, design: Design::Independent { p: chances(k, 0.25) } });
    }
    out.push(Scenario {
        name: "lists A and B dependent (odds ratio 4), 4 lists".into(),
        n: 2000,
        design: Design::PairDependent { p: chances(4, 0.25), odds_ratio: 4.0 },
    });
    for k in [3, 4, 5] {
        out.push(Scenario { name: format!("two hidden classes (70% hard to reach), {k} lists"), n: 2000, design: hard_easy(k) });
    }
    out.push(Scenario {
        name: "three hidden classes, 4 lists".into(),
        n: 2000,
        design: Design::LatentClasses(vec![(0.5, chances(4, 0.08)), (0.3, chances(4, 0.25)), (0.2, chances(4, 0.55))]),
    });
    out.push(covariate_scenario());
    out.push(Scenario { name: "sparse small lists, 4 lists (N = 300)".into(), n: 300, design: Design::Independent { p: chances(4, 0.12) } });
    out
}

/// Heterogeneity that a recorded attribute explains: people from remote counties are hard for
/// every list to reach, people from cities easy.
pub fn covariate_scenario() -> Scenario {
    Scenario {
        name: "classes by recorded origin (remote/city), 4 lists".into(),
        n: 2000,
        design: Design::Covariate(vec![("remote counties", 0.7, chances(4, 0.1)), ("cities", 0.3, chances(4, 0.4))]),
    }
}

/// The latent-class design the issue measured (four lists, two hidden classes, N = 2,000).
pub fn latent_class_scenario() -> Scenario {
    scenarios().into_iter().find(|s| s.name.starts_with("two hidden classes") && s.lists() == 4).expect("listed above")
}

/// The independent four-list design.
pub fn independent_scenario() -> Scenario {
    scenarios().into_iter().find(|s| s.name == "independent, 4 lists").expect("listed above")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_seeded_and_strata_add_up() {
        let s = covariate_scenario();
        let (a, b) = (draw(&s, 7), draw(&s, 7));
        assert_eq!(a.table, b.table);
        assert_ne!(a.table, draw(&s, 8).table);
        let summed: Vec<u64> = (0..16).map(|m| a.strata.iter().map(|(_, t)| t.count(m)).sum()).collect();
        assert_eq!(summed, a.table.counts());
        assert!(a.table.observed() < 2000 && a.table.observed() > 500);
    }

    #[test]
    fn pair_dependence_raises_the_overlap_of_the_two_lists() {
        let indep = Scenario { name: "i".into(), n: 20_000, design: Design::Independent { p: chances(4, 0.25) } };
        let dep = Scenario { name: "d".into(), n: 20_000, design: Design::PairDependent { p: chances(4, 0.25), odds_ratio: 4.0 } };
        let both = |t: &Table| (0..16).filter(|m| m & 3 == 3).map(|m| t.count(m)).sum::<u64>();
        assert!(both(&draw(&dep, 1).table) as f64 > 2.0 * both(&draw(&indep, 1).table) as f64);
    }
}
