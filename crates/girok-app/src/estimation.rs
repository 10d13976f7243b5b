//! Estimating what stays hidden: capture tables from the archive's coded acts (as the actor may
//! see them), and the estimators run over them by stratum, method by method, with the strata
//! combined. The estimation page, its API twin and `girok estimate` all run this.

use girok_estimate::dga::{DgaOptions, NPrior};
use girok_estimate::lcmcr::LcmcrOptions;
use girok_estimate::sensitivity::Band;
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
    /// The largest sensitivity parameter ψ of the band (`girok_estimate::sensitivity`): how
    /// many times more people no list recorded than the recorded patterns imply.
    pub psi: f64,
    /// Strata with fewer people seen than this are pooled rather than estimated on noise.
    pub min_stratum: u64,
    /// What the strata are ("province", "sex"), for the words about stratifying.
    pub stratified_by: String,
}

impl Default for Options {
    fn default() -> Self {
        let lcmcr = LcmcrOptions::default();
        Options {
            model: None,
            bootstrap: 200,
            seed: 1,
            dga_prior: NPrior::Inverse,
            lcmcr_k: lcmcr.k,
            lcmcr_samples: lcmcr.samples,
            psi: girok_estimate::sensitivity::DEFAULT_PSI,
            min_stratum: girok_estimate::strata::MIN_STRATUM_SEEN,
            stratified_by: "stratum".into(),
        }
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
    /// How the total moves if the unrecorded are harder to record (ψ from 1 to `Options::psi`).
    pub band: Option<Band>,
    /// The plain words for the total: whether it is a lower bound, and the band.
    pub wording: Option<girok_estimate::sensitivity::Wording>,
    /// With several strata: what stratifying did to the estimate (against the log-linear
    /// estimate of the strata added together).
    pub stratification: Option<String>,
}

fn run_one(method: Method, table: &Table, o: &Options) -> Result<Summary, girok_estimate::summary::MethodError> {
    match method {
        Method::Loglinear => summary::loglinear(table, o.model.as_deref()),
        Method::Stepwise => summary::stepwise_summary(table, o.bootstrap, o.seed),
        Method::Dga => summary::dga_summary(table, &DgaOptions { prior: o.dga_prior, ..DgaOptions::default_for(table) }),
        Method::Lcmcr => summary::lcmcr_summary(table, &LcmcrOptions { k: o.lcmcr_k, samples: o.lcmcr_samples, seed: o.seed, ..Default::default() }),
    }
}

/// Runs each method over each stratum. Pure computation: no archive, no clock. Every
/// estimate carries, besides its own warnings, what its table shows of dependence and shared
/// heterogeneity (`girok_estimate::heterogeneity`), and when methods agree, that agreeing is
/// not evidence.
///
/// Strata too small to estimate are pooled first (said in every total's warnings); each total
/// gets its sensitivity band and wording; with several strata, the stratified total is
/// compared with the unstratified one.
pub fn run(strata: &[(String, Table)], methods: &[Method], o: &Options) -> Vec<MethodResult> {
    use girok_estimate::{heterogeneity, sensitivity, strata as pooling};
    let pooled =
        if strata.len() > 1 { pooling::pool(strata.to_vec(), o.min_stratum) } else { pooling::Pooled { strata: strata.to_vec(), warnings: Vec::new() } };
    let strata = &pooled.strata[..];
    let checks: Vec<Option<heterogeneity::Signals>> = strata.iter().map(|(_, t)| heterogeneity::check(t)).collect();
    let signs: Vec<Vec<String>> = checks.iter().map(|c| c.as_ref().map(|s| s.warnings.clone()).unwrap_or_default()).collect();
    // The signals the wording rests on: the first stratum that warns, else the first checkable.
    let signals = checks.iter().flatten().find(|s| !s.warnings.is_empty()).or_else(|| checks.iter().flatten().next());
    let chao: Option<f64> = strata.iter().map(|(_, t)| sensitivity::chao_lower_bound(t)).sum();
    let unstratified =
        (strata.len() > 1).then(|| pooling::sum(&strata.iter().map(|(_, t)| t).collect::<Vec<_>>())).and_then(|t| summary::loglinear(&t, None).ok());
    let mut results: Vec<MethodResult> = methods
        .iter()
        .map(|&method| {
            let mut per_stratum = Vec::new();
            let mut errors = Vec::new();
            for (i, (name, table)) in strata.iter().enumerate() {
                match run_one(method, table, o) {
                    Ok(mut s) => {
                        s.warnings.extend(signs[i].iter().cloned());
                        per_stratum.push((name.clone(), s))
                    }
                    Err(e) => errors.push((name.clone(), e.to_string())),
                }
            }
            let summaries: Vec<Summary> = per_stratum.iter().map(|(_, s)| s.clone()).collect();
            let mut total = if summaries.len() == 1 { summaries.into_iter().next() } else { summary::combine(&summaries, o.seed) };
            if let Some(t) = &mut total {
                t.warnings.extend(pooled.warnings.iter().cloned());
                t.warnings.dedup();
            }
            let band = total.as_ref().map(|t| sensitivity::band(t, o.psi));
            let wording = total.as_ref().zip(band.as_ref()).map(|(t, b)| sensitivity::wording(t, b, signals, chao));
            let stratification = total.as_ref().zip(unstratified.as_ref()).map(|(t, u)| pooling::effect(u, t, &o.stratified_by));
            MethodResult { method, per_stratum, total, errors, band, wording, stratification }
        })
        .collect();
    let totals: Vec<(f64, f64)> = results.iter().filter_map(|r| r.total.as_ref()).map(|t| (t.lower, t.upper.unwrap_or(f64::INFINITY))).collect();
    let agree = totals.len() >= 2 && totals.iter().all(|a| totals.iter().all(|b| a.0 <= b.1 && b.0 <= a.1));
    if agree {
        for r in &mut results {
            if let Some(t) = &mut r.total {
                t.warnings.push(girok_estimate::heterogeneity::AGREEMENT_IS_NOT_EVIDENCE.to_string());
            }
        }
    }
    results
}

/// What every estimate in a briefing rests on, in plain words for its readers.
fn assumptions(ko: bool) -> Vec<String> {
    let both = |en: &str, k: &str| if ko { k.to_string() } else { en.to_string() };
    vec![
        both(
            "Victims differ in how likely they are to be recorded only in ways the model captures; people whom every list is unlikely to reach (remote counties, those who never left the country) make every method too low, and methods agreeing does not rule that out.",
            "피해자마다 기록될 가능성이 다르더라도 그 차이는 모형이 담아내는 만큼만이라고 가정합니다. 어느 명단도 닿기 어려운 사람들(외딴 지역, 나라를 떠나지 못한 사람)이 있으면 모든 방법이 낮게 추정하며, 방법들이 일치한다고 해서 이를 배제할 수는 없습니다.",
        ),
        both("The population is closed: every victim could have been recorded by any of the lists.", "모집단은 닫혀 있다고 가정합니다: 모든 피해자가 어느 명단에든 기록될 수 있었습니다."),
        both(
            "Records of one victim are linked as one person; a missed match adds a victim seen by fewer lists and raises the estimate.",
            "한 피해자의 기록은 한 사람으로 연결되어 있다고 가정합니다: 놓친 연결은 적은 명단에 보인 피해자를 더해 추정치를 높입니다.",
        ),
        both("Each list is one organisation's sources, as the archive records them.", "각 명단은 기록 보관소에 기록된 한 기관의 출처입니다."),
    ]
}

/// An estimate for a briefing: one act type, the lists at the briefing's level (never above the
/// actor's ceiling), each method with its interval and warnings, and the assumptions in words.
/// Log-linear models and dga, a frequentist and a Bayesian answer side by side. Refused when
/// fewer than the briefing's small-cell threshold are documented: it would publish a small
/// count, which can point at a witness.
pub fn for_briefing(archive: &Archive, actor: &Actor, act_type: &str, briefing: &girok_store::BriefingOptions) -> Result<girok_publish::Estimate, DomainError> {
    let (level, min_cell) = (briefing.level, briefing.min_cell);
    let methods = [Method::Loglinear, Method::Dga];
    let o = Options { bootstrap: 0, ..Options::default() };
    let ko = briefing.lang == "ko";
    let vocab = girok_core::vocab::Vocabulary::builtin();
    let term = vocab.resolve(girok_core::vocab::List::ActTypes, act_type).map_err(|e| DomainError::invalid("estimate", e.to_string()))?;
    let query = CaptureQuery {
        act_type: term.code.clone(),
        from_year: None,
        to_year: None,
        stratify: girok_store::Stratify::None,
        max_confidentiality: level,
        organisations: None,
    };
    let strata = strata(archive, actor, query)?;
    let (_, lists, table) = strata.usable.into_iter().next().ok_or_else(|| DomainError::invalid("estimate", "no lists to estimate from"))?;
    if table.observed() < min_cell {
        return Err(DomainError::invalid(
            "estimate",
            format!(
                "only {} victims of {} are documented at this level, fewer than the briefing's {min_cell}; an estimate would publish a small count",
                table.observed(),
                term.en
            ),
        ));
    }
    let results = run(&[("all".to_string(), table.clone())], &methods, &o);
    let methods: Vec<girok_publish::MethodEstimate> = results
        .into_iter()
        .filter_map(|r| {
            let lower_bound = r.wording.as_ref().is_some_and(|w| w.lower_bound);
            let band = r.band.map(|b| girok_publish::Band { psi: b.psi, lower: b.lower, upper: b.upper });
            r.total.map(|s| girok_publish::MethodEstimate {
                method: s.method.to_string(),
                estimate: s.estimate,
                lower: s.lower,
                upper: s.upper,
                model: s.model,
                warnings: s.warnings,
                band,
                lower_bound,
            })
        })
        .collect();
    if methods.is_empty() {
        return Err(DomainError::invalid("estimate", format!("no method could estimate {} from these lists", term.en)));
    }
    Ok(girok_publish::Estimate {
        title: if ko { term.ko.clone().unwrap_or_else(|| term.en.clone()) } else { term.en.clone() },
        lists,
        observed: table.observed(),
        methods,
        assumptions: assumptions(ko),
    })
}
