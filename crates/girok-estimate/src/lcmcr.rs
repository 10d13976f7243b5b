//! The Bayesian non-parametric latent class model for capture–recapture (Manrique-Vallier 2016,
//! Biometrics; the LCMCR package).
//!
//! People fall into latent classes (a truncated stick-breaking Dirichlet process with `K`
//! classes); within a class, lists record people independently with class-specific
//! probabilities. Heterogeneous capture, the usual reason log-linear models fail, is absorbed by
//! the classes. The Gibbs sampler here works on counts per capture pattern and class rather
//! than per person, so an iteration costs `O(patterns × K × J)` whatever the population size.
//! Randomness comes only from the seed: the same seed gives bit-identical draws.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The chains' generator: xoshiro256++ is several times cheaper per draw than ChaCha, and the
/// sampler draws a few hundred numbers per iteration. Seeded, portable, reproducible.
type ChainRng = Xoshiro256PlusPlus;
use rand_distr::{Binomial, Distribution, Gamma, Poisson, StandardNormal};

use crate::table::Table;

/// Sampler settings. The defaults are LCMCR's: K = 10, Gamma(0.25, 0.25) on the concentration,
/// 10,000 burn-in iterations, 1,000 samples 100 iterations apart.
#[derive(Clone, Debug)]
pub struct LcmcrOptions {
    pub k: usize,
    pub burn_in: usize,
    pub samples: usize,
    pub thinning: usize,
    pub chains: usize,
    pub seed: u64,
    pub alpha_prior: (f64, f64),
}

impl Default for LcmcrOptions {
    fn default() -> Self {
        LcmcrOptions { k: 10, burn_in: 10_000, samples: 1_000, thinning: 100, chains: 4, seed: 1, alpha_prior: (0.25, 0.25) }
    }
}

/// Draws of `N` from all chains, with convergence diagnostics.
#[derive(Clone, Debug)]
pub struct LcmcrResult {
    /// `chains[c]` holds chain `c`'s draws of N.
    pub chains: Vec<Vec<u64>>,
    pub rhat: f64,
    pub ess: f64,
    pub warnings: Vec<String>,
}

/// Why the sampler could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LcmcrError {
    #[error("the latent class model needs at least 3 lists (this table has {0})")]
    TooFewLists(usize),
    #[error("K must be between 2 and 64")]
    TooFewClasses,
    #[error("the table has no observations")]
    Empty,
}

/// One chain's state, all aggregated by capture pattern.
struct Chain {
    rng: ChainRng,
    j: usize,
    k: usize,
    patterns: Vec<(usize, u64)>,
    n_obs: u64,
    /// λ[l * k + c]: probability that list l records a member of class c. List-major, so the
    /// per-class loops below run over contiguous memory and vectorise.
    lambda: Vec<f64>,
    /// 1 − λ, same layout, kept beside λ so a pattern's weights are plain products.
    miss: Vec<f64>,
    pi: Vec<f64>,
    alpha: f64,
    n0: u64,
    alpha_prior: (f64, f64),
    // Scratch space reused across iterations.
    class_count: Vec<u64>,
    list_count: Vec<u64>,
    weights: Vec<f64>,
    /// Classes of the unobserved, from the last scan.
    count0: Vec<u64>,
    /// One pattern's people per class, in the scan.
    alloc: Vec<u64>,
}

/// Gamma(shape ≥ 1, scale 1) by Marsaglia and Tsang (2000); a few nanoseconds, no setup.
fn gamma_ge1(rng: &mut ChainRng, shape: f64) -> f64 {
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x: f64 = StandardNormal.sample(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u: f64 = rng.gen();
        if u < 1.0 - 0.0331 * x * x * x * x || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

/// Beta(a, b) for a, b ≥ 1, the only case the sampler needs: exact shortcuts when either is 1
/// (empty classes draw from the flat prior), two gammas otherwise.
fn beta_ge1(rng: &mut ChainRng, a: f64, b: f64) -> f64 {
    if a == 1.0 && b == 1.0 {
        return rng.gen();
    }
    if a == 1.0 {
        return 1.0 - rng.gen::<f64>().powf(1.0 / b);
    }
    if b == 1.0 {
        return rng.gen::<f64>().powf(1.0 / a);
    }
    let x = gamma_ge1(rng, a);
    let y = gamma_ge1(rng, b);
    x / (x + y)
}

/// Draws a multinomial allocation of `total` over `probs` (unnormalised), adding into `out`.
fn multinomial(rng: &mut ChainRng, total: u64, probs: &[f64], out: &mut [u64]) {
    let k = probs.len();
    // Suffix sums computed from the small end, so the conditional probabilities stay accurate
    // when the weights span many orders of magnitude (a running "mass -= p" does not).
    let mut suffix = [0.0f64; 64];
    let mut acc = 0.0;
    for i in (0..k).rev() {
        acc += probs[i];
        suffix[i] = acc;
    }
    let mut remaining = total;
    for i in 0..k {
        if remaining == 0 {
            break;
        }
        if i == k - 1 {
            out[i] += remaining;
            break;
        }
        if remaining < 16 {
            // Few people left: draw each one's class directly among the classes not yet
            // visited (cheaper than one binomial per class).
            for _ in 0..remaining {
                let mut u = rng.gen::<f64>() * suffix[i];
                let mut idx = k - 1;
                for (c, &p) in probs.iter().enumerate().skip(i) {
                    if u < p {
                        idx = c;
                        break;
                    }
                    u -= p;
                }
                out[idx] += 1;
            }
            break;
        }
        let q = if suffix[i] > 0.0 { (probs[i] / suffix[i]).clamp(0.0, 1.0) } else { 1.0 / (k - i) as f64 };
        let x = if q >= 1.0 { remaining } else { Binomial::new(remaining, q).expect("probability in [0, 1]").sample(rng) };
        out[i] += x;
        remaining -= x;
    }
}

impl Chain {
    /// Starts the way LCMCR does: capture probabilities at each list's overall rate, most weight
    /// on four classes, a small concentration, then a warm-up without updating the
    /// concentration, and classes reordered by weight. Starting every chain in the same
    /// reasonable place makes the chains comparable; the seed decides everything after.
    fn new(table: &Table, opts: &LcmcrOptions, seed: u64) -> Chain {
        let j = table.n_lists();
        let k = opts.k;
        let rng = ChainRng::seed_from_u64(seed);
        let patterns: Vec<(usize, u64)> = (1..1usize << j).map(|m| (m, table.count(m))).filter(|&(_, c)| c > 0).collect();
        let n = table.observed().max(1) as f64;
        let mut lambda = vec![0.0; k * j];
        for l in 0..j {
            let p = (table.list_total(l) as f64 / n).clamp(1e-3, 1.0 - 1e-3);
            lambda[l * k..(l + 1) * k].fill(p);
        }
        let miss = lambda.iter().map(|p| 1.0 - p).collect();
        let big = k.min(4);
        let pi: Vec<f64> = (0..k)
            .map(|c| {
                if k <= 4 {
                    1.0 / k as f64
                } else if c < big {
                    0.25 * 0.9
                } else {
                    0.1 / (k - big) as f64
                }
            })
            .collect();
        let mut chain = Chain {
            rng,
            j,
            k,
            n_obs: table.observed(),
            patterns,
            lambda,
            miss,
            pi,
            alpha: 0.3 / k as f64,
            n0: 0,
            alpha_prior: opts.alpha_prior,
            class_count: vec![0; k],
            list_count: vec![0; k * j],
            weights: vec![0.0; k],
            count0: vec![0; k],
            alloc: vec![0; k],
        };
        for _ in 0..500 {
            chain.step_inner(false);
        }
        chain.reorder_by_weight();
        chain
    }

    fn reorder_by_weight(&mut self) {
        let (j, k) = (self.j, self.k);
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| self.pi[b].total_cmp(&self.pi[a]));
        let pi: Vec<f64> = order.iter().map(|&c| self.pi[c]).collect();
        let count0: Vec<u64> = order.iter().map(|&c| self.count0[c]).collect();
        let permute = |v: &[f64]| -> Vec<f64> { (0..j).flat_map(|l| order.iter().map(move |&old| v[l * k + old])).collect() };
        self.lambda = permute(&self.lambda);
        self.miss = permute(&self.miss);
        self.pi = pi;
        self.count0 = count0;
    }

    fn step(&mut self) {
        self.step_inner(true);
    }

    /// One Gibbs scan in LCMCR's order: observed classes, capture probabilities, class
    /// weights, the unobserved count and their classes, then the concentration.
    fn step_inner(&mut self, update_alpha: bool) {
        let (j, k) = (self.j, self.k);
        // The unobserved (from the previous scan) count towards classes and non-captures.
        self.class_count.copy_from_slice(&self.count0);
        self.list_count.iter_mut().for_each(|c| *c = 0);
        // 1. Allocate each observed capture pattern's people to classes.
        for pi in 0..self.patterns.len() {
            let (mask, count) = self.patterns[pi];
            self.weights.copy_from_slice(&self.pi);
            for l in 0..j {
                let f = if mask & (1 << l) != 0 { &self.lambda[l * k..(l + 1) * k] } else { &self.miss[l * k..(l + 1) * k] };
                self.weights.iter_mut().zip(f).for_each(|(w, f)| *w *= f);
            }
            self.alloc.iter_mut().for_each(|a| *a = 0);
            multinomial(&mut self.rng, count, &self.weights, &mut self.alloc);
            self.class_count.iter_mut().zip(&self.alloc).for_each(|(t, n)| *t += n);
            for l in (0..j).filter(|l| mask & (1 << l) != 0) {
                self.list_count[l * k..(l + 1) * k].iter_mut().zip(&self.alloc).for_each(|(t, n)| *t += n);
            }
        }
        // 2. Capture probabilities per class and list.
        for c in 0..k {
            for l in 0..j {
                let s = self.list_count[l * k + c] as f64;
                let f = self.class_count[c] as f64 - s;
                let lam = beta_ge1(&mut self.rng, 1.0 + s, 1.0 + f);
                self.lambda[l * k + c] = lam;
                self.miss[l * k + c] = 1.0 - lam;
            }
        }
        // 3. Stick-breaking class weights. log(1 − V) is kept exactly: behind the last occupied
        // class V ~ Beta(1, α) with α small, so 1 − V is often far below 1e-12, and those terms
        // drive the concentration's update. Clamping them biased α (and so N) upwards.
        let mut tail: u64 = self.class_count.iter().sum();
        // `remaining` gives the weights and may underflow harmlessly; Σ log(1 − V) is kept as
        // log_acc plus a product that is folded into it before it could underflow (one log per
        // fold rather than one per class).
        let mut remaining = 1.0f64;
        let (mut prod, mut log_acc) = (1.0f64, 0.0f64);
        for c in 0..k {
            tail -= self.class_count[c];
            if c == k - 1 {
                self.pi[c] = remaining;
                break;
            }
            let b = self.alpha + tail as f64;
            let a = 1.0 + self.class_count[c] as f64;
            if b >= 1.0 {
                let v = beta_ge1(&mut self.rng, a, b);
                let rest = (1.0 - v).max(1e-300);
                self.pi[c] = v * remaining;
                remaining *= rest;
                prod *= rest;
                if prod < 1e-250 {
                    log_acc += prod.ln();
                    prod = 1.0;
                }
            } else if a == 1.0 {
                // An empty class with nothing after it: V ~ Beta(1, b), so 1 − V = U^(1/b)
                // exactly, taken in logs (it underflows for small b).
                let log_rest = (1.0 - self.rng.gen::<f64>()).ln() / b;
                // One exponential, taken in the form that keeps both V and 1 − V accurate.
                let (v, rest) = if log_rest < -0.5 {
                    let e = log_rest.exp();
                    (1.0 - e, e)
                } else {
                    let m = log_rest.exp_m1();
                    (-m, 1.0 + m)
                };
                self.pi[c] = v * remaining;
                remaining *= rest;
                log_acc += log_rest;
            } else {
                // Only the classes after the last occupied one see b < 1 (α small and nothing
                // after them): Y ~ Gamma(b) as Gamma(b + 1)·U^(1/b), in logs since U^(1/b)
                // underflows; V = X / (X + Y).
                let log_x = gamma_ge1(&mut self.rng, a).ln();
                let log_y = gamma_ge1(&mut self.rng, b + 1.0).ln() + (1.0 - self.rng.gen::<f64>()).ln() / b;
                let m = log_x.max(log_y);
                let log_sum = m + (-(log_x - log_y).abs()).exp().ln_1p();
                let log_rest = log_y - log_sum;
                self.pi[c] = (log_x - log_sum).exp() * remaining;
                remaining *= log_rest.exp();
                log_acc += log_rest;
            }
        }
        let log_tail = log_acc + prod.ln();
        // 4. The unobserved: how many (negative binomial under the 1/N prior), and their classes.
        self.weights.copy_from_slice(&self.pi);
        for l in 0..j {
            self.weights.iter_mut().zip(&self.miss[l * k..(l + 1) * k]).for_each(|(w, f)| *w *= f);
        }
        let pi0: f64 = self.weights.iter().sum();
        let pi0 = pi0.clamp(1e-300, 1.0 - 1e-12);
        // n0 ~ NegBin(n, 1 − π0), drawn as a gamma–Poisson mixture.
        let rate = Gamma::new(self.n_obs as f64, pi0 / (1.0 - pi0)).expect("positive shape and scale").sample(&mut self.rng);
        self.n0 = if rate > 0.0 { Poisson::new(rate).map(|p| p.sample(&mut self.rng) as u64).unwrap_or(0) } else { 0 };
        self.count0.iter_mut().for_each(|a| *a = 0);
        multinomial(&mut self.rng, self.n0, &self.weights, &mut self.count0);
        // 5. The concentration α.
        if update_alpha {
            let (a, b) = self.alpha_prior;
            self.alpha = Gamma::new(a + k as f64 - 1.0, 1.0 / (b - log_tail)).expect("positive parameters").sample(&mut self.rng).max(1e-6);
        }
    }
}

/// Runs the sampler; chains run on separate threads and are identical to sequential runs.
pub fn lcmcr(table: &Table, opts: &LcmcrOptions) -> Result<LcmcrResult, LcmcrError> {
    if table.n_lists() < 3 {
        return Err(LcmcrError::TooFewLists(table.n_lists()));
    }
    if !(2..=64).contains(&opts.k) {
        return Err(LcmcrError::TooFewClasses);
    }
    if table.observed() == 0 {
        return Err(LcmcrError::Empty);
    }
    let run = |c: usize| -> Vec<u64> {
        let mut chain = Chain::new(table, opts, opts.seed.wrapping_mul(1_000_003).wrapping_add(c as u64));
        for _ in 0..opts.burn_in {
            chain.step();
        }
        let mut draws = Vec::with_capacity(opts.samples);
        for _ in 0..opts.samples {
            for _ in 0..opts.thinning.max(1) {
                chain.step();
            }
            draws.push(chain.n_obs + chain.n0);
        }
        draws
    };
    let chains: Vec<Vec<u64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..opts.chains.max(1)).map(|c| s.spawn(move || run(c))).collect();
        handles.into_iter().map(|h| h.join().expect("a chain does not panic")).collect()
    });
    let as_f: Vec<Vec<f64>> = chains.iter().map(|c| c.iter().map(|&x| x as f64).collect()).collect();
    let (rhat, ess) = crate::diagnostics::split_rhat_ess(&as_f);
    let mut warnings = Vec::new();
    if rhat > 1.1 {
        let medians: Vec<String> = chains.iter().map(|c| format!("{:.0}", crate::diagnostics::median_u64(c))).collect();
        warnings.push(format!(
            "the chains disagree (split R-hat {rhat:.2} > 1.1; chain medians {}): the sampler has not converged and this estimate must not be reported; try more iterations or a different K",
            medians.join(", ")
        ));
    }
    if ess < 100.0 {
        warnings.push(format!("effective sample size is only {ess:.0}; interval ends are unreliable"));
    }
    Ok(LcmcrResult { chains, rhat, ess, warnings })
}

impl LcmcrResult {
    pub fn pooled(&self) -> Vec<u64> {
        let mut all: Vec<u64> = self.chains.iter().flatten().copied().collect();
        all.sort_unstable();
        all
    }

    pub fn quantile(&self, q: f64) -> f64 {
        crate::diagnostics::quantile_sorted(&self.pooled(), q)
    }

    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }
}

/// Microseconds per Gibbs iteration on `table` at `k` classes (for the benchmark).
pub fn time_per_iteration(table: &Table, k: usize, iterations: usize) -> f64 {
    let opts = LcmcrOptions { k, ..Default::default() };
    let mut chain = Chain::new(table, &opts, 7);
    let t = std::time::Instant::now();
    for _ in 0..iterations {
        chain.step();
    }
    t.elapsed().as_secs_f64() * 1e6 / iterations as f64
}

#[cfg(test)]
mod tests;
