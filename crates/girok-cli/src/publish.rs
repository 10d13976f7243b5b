//! `girok publish` and `girok briefing`: briefings for publication, ad hoc from the options or
//! saved in the archive. `girok_app::briefing` builds and checks them; `girok-publish` decides
//! what may be shown and renders the files; this writes them.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use girok_app::briefing::BriefingTemplate;
use girok_core::Confidentiality;
use girok_store::Archive;

#[derive(Args)]
pub(crate) struct PublishArgs {
    /// New (or empty) directory to write the briefing into.
    #[arg(long)]
    out: PathBuf,
    /// Run a saved briefing (`girok briefing save`): its settings, sections and estimates. The
    /// other options then only override what they name.
    #[arg(long)]
    briefing: Option<String>,
    /// Counts below this are withheld (with any cell that would give them away). Default 5.
    #[arg(long)]
    min_cell: Option<u64>,
    /// Highest confidentiality level counted. Publications normally count public records only.
    #[arg(long, value_enum)]
    level: Option<crate::Conf>,
    /// Language of the page and of vocabulary and place labels (default en).
    #[arg(long, value_parser = ["en", "ko"])]
    lang: Option<String>,
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

/// The template the options describe: the saved one named by `--briefing`, or one made of the
/// options alone.
fn template(args: &PublishArgs, archive: &Archive, actor: &girok_app::Actor) -> anyhow::Result<BriefingTemplate> {
    let mut t = match &args.briefing {
        Some(name) => girok_app::briefing::load(archive, actor, name).with_context(|| format!("--briefing {name:?}"))?,
        None => BriefingTemplate { name: "command-line".into(), lang: "en".into(), min_cell: 5, level: Confidentiality::Public, ..Default::default() },
    };
    if let Some(m) = args.min_cell {
        if m == 0 {
            bail!("--min-cell must be at least 1 (1 withholds nothing)");
        }
        t.min_cell = m;
    }
    if let Some(l) = args.level {
        t.level = l.into();
    }
    if let Some(l) = &args.lang {
        t.lang = l.clone();
    }
    if args.title.is_some() {
        t.title = args.title.clone();
    }
    if !args.indicators.is_empty() {
        t.indicators = Some(args.indicators.clone());
    }
    t.estimates.extend(args.estimates.iter().cloned());
    Ok(t)
}

/// Builds the briefing and writes it; returns the files written.
pub(crate) fn run(args: &PublishArgs, open: impl FnOnce() -> anyhow::Result<Archive>) -> anyhow::Result<Vec<PathBuf>> {
    if args.min_cell == Some(0) {
        bail!("--min-cell must be at least 1 (1 withholds nothing)");
    }
    check_out_dir(&args.out)?;
    let archive = open()?;
    let actor = girok_app::Actor::key_holder("girok-cli");
    let t = template(args, &archive, &actor)?;
    let briefing = girok_app::briefing::build(&archive, &actor, &t, None).map_err(|e| match e {
        girok_app::DomainError::Invalid { field, message, .. } if field == "estimates" => anyhow::anyhow!("--estimate {message}"),
        other => anyhow::Error::from(other),
    })?;
    if briefing.tables.iter().all(|t| t.rows.iter().all(|r| r.1 == 0)) {
        eprintln!(
            "note: no acts at or below the {} level; the briefing's tables are empty (most coded records are internal until someone marks them public)",
            t.level.as_str()
        );
    }
    let files = girok_app::briefing::files(&briefing)?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let mut written = Vec::new();
    for f in files {
        let path = args.out.join(&f.name);
        std::fs::write(&path, &f.bytes).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// `girok briefing`: saved briefings.
#[derive(clap::Subcommand)]
pub(crate) enum BriefingCommand {
    /// Save (a new version of) a briefing from a TOML file: name, title, lang, level, min_cell,
    /// indicators, estimates, and [[sections]] with heading, kind (narrative or
    /// recommendations), text (Markdown with [[record-id]] references) and
    /// [[sections.recommendations]] (to, what, when). Checked as publishing would check it.
    Save { file: PathBuf },
    /// List saved briefings.
    List,
    /// Print a saved briefing as TOML (to edit and save again).
    Show { name: String },
}

pub(crate) fn briefing(cmd: &BriefingCommand, archive: &mut Archive) -> anyhow::Result<()> {
    let actor = girok_app::Actor::key_holder("girok-cli");
    match cmd {
        BriefingCommand::Save { file } => {
            let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            let t = BriefingTemplate::from_toml(&text).with_context(|| file.display().to_string())?;
            girok_app::briefing::save(archive, &actor, &t).with_context(|| file.display().to_string())?;
            println!("saved briefing {:?}; publish it with: girok publish --briefing {} --out DIR", t.name, t.name);
        }
        BriefingCommand::List => {
            let all = girok_app::briefing::list(archive, &actor)?;
            if all.is_empty() {
                println!("no saved briefings (girok briefing save FILE.toml)");
            }
            for (name, at, by) in all {
                println!("{name:<32} saved {at} by {by}");
            }
        }
        BriefingCommand::Show { name } => print!("{}", girok_app::briefing::load(archive, &actor, name)?.to_toml()),
    }
    Ok(())
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
