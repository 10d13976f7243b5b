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
    /// Province where the act happened.
    Province,
    Year,
    ActType,
    /// The victim's recorded sex.
    Sex,
    /// The victim's age at the act.
    AgeGroup,
    /// The victim's province of origin.
    Origin,
    /// The kind of place of the act (kwanliso, kyohwaso, holding centre, town…).
    FacilityType,
}

#[derive(Args)]
pub(crate) struct EstimateArgs {
    /// Capture-pattern CSV: one 0/1 column per list, then `count`.
    #[arg(long, conflicts_with_all = ["acts", "lists"])]
    table: Option<PathBuf>,
    /// Victim lists as CSV files, one per organisation (or one file with --list-column): linked
    /// with Girok's linkage engine, each linked person counted once, then estimated.
    #[arg(long, num_args = 1.., conflicts_with = "acts")]
    lists: Vec<PathBuf>,
    /// With --lists: the column that names each record's list, when one file holds them all.
    #[arg(long)]
    list_column: Option<String>,
    /// With --lists: the id column.
    #[arg(long, default_value = "id")]
    id_column: String,
    /// With --lists: a linkage config (as for `girok link --config`); default: inferred.
    #[arg(long)]
    link_config: Option<PathBuf>,
    /// With --lists: match probability at which records count as one person (default 0.5: a
    /// match more likely than not, so errors either way roughly balance in the count).
    #[arg(long)]
    threshold: Option<f64>,
    /// With --lists: write `id,list,person` for every record here, for review.
    #[arg(long)]
    clusters: Option<PathBuf>,
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
    /// With --acts: also write each capture table as CSV (the form `--table` reads; with
    /// strata, one file per stratum, `NAME.1.csv`, `NAME.2.csv` …, listed as they are written),
    /// for review or for another engine.
    #[arg(long)]
    table_out: Option<PathBuf>,
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
    /// The sensitivity band's largest ψ: how many times more people no list recorded than the
    /// recorded patterns imply (1 turns the band off).
    #[arg(long, default_value_t = girok_estimate::sensitivity::DEFAULT_PSI)]
    psi: f64,
    /// With --stratify: strata with fewer people seen are pooled rather than estimated alone.
    #[arg(long, default_value_t = girok_estimate::strata::MIN_STRATUM_SEEN)]
    min_stratum: u64,
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
        psi: if args.psi >= 1.0 { args.psi } else { bail!("--psi {}: ψ is at least 1 (1 is the method's own assumption)", args.psi) },
        min_stratum: args.min_stratum,
        stratified_by: args.stratify.and_then(|s| s.to_possible_value()).map(|v| v.get_name().replace('-', " ")).unwrap_or_else(|| "stratum".into()),
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

fn to_json(r: &girok_app::estimation::MethodResult) -> Option<serde_json::Value> {
    let s = r.total.as_ref()?;
    Some(serde_json::json!({
        "method": s.method,
        "estimate": s.estimate,
        "lower": s.lower,
        "upper": s.upper,
        "observed": s.observed,
        "model": s.model,
        "warnings": s.warnings,
        "band": r.band.as_ref().map(|b| serde_json::json!({"psi": b.psi, "lower": b.lower, "estimate": b.estimate_at_psi, "upper": b.upper})),
        "lower_bound": r.wording.as_ref().map(|w| w.lower_bound),
        "wording": r.wording.as_ref().map(|w| w.text.clone()),
        "stratification": r.stratification,
    }))
}

/// A total with its band (the words for the band are said once, by `print_reading`).
fn print_result(r: &girok_app::estimation::MethodResult, common: &[String]) {
    let Some(total) = &r.total else { return };
    print_except(total, "", common);
    if let Some(b) = &r.band {
        let upper = b.upper.map(|u| format!("{u:.0}")).unwrap_or_else(|| "unbounded".into());
        let lower_bound = if r.wording.as_ref().is_some_and(|w| w.lower_bound) { "; a lower bound" } else { "" };
        println!("           band (ψ ≤ {}): [{:.0}, {upper}]{lower_bound}", b.psi, b.lower);
    }
}

/// What the first estimate's band means and what stratifying did, once for all methods (the
/// words differ between methods only in their numbers).
fn print_reading(results: &[girok_app::estimation::MethodResult]) {
    let Some(first) = results.iter().find(|r| r.total.is_some()) else { return };
    if let Some(w) = &first.wording {
        println!("reading ({}): {}", first.method.as_str(), w.text);
    }
    if let Some(s) = &first.stratification {
        println!("stratification: {s}");
    }
}

fn print(s: &Summary, label: &str) {
    print_except(s, label, &[]);
}

/// Prints a summary, leaving out warnings said once for all methods.
fn print_except(s: &Summary, label: &str, common: &[String]) {
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
    for w in s.warnings.iter().filter(|w| !common.contains(w)) {
        println!("{label}           warning: {w}");
    }
}

pub(crate) fn run(args: &EstimateArgs, archive: impl FnOnce() -> anyhow::Result<girok_store::Archive>) -> anyhow::Result<bool> {
    if !args.lists.is_empty() {
        return from_lists(args);
    }
    let strata: Vec<(String, Table)> = match (&args.table, &args.acts) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            vec![("all".into(), Table::parse_csv(&path.display().to_string(), &text)?)]
        }
        (None, Some(act_type)) => tables_from_archive(&archive()?, act_type, args)?,
        (None, None) => bail!("give --table FILE.csv, --lists A.csv B.csv …, or --acts TYPE to build the lists from the archive"),
    };
    let methods: Vec<Method> = if args.compare { vec![Method::Loglinear, Method::Stepwise, Method::Dga, Method::Lcmcr] } else { vec![args.method] };
    let methods: Vec<girok_app::estimation::Method> = methods.into_iter().map(method).collect();
    let options = options(args)?;
    let mut json_out = Vec::new();
    let mut any_warning = false;
    let results = girok_app::estimation::run(&strata, &methods, &options);
    // Warnings every method carries (what the table shows) are said once, after them.
    let totals: Vec<&Summary> = results.iter().filter_map(|r| r.total.as_ref()).collect();
    let common: Vec<String> =
        if totals.len() > 1 { totals[0].warnings.iter().filter(|w| totals.iter().all(|t| t.warnings.contains(w))).cloned().collect() } else { Vec::new() };
    for r in results.iter().cloned() {
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
        if let Some(total) = &r.total {
            any_warning |= !total.warnings.is_empty();
            if args.json {
                json_out.extend(to_json(&r));
            } else {
                print_result(&r, &common);
            }
        }
    }
    if !args.json {
        for w in &common {
            println!("all methods: warning: {w}");
        }
        print_reading(&results);
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
        Some(Stratum::Sex) => girok_store::Stratify::Sex,
        Some(Stratum::AgeGroup) => girok_store::Stratify::AgeGroup,
        Some(Stratum::Origin) => girok_store::Stratify::Origin,
        Some(Stratum::FacilityType) => girok_store::Stratify::FacilityType,
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
    let tables: Vec<(String, Table)> = strata.usable.into_iter().map(|(name, _, t)| (name, t)).collect();
    if let Some(out) = &args.table_out {
        for (i, (name, t)) in tables.iter().enumerate() {
            let path = if tables.len() == 1 { out.clone() } else { out.with_extension(format!("{}.csv", i + 1)) };
            std::fs::write(&path, t.to_csv()).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("capture table{} written to {}", if tables.len() == 1 { String::new() } else { format!(" of stratum {name}") }, path.display());
        }
    }
    Ok(tables)
}

/// `--lists`: link the lists, count each person once, estimate at the threshold and around it.
fn from_lists(args: &EstimateArgs) -> anyhow::Result<bool> {
    let mut data = crate::link::read_inputs(&args.lists, &args.id_column)?;
    let lists: Vec<String> = match &args.list_column {
        None => {
            if args.lists.len() < 2 {
                bail!("--lists: one file given; give one file per list, or name the column that says which list a record is on with --list-column");
            }
            args.lists.iter().map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| p.display().to_string())).collect()
        }
        Some(col) => {
            let idx = data.column(col).with_context(|| format!("--list-column {col:?}: no such column (columns: {})", data.columns.join(", ")))?;
            let mut names: Vec<String> = Vec::new();
            for (r, row) in data.values.iter().enumerate() {
                let v = row[idx].clone().with_context(|| format!("record {:?} has no {col:?}; every record must say which list it is on", data.ids[r]))?;
                let s = match names.iter().position(|n| *n == v) {
                    Some(i) => i,
                    None => {
                        names.push(v);
                        names.len() - 1
                    }
                };
                data.sources[r] = s as u16;
            }
            names
        }
    };
    let config = match &args.link_config {
        Some(path) => {
            let (fields, blocking, _, _) = crate::link::configure(&mut data, Some(path), &args.id_column, girok_linkage::Mode::Dedupe)?;
            Some((fields, blocking))
        }
        None => None,
    };
    let methods: Vec<girok_app::estimation::Method> = if args.compare { girok_app::estimation::Method::ALL.to_vec() } else { vec![method(args.method)] };
    let options = options(args)?;
    let threshold = args.threshold.unwrap_or(girok_app::lists::DEFAULT_THRESHOLD);
    let pb = crate::bar(0, "linking");
    let run = girok_app::lists::estimate(&mut data, &lists, config, &args.id_column, threshold, &methods, &options, &mut |stage, done, total| {
        pb.set_message(stage.to_string());
        pb.set_length(total);
        pb.set_position(done);
    })?;
    pb.finish_and_clear();
    for n in &run.notes {
        eprintln!("  {n}");
    }
    if let Some(path) = &args.clusters {
        let mut out = csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?;
        out.write_record(["id", "list", "person"])?;
        for (i, id) in data.ids.iter().enumerate() {
            out.write_record([
                girok_core::text::csv_cell_write(id).as_ref(),
                girok_core::text::csv_cell_write(&lists[data.sources[i] as usize]).as_ref(),
                &format!("p{}", run.clusters[i]),
            ])?;
        }
        out.flush()?;
    }
    let chosen = &run.thresholds[0];
    let per_list: Vec<String> =
        lists.iter().enumerate().map(|(l, name)| format!("{name}: {}", data.sources.iter().filter(|&&s| s as usize == l).count())).collect();
    let mut any_warning = false;
    let mut json_out = Vec::new();
    if !args.json {
        println!(
            "{} records on {} lists ({}); {} candidate pairs; {} people at match probability ≥ {}",
            run.records,
            lists.len(),
            per_list.join(", "),
            run.candidate_pairs,
            chosen.people,
            chosen.threshold
        );
    }
    for r in &chosen.results {
        if let Some((_, e)) = r.errors.first() {
            println!("{:<10} no estimate: {e}", r.method.as_str());
            any_warning = true;
        }
        if let Some(total) = &r.total {
            any_warning |= !total.warnings.is_empty();
            if args.json {
                json_out.extend(to_json(r));
            } else {
                print_result(r, &[]);
            }
        }
    }
    if !args.json {
        print_reading(&chosen.results);
    }
    if args.json {
        let around: Vec<serde_json::Value> = run
            .thresholds
            .iter()
            .map(|t| {
                serde_json::json!({
                    "threshold": t.threshold,
                    "people": t.people,
                    "estimates": t.results.iter().filter_map(to_json).collect::<Vec<_>>(),
                })
            })
            .collect();
        let v = serde_json::json!({"records": run.records, "lists": lists, "people": chosen.people, "threshold": chosen.threshold, "estimates": json_out, "thresholds": around});
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(any_warning);
    }
    println!("\nhow the answer depends on the linkage (people linked, then each method's N and 95% interval):");
    let mut thresholds: Vec<&girok_app::lists::AtThreshold> = run.thresholds.iter().collect();
    thresholds.sort_by(|a, b| a.threshold.total_cmp(&b.threshold));
    for t in thresholds {
        let cells: Vec<String> = t
            .results
            .iter()
            .map(|r| match &r.total {
                Some(s) => {
                    format!("{} {:.0} [{:.0}, {}]", r.method.as_str(), s.estimate, s.lower, s.upper.map(|u| format!("{u:.0}")).unwrap_or_else(|| "∞".into()))
                }
                None => format!("{} —", r.method.as_str()),
            })
            .collect();
        let mark = if t.threshold == chosen.threshold { " (chosen)" } else { "" };
        println!("  ≥ {:<5} {:>7} people   {}{mark}", t.threshold, t.people, cells.join("   "));
    }
    Ok(any_warning)
}
