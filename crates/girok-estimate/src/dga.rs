//! Bayesian model averaging over decomposable graphical models (Madigan and York 1997; the
//! `dga` package of Johndrow, Lum and Ball).
//!
//! Each decomposable (chordal) graph on the lists is a model of how lists depend on each other.
//! With a hyper-Dirichlet prior (`delta` pseudo-counts spread over the cells of the complete
//! table), the marginal likelihood of the completed table factorises over the graph's cliques
//! and separators, so for every graph and every candidate number of unobserved people `m` the
//! posterior weight is a sum of precomputed per-margin terms. The posterior of `N = n + m` is
//! the sum over graphs.

use crate::table::Table;

/// A decomposable graph: its edges, maximal cliques and (non-empty) separators, as list bitmasks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graph {
    pub edges: Vec<(usize, usize)>,
    pub cliques: Vec<usize>,
    pub separators: Vec<usize>,
    pub components: usize,
}

impl std::fmt::Display for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> =
            self.cliques.iter().map(|&c| (0..usize::BITS as usize).filter(|j| c & (1 << j) != 0).map(|j| (j + 1).to_string()).collect::<String>()).collect();
        write!(f, "[{}]", parts.join(","))
    }
}

fn is_clique(adj: &[usize], set: usize) -> bool {
    (0..adj.len()).filter(|v| set & (1 << v) != 0).all(|v| set & !(1 << v) & !adj[v] == 0)
}

/// Chordality by maximum cardinality search: the reverse visit order must be a perfect
/// elimination order (each vertex's earlier-visited neighbours form a clique).
fn is_chordal(adj: &[usize]) -> bool {
    let p = adj.len();
    let mut visited = 0usize;
    let mut order = Vec::with_capacity(p);
    for _ in 0..p {
        let v = (0..p).filter(|v| visited & (1 << v) == 0).max_by_key(|&v| ((adj[v] & visited).count_ones(), std::cmp::Reverse(v))).expect("a vertex is left");
        let earlier = adj[v] & visited;
        if !is_clique(adj, earlier) {
            return false;
        }
        visited |= 1 << v;
        order.push(v);
    }
    true
}

/// Every decomposable graph on `p` lists (8, 61 and 822 for 3, 4 and 5 lists).
pub fn decomposable_graphs(p: usize) -> Vec<Graph> {
    let pairs: Vec<(usize, usize)> = (0..p).flat_map(|a| (a + 1..p).map(move |b| (a, b))).collect();
    let mut out = Vec::new();
    for edge_set in 0u64..(1u64 << pairs.len()) {
        let mut adj = vec![0usize; p];
        let mut edges = Vec::new();
        for (k, &(a, b)) in pairs.iter().enumerate() {
            if edge_set & (1 << k) != 0 {
                adj[a] |= 1 << b;
                adj[b] |= 1 << a;
                edges.push((a, b));
            }
        }
        if !is_chordal(&adj) {
            continue;
        }
        // Maximal cliques by brute force over vertex subsets (p is small).
        let all = (1usize << p) - 1;
        let cliques: Vec<usize> =
            (1..=all).filter(|&s| is_clique(&adj, s)).filter(|&s| !(0..p).any(|v| s & (1 << v) == 0 && is_clique(&adj, s | (1 << v)))).collect();
        // Junction tree: maximum-weight spanning forest of the clique graph (Kruskal); its edge
        // labels are the separators. Zero-weight links join components and carry no separator.
        let mut links: Vec<(u32, usize, usize)> = Vec::new();
        for i in 0..cliques.len() {
            for j in i + 1..cliques.len() {
                let w = (cliques[i] & cliques[j]).count_ones();
                if w > 0 {
                    links.push((w, i, j));
                }
            }
        }
        links.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut parent: Vec<usize> = (0..cliques.len()).collect();
        fn find(parent: &mut [usize], x: usize) -> usize {
            let mut r = x;
            while parent[r] != r {
                r = parent[r];
            }
            parent[x] = r;
            r
        }
        let mut separators = Vec::new();
        for (_, i, j) in links {
            let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
            if ri != rj {
                parent[ri] = rj;
                separators.push(cliques[i] & cliques[j]);
            }
        }
        let components = cliques.len() - separators.len();
        out.push(Graph { edges, cliques, separators, components });
    }
    out
}

/// Prior on the population size.
#[derive(Clone, Copy, Debug)]
pub enum NPrior {
    /// `p(N) ∝ 1/N`, dga's default.
    Inverse,
    /// Flat.
    Uniform,
    /// Madigan and York's (1997) negative-binomial prior: a Poisson whose mean has a
    /// Gamma(shape `a`, scale `b`) prior, `p(N) ∝ Γ(N + a) / N! · (b / (1 + b))^N` (mean `a·b`).
    NegativeBinomial { a: f64, b: f64 },
}

/// Settings of a dga run.
#[derive(Clone, Debug)]
pub struct DgaOptions {
    /// Hyper-Dirichlet pseudo-count spread over the complete table; dga suggests `2^-J`.
    pub delta: f64,
    /// Candidate numbers of unobserved people, inclusive.
    pub missing: std::ops::RangeInclusive<u64>,
    pub prior: NPrior,
}

impl DgaOptions {
    /// dga's usual settings: `delta = 2^-J`, `m` from 0 to 20n, prior `1/N`.
    pub fn default_for(table: &Table) -> DgaOptions {
        DgaOptions { delta: 0.5f64.powi(table.n_lists() as i32), missing: 0..=20 * table.observed(), prior: NPrior::Inverse }
    }
}

/// The posterior: over graphs and over `N`.
#[derive(Clone, Debug)]
pub struct DgaPosterior {
    pub graphs: Vec<Graph>,
    /// Posterior probability of each graph (same order as `graphs`).
    pub graph_probs: Vec<f64>,
    /// `N` values and their posterior probability.
    pub n_values: Vec<u64>,
    pub n_probs: Vec<f64>,
}

/// Why dga could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DgaError {
    #[error("dga handles 2 to 5 lists (as the dga package does); this table has {0} (merge lists, or use the latent class method)")]
    TooManyLists(usize),
    #[error("the range of unobserved counts is empty")]
    EmptyRange,
    #[error("the graph is not a decomposable graph on this table's lists")]
    NotAGraphOfTable,
}

/// What every graph's weights are built from: per-margin terms and the terms common to all
/// graphs, each as a function of the number of unobserved people `m`.
struct Prepared {
    graphs: Vec<Graph>,
    ms: Vec<u64>,
    comp: Vec<Vec<f64>>,
    common: Vec<f64>,
    per_component: Vec<f64>,
}

impl Prepared {
    fn new(table: &Table, opts: &DgaOptions) -> Result<Prepared, DgaError> {
        let p = table.n_lists();
        if !(2..=5).contains(&p) {
            return Err(DgaError::TooManyLists(p));
        }
        let graphs = decomposable_graphs(p);
        let ms: Vec<u64> = opts.missing.clone().collect();
        if ms.is_empty() {
            return Err(DgaError::EmptyRange);
        }
        let n = table.observed() as f64;
        let n_cells = 1usize << p;
        let sum_alpha = opts.delta * n_cells as f64;
        // Per-margin log marginal likelihood as a function of m. Only the margin's all-zero cell
        // depends on m (it absorbs the unobserved), so each margin is a constant plus one lgamma.
        let mut comp: Vec<Vec<f64>> = vec![Vec::new(); n_cells];
        let mut needed = vec![false; n_cells];
        for g in &graphs {
            for &c in g.cliques.iter().chain(&g.separators) {
                needed[c] = true;
            }
        }
        for c in (1..n_cells).filter(|&c| needed[c]) {
            let k = c.count_ones();
            let alpha = opts.delta * (1u64 << (p as u32 - k)) as f64;
            let mut margin = vec![0f64; n_cells];
            for mask in 1..n_cells {
                margin[mask & c] += table.count(mask) as f64;
            }
            let lg_alpha = libm::lgamma(alpha);
            let mut constant = 0.0;
            let mut sub = c;
            // Every sub-pattern of c except 0 (the zero cell depends on m).
            while sub != 0 {
                constant += libm::lgamma(margin[sub] + alpha) - lg_alpha;
                sub = (sub - 1) & c;
            }
            let zero = margin[0];
            comp[c] = ms.iter().map(|&m| constant + libm::lgamma(zero + m as f64 + alpha) - lg_alpha).collect();
        }
        let lg_y: f64 = (1..n_cells).map(|m| libm::lgamma(table.count(m) as f64 + 1.0)).sum();
        // Terms common to every graph, as a function of m.
        let common: Vec<f64> = ms
            .iter()
            .map(|&m| {
                let big_n = n + m as f64;
                let prior = match opts.prior {
                    NPrior::Inverse => -big_n.ln(),
                    NPrior::Uniform => 0.0,
                    NPrior::NegativeBinomial { a, b } => libm::lgamma(big_n + a) - libm::lgamma(big_n + 1.0) + big_n * (b / (1.0 + b)).ln(),
                };
                libm::lgamma(big_n + 1.0) - lg_y - libm::lgamma(m as f64 + 1.0) + prior
            })
            .collect();
        let per_component: Vec<f64> = ms.iter().map(|&m| libm::lgamma(sum_alpha) - libm::lgamma(n + m as f64 + sum_alpha)).collect();
        Ok(Prepared { graphs, ms, comp, common, per_component })
    }

    /// Log posterior weight (unnormalised) of graph `gi` at each `m`, into `w`.
    fn weights(&self, gi: usize, w: &mut [f64]) {
        let g = &self.graphs[gi];
        for (k, wk) in w.iter_mut().enumerate() {
            *wk = self.common[k] + g.components as f64 * self.per_component[k];
        }
        for &c in &g.cliques {
            for (wi, ci) in w.iter_mut().zip(&self.comp[c]) {
                *wi += ci;
            }
        }
        for &s in &g.separators {
            for (wi, si) in w.iter_mut().zip(&self.comp[s]) {
                *wi -= si;
            }
        }
    }
}

/// The posterior of `N` under one graph alone (e.g. the most probable one), as `(N, probability)`.
pub fn dga_one_graph(table: &Table, opts: &DgaOptions, graph: &Graph) -> Result<Vec<(u64, f64)>, DgaError> {
    let prep = Prepared::new(table, opts)?;
    let gi = prep.graphs.iter().position(|g| g == graph).ok_or(DgaError::NotAGraphOfTable)?;
    let mut w = vec![0.0; prep.ms.len()];
    prep.weights(gi, &mut w);
    let max = w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = w.iter().map(|x| (x - max).exp()).sum();
    Ok(prep.ms.iter().zip(&w).map(|(&m, &x)| (table.observed() + m, (x - max).exp() / total)).collect())
}

/// Runs the model averaging.
pub fn dga(table: &Table, opts: &DgaOptions) -> Result<DgaPosterior, DgaError> {
    let prep = Prepared::new(table, opts)?;
    let (graphs, ms) = (&prep.graphs, &prep.ms);
    // Log-sum-exp in one streaming pass per thread: no graph × m matrix is ever held (it would
    // be 360 MB for a 5-list table with 55,000 values of m). Each thread keeps its sums scaled
    // by its running maximum; the halves are merged in a fixed order, so results do not depend
    // on timing.
    struct Acc {
        max: f64,
        n_sums: Vec<f64>,
        graph_sums: Vec<(usize, f64, f64)>,
    }
    let work = |range: std::ops::Range<usize>| -> Acc {
        let mut acc = Acc { max: f64::NEG_INFINITY, n_sums: vec![0.0; ms.len()], graph_sums: Vec::new() };
        let mut w = vec![0.0; ms.len()];
        for gi in range {
            prep.weights(gi, &mut w);
            let gmax = w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if gmax > acc.max {
                let scale = (acc.max - gmax).exp();
                if acc.max.is_finite() {
                    acc.n_sums.iter_mut().for_each(|x| *x *= scale);
                }
                acc.max = gmax;
            }
            let mut gsum = 0.0;
            for (nk, &x) in acc.n_sums.iter_mut().zip(&w) {
                let d = x - acc.max;
                if d > -745.0 {
                    let e = d.exp();
                    *nk += e;
                    gsum += e;
                }
            }
            acc.graph_sums.push((gi, gsum, acc.max));
        }
        acc
    };
    let mid = graphs.len() / 2;
    let (a, b) = std::thread::scope(|s| {
        let h = s.spawn(|| work(mid..graphs.len()));
        let a = work(0..mid);
        (a, h.join().expect("dga worker does not panic"))
    });
    let max_w = a.max.max(b.max);
    let mut n_probs = vec![0.0; ms.len()];
    let mut graph_probs = vec![0.0; graphs.len()];
    for acc in [&a, &b] {
        let scale = (acc.max - max_w).exp();
        for (p, x) in n_probs.iter_mut().zip(&acc.n_sums) {
            *p += x * scale;
        }
        for &(gi, gsum, at_max) in &acc.graph_sums {
            graph_probs[gi] = gsum * (at_max - max_w).exp();
        }
    }
    let total: f64 = n_probs.iter().sum();
    for x in n_probs.iter_mut().chain(graph_probs.iter_mut()) {
        *x /= total;
    }
    let n_values = ms.iter().map(|&m| table.observed() + m).collect();
    Ok(DgaPosterior { graphs: prep.graphs, graph_probs, n_values, n_probs })
}

impl DgaPosterior {
    pub fn mean(&self) -> f64 {
        self.n_values.iter().zip(&self.n_probs).map(|(&n, &p)| n as f64 * p).sum()
    }

    /// dga's quantile: the first `N` whose cumulative probability exceeds `level`.
    pub fn quantile(&self, level: f64) -> u64 {
        let mut cum = 0.0;
        for (&n, &p) in self.n_values.iter().zip(&self.n_probs) {
            cum += p;
            if cum > level {
                return n;
            }
        }
        *self.n_values.last().expect("non-empty")
    }

    pub fn mode(&self) -> u64 {
        let (idx, _) = self.n_probs.iter().enumerate().fold((0, f64::NEG_INFINITY), |acc, (i, &p)| if p > acc.1 { (i, p) } else { acc });
        self.n_values[idx]
    }

    /// The most probable graph and its probability.
    pub fn top_graph(&self) -> (&Graph, f64) {
        let (idx, p) = self.graph_probs.iter().enumerate().fold((0, f64::NEG_INFINITY), |acc, (i, &p)| if p > acc.1 { (i, p) } else { acc });
        (&self.graphs[idx], p)
    }

    /// Probability mass at the top of the range of `m`: when it is not negligible the range was
    /// too short and the posterior is truncated.
    pub fn mass_at_upper_end(&self) -> f64 {
        let k = self.n_probs.len();
        self.n_probs[k.saturating_sub(k / 100 + 1)..].iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::table;

    #[test]
    fn graph_counts_match_dga() {
        assert_eq!(decomposable_graphs(3).len(), 8);
        assert_eq!(decomposable_graphs(4).len(), 61);
        assert_eq!(decomposable_graphs(5).len(), 822);
        // A 4-cycle is not decomposable.
        assert!(!is_chordal(&[0b1010, 0b0101, 0b1010, 0b0101]));
    }

    #[track_caller]
    fn check(file: &str, mean: f64, median: u64, lo: u64, hi: u64, top: f64) {
        let t = table(file);
        let post = dga(&t, &DgaOptions::default_for(&t)).unwrap();
        assert!((post.mean() - mean).abs() < 0.05, "{file} mean {}", post.mean());
        assert_eq!(post.quantile(0.5), median, "{file} median");
        assert_eq!((post.quantile(0.025), post.quantile(0.975)), (lo, hi), "{file} interval");
        assert!((post.top_graph().1 - top).abs() < 5e-4, "{file} top {}", post.top_graph().1);
    }

    #[test]
    fn dga_golden_values() {
        check("korea_palembang.csv", 196.2, 159, 123, 422, 0.648);
        check("us_western_site_5lists.csv", 2248.3, 2132, 1343, 3848, 0.113);
        check("uk_2013_5lists.csv", 21281.6, 22990, 10387, 33508, 0.443);
    }

    #[test]
    fn madigan_york_three_list_example_with_their_negative_binomial_prior() {
        // Madigan and York (1997): delta = 1, N ~ negative binomial (a = 13.14, b = 55.17),
        // 1 to 300 unobserved. Published: the top model (L1–L2 interaction) has probability
        // 0.3738; under it the Bayes estimate for loss (N̂ − N)²/N² is 731.07 and the mode 729;
        // the model-averaged mode is 728.
        let t = table("madigan_york_3lists.csv");
        let opts = DgaOptions { delta: 1.0, missing: 1..=300, prior: NPrior::NegativeBinomial { a: 13.14, b: 55.17 } };
        let post = dga(&t, &opts).unwrap();
        let (g, p) = post.top_graph();
        assert_eq!(g.edges, vec![(0, 1)]);
        assert!((p - 0.3738).abs() < 5e-5, "{p}");
        let one = dga_one_graph(&t, &opts, g).unwrap();
        let (e1, e2) = one.iter().fold((0.0, 0.0), |acc, &(n, p)| (acc.0 + p / n as f64, acc.1 + p / (n as f64).powi(2)));
        assert!((e1 / e2 - 731.07).abs() < 0.005, "{}", e1 / e2);
        let mode = one.iter().fold((0, 0.0), |acc, &(n, p)| if p > acc.1 { (n, p) } else { acc }).0;
        assert_eq!(mode, 729);
        assert_eq!(post.mode(), 728);
    }

    #[test]
    fn madigan_york_five_list_example() {
        let t = table("madigan_york_5lists.csv");
        let post = dga(&t, &DgaOptions { delta: 0.5, missing: 1..=300, prior: NPrior::Inverse }).unwrap();
        assert!((post.mean() - 617.82).abs() < 0.005, "{}", post.mean());
        assert_eq!(post.quantile(0.5), 616);
        assert_eq!((post.quantile(0.025), post.quantile(0.975)), (588, 655));
        assert_eq!(post.mode(), 614);
    }
}
