//! Log-linear models for multiple systems estimation (Fienberg 1972; as in Rcapture).
//!
//! The observed cells of the capture table are Poisson counts with `log μ = Xβ`, where `X` has
//! an intercept, one column per list and one per interaction term of the model. The unobserved
//! cell has every covariate 0, so its expected count is `exp(β₀)` and `N̂ = n + exp(β₀)`.
//! Fitting is iteratively reweighted least squares run to full convergence. The profile
//! likelihood interval follows Cormack (1992): the multinomial profile log-likelihood of `N` is
//! the Poisson fit of the completed table (unobserved cell set to `N − n`) plus a correction.

use std::fmt;

use crate::linalg::{chol_solve, Sym};
use crate::table::Table;

/// A hierarchical log-linear model: every main effect plus a set of interaction terms closed
/// under taking subsets (of two or more lists).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Model {
    n_lists: usize,
    /// Interaction terms as list bitmasks, sorted by (size, mask).
    terms: Vec<usize>,
    /// Two-list terms whose lists share no one (SparseMSE's non-overlapping pairs): the term
    /// would be −∞, so instead every cell containing both lists is left out of the fit.
    removed: Vec<usize>,
}

/// Why a model string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("model {0:?}: write it as generators in brackets, lists numbered from 1, e.g. [12,3] or [12,13,23]")]
    Syntax(String),
    #[error("model {model:?}: list {list} does not exist (the table has {n} lists)")]
    NoSuchList { model: String, list: usize, n: usize },
    #[error("model {0:?}: a term over every list leaves nothing to estimate the unobserved cell with")]
    Saturated(String),
}

impl Model {
    /// Independence: main effects only.
    pub fn independence(n_lists: usize) -> Model {
        Model { n_lists, terms: Vec::new(), removed: Vec::new() }
    }

    /// The hierarchical closure of the given generators.
    pub fn from_generators(n_lists: usize, generators: &[usize]) -> Model {
        let mut terms = Vec::new();
        for &g in generators {
            // Every subset of the generator with at least two lists.
            let mut sub = g;
            loop {
                if sub.count_ones() >= 2 && !terms.contains(&sub) {
                    terms.push(sub);
                }
                if sub == 0 {
                    break;
                }
                sub = (sub - 1) & g;
            }
        }
        terms.sort_by_key(|&t| (t.count_ones(), t));
        Model { n_lists, terms, removed: Vec::new() }
    }

    /// Main effects plus two-list terms; pairs with no observed overlap are handled by removing
    /// their cells (Chan, Silverman and Vincent 2021), not as terms.
    pub fn pairs(table: &Table, pairs: &[usize]) -> Model {
        let overlap = |p: usize| (1..table.counts().len()).filter(|m| m & p == p).map(|m| table.count(m)).sum::<u64>();
        let mut terms: Vec<usize> = pairs.iter().copied().filter(|&p| overlap(p) > 0).collect();
        terms.sort_by_key(|&t| (t.count_ones(), t));
        let removed = pairs.iter().copied().filter(|&p| overlap(p) == 0).collect();
        Model { n_lists: table.n_lists(), terms, removed }
    }

    fn keeps(&self, cell: usize) -> bool {
        // A removed pair p drops every cell that contains both of its lists.
        cell == 0 || self.removed.iter().all(|&p| cell & p != p)
    }

    /// Parses Rcapture's notation: `[12,3]`, `[1,2,3]`, `[]` or `[12,13,23]`.
    pub fn parse(text: &str, n_lists: usize) -> Result<Model, ModelError> {
        let t = text.trim();
        let inner = t.strip_prefix('[').and_then(|s| s.strip_suffix(']')).ok_or_else(|| ModelError::Syntax(text.into()))?;
        let mut gens = Vec::new();
        for g in inner.split(',').map(str::trim).filter(|g| !g.is_empty()) {
            let mut mask = 0usize;
            for c in g.chars() {
                let d = c.to_digit(10).ok_or_else(|| ModelError::Syntax(text.into()))? as usize;
                if d == 0 || d > n_lists {
                    return Err(ModelError::NoSuchList { model: text.into(), list: d, n: n_lists });
                }
                mask |= 1 << (d - 1);
            }
            gens.push(mask);
        }
        let full = (1usize << n_lists) - 1;
        if gens.contains(&full) {
            return Err(ModelError::Saturated(text.into()));
        }
        Ok(Model::from_generators(n_lists, &gens))
    }

    pub fn n_lists(&self) -> usize {
        self.n_lists
    }

    pub fn terms(&self) -> &[usize] {
        &self.terms
    }

    /// Number of parameters: intercept, main effects, interactions.
    pub fn n_params(&self) -> usize {
        1 + self.n_lists + self.terms.len()
    }

    /// The design row of a cell.
    fn row(&self, mask: usize) -> Vec<f64> {
        let mut r = Vec::with_capacity(self.n_params());
        r.push(1.0);
        for j in 0..self.n_lists {
            r.push(if mask & (1 << j) != 0 { 1.0 } else { 0.0 });
        }
        for &t in &self.terms {
            r.push(if mask & t == t { 1.0 } else { 0.0 });
        }
        r
    }

    /// Maximal terms (the generating class), main effects not covered shown alone.
    pub fn generators(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.terms.clone();
        all.extend((0..self.n_lists).map(|j| 1 << j));
        let mut gens: Vec<usize> = all.iter().copied().filter(|&t| !all.iter().any(|&u| u != t && u & t == t)).collect();
        gens.sort_by_key(|&g| (std::cmp::Reverse(g.count_ones()), g.trailing_zeros(), g));
        // Rcapture orders generators by their lowest list, then the rest.
        gens.sort_by_key(|a| lists_of(*a));
        gens
    }

    /// Every hierarchical model with all main effects and terms of at most `n_lists - 1` lists
    /// (113 models for 4 lists, 6,893 for 5), as Rcapture's `closedpMS.t` enumerates them.
    pub fn all_hierarchical(n_lists: usize) -> Vec<Model> {
        let candidates: Vec<usize> = {
            let mut c: Vec<usize> = (1usize..(1 << n_lists) - 1).filter(|m| m.count_ones() >= 2).collect();
            c.sort_by_key(|&t| (t.count_ones(), t));
            c
        };
        let mut out = Vec::new();
        let mut chosen: Vec<usize> = Vec::new();
        fn rec(idx: usize, candidates: &[usize], chosen: &mut Vec<usize>, out: &mut Vec<Model>, n_lists: usize) {
            if idx == candidates.len() {
                let mut terms = chosen.clone();
                terms.sort_by_key(|&t| (t.count_ones(), t));
                out.push(Model { n_lists, terms, removed: Vec::new() });
                return;
            }
            let t = candidates[idx];
            rec(idx + 1, candidates, chosen, out, n_lists);
            // A term may join only if all its one-smaller subsets (of size ≥ 2) are in.
            let ok = (0..n_lists).filter(|j| t & (1 << j) != 0).all(|j| {
                let sub = t & !(1 << j);
                sub.count_ones() < 2 || chosen.contains(&sub)
            });
            if ok {
                chosen.push(t);
                rec(idx + 1, candidates, chosen, out, n_lists);
                chosen.pop();
            }
        }
        rec(0, &candidates, &mut chosen, &mut out, n_lists);
        out
    }
}

fn lists_of(mask: usize) -> Vec<u32> {
    (0..usize::BITS).filter(|j| mask & (1 << j) != 0).collect()
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.generators().iter().map(|&g| lists_of(g).iter().map(|j| (j + 1).to_string()).collect::<String>()).collect();
        write!(f, "[{}]", parts.join(","))?;
        if !self.removed.is_empty() {
            let r: Vec<String> = self.removed.iter().map(|&g| lists_of(g).iter().map(|j| (j + 1).to_string()).collect::<String>()).collect();
            write!(f, " with empty overlaps {}", r.join(","))?;
        }
        Ok(())
    }
}

/// `P(X ≤ k)` for `X ~ Poisson(λ)`, summed in log space.
fn ppois(k: i64, lambda: f64) -> f64 {
    if k < 0 {
        return 0.0;
    }
    if lambda <= 0.0 {
        return 1.0;
    }
    let mut total = 0.0;
    let mut log_term = -lambda;
    for i in 0..=k {
        if i > 0 {
            log_term += lambda.ln() - (i as f64).ln();
        }
        total += log_term.exp();
    }
    total.min(1.0)
}

/// `P(X ≥ k)` for `X ~ Poisson(λ)`, summed upwards in log space (accurate far in the tail).
fn upper_ppois(k: i64, lambda: f64) -> f64 {
    if k <= 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    let mut log_term = -lambda + k as f64 * lambda.ln() - libm::lgamma(k as f64 + 1.0);
    let mut total = 0.0;
    let mut i = k;
    loop {
        let t = log_term.exp();
        total += t;
        if t < total * 1e-18 && (i as f64) > lambda {
            break;
        }
        i += 1;
        log_term += lambda.ln() - (i as f64).ln();
    }
    total.min(1.0)
}

/// The result of SparseMSE's stepwise selection.
#[derive(Clone, Debug)]
pub struct StepwiseEstimate {
    pub estimate: LoglinearEstimate,
    /// Pairs added, in order, as list bitmasks.
    pub pairs: Vec<usize>,
    /// 95% interval from the normal distribution of the intercept (lognormal dark figure).
    pub lower: f64,
    pub upper: f64,
}

/// Whether the maximum likelihood estimate of a model's parameters exists for these data
/// (Fienberg and Rinaldo 2012; the linear-programming test SparseMSE uses). It does not when some
/// direction of the parameters keeps every positive cell's fit unchanged and pushes empty cells
/// towards zero: the LP below finds such a direction, and its optimum is 0 exactly when none
/// exists. `estimate` alone checks only that the unobserved cell is determined; this is stricter.
pub fn mle_exists(table: &Table, model: &Model) -> bool {
    use minilp::{ComparisonOp, OptimizationDirection, Problem};
    let cells: Vec<usize> = (1..1usize << model.n_lists).filter(|&c| model.keeps(c)).collect();
    let rows: Vec<Vec<f64>> = cells.iter().map(|&c| model.row(c)).collect();
    let zero: Vec<bool> = cells.iter().map(|&c| table.count(c) == 0).collect();
    if !zero.iter().any(|&z| z) {
        return true;
    }
    let mut lp = Problem::new(OptimizationDirection::Maximize);
    // maximise the sum over empty cells of z = Xβ, β free.
    let vars: Vec<_> = (0..model.n_params())
        .map(|k| {
            let objective: f64 = rows.iter().zip(&zero).filter(|(_, &z)| z).map(|(r, _)| r[k]).sum();
            lp.add_var(objective, (f64::NEG_INFINITY, f64::INFINITY))
        })
        .collect();
    for (r, &z) in rows.iter().zip(&zero) {
        let expr: Vec<_> = vars.iter().zip(r).filter(|(_, &x)| x != 0.0).map(|(&v, &x)| (v, x)).collect();
        if z {
            lp.add_constraint(expr.as_slice(), ComparisonOp::Ge, 0.0);
            lp.add_constraint(expr.as_slice(), ComparisonOp::Le, 1.0);
        } else {
            lp.add_constraint(expr.as_slice(), ComparisonOp::Eq, 0.0);
        }
    }
    // β = 0 is always feasible, so an error here can only be numerical trouble: treat the model
    // as not estimable rather than select it on a guess.
    match lp.solve() {
        Ok(solution) => solution.objective() < 1e-7,
        Err(_) => false,
    }
}

/// Stepwise selection of two-list effects (Chan, Silverman and Vincent 2021; SparseMSE's
/// `stepwisefit`): from main effects, repeatedly add the pair whose observed overlap is least
/// compatible with the current model (two-sided Poisson p-value), if below `threshold` and if
/// the resulting model's maximum likelihood estimate exists (`mle_exists`) and its estimate of
/// the population is identifiable.
pub fn stepwise(table: &Table, threshold: f64) -> Result<StepwiseEstimate, FitError> {
    let j = table.n_lists();
    let all_pairs: Vec<usize> = (0..j).flat_map(|a| (a + 1..j).map(move |b| (1usize << a) | (1 << b))).collect();
    let overlap = |p: usize| (1..table.counts().len()).filter(|m| m & p == p).map(|m| table.count(m)).sum::<u64>();
    let mut chosen: Vec<usize> = Vec::new();
    let mut current = estimate(table, &Model::pairs(table, &chosen))?;
    loop {
        let model = Model::pairs(table, &chosen);
        let kept: Vec<usize> = (1..1usize << j).filter(|&c| model.keeps(c)).collect();
        let mut best: Option<(f64, usize)> = None;
        for &p in all_pairs.iter().filter(|p| !chosen.contains(p)) {
            let expected: f64 = kept.iter().zip(&current.fit.fitted).filter(|(&c, _)| c & p == p).map(|(_, &m)| m).sum();
            let n_star = overlap(p) as i64;
            let lower_tail = ppois(n_star, expected);
            // SparseMSE takes the upper tail as 1 − P(X < k) in double precision, so an overlap
            // far above its expectation gets p = 0 exactly and wins over any shortfall, however
            // extreme; ties go to the first pair in order. Computing the tail accurately and then
            // rounding the same way reproduces its selections (the Netherlands tables depend on it).
            let upper_tail = 1.0 - (1.0 - upper_ppois(n_star, expected));
            let mut pval = lower_tail.min(upper_tail);
            let mut trial = chosen.clone();
            trial.push(p);
            let trial_model = Model::pairs(table, &trial);
            if !mle_exists(table, &trial_model) || estimate(table, &trial_model).is_err() {
                pval = 1.0;
            }
            if best.is_none_or(|(bp, _)| pval < bp) {
                best = Some((pval, p));
            }
        }
        match best {
            Some((pval, p)) if pval < threshold => {
                chosen.push(p);
                current = estimate(table, &Model::pairs(table, &chosen))?;
            }
            _ => break,
        }
    }
    let n = table.observed() as f64;
    let b0 = current.fit.coefficients[0];
    let sd = current.fit.var_intercept.sqrt();
    Ok(StepwiseEstimate {
        lower: n + (b0 - 1.959_963_984_540_054 * sd).exp(),
        upper: n + (b0 + 1.959_963_984_540_054 * sd).exp(),
        pairs: chosen,
        estimate: current,
    })
}

/// A fitted Poisson log-linear model.
#[derive(Clone, Debug)]
pub struct Fit {
    pub model: Model,
    pub coefficients: Vec<f64>,
    /// Variance of the intercept (the `[0,0]` entry of the inverse information).
    pub var_intercept: f64,
    pub fitted: Vec<f64>,
    /// Poisson log-likelihood of the fitted cells.
    pub loglik: f64,
    pub deviance: f64,
    pub df: i64,
    pub aic: f64,
    pub bic: f64,
    pub iterations: usize,
    pub converged: bool,
}

/// What can go wrong fitting one model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FitError {
    #[error("model {0}: more parameters than observed capture patterns")]
    TooManyParameters(String),
    #[error("model {0}: no maximum likelihood estimate exists for these data (the estimate of the unobserved cell grows without bound)")]
    NoEstimate(String),
    #[error("model {0}: the number unobserved is not identifiable from these data (empty capture patterns leave it undetermined)")]
    NotIdentifiable(String),
    #[error("model {0}: the fit did not converge")]
    NoConvergence(String),
}

/// An estimate of the population size from one model.
#[derive(Clone, Debug)]
pub struct LoglinearEstimate {
    pub fit: Fit,
    pub n_observed: u64,
    /// `n + exp(β₀)`.
    pub estimate: f64,
    pub stderr: f64,
}

/// Fits `model` to the observed cells, and with `unobserved = Some(n0)` also to cell 0.
/// `tolerance` is glm's: stop when the deviance changes by less than this fraction. With 1e-8
/// (R's default) the coefficients and their covariance match R's `glm` digit for digit, because
/// the covariance comes from the weights of the last iteration, as in R.
fn irls(model: &Model, table: &Table, unobserved: Option<f64>) -> Result<Fit, FitError> {
    irls_with(model, table, unobserved, None, 1e-8, 100)
}

/// With `fixed_intercept = Some(b)`, β₀ is held at `b` and the other coefficients are fitted.
fn irls_with(model: &Model, table: &Table, unobserved: Option<f64>, fixed_intercept: Option<f64>, tolerance: f64, max_iter: usize) -> Result<Fit, FitError> {
    let cells: Vec<usize> = match unobserved {
        Some(_) => (0..1usize << model.n_lists).filter(|&c| model.keeps(c)).collect(),
        None => (1..1usize << model.n_lists).filter(|&c| model.keeps(c)).collect(),
    };
    let y: Vec<f64> = cells.iter().map(|&m| if m == 0 { unobserved.unwrap_or(0.0) } else { table.count(m) as f64 }).collect();
    let skip = usize::from(fixed_intercept.is_some());
    let offset = fixed_intercept.unwrap_or(0.0);
    let x: Vec<Vec<f64>> = cells.iter().map(|&m| model.row(m)[skip..].to_vec()).collect();
    let p = model.n_params() - skip;
    if p > cells.len() {
        return Err(FitError::TooManyParameters(model.to_string()));
    }
    let mut mu: Vec<f64> = y.iter().map(|v| v + 0.1).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut beta = vec![0.0; p];
    let mut dev_old = f64::INFINITY;
    let mut converged = false;
    let mut iterations = 0;
    let mut last_l: Option<Vec<f64>> = None;
    for it in 0..max_iter {
        iterations = it + 1;
        let mut xtwx = Sym::zeros(p);
        let mut xtwz = vec![0.0; p];
        for (i, row) in x.iter().enumerate() {
            let w = mu[i];
            let z = eta[i] - offset + (y[i] - mu[i]) / mu[i];
            for a in 0..p {
                if row[a] == 0.0 {
                    continue;
                }
                xtwz[a] += row[a] * w * z;
                for b in 0..=a {
                    if row[b] != 0.0 {
                        xtwx.add(a, b, row[a] * row[b] * w);
                    }
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                let v = xtwx.at(a, b);
                xtwx.a[b * p + a] = v;
            }
        }
        let l = match xtwx.cholesky() {
            Some(l) => l,
            None => break,
        };
        beta = chol_solve(&l, p, &xtwz);
        last_l = Some(l);
        for (i, row) in x.iter().enumerate() {
            eta[i] = offset + row.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>();
            mu[i] = eta[i].exp().max(1e-300);
        }
        let dev = deviance(&y, &mu);
        if (dev - dev_old).abs() / (dev.abs() + 0.1) < tolerance {
            converged = true;
            break;
        }
        dev_old = dev;
    }
    let dev = deviance(&y, &mu);
    // The intercept's variance: [0,0] of (XᵀWX)⁻¹ with the weights of the last iteration.
    let var_intercept = match &last_l {
        Some(l) => {
            let mut e0 = vec![0.0; p];
            e0[0] = 1.0;
            chol_solve(l, p, &e0)[0]
        }
        None => f64::INFINITY,
    };
    let loglik: f64 = y.iter().zip(&mu).map(|(&yi, &mi)| if mi > 0.0 { yi * mi.ln() - mi - libm::lgamma(yi + 1.0) } else { 0.0 }).sum();
    let n_obs: f64 = table.observed() as f64;
    let aic = -2.0 * loglik + 2.0 * p as f64;
    let bic = aic + (n_obs.ln() - 2.0) * p as f64;
    if let Some(b) = fixed_intercept {
        beta.insert(0, b);
    }
    Ok(Fit {
        loglik,
        model: model.clone(),
        coefficients: beta,
        var_intercept,
        fitted: mu,
        deviance: dev,
        df: cells.len() as i64 - p as i64,
        aic,
        bic,
        iterations,
        converged,
    })
}

fn deviance(y: &[f64], mu: &[f64]) -> f64 {
    2.0 * y.iter().zip(mu).map(|(&yi, &mi)| if yi > 0.0 { yi * (yi / mi).ln() - (yi - mi) } else { mi }).sum::<f64>()
}

/// Fits a model and estimates the population size, refusing models whose estimate does not
/// exist or is not identifiable (Chan, Silverman and Vincent 2021) rather than printing a number.
pub fn estimate(table: &Table, model: &Model) -> Result<LoglinearEstimate, FitError> {
    let name = model.to_string();
    let fit = irls(model, table, None)?;
    let n = table.observed();
    let ln_n = (n.max(1) as f64).ln();
    let kept: Vec<usize> = (1..1usize << model.n_lists).filter(|&c| model.keeps(c)).collect();
    let on_boundary = fit.fitted.iter().zip(&kept).any(|(&m, &c)| m < 1e-6 && table.count(c) == 0);
    let b0 = fit.coefficients[0];
    if !b0.is_finite() {
        return Err(FitError::NoEstimate(name));
    }
    if on_boundary || b0 > ln_n + 3.0 || !fit.converged {
        // Some cells are being fitted towards zero, or β₀ is running away. Profile the
        // likelihood over β₀ (Chan, Silverman and Vincent 2021): if it keeps rising as the
        // unobserved count grows, no estimate exists; if it is flat both ways, the data cannot
        // tell how many were unobserved.
        let at = |b: f64| irls_with(model, table, None, Some(b), 1e-10, 100).map(|f| f.loglik);
        let (b_lo, b_hi) = (ln_n - 3.0, ln_n + 12.0);
        let (l_lo, l_hi) = (at(b_lo)?, at(b_hi)?);
        let l_fit = if fit.converged && b0 > b_lo && b0 < b_hi { fit.loglik } else { f64::NEG_INFINITY };
        let best = l_fit.max(l_lo).max(l_hi);
        let flat_lo = l_lo >= best - 1e-3;
        let flat_hi = l_hi >= best - 1e-3;
        if flat_lo && flat_hi {
            return Err(FitError::NotIdentifiable(name));
        }
        if flat_hi {
            return Err(FitError::NoEstimate(name));
        }
        if b0 >= b_hi || !b0.is_finite() {
            return Err(FitError::NoEstimate(name));
        }
    }
    if !fit.converged {
        return Err(FitError::NoConvergence(name));
    }
    let unobserved = b0.exp();
    let stderr = (unobserved + unobserved * unobserved * fit.var_intercept).sqrt();
    Ok(LoglinearEstimate { estimate: n as f64 + unobserved, stderr, n_observed: n, fit })
}

/// Rcapture's multinomial profile log-likelihood of `N` with Cormack's correction.
pub fn profile_loglik(table: &Table, model: &Model, big_n: f64) -> Result<f64, FitError> {
    let n = table.observed() as f64;
    let n0 = big_n - n;
    let fit = irls(model, table, Some(n0))?;
    let total = big_n;
    let ct = if total > 100.0 {
        if n0 == 0.0 || n0 == 1.0 {
            -total + 0.5 * (2.0 * std::f64::consts::PI * total).ln()
        } else {
            n0 - total - 0.5 * (n0 / total).ln()
        }
    } else {
        let n0ln = if n0 > 0.0 { n0 * n0.ln() } else { 0.0 };
        n0ln + libm::lgamma(total + 1.0) - total * total.ln() - libm::lgamma(n0 + 1.0)
    };
    Ok((fit.deviance - 2.0 * ct) / -2.0)
}

/// A profile-likelihood interval.
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileInterval {
    /// The `N` maximising the profile likelihood.
    pub mle: f64,
    pub lower: f64,
    /// `None` when the likelihood has not dropped enough by `3 × N̂` (reported as "> 3N̂").
    pub upper: Option<f64>,
    pub upper_search_limit: f64,
}

/// The 95% profile-likelihood interval (chi-square cut 3.8415/2), as Rcapture's `closedpCI.t`.
pub fn profile_interval(table: &Table, model: &Model, poisson_estimate: f64) -> Result<ProfileInterval, FitError> {
    let n = table.observed() as f64;
    let f = |x: f64| profile_loglik(table, model, x);
    let hi = 3.0 * poisson_estimate;
    // Golden-section search for the maximum (the profile is unimodal).
    let (mut a, mut b) = (n, hi);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let mut fc = f(c)?;
    let mut fd = f(d)?;
    while (b - a).abs() > 1e-7 * (1.0 + a.abs()) {
        if fc > fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c)?;
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d)?;
        }
    }
    let mle = (a + b) / 2.0;
    let lmax = f(mle)?;
    let cut = lmax - 3.841_458_820_694_124 / 2.0;
    let root = |lo: f64, hi: f64| -> Result<Option<f64>, FitError> {
        let (mut lo, mut hi) = (lo, hi);
        let (flo, fhi) = (f(lo)? - cut, f(hi)? - cut);
        if flo.signum() == fhi.signum() {
            return Ok(None);
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            let fm = f(mid)? - cut;
            if fm.signum() == flo.signum() {
                lo = mid;
            } else {
                hi = mid;
            }
            if hi - lo < 1e-9 * (1.0 + mid.abs()) {
                break;
            }
        }
        Ok(Some(0.5 * (lo + hi)))
    };
    let lower = root(n, mle)?.unwrap_or(n);
    let upper = root(mle, hi)?;
    Ok(ProfileInterval { mle, lower, upper, upper_search_limit: hi })
}

/// One row of a model search.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub model: Model,
    pub result: Result<LoglinearEstimate, FitError>,
}

/// Fits every hierarchical model (see `Model::all_hierarchical`), best BIC first; models that
/// could not be estimated come last with their reason.
pub fn exhaustive(table: &Table) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Model::all_hierarchical(table.n_lists()).into_iter().map(|m| Candidate { result: estimate(table, &m), model: m }).collect();
    out.sort_by(|a, b| match (&a.result, &b.result) {
        (Ok(x), Ok(y)) => x.fit.bic.total_cmp(&y.fit.bic),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => std::cmp::Ordering::Equal,
    });
    out
}

/// Percentile bootstrap interval for the stepwise estimate, re-running the whole selection in
/// each replicate so the interval reflects model uncertainty too. Replicates resample the
/// observed people (multinomial over capture patterns, n fixed); ones where no estimate exists
/// are counted and reported, not silently dropped.
pub fn stepwise_bootstrap(table: &Table, threshold: f64, replicates: usize, seed: u64) -> (f64, f64, usize) {
    use rand::SeedableRng;
    use rand_distr::{Binomial, Distribution};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let n = table.observed();
    let cells: Vec<usize> = (1..table.counts().len()).collect();
    let mut estimates = Vec::with_capacity(replicates);
    let mut failed = 0;
    for _ in 0..replicates {
        let mut counts = vec![0u64; table.counts().len()];
        let mut remaining = n;
        let mut mass = n as f64;
        for &c in &cells {
            if remaining == 0 {
                break;
            }
            let p = (table.count(c) as f64 / mass).clamp(0.0, 1.0);
            let x = if p >= 1.0 { remaining } else { Binomial::new(remaining, p).expect("probability in [0, 1]").sample(&mut rng) };
            counts[c] = x;
            remaining -= x;
            mass -= table.count(c) as f64;
        }
        let t = Table::new(table.lists().to_vec(), counts);
        match stepwise(&t, threshold) {
            Ok(r) => estimates.push(r.estimate.estimate),
            Err(_) => failed += 1,
        }
    }
    estimates.sort_by(f64::total_cmp);
    if estimates.is_empty() {
        return (f64::NAN, f64::NAN, failed);
    }
    let q = |p: f64| estimates[((estimates.len() - 1) as f64 * p).round() as usize];
    (q(0.025), q(0.975), failed)
}

#[cfg(test)]
mod tests;
