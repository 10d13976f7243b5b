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
use girok_estimate::summary::Summary;
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

/// The estimators' settings from the flags.
fn options(args: &EstimateArgs) -> anyhow::Result<girok_app::estimation::Options> {
    Ok(girok_app::estimation::Options {
        model: args.model.clone(),
        bootstrap: args.bootstrap,
        seed: args.seed,
        dga_prior: dga_prior(&args.dga_prior)?,
        lcmcr_k: args.k,
        lcmcr_samples: args.samples,
    })
}

fn method(m: Method) -> girok_app::estimation::Method {
    match m {
        Method::Loglinear => girok_app::estimation::Method::Loglinear,
        Method::Stepwise => girok_app::estimation::Method::Stepwise,
        Method::Dga => girok_app::estimation::Method::Dga,
        Method::Lcmcr => girok_app::estimation::Method::Lcmcr,
    }
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
    let methods: Vec<girok_app::estimation::Method> = methods.into_iter().map(method).collect();
    let options = options(args)?;
    let mut json_out = Vec::new();
    let mut any_warning = false;
    for r in girok_app::estimation::run(&strata, &methods, &options) {
        if strata.len() > 1 && !args.json {
            for (name, s) in &r.per_stratum {
                print(s, &format!("[{name}] "));
            }
        }
        if let Some((name, e)) = r.errors.first() {
            if args.compare {
                for (_, e) in &r.errors {
                    println!("{:<10} no estimate: {e}", r.method.as_str());
                }
                any_warning = true;
            } else if strata.len() > 1 {
                bail!("stratum {name}: {e}");
            } else {
                bail!("{e}");
            }
        }
        if let Some(total) = r.total {
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
    let strata = girok_app::estimation::strata(archive, &girok_app::Actor::key_holder("girok-cli"), q).map_err(|e| match e {
        girok_app::DomainError::Invalid { .. } => {
            anyhow::anyhow!("no acts of type {code} recorded by at least two source organisations in any stratum; nothing to estimate")
        }
        other => other.into(),
    })?;
    for s in &strata.skipped {
        eprintln!("warning: stratum {s}; skipped");
    }
    Ok(strata.usable.into_iter().map(|(name, _, t)| (name, t)).collect())
}
