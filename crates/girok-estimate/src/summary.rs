//! One shape for every method's answer, so users can put methods side by side, and the sum of
//! strata.

use crate::dga::{dga, DgaOptions};
use crate::lcmcr::{lcmcr, LcmcrOptions};
use crate::loglinear::{estimate, exhaustive, profile_interval, stepwise, stepwise_bootstrap, Model};
use crate::table::Table;

/// A method's estimate of the total population, observed plus unobserved.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub method: &'static str,
    /// Point estimate of N (Poisson MLE for log-linear; posterior median for Bayesian methods).
    pub estimate: f64,
    /// 95% interval; `upper` is `None` when it could not be bounded.
    pub lower: f64,
    pub upper: Option<f64>,
    pub observed: u64,
    pub model: String,
    pub warnings: Vec<String>,
    /// Posterior draws of N, for summing strata (Bayesian methods only).
    pub draws: Vec<f64>,
}

/// Why a method produced no estimate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MethodError {
    #[error(transparent)]
    Model(#[from] crate::loglinear::ModelError),
    #[error(transparent)]
    Fit(#[from] crate::loglinear::FitError),
    #[error(transparent)]
    Dga(#[from] crate::dga::DgaError),
    #[error(transparent)]
    Lcmcr(#[from] crate::lcmcr::LcmcrError),
    #[error("no hierarchical log-linear model could be fitted to this table")]
    NoModel,
    #[error("{}", crate::table::NO_OVERLAP)]
    NoOverlap,
    #[error("an exhaustive model search over {0} lists is too large (more than 6,893 models); give --model or merge lists")]
    SearchTooLarge(usize),
}

/// Log-linear: the given model, or the BIC-best of an exhaustive search, with Rcapture's
/// profile-likelihood interval.
pub fn loglinear(table: &Table, model: Option<&str>) -> Result<Summary, MethodError> {
    if !table.has_overlap() {
        return Err(MethodError::NoOverlap);
    }
    let mut warnings = table.warnings();
    let (model, est) = match model {
        Some(m) => {
            let m = Model::parse(m, table.n_lists())?;
            let e = estimate(table, &m)?;
            (m, e)
        }
        None => {
            if table.n_lists() > 5 {
                return Err(MethodError::SearchTooLarge(table.n_lists()));
            }
            let ranked = exhaustive(table);
            let best = ranked.into_iter().find_map(|c| c.result.ok()).ok_or(MethodError::NoModel)?;
            warnings.push(format!("model {} chosen by BIC among all hierarchical models; the interval does not account for the choice", best.fit.model));
            (best.fit.model.clone(), best)
        }
    };
    let ci = profile_interval(table, &model, est.estimate)?;
    if ci.upper.is_none() {
        warnings.push(format!("the upper bound exceeds {:.0} (3 × the estimate): the data do not bound it", ci.upper_search_limit));
    }
    Ok(Summary {
        method: "loglinear",
        estimate: est.estimate,
        lower: ci.lower,
        upper: ci.upper,
        observed: table.observed(),
        model: model.to_string(),
        warnings,
        draws: Vec::new(),
    })
}

/// SparseMSE's stepwise selection with its model-conditional interval, plus a bootstrap
/// interval that repeats the selection in every replicate.
pub fn stepwise_summary(table: &Table, replicates: usize, seed: u64) -> Result<Summary, MethodError> {
    let mut warnings = table.warnings();
    let r = stepwise(table, 0.02)?;
    let names: Vec<String> =
        r.pairs.iter().map(|&p| (0..table.n_lists()).filter(|j| p & (1 << j) != 0).map(|j| table.lists()[j].clone()).collect::<Vec<_>>().join(":")).collect();
    let mut model = format!("stepwise (p < 0.02): main effects{}", if names.is_empty() { String::new() } else { format!(" + {}", names.join(" + ")) });
    if replicates > 0 {
        let (lo, hi, failed) = stepwise_bootstrap(table, 0.02, replicates, seed);
        model.push_str(&format!("; bootstrap 95% with selection in each of {replicates} replicates: [{lo:.0}, {hi:.0}]"));
        if failed > 0 {
            warnings.push(format!("{failed} of {replicates} bootstrap replicates had no estimate"));
        }
    }
    warnings.push("the interval is conditional on the selected model; see the bootstrap interval for selection uncertainty".into());
    Ok(Summary {
        method: "stepwise",
        estimate: r.estimate.estimate,
        lower: r.lower,
        upper: Some(r.upper),
        observed: table.observed(),
        model,
        warnings,
        draws: Vec::new(),
    })
}

/// Madigan–York model averaging, posterior median and 95% interval.
pub fn dga_summary(table: &Table, opts: &DgaOptions) -> Result<Summary, MethodError> {
    let mut warnings = table.warnings();
    let post = dga(table, opts)?;
    if post.mass_at_upper_end() > 1e-3 {
        warnings.push("the posterior is cut off at the top of the range of unobserved counts; widen it".into());
    }
    let (g, p) = post.top_graph();
    // Draws for summing strata: a deterministic quantile grid of the posterior.
    let draws: Vec<f64> = (0..2000).map(|i| post.quantile((i as f64 + 0.5) / 2000.0) as f64).collect();
    Ok(Summary {
        method: "dga",
        estimate: post.quantile(0.5) as f64,
        lower: post.quantile(0.025) as f64,
        upper: Some(post.quantile(0.975) as f64),
        observed: table.observed(),
        model: format!("model average over {} decomposable graphs; most probable {g} (p = {p:.3})", post.graphs.len()),
        warnings,
        draws,
    })
}

/// Latent class model, posterior median and 95% interval over all chains.
pub fn lcmcr_summary(table: &Table, opts: &LcmcrOptions) -> Result<Summary, MethodError> {
    let mut warnings = table.warnings();
    let r = lcmcr(table, opts)?;
    warnings.extend(r.warnings.iter().cloned());
    Ok(Summary {
        method: "lcmcr",
        estimate: r.median(),
        lower: r.quantile(0.025),
        upper: Some(r.quantile(0.975)),
        observed: table.observed(),
        model: format!("K = {}, {} chains × {} draws, split R-hat {:.3}, ESS {:.0}", opts.k, r.chains.len(), opts.samples, r.rhat, r.ess),
        warnings,
        draws: r.pooled().into_iter().map(|x| x as f64).collect(),
    })
}

/// Combines strata (periods, provinces, act types) into a total. Bayesian draws are summed
/// draw by draw (after shuffling each stratum's draws with the seed, since strata are
/// independent); log-linear estimates add, and their interval is a normal approximation from
/// the strata's half-widths, flagged as such.
pub fn combine(strata: &[Summary], seed: u64) -> Option<Summary> {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let first = strata.first()?;
    let observed = strata.iter().map(|s| s.observed).sum();
    let mut warnings: Vec<String> = strata.iter().flat_map(|s| s.warnings.iter().cloned()).collect();
    if strata.iter().all(|s| !s.draws.is_empty()) {
        let len = strata.iter().map(|s| s.draws.len()).min().unwrap_or(0);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut total = vec![0.0; len];
        for s in strata {
            let mut d = s.draws.clone();
            d.shuffle(&mut rng);
            for (t, x) in total.iter_mut().zip(d) {
                *t += x;
            }
        }
        total.sort_by(f64::total_cmp);
        let q = |p: f64| total[((total.len() - 1) as f64 * p).round() as usize];
        return Some(Summary {
            method: first.method,
            estimate: q(0.5),
            lower: q(0.025),
            upper: Some(q(0.975)),
            observed,
            model: format!("sum of {} strata", strata.len()),
            warnings,
            draws: total,
        });
    }
    let estimate: f64 = strata.iter().map(|s| s.estimate).sum();
    let var: f64 = strata.iter().map(|s| ((s.upper.unwrap_or(f64::INFINITY) - s.lower) / (2.0 * 1.96)).powi(2)).sum();
    warnings.push("the total's interval is a normal approximation from the strata's profile intervals".into());
    Some(Summary {
        method: first.method,
        estimate,
        lower: (estimate - 1.96 * var.sqrt()).max(observed as f64),
        upper: if var.is_finite() { Some(estimate + 1.96 * var.sqrt()) } else { None },
        observed,
        model: format!("sum of {} strata", strata.len()),
        warnings,
        draws: Vec::new(),
    })
}
