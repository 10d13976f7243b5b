//! `girok publish`: a briefing of counts from the archive, with small cells withheld, for
//! staff who publish. The store gathers the counts and labels; `girok-publish` decides what
//! may be shown and renders the files; this writes them.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use girok_core::model::Confidentiality;
use girok_store::{Archive, BriefingOptions};

#[derive(Args)]
pub(crate) struct PublishArgs {
    /// New (or empty) directory to write the briefing into.
    #[arg(long)]
    out: PathBuf,
    /// Counts below this are withheld (with any cell that would give them away).
    #[arg(long, default_value_t = 5)]
    min_cell: u64,
    /// Highest confidentiality level counted. Publications normally count public records only.
    #[arg(long, value_enum, default_value = "public")]
    level: crate::Conf,
    /// Language of the page and of vocabulary and place labels.
    #[arg(long, value_parser = ["en", "ko"], default_value = "en")]
    lang: String,
    /// Title of the briefing.
    #[arg(long)]
    title: Option<String>,
    /// An indicator series to quote (its id; repeat for several). Default: every series at or
    /// below the level.
    #[arg(long = "indicator")]
    indicators: Vec<String>,
    /// Estimate what stays hidden for this act type (ESF code or label; repeat for several),
    /// by log-linear models and dga side by side, each with its interval, lists and assumptions.
    #[arg(long = "estimate")]
    estimates: Vec<String>,
}

/// Builds the briefing and writes it; returns the files written.
pub(crate) fn run(args: &PublishArgs, open: impl FnOnce() -> anyhow::Result<Archive>) -> anyhow::Result<Vec<PathBuf>> {
    if args.min_cell == 0 {
        bail!("--min-cell must be at least 1 (1 withholds nothing)");
    }
    check_out_dir(&args.out)?;
    let archive = open()?;
    let options = BriefingOptions {
        level: args.level.into(),
        lang: args.lang.clone(),
        min_cell: args.min_cell,
        title: args.title.clone(),
        indicators: (!args.indicators.is_empty()).then(|| args.indicators.clone()),
    };
    let mut briefing = archive.briefing(&options)?;
    if briefing.tables.iter().all(|t| t.rows.iter().all(|r| r.1 == 0)) {
        eprintln!(
            "note: no acts at or below the {} level; the briefing's tables are empty (most coded records are internal until someone marks them public)",
            Confidentiality::from(args.level).as_str()
        );
    }
    for act_type in &args.estimates {
        let e = girok_app::estimation::for_briefing(&archive, &girok_app::Actor::key_holder("girok-cli"), act_type, &options)
            .with_context(|| format!("--estimate {act_type:?}"))?;
        briefing.estimates.push(e);
    }
    let files = girok_publish::render(&briefing);
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let mut written = Vec::new();
    for f in files {
        let path = args.out.join(&f.name);
        std::fs::write(&path, &f.bytes).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

fn check_out_dir(out: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                bail!("--out {}: the directory is not empty; give a new one (a briefing is never written over other files)", out.display());
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("--out {}", out.display())),
    }
}
