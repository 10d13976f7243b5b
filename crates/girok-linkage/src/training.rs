//! m-probabilities by EM: once per blocking rule over the pairs it found, and, for a field that
//! every rule blocks on, once more over pairs sampled from a training rule on the other fields.
//!
//! Within a block, the fields the rule blocked on agree by construction and say nothing about
//! their m (Splink leaves them out the same way). When every rule blocks on a field (every
//! inferred Korean rule blocks on the name), no rule can learn its m; a fixed guess then gave
//! cross-script and close-spelling agreement almost no weight, and matches whose only evidence
//! was such a name stayed apart. Splink asks its user to train such a field under a rule on
//! other fields (`l.dob = r.dob`); here that rule is chosen by counting, as blocking rules are.

use std::collections::HashMap;

use rand::Rng;

use crate::engine::{group_pairs, BlockIndex, BlockKey, Compare, Config, LinkError, Mode, Progress, MISSING};

/// Pairs sampled from the training rule's blocks (all of them when there are fewer).
const TRAINING_PAIRS: u64 = 200_000;

/// A training rule is the most specific one with at least this many pairs (fewer would leave
/// too few matches for EM to find), when there is one.
const TRAINING_MIN_PAIRS: u64 = 50_000;

/// Distinct comparison patterns of some pairs with their counts, blocked fields left out (as
/// `MISSING`): EM over them has the same likelihood as over every pair.
pub(crate) fn histogram<'a>(rows: impl Iterator<Item = &'a [u8]>, blocked: &[bool]) -> Vec<(Vec<u8>, f64)> {
    let mut counts: HashMap<Vec<u8>, f64> = HashMap::new();
    let mut key = vec![0u8; blocked.len()];
    for row in rows {
        for (fi, &l) in row.iter().enumerate() {
            key[fi] = if blocked[fi] { MISSING } else { l };
        }
        match counts.get_mut(key.as_slice()) {
            Some(c) => *c += 1.0,
            None => {
                counts.insert(key.clone(), 1.0);
            }
        }
    }
    counts.into_iter().collect()
}

/// The m of every unblocked field by EM over `patterns`, from `init_m`, with u fixed (`lu`
/// is its logarithm); also the iterations run.
pub(crate) fn em(
    patterns: &[(Vec<u8>, f64)],
    blocked: &[bool],
    init_m: &[Vec<f64>],
    lu: &[Vec<f64>],
    iterations: usize,
    progress: Progress<'_>,
) -> (Vec<Vec<f64>>, usize) {
    let nf = blocked.len();
    let members: f64 = patterns.iter().map(|p| p.1).sum();
    let mut m = init_m.to_vec();
    let mut lambda = 0.05f64;
    let mut run = 0;
    for it in 0..iterations {
        run += 1;
        let lm: Vec<Vec<f64>> = m.iter().map(|r| r.iter().map(|x| x.ln()).collect()).collect();
        let prior = (lambda / (1.0 - lambda)).ln();
        let mut m_acc: Vec<Vec<f64>> = m.iter().map(|r| vec![1e-6; r.len()]).collect();
        let mut p_sum = 0.0;
        for (row, count) in patterns {
            let mut w = prior;
            for (fi, &l) in row.iter().enumerate() {
                if l != MISSING {
                    w += lm[fi][l as usize] - lu[fi][l as usize];
                }
            }
            let p = count / (1.0 + (-w).exp());
            p_sum += p;
            for (fi, &l) in row.iter().enumerate() {
                if l != MISSING {
                    m_acc[fi][l as usize] += p;
                }
            }
        }
        let mut change = 0.0f64;
        for fi in (0..nf).filter(|&fi| !blocked[fi]) {
            let s: f64 = m_acc[fi].iter().sum();
            for l in 0..m[fi].len() {
                let new = m_acc[fi][l] / s;
                change = change.max((new - m[fi][l]).abs());
                m[fi][l] = new;
            }
        }
        let new_lambda = (p_sum / members.max(1.0)).clamp(1e-9, 1.0 - 1e-9);
        change = change.max((new_lambda - lambda).abs());
        lambda = new_lambda;
        progress("EM", (it + 1) as u64, iterations as u64);
        if change < 1e-5 {
            break;
        }
    }
    (m, run)
}

/// Pairs to learn untrained fields' m from, and the rule they come from.
pub(crate) struct Training {
    pub(crate) pairs: Vec<(u32, u32)>,
    pub(crate) blocked: Vec<bool>,
    pub(crate) rule: Vec<BlockKey>,
    /// How many pairs the rule has in all (`pairs` may be a sample of them).
    pub(crate) rule_pairs: u64,
}

/// The key a field trains under, when it can serve as one.
fn key_for(compare: &Compare, column: &str) -> BlockKey {
    match compare {
        Compare::Year | Compare::Date => BlockKey::Year(column.to_string()),
        Compare::KoreanName => BlockKey::KoreanName(column.to_string()),
        _ => BlockKey::Exact(column.to_string()),
    }
}

/// Pairs to learn the m of the `untrained` fields from: sampled uniformly from the blocks of
/// the most specific rule on other fields (one key, or two) that has enough pairs; with the
/// rule, its description and which fields it blocks on. `None` when no such rule has any
/// pairs (the fields keep their starting m, and the caller says so).
pub(crate) fn training_pairs(index: &mut BlockIndex<'_>, config: &Config, untrained: &[bool], rng: &mut impl Rng) -> Result<Option<Training>, LinkError> {
    let keys: Vec<BlockKey> = config
        .fields
        .iter()
        .zip(untrained)
        .filter(|(f, &u)| !u && !config.fields.iter().zip(untrained).any(|(g, &gu)| gu && g.column == f.column))
        .map(|(f, _)| key_for(&f.compare, &f.column))
        .collect();
    let mut rules: Vec<Vec<BlockKey>> = keys.iter().map(|k| vec![k.clone()]).collect();
    for i in 0..keys.len() {
        for j in i + 1..keys.len() {
            if keys[i].column() != keys[j].column() {
                rules.push(vec![keys[i].clone(), keys[j].clone()]);
            }
        }
    }
    let mut best: Option<(Vec<BlockKey>, Vec<Vec<u32>>, u64)> = None;
    for rule in rules {
        let blocks = index.blocks(&rule)?;
        let count: u64 = blocks.iter().map(|g| group_pairs(index.data(), g, config.mode)).sum();
        if count == 0 {
            continue;
        }
        // The fewest pairs at or above the minimum; below it, the most.
        let better = match &best {
            None => true,
            Some((_, _, b)) => match (count >= TRAINING_MIN_PAIRS, *b >= TRAINING_MIN_PAIRS) {
                (true, true) => count < *b,
                (true, false) => true,
                (false, true) => false,
                (false, false) => count > *b,
            },
        };
        if better {
            best = Some((rule, blocks, count));
        }
    }
    let Some((rule, blocks, count)) = best else { return Ok(None) };
    let data = index.data();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let cross = |a: u32, b: u32| config.mode == Mode::Dedupe || data.sources[a as usize] != data.sources[b as usize];
    if count <= TRAINING_PAIRS {
        for g in &blocks {
            for i in 0..g.len() {
                for j in i + 1..g.len() {
                    if cross(g[i], g[j]) {
                        pairs.push((g[i].min(g[j]), g[i].max(g[j])));
                    }
                }
            }
        }
    } else {
        // A block by its share of all record pairs, then two different records of it: every
        // pair equally likely (linking, a pair within one list is drawn and refused).
        let mut cumulative: Vec<u64> = Vec::with_capacity(blocks.len());
        let mut total = 0u64;
        for g in &blocks {
            total += group_pairs(data, g, Mode::Dedupe);
            cumulative.push(total);
        }
        let mut tries = 0u64;
        while (pairs.len() as u64) < TRAINING_PAIRS && tries < TRAINING_PAIRS * 20 {
            tries += 1;
            let at = rng.gen_range(0..total);
            let g = &blocks[cumulative.partition_point(|&c| c <= at)];
            let i = rng.gen_range(0..g.len());
            let j = (i + rng.gen_range(1..g.len())) % g.len();
            if cross(g[i], g[j]) {
                pairs.push((g[i].min(g[j]), g[i].max(g[j])));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let blocked = config.fields.iter().map(|f| rule.iter().any(|k| k.column() == f.column)).collect();
    Ok(Some(Training { pairs, blocked, rule, rule_pairs: count }))
}
