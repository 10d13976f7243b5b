//! `girok link`: record linkage of CSV files, deduplicating one or linking several.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use girok_linkage::{BlockKey, Compare, Config, Dataset, FieldSpec, Mode};
use serde::Deserialize;

#[derive(Args)]
pub(crate) struct LinkArgs {
    /// `persons` or `events`: propose duplicate persons, or events that two testimonies tell, in
    /// the archive for review (see `girok review`).
    what: Option<String>,
    /// CSV files with a header and an id column; one file is deduplicated, several are linked.
    #[arg(long = "input", required_unless_present = "what")]
    inputs: Vec<PathBuf>,
    /// TOML file naming the fields, their comparisons and the blocking rules (default: inferred).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Where to write `id,cluster` for every input record.
    #[arg(long, required_unless_present = "what")]
    output: Option<PathBuf>,
    /// Also write every scored candidate pair here.
    #[arg(long)]
    pairs: Option<PathBuf>,
    /// Match probability at which pairs are joined into clusters.
    #[arg(long)]
    threshold: Option<f64>,
    #[arg(long, default_value = "id")]
    id_column: String,
    /// Refuse blocking rules that would compare more pairs than this.
    #[arg(long)]
    max_pairs: Option<usize>,
    /// Print how each field contributed to the match weight of these two ids, e.g. `--explain a1,b7`.
    #[arg(long)]
    explain: Option<String>,
    /// With --explain: JSON instead of text.
    #[arg(long)]
    json: bool,
    /// With `persons`: write the persons as linkage reads them to this CSV (for DuckDB, Spark,
    /// Splink or `girok link --input`) instead of proposing pairs. Plaintext names: write it to
    /// an encrypted volume.
    #[arg(long, requires = "what")]
    inputs_out: Option<PathBuf>,
    /// With --inputs-out: the highest confidentiality level written.
    #[arg(long, value_enum, default_value = "internal", requires = "inputs_out")]
    max_level: crate::Conf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    threshold: Option<f64>,
    max_pairs: Option<usize>,
    #[serde(default, rename = "field")]
    fields: Vec<FileField>,
    #[serde(default)]
    blocking: Vec<FileRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileField {
    /// One column, or several holding one value in different forms (`columns = ["name", "name_hangul"]`).
    #[serde(default)]
    column: Option<String>,
    #[serde(default)]
    columns: Vec<String>,
    compare: String,
    #[serde(default)]
    term_frequency: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRule {
    keys: Vec<String>,
}

fn parse_compare(s: &str) -> anyhow::Result<Compare> {
    Ok(match s {
        "exact" => Compare::Exact,
        "name" => Compare::Name,
        "korean_name" => Compare::KoreanName,
        "date" => Compare::Date,
        "code" => Compare::Code,
        "text" => Compare::Text,
        "postcode" => Compare::Postcode,
        "year" => Compare::Year,
        "sex" => Compare::Sex,
        "place" => Compare::Place(girok_app::linking::places()),
        other => bail!("unknown comparison {other:?} (exact, name, korean_name, year, sex, date, place, code, text, postcode)"),
    })
}

fn parse_key(s: &str) -> anyhow::Result<BlockKey> {
    let (kind, col) = s.split_once(':').with_context(|| format!("blocking key {s:?} must be KIND:COLUMN, e.g. exact:surname"))?;
    let col = col.to_string();
    Ok(match kind {
        "exact" => BlockKey::Exact(col),
        "korean_name" => BlockKey::KoreanName(col),
        "korean_surname" => BlockKey::KoreanSurname(col),
        "korean_given" => BlockKey::KoreanGiven(col),
        "year" => BlockKey::Year(col),
        k if k.starts_with("prefix") => {
            BlockKey::Prefix(col, k[6..].parse().with_context(|| format!("blocking key {s:?}: prefixN needs a number, e.g. prefix3"))?)
        }
        other => bail!("unknown blocking key kind {other:?} (exact, prefixN, korean_name, korean_surname, korean_given, year)"),
    })
}

/// Reads the inputs into one dataset, checking ids, row shapes and encoding.
pub(crate) fn read_inputs(inputs: &[PathBuf], id_column: &str) -> anyhow::Result<Dataset> {
    let mut d = Dataset::default();
    let mut seen: HashSet<String> = HashSet::new();
    for (source, path) in inputs.iter().enumerate() {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            bail!("{} is empty", path.display());
        }
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            anyhow::anyhow!("{}: invalid UTF-8 at line {line}; save the file as UTF-8", path.display())
        })?;
        let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
        let header: Vec<String> = rdr.headers().with_context(|| format!("{}: reading the header", path.display()))?.iter().map(str::to_string).collect();
        let id_idx = header
            .iter()
            .position(|h| h == id_column)
            .with_context(|| format!("{}: no {id_column:?} column (columns: {}); name the id column with --id-column", path.display(), header.join(", ")))?;
        if d.columns.is_empty() {
            d.columns = header.clone();
        }
        let map: Vec<Option<usize>> = d.columns.iter().map(|c| header.iter().position(|h| h == c)).collect();
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| match e.kind() {
                csv::ErrorKind::UnequalLengths { pos, expected_len, len } => {
                    anyhow::anyhow!(
                        "{}: row {} has {len} fields, the header has {expected_len}",
                        path.display(),
                        pos.as_ref().map(|p| p.line()).unwrap_or(i as u64 + 2)
                    )
                }
                _ => anyhow::anyhow!("{}: row {}: {e}", path.display(), i + 2),
            })?;
            let id = rec.get(id_idx).unwrap_or("").to_string();
            if id.is_empty() {
                bail!("{}: row {} has an empty id", path.display(), i + 2);
            }
            if !seen.insert(id.clone()) {
                bail!("{}: row {}: id {id:?} appears more than once (ids must be unique across all inputs)", path.display(), i + 2);
            }
            d.ids.push(id);
            d.sources.push(source as u16);
            d.values.push(map.iter().map(|m| m.and_then(|k| rec.get(k)).map(str::to_string).filter(|s| !s.is_empty())).collect());
        }
    }
    if d.is_empty() {
        bail!("the input has a header but no records");
    }
    Ok(d)
}

/// Fields, blocking rules, and the threshold and pair limit a config file sets.
pub(crate) type Configured = (Vec<FieldSpec>, Vec<Vec<BlockKey>>, Option<f64>, Option<usize>);

/// The comparisons and blocking rules: from a config file, or inferred (and said).
pub(crate) fn configure(data: &mut Dataset, config: Option<&Path>, id_column: &str, mode: Mode) -> anyhow::Result<Configured> {
    match config {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let fc: FileConfig = toml::from_str(&text).with_context(|| format!("{}: not a valid linkage config", path.display()))?;
            let mut fields = Vec::new();
            for f in &fc.fields {
                let column = match (&f.column, f.columns.as_slice()) {
                    (Some(c), []) => c.clone(),
                    (None, [one]) => one.clone(),
                    (None, many) if many.len() > 1 => {
                        let idx = many
                            .iter()
                            .map(|c| data.column(c).with_context(|| format!("{}: no column {c:?} (columns: {})", path.display(), data.columns.join(", "))))
                            .collect::<anyhow::Result<Vec<_>>>()?;
                        let name = many.join("+");
                        if data.column(&name).is_none() {
                            data.merge_columns(&name, &idx);
                        }
                        name
                    }
                    _ => bail!("{}: each [[field]] names `column = \"…\"` or `columns = [\"…\", …]`", path.display()),
                };
                fields.push(FieldSpec {
                    column,
                    compare: parse_compare(&f.compare).with_context(|| path.display().to_string())?,
                    term_frequency: f.term_frequency,
                });
            }
            let blocking = fc
                .blocking
                .iter()
                .map(|r| r.keys.iter().map(|k| parse_key(k)).collect::<anyhow::Result<Vec<_>>>())
                .collect::<anyhow::Result<Vec<_>>>()
                .with_context(|| format!("{}", path.display()))?;
            Ok((fields, blocking, fc.threshold, fc.max_pairs))
        }
        None => {
            let pb = crate::bar(0, "reading columns");
            let inferred = girok_linkage::infer(data, id_column, Some(&girok_app::linking::places()), mode, &mut |stage, done, total| {
                pb.set_message(stage.to_string());
                pb.set_length(total);
                pb.set_position(done);
            })?;
            pb.finish_and_clear();
            eprintln!("no --config: inferred from the columns");
            for n in &inferred.notes {
                eprintln!("  {n}");
            }
            Ok((inferred.fields, inferred.blocking, None, None))
        }
    }
}

pub(crate) fn run(args: &LinkArgs, archive: impl FnOnce() -> anyhow::Result<girok_store::Archive>, actor: &str) -> anyhow::Result<()> {
    if let Some(what) = &args.what {
        return match what.as_str() {
            "persons" if args.inputs_out.is_some() => {
                let path = args.inputs_out.as_ref().expect("checked");
                write_person_inputs(&archive()?, path, args.max_level.into(), actor)
            }
            _ if args.inputs_out.is_some() => bail!("--inputs-out writes persons: `girok link persons --inputs-out FILE`"),
            "persons" => link_persons(&mut archive()?, args.threshold.unwrap_or(girok_app::linking::PERSON_THRESHOLD), actor),
            "events" => link_events(&mut archive()?, args.threshold.unwrap_or(girok_app::event_linking::THRESHOLD), actor),
            other => bail!("girok link {other:?}: `girok link persons` and `girok link events` work on the archive; for files use --input"),
        };
    }
    let output = args.output.as_ref().expect("clap requires --output without a target");
    let mut data = read_inputs(&args.inputs, &args.id_column)?;
    let mode = if args.inputs.len() > 1 { Mode::Link } else { Mode::Dedupe };
    let (fields, blocking, file_threshold, file_max) = configure(&mut data, args.config.as_deref(), &args.id_column, mode)?;
    if fields.is_empty() {
        bail!("no column to compare: name them in a --config file (columns: {})", data.columns.join(", "));
    }
    let config = Config {
        fields,
        blocking,
        mode,
        max_pairs: args.max_pairs.or(file_max).unwrap_or(50_000_000),
        threshold: args.threshold.or(file_threshold).unwrap_or(0.9),
        em_iterations: 40,
        u_samples: 200_000,
        seed: 1,
        one_per_source: mode == Mode::Link,
        min_support: 0.05,
    };
    let pb = crate::bar(0, "blocking");
    let result = girok_linkage::link(&data, &config, &mut |stage, done, total| {
        pb.set_message(stage.to_string());
        pb.set_length(total);
        pb.set_position(done);
    })?;
    pb.finish_and_clear();
    write_clusters(output, &data, &result.clusters)?;
    if let Some(p) = &args.pairs {
        let mut out = std::io::BufWriter::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?);
        writeln!(out, "id_a,id_b,probability,match_weight")?;
        for s in &result.pairs {
            writeln!(out, "{},{},{:.6},{:.3}", csv_cell(&data.ids[s.a as usize]), csv_cell(&data.ids[s.b as usize]), s.probability, s.weight)?;
        }
    }
    let n_clusters = result.clusters.iter().collect::<HashSet<_>>().len();
    if let Some(t) = &result.training {
        eprintln!("{t}");
    }
    println!(
        "{} records, {} candidate pairs, {} at probability ≥ {}, {} clusters; wrote {}",
        data.len(),
        result.candidate_count,
        result.pairs.iter().filter(|p| p.probability >= config.threshold).count(),
        config.threshold,
        n_clusters,
        output.display()
    );
    if let Some(pair) = &args.explain {
        let (a, b) = pair.split_once(',').context("--explain takes two ids separated by a comma")?;
        let find = |id: &str| data.ids.iter().position(|x| x == id.trim()).with_context(|| format!("--explain: no record {id:?}"));
        let (ia, ib) = (find(a)?, find(b)?);
        let (prior, contributions, total) = girok_linkage::explain(&data, &config, &result, ia, ib)?;
        let probability = 1.0 / (1.0 + (-total * std::f64::consts::LN_2).exp());
        if args.json {
            let v = serde_json::json!({
                "a": a.trim(), "b": b.trim(), "prior_log2": prior, "match_weight": total, "probability": probability,
                "fields": girok_app::linking::waterfall(&contributions),
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
        } else {
            println!("why {} and {}:", a.trim(), b.trim());
            println!("  {:<18} {:>+7.2}", "prior", prior);
            for c in &contributions {
                println!(
                    "  {:<18} {:>+7.2}  {} ({} vs {})",
                    c.field,
                    c.bayes_factor_log2,
                    c.level,
                    c.left.as_deref().unwrap_or("—"),
                    c.right.as_deref().unwrap_or("—")
                );
            }
            println!("  {:<18} {:>+7.2}  → match probability {:.4}", "total", total, probability);
        }
    }
    Ok(())
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_clusters(path: &Path, data: &Dataset, clusters: &[u32]) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?);
    writeln!(out, "id,cluster")?;
    for (id, c) in data.ids.iter().zip(clusters) {
        writeln!(out, "{},c{c}", csv_cell(id))?;
    }
    out.flush()?;
    Ok(())
}

/// Proposes duplicate persons in the archive for review (the workflow is `girok-app`'s).
fn link_persons(archive: &mut girok_store::Archive, threshold: f64, actor: &str) -> anyhow::Result<()> {
    let p = girok_app::linking::propose_duplicate_persons(archive, &girok_app::Actor::key_holder(actor), threshold)?;
    println!("{} persons compared, {} candidate pairs; {} new proposals in the review queue (girok review list)", p.compared, p.candidate_pairs, p.queued);
    Ok(())
}

/// Writes the linkage-input CSV; refuses to overwrite, since the file holds names.
fn write_person_inputs(archive: &girok_store::Archive, path: &Path, level: girok_core::Confidentiality, actor: &str) -> anyhow::Result<()> {
    let file =
        std::fs::OpenOptions::new().write(true).create_new(true).open(path).with_context(|| format!("creating {} (it must not exist yet)", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let n = girok_app::linking::write_person_inputs(archive, &girok_app::Actor::key_holder(actor), level, &mut out)
        .with_context(|| format!("writing {}", path.display()))?;
    out.flush().with_context(|| format!("writing {}", path.display()))?;
    eprintln!(
        "{n} persons up to {} written to {} in plaintext (names, birth years, origins); keep it on an encrypted volume and delete it after use",
        level.as_str(),
        path.display()
    );
    Ok(())
}

/// Proposes events that may be one happening told twice (the workflow is `girok-app`'s).
fn link_events(archive: &mut girok_store::Archive, threshold: f64, actor: &str) -> anyhow::Result<()> {
    let p = girok_app::event_linking::propose_duplicate_events(archive, &girok_app::Actor::key_holder(actor), threshold)?;
    println!(
        "{} events compared, {} candidate pairs from different sources; {} new proposals in the review queue (girok review list)",
        p.events, p.candidate_pairs, p.queued
    );
    Ok(())
}
