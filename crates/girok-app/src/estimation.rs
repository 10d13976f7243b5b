//! Estimating what stays hidden: capture tables from the archive's coded acts (as the actor may
//! see them), and the estimators run over them by stratum, method by method, with the strata
//! combined. The estimation page, its API twin and `girok estimate` all run this.

use girok_estimate::dga::{DgaOptions, NPrior};
use girok_estimate::lcmcr::LcmcrOptions;
use girok_estimate::summary::{self, Summary};
use girok_estimate::Table;
use girok_store::{Archive, CaptureQuery, Role};

use crate::actor::Actor;
use crate::error::DomainError;

/// An estimator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Loglinear,
    Stepwise,
    Dga,
    Lcmcr,
}

impl Method {
    pub const ALL: [Method; 4] = [Method::Loglinear, Method::Stepwise, Method::Dga, Method::Lcmcr];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Loglinear => "loglinear",
            Method::Stepwise => "stepwise",
            Method::Dga => "dga",
            Method::Lcmcr => "lcmcr",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// How the estimators run. The defaults are what the web page uses.
#[derive(Clone, Debug)]
pub struct Options {
    /// A log-linear model in Rcapture notation (`[12,3]`); `None`: the best by BIC.
    pub model: Option<String>,
    /// Bootstrap replicates of the stepwise selection (0: none).
    pub bootstrap: usize,
    /// Seed of the samplers and the bootstrap.
    pub seed: u64,
    /// Prior on N for dga.
    pub dga_prior: NPrior,
    /// Latent classes and samples per chain of LCMCR.
    pub lcmcr_k: usize,
    pub lcmcr_samples: usize,
}

impl Default for Options {
    fn default() -> Self {
        let lcmcr = LcmcrOptions::default();
        Options { model: None, bootstrap: 200, seed: 1, dga_prior: NPrior::Inverse, lcmcr_k: lcmcr.k, lcmcr_samples: lcmcr.samples }
    }
}

/// The strata a capture query gives: those with at least two lists, and why the others were left out.
#[derive(Clone, Debug, Default)]
pub struct Strata {
    /// (stratum, its lists, its table).
    pub usable: Vec<(String, Vec<String>, Table)>,
    pub skipped: Vec<String>,
}

/// Capture tables from the archive for an analyst or an admin, at their ceiling.
pub fn strata(archive: &Archive, actor: &Actor, query: CaptureQuery) -> Result<Strata, DomainError> {
    if !matches!(actor.role, Role::Admin | Role::Analyst) {
        return Err(DomainError::Forbidden("estimation is for analysts and admins".into()));
    }
    let query = CaptureQuery { max_confidentiality: query.max_confidentiality.min(actor.ceiling()), ..query };
    let mut out = Strata::default();
    for t in archive.capture_tables(&query)? {
        if t.lists.len() < 2 {
            out.skipped.push(format!("{}: only {} list", t.stratum, t.lists.len()));
        } else {
            out.usable.push((t.stratum.clone(), t.lists.clone(), Table::new(t.lists, t.counts)));
        }
    }
    if out.usable.is_empty() {
        return Err(DomainError::invalid("lists", "no stratum has acts recorded by at least two source organisations; nothing to estimate"));
    }
    Ok(out)
}

/// One method over every stratum: each stratum's estimate, their combination, and the strata
/// it could not estimate, with why.
#[derive(Clone, Debug)]
pub struct MethodResult {
    pub method: Method,
    pub per_stratum: Vec<(String, Summary)>,
    /// The strata combined (or the one stratum); `None` when no stratum gave an estimate.
    pub total: Option<Summary>,
    pub errors: Vec<(String, String)>,
}

fn run_one(method: Method, table: &Table, o: &Options) -> Result<Summary, girok_estimate::summary::MethodError> {
    match method {
        Method::Loglinear => summary::loglinear(table, o.model.as_deref()),
        Method::Stepwise => summary::stepwise_summary(table, o.bootstrap, o.seed),
        Method::Dga => summary::dga_summary(table, &DgaOptions { prior: o.dga_prior, ..DgaOptions::default_for(table) }),
        Method::Lcmcr => summary::lcmcr_summary(table, &LcmcrOptions { k: o.lcmcr_k, samples: o.lcmcr_samples, seed: o.seed, ..Default::default() }),
    }
}

/// Runs each method over each stratum. Pure computation: no archive, no clock.
pub fn run(strata: &[(String, Table)], methods: &[Method], o: &Options) -> Vec<MethodResult> {
    methods
        .iter()
        .map(|&method| {
            let mut per_stratum = Vec::new();
            let mut errors = Vec::new();
            for (name, table) in strata {
                match run_one(method, table, o) {
                    Ok(s) => per_stratum.push((name.clone(), s)),
                    Err(e) => errors.push((name.clone(), e.to_string())),
                }
            }
            let summaries: Vec<Summary> = per_stratum.iter().map(|(_, s)| s.clone()).collect();
            let total = if summaries.len() == 1 { summaries.into_iter().next() } else { summary::combine(&summaries, o.seed) };
            MethodResult { method, per_stratum, total, errors }
        })
        .collect()
}
