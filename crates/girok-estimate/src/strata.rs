//! Stratification done right: strata too small to estimate are pooled (with a warning) instead
//! of estimated on noise, and the stratified total is compared with the unstratified one, so a
//! reader learns whether the attribute drives documentation.
//!
//! Why stratify at all: when the chance of being recorded differs between groups of people
//! and the groups are recorded (province of origin, sex, age), estimating each group on its own
//! removes that heterogeneity; summing the groups then gives a total that the unstratified
//! table systematically underestimates.

use crate::summary::Summary;
use crate::Table;

/// Fewest people seen in a stratum for it to be estimated on its own. Below this a stratum's
/// overlaps are a handful of people and its estimate is noise.
pub const MIN_STRATUM_SEEN: u64 = 50;

/// Strata after pooling, and what was pooled.
#[derive(Clone, Debug, PartialEq)]
pub struct Pooled {
    pub strata: Vec<(String, Table)>,
    pub warnings: Vec<String>,
}

/// `t`'s counts on a wider set of lists (each of `t`'s lists must be in `lists`).
pub fn align(t: &Table, lists: &[String]) -> Table {
    let pos: Vec<usize> = t.lists().iter().map(|l| lists.iter().position(|x| x == l).expect("a superset of the table's lists")).collect();
    let mut counts = vec![0u64; 1 << lists.len()];
    for mask in 1..(1usize << t.n_lists()) {
        let wide = pos.iter().enumerate().filter(|(j, _)| mask & (1 << j) != 0).fold(0usize, |a, (_, p)| a | (1 << p));
        counts[wide] += t.count(mask);
    }
    Table::new(lists.to_vec(), counts)
}

/// Adds tables, on the union of their lists (in first-seen order).
pub fn sum(tables: &[&Table]) -> Table {
    let mut lists: Vec<String> = Vec::new();
    for t in tables {
        for l in t.lists() {
            if !lists.contains(l) {
                lists.push(l.clone());
            }
        }
    }
    let mut counts = vec![0u64; 1 << lists.len()];
    for t in tables {
        for (m, c) in align(t, &lists).counts().iter().enumerate() {
            counts[m] += c;
        }
    }
    Table::new(lists, counts)
}

fn small(t: &Table, min_seen: u64) -> bool {
    t.observed() < min_seen || !t.has_overlap() || t.n_lists() < 2
}

/// Pools every stratum with fewer than `min_seen` people seen (or no overlap between lists)
/// into one; if that pool is still small it joins the smallest stratum that was not.
pub fn pool(strata: Vec<(String, Table)>, min_seen: u64) -> Pooled {
    let (small_ones, mut kept): (Vec<_>, Vec<_>) = strata.into_iter().partition(|(_, t)| small(t, min_seen));
    if small_ones.is_empty() {
        return Pooled { strata: kept, warnings: Vec::new() };
    }
    let names: Vec<&str> = small_ones.iter().map(|(n, _)| n.as_str()).collect();
    let pooled = sum(&small_ones.iter().map(|(_, t)| t).collect::<Vec<_>>());
    let mut warnings = vec![format!(
        "pooled {} too small to estimate alone (fewer than {min_seen} people seen, or nobody on two lists): {}",
        if names.len() == 1 { "1 stratum".to_string() } else { format!("{} strata", names.len()) },
        names.join(", ")
    )];
    let label = format!("pooled ({})", names.join(", "));
    if !small(&pooled, min_seen) || kept.is_empty() {
        kept.push((label, pooled));
    } else {
        let (i, _) = kept.iter().enumerate().min_by_key(|(_, (_, t))| t.observed()).expect("not empty");
        let (name, t) = kept.remove(i);
        warnings.push(format!("the pooled strata were still too small and joined {name}"));
        kept.push((format!("{name} + {label}"), sum(&[&t, &pooled])));
    }
    if kept.len() == 1 {
        warnings.push("after pooling one stratum remains: the estimate is unstratified".into());
    }
    Pooled { strata: kept, warnings }
}

/// What stratifying by `by` did to the estimate, in words: a change beyond the unstratified
/// interval says the attribute drives documentation (and the stratified total is the one to
/// use); no change says it does not, which leaves heterogeneity along unrecorded attributes.
pub fn effect(unstratified: &Summary, stratified: &Summary, by: &str) -> String {
    let fmt = |s: &Summary| format!("{:.0} [{:.0}, {}]", s.estimate, s.lower, s.upper.map(|u| format!("{u:.0}")).unwrap_or_else(|| "∞".into()));
    let outside = stratified.estimate < unstratified.lower || unstratified.upper.is_some_and(|u| stratified.estimate > u);
    if outside {
        format!(
            "stratifying by {by} moves the estimate from {} to {}: the chance of being recorded differs between strata, so the stratified total is the one to use (it still assumes people within a stratum are alike)",
            fmt(unstratified),
            fmt(stratified)
        )
    } else {
        format!(
            "stratifying by {by} leaves the estimate within the unstratified interval ({} against {}): {by} does not seem to drive documentation; heterogeneity along attributes not recorded is not excluded",
            fmt(unstratified),
            fmt(stratified)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::{covariate_scenario, draw};
    use crate::summary::{combine, loglinear};

    fn t(lists: &[&str], counts: Vec<u64>) -> Table {
        Table::new(lists.iter().map(|s| s.to_string()).collect(), counts)
    }

    #[test]
    fn align_and_sum_put_tables_on_shared_lists() {
        let a = t(&["x", "y"], vec![0, 5, 3, 2]);
        let b = t(&["y", "z"], vec![0, 1, 4, 6]);
        let s = sum(&[&a, &b]);
        assert_eq!(s.lists(), ["x", "y", "z"]);
        // x only 5; y only 3+1; x&y 2; z only 4; y&z 6.
        assert_eq!(s.counts(), [0, 5, 4, 2, 4, 0, 6, 0]);
        assert_eq!(s.observed(), a.observed() + b.observed());
    }

    #[test]
    fn small_strata_are_pooled_with_a_warning() {
        let big = |n| t(&["a", "b", "c"], vec![0, n, n, n / 2, n, n / 2, n / 2, n / 4]);
        let strata = vec![("north".to_string(), big(40)), ("tiny 1".to_string(), big(4)), ("tiny 2".to_string(), big(2)), ("south".to_string(), big(30))];
        let p = pool(strata, MIN_STRATUM_SEEN);
        let names: Vec<&str> = p.strata.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["north", "south + pooled (tiny 1, tiny 2)"]);
        assert!(p.warnings[0].contains("tiny 1, tiny 2"), "{:?}", p.warnings);
        let total: u64 = p.strata.iter().map(|(_, t)| t.observed()).sum();
        assert_eq!(total, big(40).observed() + big(4).observed() + big(2).observed() + big(30).observed(), "pooling loses nobody");
        let untouched = pool(vec![("north".to_string(), big(40))], MIN_STRATUM_SEEN);
        assert!(untouched.warnings.is_empty());
    }

    /// Stratifying on the attribute that drives capture brings the interval's coverage back.
    /// SYNTHETIC populations, fixed seeds.
    #[test]
    fn stratifying_on_the_driving_covariate_restores_coverage() {
        let s = covariate_scenario();
        let runs = 30;
        let (mut plain, mut stratified, mut said_moved) = (0, 0, 0);
        for seed in 0..runs {
            let p = draw(&s, 500 + seed);
            let truth = p.n as f64;
            let covers = |e: &Summary| e.lower <= truth && e.upper.is_some_and(|u| u >= truth);
            let whole = loglinear(&p.table, None).unwrap();
            let pooled = pool(p.strata.clone(), MIN_STRATUM_SEEN);
            let parts: Vec<Summary> = pooled.strata.iter().map(|(_, t)| loglinear(t, None).unwrap()).collect();
            let total = combine(&parts, seed).unwrap();
            plain += covers(&whole) as usize;
            stratified += covers(&total) as usize;
            said_moved += effect(&whole, &total, "origin").contains("moves the estimate") as usize;
        }
        assert!(plain * 3 < runs as usize, "unstratified coverage {plain} of {runs}");
        assert!(stratified * 10 >= runs as usize * 8, "stratified coverage {stratified} of {runs}");
        assert!(said_moved * 10 >= runs as usize * 8, "the effect was named in {said_moved} of {runs}");
    }
}
