//! `girok estimate`: multiple systems estimation from a capture table file or from the archive.
//!
//! From the archive, each organisation that collected testimonies is a list, and a victim is on
//! a list when an act of the chosen type against them is reported by a source of that
//! organisation. "The same victim" means the same person record, or records a reviewer merged
//! (`same_as`, from `girok link persons` and `girok review accept`).

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use girok_core::vocab::{List, Vocabulary};
use girok_estimate::dga::DgaOptions;
use girok_estimate::lcmcr::LcmcrOptions;
use girok_estimate::summary::{combine, dga_summary, lcmcr_summary, loglinear, stepwise_summary, Summary};
use girok_estimate::Table;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub(crate) enum Method {
    Loglinear,
    Stepwise,
    Dga,
    Lcmcr,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub(crate) enum Stratum {
    Province,
    Year,
    ActType,
}

#[derive(Args)]
pub(crate) struct EstimateArgs {
    /// Capture-pattern CSV: one 0/1 column per list, then `count`.
    #[arg(long, conflicts_with = "acts")]
    table: Option<PathBuf>,
    /// Build the lists from the archive's acts of this type (ESF code or label; narrower types included).
    #[arg(long)]
    acts: Option<String>,
    /// With --acts: first year (acts whose dates could fall in the range).
    #[arg(long)]
    from: Option<i32>,
    /// With --acts: last year.
    #[arg(long)]
    to: Option<i32>,
    /// With --acts: estimate per stratum, then combine.
    #[arg(long, value_enum)]
    stratify: Option<Stratum>,
    /// With --acts: what makes a list. Only `source-organisation` exists today.
    #[arg(long, default_value = "source-organisation")]
    lists_by: String,
    #[arg(long, value_enum, default_value = "loglinear")]
    method: Method,
    /// Log-linear model in Rcapture notation, e.g. '[12,3]' (default: best BIC).
    #[arg(long)]
    model: Option<String>,
    /// Seed for the Bayesian samplers.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Latent classes for lcmcr.
    #[arg(long, default_value_t = 10)]
    k: usize,
    /// Samples per lcmcr chain (100 iterations apart, after 10,000 of burn-in).
    #[arg(long, default_value_t = 1000)]
    samples: usize,
    /// Prior on N for dga: `inverse` (1/N, dga's default), `uniform`, or `negbin:A,B` (Madigan and
    /// York's negative binomial with shape A and scale B, mean A·B).
    #[arg(long, default_value = "inverse")]
    dga_prior: String,
    /// Bootstrap replicates for the stepwise method (0 to skip).
    #[arg(long, default_value_t = 200)]
    bootstrap: usize,
    /// Every method side by side.
    #[arg(long)]
    compare: bool,
    /// Machine-readable output: method, estimate, lower, upper (95%), observed, model, warnings.
    #[arg(long)]
    json: bool,
}

fn run_method(method: Method, table: &Table, args: &EstimateArgs) -> anyhow::Result<Summary> {
    Ok(match method {
        Method::Loglinear => loglinear(table, args.model.as_deref())?,
        Method::Stepwise => stepwise_summary(table, args.bootstrap, args.seed)?,
        Method::Dga => dga_summary(table, &DgaOptions { prior: dga_prior(&args.dga_prior)?, ..DgaOptions::default_for(table) })?,
        Method::Lcmcr => lcmcr_summary(table, &LcmcrOptions { k: args.k, samples: args.samples, seed: args.seed, ..Default::default() })?,
    })
}

fn dga_prior(given: &str) -> anyhow::Result<girok_estimate::dga::NPrior> {
    use girok_estimate::dga::NPrior;
    Ok(match given {
        "inverse" => NPrior::Inverse,
        "uniform" => NPrior::Uniform,
        g => {
            let parsed = g
                .strip_prefix("negbin:")
                .and_then(|ab| ab.split_once(','))
                .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)));
            match parsed {
                Some((a, b)) if a > 0.0 && b > 0.0 => NPrior::NegativeBinomial { a, b },
                _ => bail!("--dga-prior {g:?}: use inverse, uniform or negbin:A,B with A, B > 0"),
            }
        }
    })
}

fn to_json(s: &Summary) -> serde_json::Value {
    serde_json::json!({
        "method": s.method,
        "estimate": s.estimate,
        "lower": s.lower,
        "upper": s.upper,
        "observed": s.observed,
        "model": s.model,
        "warnings": s.warnings,
    })
}

fn print(s: &Summary, label: &str) {
    let upper = s.upper.map(|u| format!("{u:.0}")).unwrap_or_else(|| "unbounded".into());
    println!(
        "{label}{:<10} N = {:.0}  95% [{:.0}, {upper}]  observed {}  unobserved ≈ {:.0}",
        s.method,
        s.estimate,
        s.lower,
        s.observed,
        s.estimate - s.observed as f64
    );
    println!("{label}           model: {}", s.model);
    for w in &s.warnings {
        println!("{label}           warning: {w}");
    }
}

pub(crate) fn run(args: &EstimateArgs, archive: impl FnOnce() -> anyhow::Result<girok_store::Archive>) -> anyhow::Result<bool> {
    let strata: Vec<(String, Table)> = match (&args.table, &args.acts) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            vec![("all".into(), Table::parse_csv(&path.display().to_string(), &text)?)]
        }
        (None, Some(act_type)) => tables_from_archive(&archive()?, act_type, args)?,
        (None, None) => bail!("give --table FILE.csv, or --acts TYPE to build the lists from the archive"),
    };
    let methods: Vec<Method> = if args.compare { vec![Method::Loglinear, Method::Stepwise, Method::Dga, Method::Lcmcr] } else { vec![args.method] };
    let mut json_out = Vec::new();
    let mut any_warning = false;
    for &method in &methods {
        let mut results = Vec::new();
        for (name, table) in &strata {
            match run_method(method, table, args) {
                Ok(s) => {
                    if strata.len() > 1 && !args.json {
                        print(&s, &format!("[{name}] "));
                    }
                    results.push(s);
                }
                Err(e) if args.compare => {
                    println!("{:<10} no estimate: {e:#}", format!("{method:?}").to_lowercase());
                    any_warning = true;
                }
                Err(e) if strata.len() > 1 => return Err(e).with_context(|| format!("stratum {name}")),
                Err(e) => return Err(e),
            }
        }
        let total = if results.len() == 1 { results.pop() } else { combine(&results, args.seed) };
        if let Some(total) = total {
            any_warning |= !total.warnings.is_empty();
            if args.json {
                json_out.push(to_json(&total));
            } else {
                print(&total, "");
            }
        }
    }
    if args.json {
        let v = if json_out.len() == 1 { json_out.remove(0) } else { serde_json::Value::Array(json_out) };
        println!("{}", serde_json::to_string_pretty(&v)?);
    }
    Ok(any_warning)
}

/// Builds one capture table per stratum from the archive's acts.
fn tables_from_archive(archive: &girok_store::Archive, act_type: &str, args: &EstimateArgs) -> anyhow::Result<Vec<(String, Table)>> {
    if args.lists_by != "source-organisation" {
        bail!("--lists-by {:?}: only source-organisation is supported", args.lists_by);
    }
    let code = Vocabulary::builtin().resolve(List::ActTypes, act_type).with_context(|| format!("--acts {act_type:?}"))?.code.clone();
    let stratify = match args.stratify {
        None => girok_store::Stratify::None,
        Some(Stratum::Province) => girok_store::Stratify::Province,
        Some(Stratum::Year) => girok_store::Stratify::Year,
        Some(Stratum::ActType) => girok_store::Stratify::ActType,
    };
    let q = girok_store::CaptureQuery {
        act_type: code.clone(),
        from_year: args.from,
        to_year: args.to,
        stratify,
        // The CLI holds the archive key: it sees every record.
        max_confidentiality: girok_core::Confidentiality::Restricted,
        organisations: None,
    };
    let tables = archive.capture_tables(&q)?;
    if tables.is_empty() {
        bail!("no acts of type {code} with a source in the archive match; nothing to estimate");
    }
    let mut out = Vec::new();
    for t in tables {
        if t.lists.len() < 2 {
            eprintln!("warning: stratum {} has only {} list(s); skipped", t.stratum, t.lists.len());
            continue;
        }
        out.push((t.stratum, Table::new(t.lists, t.counts)));
    }
    if out.is_empty() {
        bail!("no stratum has at least two lists");
    }
    Ok(out)
}
