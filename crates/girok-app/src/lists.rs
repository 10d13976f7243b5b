//! From victim lists to an estimate in one step: link the records of every list (within and
//! across lists, since lists repeat people too), count each linked person once with the lists
//! that hold them, estimate, and say how much the answer moves with the match threshold.
//!
//! Every linkage error changes the count: a missed match adds a person seen by fewer lists,
//! which estimators read as a larger hidden population. So the estimate is given at the chosen
//! threshold and at thresholds around it, side by side. `girok estimate --lists` translates.

use girok_estimate::Table;
use girok_linkage::{BlockKey, Config, Dataset, FieldSpec, Linkage, Mode};

use crate::error::DomainError;
use crate::estimation::{self, Method, MethodResult, Options};

/// One threshold's people, capture table and estimates.
#[derive(Clone, Debug)]
pub struct AtThreshold {
    pub threshold: f64,
    /// Linked people (clusters).
    pub people: usize,
    pub table: Table,
    pub results: Vec<MethodResult>,
}

/// What a run found.
#[derive(Clone, Debug)]
pub struct ListsEstimate {
    pub records: usize,
    pub lists: Vec<String>,
    pub candidate_pairs: u64,
    /// What inference decided (empty with a written configuration).
    pub notes: Vec<String>,
    /// The chosen threshold's clusters, one per record.
    pub clusters: Vec<u32>,
    /// The chosen threshold first, then the others in increasing order.
    pub thresholds: Vec<AtThreshold>,
}

/// The threshold at which linked records count as one person, unless told otherwise: a pair is
/// joined when a match is more likely than not, so false merges and missed matches roughly
/// balance in the count (the stricter 0.9 of `girok link` misses matches, and every missed
/// match inflates the estimate).
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// The thresholds an estimate is shown at besides the chosen one.
pub const AROUND: [f64; 5] = [0.5, 0.8, 0.9, 0.95, 0.99];

/// The capture table of linked people: a person is on a list when any of their records is.
pub fn capture_table(clusters: &[u32], sources: &[u16], lists: &[String]) -> Table {
    let n_clusters = clusters.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut mask = vec![0usize; n_clusters];
    for (&c, &s) in clusters.iter().zip(sources) {
        mask[c as usize] |= 1 << s;
    }
    let mut counts = vec![0u64; 1 << lists.len()];
    for m in mask.into_iter().filter(|&m| m != 0) {
        counts[m] += 1;
    }
    Table::new(lists.to_vec(), counts)
}

/// Links `data` (its `sources` are the lists, named by `lists`) and estimates at `threshold`
/// and at the thresholds around it. `config`: written fields and blocking rules, or `None` to
/// infer them from the columns.
#[allow(clippy::too_many_arguments)]
pub fn estimate(
    data: &mut Dataset,
    lists: &[String],
    config: Option<(Vec<FieldSpec>, Vec<Vec<BlockKey>>)>,
    id_column: &str,
    threshold: f64,
    methods: &[Method],
    options: &Options,
    progress: girok_linkage::engine::Progress<'_>,
) -> Result<ListsEstimate, DomainError> {
    if lists.len() < 2 {
        return Err(DomainError::invalid("lists", format!("{} list given; estimation needs at least two", lists.len())));
    }
    if lists.len() > 16 {
        return Err(DomainError::invalid("lists", format!("{} lists given; at most 16 can be estimated together", lists.len())));
    }
    if !(0.0..1.0).contains(&threshold) {
        return Err(DomainError::invalid("threshold", format!("{threshold} is not a probability below 1")));
    }
    let linkage = |e: girok_linkage::LinkError| DomainError::invalid("linkage", e.to_string());
    let (fields, blocking, notes) = match config {
        Some((f, b)) => (f, b, Vec::new()),
        None => {
            let inferred = girok_linkage::infer(data, id_column, Some(&crate::linking::places()), Mode::Dedupe, progress).map_err(linkage)?;
            (inferred.fields, inferred.blocking, inferred.notes)
        }
    };
    if fields.is_empty() {
        return Err(DomainError::invalid("columns", format!("no column to compare (columns: {})", data.columns.join(", "))));
    }
    // Lists repeat people too: every record is compared with every other, within lists and across.
    let config = Config {
        fields,
        blocking,
        mode: Mode::Dedupe,
        max_pairs: 50_000_000,
        threshold,
        em_iterations: 40,
        u_samples: 200_000,
        seed: options.seed,
        one_per_source: false,
        min_support: 0.05,
    };
    let linked: Linkage = girok_linkage::link(data, &config, progress).map_err(linkage)?;
    let mut notes = notes;
    notes.extend(linked.training.clone());
    let mut levels: Vec<f64> = AROUND.iter().copied().filter(|t| (t - threshold).abs() > 1e-9).collect();
    levels.insert(0, threshold);
    let mut thresholds = Vec::new();
    let mut chosen = Vec::new();
    for (i, &t) in levels.iter().enumerate() {
        progress("estimating", i as u64 + 1, levels.len() as u64);
        let clusters = girok_linkage::engine::cluster_with_support(data, &linked.pairs, t, false, config.min_support);
        let table = capture_table(&clusters, &data.sources, lists);
        let people = table.observed() as usize;
        let results = estimation::run(&[("all".to_string(), table.clone())], methods, options);
        if i == 0 {
            chosen = clusters;
        }
        thresholds.push(AtThreshold { threshold: t, people, table, results });
    }
    thresholds[1..].sort_by(|a, b| a.threshold.total_cmp(&b.threshold));
    Ok(ListsEstimate { records: data.len(), lists: lists.to_vec(), candidate_pairs: linked.candidate_count, notes, clusters: chosen, thresholds })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_on_two_lists_counts_once_with_both() {
        // Records: list 0 has a1, a2 (the same person twice); list 1 has b1 (that person) and b2.
        let clusters = [0, 0, 0, 1];
        let sources = [0, 0, 1, 1];
        let t = capture_table(&clusters, &sources, &["A".into(), "B".into()]);
        assert_eq!(t.observed(), 2);
        assert_eq!(t.count(0b11), 1, "the person on both lists, counted once");
        assert_eq!(t.count(0b10), 1);
        assert_eq!(t.count(0b01), 0);
    }

    #[test]
    fn synthetic_lists_estimate_near_their_true_clusters_and_show_thresholds() {
        let lists = girok_synth::lists::generate_lists(&girok_synth::lists::ListsConfig { seed: 5, people: 1500, lists: 4 });
        let mut d = Dataset { columns: girok_synth::lists::HEADER.iter().map(|s| s.to_string()).collect(), ..Default::default() };
        for r in &lists.records {
            d.ids.push(r.cells[0].clone());
            d.sources.push(r.list as u16);
            d.values.push(r.cells.iter().map(|c| Some(c.clone()).filter(|s| !s.is_empty())).collect());
        }
        let o = Options { bootstrap: 0, ..Options::default() };
        let run = estimate(&mut d, &lists.names, None, "id", DEFAULT_THRESHOLD, &[Method::Loglinear], &o, &mut |_, _, _| {}).unwrap();
        assert_eq!(run.thresholds[0].threshold, DEFAULT_THRESHOLD, "the chosen threshold first");
        assert_eq!(run.thresholds.len(), 5, "and four around it");
        // The truth: each person once, on the lists that hold them.
        let truth: Vec<u32> = lists.records.iter().map(|r| r.person as u32).collect();
        let true_table = capture_table(&truth, &d.sources, &lists.names);
        let linked = run.thresholds[0].people as f64;
        assert!((linked / true_table.observed() as f64 - 1.0).abs() < 0.05, "linked {linked} people, truly {}", true_table.observed());
        let est = run.thresholds[0].results[0].total.as_ref().unwrap().estimate;
        let true_est = estimation::run(&[("all".into(), true_table)], &[Method::Loglinear], &o)[0].total.as_ref().unwrap().estimate;
        assert!((est / true_est - 1.0).abs() < 0.05, "estimate from linkage {est:.0}, from the true clusters {true_est:.0}");
    }
}
