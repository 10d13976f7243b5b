//! `girok`, the command line of the Girok archive. The only crate that knows argv and terminals.
//!
//! Exit codes: 0 success; 1 the command ran and found problems (`verify`, `verify-bundle`) or
//! nothing (`search` with no hits); 2 an error (bad input, wrong key, missing archive).

mod estimate;
mod link;
mod publish;
mod records;
mod sync;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand, ValueEnum};
use girok_core::model::{Confidentiality, Kind, Record};
use girok_core::vocab::{List, Vocabulary};
use girok_core::{Day, UncertainDate};
use girok_store::{Archive, CreateOptions, Format, ImportOptions, IntakeOutcome, KdfParams, KeySource, SearchQuery};
use indicatif::{ProgressBar, ProgressStyle};

const DEMO_PASSPHRASE: &str = "girok-demo-passphrase-NOT-SECRET";

#[derive(Parser)]
#[command(
    name = "girok",
    version,
    about = "Girok (기록): an encrypted archive for documenting human-rights violations",
    long_about = "Girok keeps evidence encrypted at rest, hashed at intake and under a tamper-evident audit chain, \
and lets documentation teams code it (who did what to whom, when, where, how we know) and search it in English and Korean.",
    after_help = "The archive is chosen with --archive or GIROK_ARCHIVE (default ./girok-archive).\n\
The key comes from --key-file, else GIROK_PASSPHRASE, else a prompt.\n\n\
Exit codes: 0 success; 1 ran and found problems (verify, verify-bundle) or no search hits; 2 error.\n\n\
Start with: girok demo"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// Archive directory.
    #[arg(long, global = true, env = "GIROK_ARCHIVE", default_value = "girok-archive")]
    archive: PathBuf,
    /// File holding the archive key (64 hex characters) instead of a passphrase.
    #[arg(long, global = true, env = "GIROK_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// Name recorded as the actor of every change in the audit log.
    #[arg(long, global = true, env = "GIROK_ACTOR")]
    actor: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new, empty archive (seeded with the DPRK gazetteer).
    Init {
        /// Create a random key file here and use it instead of a passphrase.
        #[arg(long, conflicts_with = "key_file")]
        new_key_file: Option<PathBuf>,
    },
    /// Take files or folders in as evidence: hash, encrypt, extract text.
    Add {
        /// Files or folders (folders are walked recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Source id the files were received from.
        #[arg(long)]
        source: Option<String>,
        /// Title (default: the file name).
        #[arg(long)]
        title: Option<String>,
        /// Language code of the document (default: guessed from the text).
        #[arg(long)]
        language: Option<String>,
        #[arg(long, value_enum, default_value = "restricted")]
        confidentiality: Conf,
        /// Refuse files larger than this many bytes.
        #[arg(long, default_value_t = girok_store::DEFAULT_MAX_SIZE)]
        max_size: u64,
        /// Leave scans and photographs waiting for OCR (run `girok ocr` later, e.g. for a large
        /// batch overnight) instead of recognising their text now.
        #[arg(long)]
        no_ocr: bool,
    },
    /// Record a document as the translation of another (its language, translator and date).
    Translation {
        /// The translation's document id.
        id: String,
        /// The original's document id.
        #[arg(long)]
        of: String,
        /// The translation's language code (e.g. en).
        #[arg(long)]
        language: Option<String>,
        #[arg(long)]
        translator: Option<String>,
        /// When it was translated, as you would say it.
        #[arg(long)]
        date: Option<String>,
    },
    /// Recognise the text of scans and photographs (Korean and English, with Tesseract): the
    /// documents named, or every one waiting for it.
    Ocr {
        /// Document ids (default: every document waiting for OCR).
        ids: Vec<String>,
    },
    /// Import coded records from CSV (one kind per file) or JSON.
    Import {
        /// places, sources, persons, events, acts, provisions or indicators (one row per value); `all` for a JSON file of mixed records.
        kind: String,
        file: PathBuf,
        #[arg(long, value_enum)]
        format: Option<Fmt>,
        /// Import the valid rows and report each invalid one, instead of refusing the file.
        #[arg(long)]
        skip_invalid: bool,
        /// A CSV from another system, through a mapping of its columns to Girok's: a shipped one
        /// by name (uwazi-events) or a mapping file (TOML; see crates/girok-app/data/mappings).
        /// The kind comes from the mapping.
        #[arg(long)]
        mapping: Option<String>,
        /// Check every row and say what would be imported, changing nothing.
        #[arg(long)]
        preview: bool,
    },
    /// Export records as CSV or JSON, or an evidence bundle with --bundle.
    Export {
        /// Kinds to export (CSV: exactly one). Default for JSON: all.
        kinds: Vec<String>,
        #[arg(long, value_enum, default_value = "json")]
        format: Fmt,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Leave out records above this level.
        #[arg(long, value_enum, default_value = "restricted")]
        max_confidentiality: Conf,
        /// Write a signed evidence bundle of the records given with --id into this new directory.
        #[arg(long)]
        bundle: Option<PathBuf>,
        /// Record ids for the bundle (repeatable): acts, events or documents.
        #[arg(long = "id")]
        ids: Vec<String>,
    },
    /// Write a public image or PDF for publication without its metadata (EXIF, XMP, comments,
    /// document information: device, capture time, GPS position, author), saying what it removed.
    /// The original in the archive is unchanged; evidence bundles keep originals byte-identical.
    PublicCopy {
        /// A public document's id.
        id: String,
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Full-text search in English and Korean, with filters.
    Search(SearchArgs),
    /// Show one record, with its rights mapping, citations and text.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Show every version of a record from the audit chain, field by field.
    History { id: String },
    /// Create a record: its fields with --set FIELD=VALUE, or typed as JSON in $EDITOR.
    /// Vocabulary by code or English/Korean label, places by name, dates as typed ("winter 1997").
    New {
        /// source, person, place, event, act, indicator or provision.
        kind: String,
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
    },
    /// Correct a record: --set FIELD=VALUE (repeatable), or edit its JSON in $EDITOR. Refused,
    /// with what changed, if someone else changed it meanwhile.
    Edit {
        id: String,
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        /// Why (needed when changing confidentiality; kept in the audit log).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Retire a record: hidden from lists, counts, search and briefings, kept with its history.
    Retire {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Bring a retired record back.
    Restore {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Seal a witness's identity (asked for without echo; from standard input when piped).
    SealIdentity { source: String },
    /// Record that a person is related to another: `girok relate per-a mother per-b` (A is B's mother).
    Relate { person: String, relation: String, other: String },
    /// Re-hash the audit chain, every record and every original file; name anything altered or missing.
    Verify {
        /// Also say whether this audit-entry hash (the archive state a briefing cites) is in the
        /// verified chain, and when it was written.
        #[arg(long)]
        state: Option<String>,
    },
    /// Paired archives (field laptops, the office) and mirrors: cards, pairing, policy, state.
    #[command(subcommand)]
    Replica(sync::ReplicaCmd),
    /// Sync bundles between paired archives: write one for a replica, apply ones received.
    #[command(subcommand)]
    Sync(sync::SyncCmd),
    /// Write the next bundle into a mirror directory (encrypted to the recovery key only).
    Mirror {
        /// The mirror's name (`girok replica mirror`).
        name: String,
        dir: PathBuf,
    },
    /// Make a recovery key for mirrors: an age identity file to keep offline.
    RecoveryKey { out: PathBuf },
    /// Build a new archive (at --archive) from a mirror directory with the recovery key.
    RestoreMirror {
        mirror: PathBuf,
        #[arg(long)]
        recovery_key: PathBuf,
        /// The fingerprint of the archive that wrote the mirror (`girok replica list` there).
        #[arg(long)]
        expect: String,
    },
    /// Records edited on two replicas while apart: list them, and settle each.
    #[command(subcommand)]
    Conflicts(sync::ConflictsCmd),
    /// Check an evidence bundle's signature and hashes, without the archive.
    VerifyBundle {
        dir: PathBuf,
        /// The issuing archive's public key (hex), to prove who signed it.
        #[arg(long)]
        key: Option<String>,
    },
    /// Counts of records in the archive, and its public signing key.
    Info,
    /// List vocabulary terms (ESF micro-thesauri and Girok's DPRK extensions).
    Vocab {
        #[arg(value_enum, default_value = "act-types")]
        list: VocabList,
        /// Only terms whose label contains this text.
        #[arg(long)]
        find: Option<String>,
    },
    /// Find the same person across CSV files (or duplicates within one): record linkage.
    Link(link::LinkArgs),
    /// The queue of proposed duplicate persons: list, accept, reject, or undo an accepted merge.
    Review {
        #[arg(value_enum, default_value = "list")]
        action: ReviewAction,
        /// Review id (from `girok review list`).
        id: Option<i64>,
    },
    /// Serve the web application for a team (loopback by default; see README for TLS).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8750")]
        listen: std::net::SocketAddr,
        /// Mark session cookies Secure (when behind a TLS-terminating proxy).
        #[arg(long)]
        secure_cookies: bool,
        /// End a session unused for this many minutes.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
        session_idle_minutes: u64,
        /// End every session this many hours after login.
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..))]
        session_max_hours: u64,
        /// Also answer paired archives' `girok sync https` here (TLS authenticated by the
        /// archives' keys; no web pages on this port), e.g. 0.0.0.0:8751.
        #[arg(long)]
        sync_listen: Option<std::net::SocketAddr>,
    },
    /// Create or reset a web account; the password comes from GIROK_NEW_PASSWORD or a prompt.
    User {
        name: String,
        #[arg(long, value_parser = ["admin", "documenter", "analyst", "viewer"])]
        role: String,
        /// May see witnesses' sealed identities.
        #[arg(long)]
        identity_clearance: bool,
    },
    /// Estimate how many victims no list recorded (multiple systems estimation).
    Estimate(estimate::EstimateArgs),
    /// Write a briefing for publication: counts by type, year and province as an HTML page with
    /// charts and CSV tables, small cells withheld, public records only by default.
    Publish(publish::PublishArgs),
    /// Saved briefings: settings, estimates and the organisation's own sections, re-run with
    /// `girok publish --briefing NAME` whenever the archive changes.
    Briefing {
        #[command(subcommand)]
        action: publish::BriefingCommand,
    },
    /// Create a demo archive of synthetic testimonies and show what to try.
    Demo {
        /// Where to create it (an existing demo archive there is replaced).
        #[arg(long, default_value = "girok-demo")]
        dir: PathBuf,
        /// Number of synthetic testimonies.
        #[arg(long, default_value_t = 300)]
        testimonies: usize,
        #[arg(long, default_value_t = 20261126)]
        seed: u64,
        /// Only build the archive; do not start the web application.
        #[arg(long)]
        no_serve: bool,
        /// Where the web application listens.
        #[arg(long, default_value = "127.0.0.1:8750")]
        listen: std::net::SocketAddr,
    },
    /// Write SYNTHETIC victim lists of one hidden population of known size, one CSV per
    /// organisation, in the shape real lists take (for `girok link` and `girok estimate --lists`).
    DemoLists {
        #[arg(long, default_value = "girok-demo-lists")]
        out: PathBuf,
        /// The hidden population's size.
        #[arg(long, default_value_t = 6000)]
        people: usize,
        /// How many lists (2 to 6).
        #[arg(long, default_value_t = 4)]
        lists: usize,
        #[arg(long, default_value_t = 20261201)]
        seed: u64,
    },
}

#[derive(Args)]
struct SearchArgs {
    /// Words (English, stemmed) and/or Hangul (2+ syllables); quotes make a phrase.
    #[arg(default_value = "")]
    query: String,
    /// Act type: ESF code or label; narrower types match too.
    #[arg(long)]
    act_type: Option<String>,
    /// Place id or name; everything inside it matches too.
    #[arg(long)]
    place: Option<String>,
    /// Earliest date (any form `girok` reads, e.g. 1997 or March 2002).
    #[arg(long)]
    from: Option<String>,
    /// Latest date.
    #[arg(long)]
    to: Option<String>,
    /// Source id.
    #[arg(long)]
    source: Option<String>,
    /// Record kinds to search (repeatable).
    #[arg(long = "kind")]
    kinds: Vec<String>,
    /// Most confidential level to show.
    #[arg(long, value_enum, default_value = "restricted")]
    confidentiality: Conf,
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Rank every match, not only the 500 most recently added ones (slower on common words).
    #[arg(long)]
    exhaustive: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Conf {
    Public,
    Internal,
    Restricted,
}

impl From<Conf> for Confidentiality {
    fn from(c: Conf) -> Self {
        match c {
            Conf::Public => Confidentiality::Public,
            Conf::Internal => Confidentiality::Internal,
            Conf::Restricted => Confidentiality::Restricted,
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Fmt {
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ReviewAction {
    List,
    Accept,
    Reject,
    Undo,
}

#[derive(Clone, Copy, ValueEnum)]
enum VocabList {
    ActTypes,
    Involvement,
    SourceConnection,
    Relationships,
    Reliability,
    PlaceKinds,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Clean,
    ProblemsFound,
}

fn main() -> ExitCode {
    // `girok … | head` must end quietly, not panic on a closed pipe (ripgrep does the same).
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::ProblemsFound) => ExitCode::from(1),
        Err(err) => {
            // A closed pipe (`girok export | head`) is not an error worth reporting.
            if err.chain().any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)) {
                return ExitCode::SUCCESS;
            }
            eprintln!("girok: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Reads a secret from the environment, then wipes it from the process. Threat: a passphrase
/// readable for the whole life of a server in /proc/PID/environ (by the same user, by crash
/// dumps, by a debugger). Removing the variable is not enough on Linux: /proc shows the
/// environment block as the process started, so the bytes themselves are overwritten.
fn take_secret_env(name: &str) -> Option<String> {
    let value = std::env::var(name).ok()?;
    let cname = std::ffi::CString::new(name).ok()?;
    // SAFETY: called from the main thread before any other thread exists (argument parsing,
    // before the runtime starts); `getenv` returns the variable's value inside the environment
    // block, NUL-terminated, and the bytes up to the NUL belong to it.
    unsafe {
        let p = libc::getenv(cname.as_ptr());
        if !p.is_null() {
            let len = libc::strlen(p);
            std::ptr::write_bytes(p, 0, len);
        }
    }
    std::env::remove_var(name);
    Some(value)
}

fn key_source(global: &Global, confirm: bool) -> anyhow::Result<KeySource> {
    if let Some(path) = &global.key_file {
        if !path.exists() {
            bail!("key file {} does not exist", path.display());
        }
        return Ok(KeySource::KeyFile(path.clone()));
    }
    if let Some(p) = take_secret_env("GIROK_PASSPHRASE") {
        return Ok(KeySource::passphrase(p));
    }
    if !std::io::stdin().is_terminal() {
        bail!("no key given: set GIROK_PASSPHRASE, pass --key-file, or run in a terminal to be prompted");
    }
    let p = rpassword::prompt_password(format!("Passphrase for {}: ", global.archive.display())).context("reading the passphrase")?;
    if confirm {
        let again = rpassword::prompt_password("Repeat the passphrase: ").context("reading the passphrase")?;
        if again != p {
            bail!("the two passphrases differ");
        }
        if p.chars().count() < 12 {
            bail!("the passphrase is shorter than 12 characters; a seized archive is attacked offline, so use a long passphrase");
        }
    }
    Ok(KeySource::passphrase(p))
}

fn open(global: &Global) -> anyhow::Result<Archive> {
    let key = key_source(global, false)?;
    Archive::open(&global.archive, &key).with_context(|| format!("opening archive {}", global.archive.display()))
}

fn actor(global: &Global) -> String {
    global.actor.clone().or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "girok-cli".into())
}

/// Prints a line above the progress bar, or plainly when there is no bar (not a terminal).
fn say(pb: &ProgressBar, line: String) {
    if pb.is_hidden() {
        println!("{line}");
    } else {
        pb.println(line);
    }
}

pub(crate) fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = if std::io::stderr().is_terminal() { ProgressBar::new(len) } else { ProgressBar::hidden() };
    pb.set_style(ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})").expect("valid template").progress_chars("=> "));
    pb.set_message(what.to_string());
    pb
}

fn parse_kind(s: &str) -> anyhow::Result<Kind> {
    Kind::parse(s).with_context(|| format!("unknown record kind {s:?} (places, sources, persons, documents, events, acts, indicators, provisions)"))
}

fn parse_day_bound(s: &str, end: bool, flag: &str) -> anyhow::Result<Day> {
    let d = UncertainDate::parse(s).with_context(|| format!("--{flag} {s:?}"))?;
    let day = if end { d.latest } else { d.earliest };
    day.with_context(|| format!("--{flag} {s:?} has no {} bound", if end { "upper" } else { "lower" }))
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let g = &cli.global;
    match cli.command {
        Command::Init { new_key_file } => {
            let key = match new_key_file {
                Some(path) => {
                    girok_store::write_new_key_file(&path).with_context(|| format!("creating key file {}", path.display()))?;
                    eprintln!(
                        "Created key file {} — keep it off this machine's disk when not in use; without it the archive cannot be opened.",
                        path.display()
                    );
                    KeySource::KeyFile(path)
                }
                None => key_source(g, true)?,
            };
            let a = Archive::create(&g.archive, &key, CreateOptions::default()).with_context(|| format!("creating archive {}", g.archive.display()))?;
            println!("Created archive {} (public signing key {})", g.archive.display(), a.public_key_hex());
            Ok(Outcome::Clean)
        }
        Command::Add { paths, source, title, language, confidentiality, max_size, no_ocr } => {
            cmd_add(g, paths, AddOptions { source, title, language, confidentiality: confidentiality.into(), max_size, ocr: !no_ocr })
        }
        Command::Translation { id, of, language, translator, date } => {
            let mut a = open(g)?;
            let v = girok_app::translation::record_translation(
                &mut a,
                &girok_app::Actor::key_holder(&actor(g)),
                &id,
                &of,
                language.as_deref(),
                translator.as_deref(),
                date.as_deref(),
            )?;
            println!("{id} is recorded as a translation of {of} (version {v})");
            Ok(Outcome::Clean)
        }
        Command::Ocr { ids } => {
            let mut a = open(g)?;
            cmd_ocr(&mut a, g, (!ids.is_empty()).then_some(ids))
        }
        Command::Import { kind, file, format, skip_invalid, mapping, preview } => {
            let format = format.unwrap_or(if file.extension().and_then(|e| e.to_str()) == Some("json") { Fmt::Json } else { Fmt::Csv });
            let kind = if kind == "all" { None } else { Some(parse_kind(&kind)?) };
            if kind.is_none() && format == Fmt::Csv {
                bail!("`all` needs a JSON file; a CSV file holds one kind (places, sources, persons, events, acts, provisions or indicators)");
            }
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let mut a = open(g)?;
            let pb = bar(0, "import");
            let opts = ImportOptions { skip_invalid: skip_invalid || preview, actor: actor(g), dry_run: preview, ..Default::default() };
            let mut bar_to = |done: usize, total: usize| {
                pb.set_length(total as u64);
                pb.set_position(done as u64);
            };
            let report = match &mapping {
                Some(m) => {
                    let text =
                        if std::path::Path::new(m).is_file() { std::fs::read_to_string(m).with_context(|| format!("reading mapping {m}"))? } else { m.clone() };
                    let mapping = girok_app::mapping::Mapping::load(&text)
                        .with_context(|| format!("--mapping {m}: not a shipped mapping (uwazi-events) nor a readable mapping file"))?;
                    if kind.is_some_and(|k| Some(k) != mapping.kind().ok()) {
                        bail!("--mapping {m} makes {} records, not {}", mapping.kind, kind.map(|k| k.as_str()).unwrap_or(""));
                    }
                    girok_app::mapping::import(
                        &mut a,
                        &girok_app::Actor::key_holder(&actor(g)),
                        &mapping,
                        &file.display().to_string(),
                        &bytes,
                        girok_app::mapping::Run { skip_invalid, preview },
                        &mut bar_to,
                    )
                    .with_context(|| format!("importing {}", file.display()))?
                }
                None => a
                    .import(&file.display().to_string(), &bytes, if format == Fmt::Json { Format::Json } else { Format::Csv }, kind, &opts, &mut bar_to)
                    .with_context(|| format!("importing {}", file.display()))?,
            };
            pb.finish_and_clear();
            for (row, col, msg) in &report.skipped {
                eprintln!("skipped {} row {row}{}: {msg}", file.display(), col.as_ref().map(|c| format!(", column {c}")).unwrap_or_default());
            }
            for (id, fields) in &report.updated {
                println!("updated {id}: {}", fields.join(", "));
            }
            if preview {
                println!("preview, nothing written: {} would be imported, {} unchanged, {} refused", report.imported, report.unchanged, report.skipped.len());
                return Ok(if report.skipped.is_empty() { Outcome::Clean } else { Outcome::ProblemsFound });
            }
            println!("{} imported, {} unchanged, {} skipped", report.imported, report.unchanged, report.skipped.len());
            if !report.updated.is_empty() {
                println!("({} of the imported rows updated existing records: a new version each)", report.updated.len());
            }
            Ok(if report.skipped.is_empty() { Outcome::Clean } else { Outcome::ProblemsFound })
        }
        Command::PublicCopy { id, output } => {
            let a = open(g)?;
            let (doc, copy) = girok_app::briefing::publication_copy(&a, &girok_app::Actor::key_holder(&actor(g)), &id)?;
            std::fs::write(&output, &copy.bytes).with_context(|| format!("writing {}", output.display()))?;
            println!("wrote {} ({}, {} bytes), a copy of {} for publication", output.display(), doc.media_type, copy.bytes.len(), doc.id);
            if copy.removed.is_empty() {
                println!("  the file carried no metadata to remove");
            }
            for r in &copy.removed {
                println!("  removed: {r}");
            }
            Ok(Outcome::Clean)
        }
        Command::Export { kinds, format, output, max_confidentiality, bundle, ids } => {
            let mut a = open(g)?;
            if let Some(dir) = bundle {
                if ids.is_empty() {
                    bail!("--bundle needs at least one --id (an act, event or document)");
                }
                let m = a.export_bundle(&ids, &dir, &actor(g)).with_context(|| format!("writing bundle {}", dir.display()))?;
                println!(
                    "Wrote {} ({} records, {} files). It holds decrypted originals: handle it as evidence.",
                    dir.display(),
                    m.records.len(),
                    m.files.len()
                );
                println!("Signed by archive key {}", m.archive_public_key);
                println!("Check it with: girok verify-bundle {} --key {}", dir.display(), m.archive_public_key);
                return Ok(Outcome::Clean);
            }
            let kinds: Vec<Kind> = if kinds.is_empty() {
                if format == Fmt::Csv {
                    bail!("CSV export needs one kind: places, sources, persons, events, acts, provisions or indicators");
                }
                Kind::ALL.to_vec()
            } else {
                kinds.iter().map(|k| parse_kind(k)).collect::<anyhow::Result<_>>()?
            };
            let text = a.export(&kinds, if format == Fmt::Json { Format::Json } else { Format::Csv }, max_confidentiality.into())?;
            match output {
                Some(path) => std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?,
                None => std::io::stdout().lock().write_all(text.as_bytes()).context("writing to standard output")?,
            }
            Ok(Outcome::Clean)
        }
        Command::Search(args) => cmd_search(g, args),
        Command::Show { id, json } => cmd_show(g, &id, json),
        Command::History { id } => {
            records::history(&open(g)?, &girok_app::Actor::key_holder(&actor(g)), &id)?;
            Ok(Outcome::Clean)
        }
        Command::New { kind, set } => {
            records::new(&mut open(g)?, &girok_app::Actor::key_holder(&actor(g)), &kind, &set)?;
            Ok(Outcome::Clean)
        }
        Command::Edit { id, set, reason } => {
            records::edit(&mut open(g)?, &girok_app::Actor::key_holder(&actor(g)), &id, &set, reason.as_deref())?;
            Ok(Outcome::Clean)
        }
        Command::Retire { id, reason } => {
            records::retire(&mut open(g)?, &girok_app::Actor::key_holder(&actor(g)), &id, &reason, false)?;
            Ok(Outcome::Clean)
        }
        Command::Restore { id, reason } => {
            records::retire(&mut open(g)?, &girok_app::Actor::key_holder(&actor(g)), &id, &reason, true)?;
            Ok(Outcome::Clean)
        }
        Command::SealIdentity { source } => {
            records::seal_identity(&mut open(g)?, &girok_app::Actor::key_holder(&actor(g)), &source)?;
            Ok(Outcome::Clean)
        }
        Command::Relate { person, relation, other } => {
            records::relate(&mut open(g)?, &girok_app::Actor::key_holder(&actor(g)), &person, &relation, &other)?;
            Ok(Outcome::Clean)
        }
        Command::Verify { state } => {
            let a = open(g)?;
            let pb = bar(0, "blobs");
            let report = a.verify(&mut |done, total| {
                pb.set_length(total);
                pb.set_position(done);
            })?;
            pb.finish_and_clear();
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            for p in &report.problems {
                println!("PROBLEM {p}");
            }
            println!("checked {} audit entries, {} records, {} original files; chain head {}", report.entries, report.records, report.blobs, report.head_hash);
            let mut state_found = true;
            if let Some(hash) = &state {
                match a.audit_entry_by_hash(hash.trim())? {
                    Some(head) => println!("state {}: audit entry {} of {}, written {}", head.hash, head.seq, report.entries, head.at),
                    None => {
                        state_found = false;
                        println!("state {hash}: NOT in this archive's audit chain");
                    }
                }
            }
            if !state_found {
                Ok(Outcome::ProblemsFound)
            } else if report.ok() {
                println!("OK: nothing altered or missing");
                Ok(Outcome::Clean)
            } else {
                println!("{} problem(s) found", report.problems.len());
                Ok(Outcome::ProblemsFound)
            }
        }
        Command::VerifyBundle { dir, key } => {
            let check = girok_store::verify_bundle(&dir, key.as_deref()).with_context(|| format!("checking bundle {}", dir.display()))?;
            for p in &check.problems {
                println!("PROBLEM {p}");
            }
            println!("checked {} files; signed by {}", check.files_checked, check.signer);
            if check.problems.is_empty() {
                println!(
                    "OK: signature and every hash match{}",
                    if key.is_some() { ", and the signer is the expected archive" } else { " (pass --key to check who signed it)" }
                );
                Ok(Outcome::Clean)
            } else {
                Ok(Outcome::ProblemsFound)
            }
        }
        Command::Replica(cmd) => sync::replica(g, cmd),
        Command::Sync(cmd) => sync::sync(g, cmd),
        Command::Mirror { name, dir } => sync::mirror_push(g, &name, &dir),
        Command::RecoveryKey { out } => sync::recovery_key(&out),
        Command::RestoreMirror { mirror, recovery_key, expect } => sync::restore(g, &mirror, &recovery_key, &expect),
        Command::Conflicts(cmd) => sync::conflicts(g, cmd),
        Command::Info => {
            let a = open(g)?;
            println!("archive {}", a.dir().display());
            for (kind, n) in a.counts()? {
                println!("{:>10} {n}", kind.as_str());
            }
            println!("public signing key {}", a.public_key_hex());
            Ok(Outcome::Clean)
        }
        Command::Vocab { list, find } => {
            let list = match list {
                VocabList::ActTypes => List::ActTypes,
                VocabList::Involvement => List::Involvement,
                VocabList::SourceConnection => List::SourceConnection,
                VocabList::Relationships => List::Relationships,
                VocabList::Reliability => List::Reliability,
                VocabList::PlaceKinds => {
                    for k in girok_core::model::PlaceKind::ALL {
                        println!("{:<22} {}", k.as_str(), k.label());
                    }
                    return Ok(Outcome::Clean);
                }
            };
            let find = find.map(|f| f.to_lowercase());
            let vocab = Vocabulary::builtin();
            for t in vocab.terms(list) {
                if find.as_ref().is_some_and(|f| !t.en.to_lowercase().contains(f) && !t.ko.as_deref().unwrap_or("").contains(f.as_str())) {
                    continue;
                }
                let indent = "  ".repeat(t.level.saturating_sub(1) as usize);
                println!("{} {indent}{}{}", t.code, t.en, t.ko.as_ref().map(|k| format!(" ({k})")).unwrap_or_default());
            }
            Ok(Outcome::Clean)
        }
        Command::Demo { dir, testimonies, seed, no_serve, listen } => cmd_demo(&dir, testimonies, seed, if no_serve { None } else { Some(listen) }),
        Command::DemoLists { out, people, lists, seed } => {
            let l = girok_synth::lists::generate_lists(&girok_synth::lists::ListsConfig { seed, people, lists });
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            for (i, name) in l.names.iter().enumerate() {
                let path = out.join(format!("{name}.csv"));
                std::fs::write(&path, l.list_csv(i)).with_context(|| format!("writing {}", path.display()))?;
            }
            let truth: String =
                std::iter::once("id,person\n".to_string()).chain(l.records.iter().zip(l.truth()).map(|(r, t)| format!("{},{t}\n", r.cells[0]))).collect();
            std::fs::write(out.join("truth.csv"), truth).with_context(|| format!("writing {}", out.display()))?;
            println!(
                "wrote {} SYNTHETIC lists ({} records of {people} people) and truth.csv to {}; try: girok estimate --lists {}/synthetic-org-*.csv --compare",
                l.names.len(),
                l.records.len(),
                out.display(),
                out.display()
            );
            Ok(Outcome::Clean)
        }
        Command::Link(args) => {
            link::run(&args, || open(g), &actor(g))?;
            Ok(Outcome::Clean)
        }
        Command::Review { action, id } => cmd_review(g, &action, id),
        Command::Serve { listen, secure_cookies, session_idle_minutes, session_max_hours, sync_listen } => {
            let a = open(g)?;
            if a.users()?.is_empty() {
                bail!("the archive has no web accounts yet; create one with `girok user NAME --role admin`");
            }
            if !listen.ip().is_loopback() {
                eprintln!("warning: serving on {listen}, not loopback; put it behind TLS (see README) before anyone connects");
            }
            let ready = format!("Girok is serving {} at http://{listen}/ (Ctrl-C to stop)", g.archive.display());
            let config = girok_server::ServerConfig {
                secure_cookies,
                session_idle: std::time::Duration::from_secs(session_idle_minutes * 60),
                session_max: std::time::Duration::from_secs(session_max_hours * 3600),
                ..Default::default()
            };
            serve_archive(a, config, listen, sync_listen, Some(&ready))?;
            Ok(Outcome::Clean)
        }
        Command::User { name, role, identity_clearance } => {
            let password = match take_secret_env("GIROK_NEW_PASSWORD").ok_or(()) {
                Ok(p) => p,
                Err(_) => rpassword::prompt_password(format!("Password for {name}: ")).context("reading the password")?,
            };
            let role = girok_store::Role::parse(&role).expect("clap checked the role");
            let mut a = open(g)?;
            girok_app::accounts::set_user(&mut a, &girok_app::Actor::key_holder(&actor(g)), &name, &password, role, identity_clearance)?;
            println!("account {name} ({}) saved", role.as_str());
            Ok(Outcome::Clean)
        }
        Command::Estimate(args) => {
            // Warnings are part of the answer (printed and in --json), not a failure.
            estimate::run(&args, || open(g))?;
            Ok(Outcome::Clean)
        }
        Command::Briefing { action } => {
            publish::briefing(&action, &mut open(g)?)?;
            Ok(Outcome::Clean)
        }
        Command::Publish(args) => {
            let written = publish::run(&args, || open(g))?;
            for p in &written {
                println!("wrote {}", p.display());
            }
            println!("Open briefing.html in a browser; manifest.json lists every file's SHA-256 and the archive state it was made from.");
            Ok(Outcome::Clean)
        }
    }
}

fn cmd_review(g: &Global, action: &ReviewAction, id: Option<i64>) -> anyhow::Result<Outcome> {
    let mut a = open(g)?;
    if *action == ReviewAction::List {
        let items = a.review_queue(None)?;
        if items.is_empty() {
            println!("the review queue is empty (propose pairs with `girok link persons`)");
        }
        for it in items {
            let name = |id: &str| a.get(id).map(|r| r.title()).unwrap_or_else(|_| id.to_string());
            println!("#{:<5} {:<9} p={:.3}  {} [{}]  ~  {} [{}]", it.id, it.status, it.score, name(&it.left), it.left, name(&it.right), it.right);
        }
        return Ok(Outcome::Clean);
    }
    let id = id.context("give the review id, e.g. `girok review accept 3`")?;
    let decision = match action {
        ReviewAction::Accept => girok_store::ReviewDecision::Accept,
        ReviewAction::Reject => girok_store::ReviewDecision::Reject,
        ReviewAction::Undo => girok_store::ReviewDecision::Undo,
        ReviewAction::List => unreachable!("handled above"),
    };
    let item = girok_app::accounts::decide_review(&mut a, &girok_app::Actor::key_holder(&actor(g)), id, decision)?;
    println!("review #{} is now {} ({} ~ {})", item.id, item.status, item.left, item.right);
    Ok(Outcome::Clean)
}

fn collect_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let md = std::fs::metadata(p).with_context(|| format!("{} does not exist", p.display()))?;
        if md.is_dir() {
            let mut stack = vec![p.clone()];
            while let Some(d) = stack.pop() {
                let mut entries: Vec<PathBuf> =
                    std::fs::read_dir(&d).with_context(|| format!("reading folder {}", d.display()))?.flatten().map(|e| e.path()).collect();
                entries.sort();
                for e in entries {
                    if e.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                        continue;
                    }
                    if e.is_dir() {
                        stack.push(e);
                    } else {
                        out.push(e);
                    }
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

struct AddOptions {
    source: Option<String>,
    title: Option<String>,
    language: Option<String>,
    confidentiality: Confidentiality,
    max_size: u64,
    ocr: bool,
}

fn cmd_add(g: &Global, paths: Vec<PathBuf>, o: AddOptions) -> anyhow::Result<Outcome> {
    let files = collect_files(&paths)?;
    let mut a = open(g)?;
    let pb = bar(files.len() as u64, "add");
    let provenance =
        girok_app::Provenance { source: o.source, language: o.language, confidentiality: Some(o.confidentiality), title: o.title, max_size: o.max_size };
    let (mut added, mut dup, mut failed) = (0, 0, 0);
    let mut pending = Vec::new();
    let received = files.iter().map(|f| girok_app::Received::Path(f.clone())).collect();
    girok_app::take_in(&mut a, &girok_app::Actor::key_holder(&actor(g)), &provenance, received, &mut |t| {
        match &t.result {
            Ok(IntakeOutcome::Added { id, text_chars, warning, attachments, ocr_pending }) => {
                added += 1;
                say(&pb, format!("added {id} {} ({text_chars} characters of text)", t.name));
                if let Some(w) = warning {
                    say(&pb, format!("  note: {w}"));
                }
                if *ocr_pending {
                    pending.push(id.clone());
                }
                for att in attachments {
                    say(&pb, format!("  attachment taken in as {att}"));
                }
            }
            Ok(IntakeOutcome::Duplicate { existing }) => {
                dup += 1;
                say(&pb, format!("duplicate {} is already {existing} (same SHA-256); not stored twice", t.name));
            }
            Err(e) => {
                failed += 1;
                say(&pb, format!("error: {e}"));
            }
        }
        pb.inc(1);
    })
    .map_err(|e| match e {
        girok_app::DomainError::Invalid { field, .. } if field == "source" => anyhow::anyhow!("--source: no such source in the archive (import it first)"),
        other => other.into(),
    })?;
    pb.finish_and_clear();
    println!("{added} added, {dup} duplicate, {failed} failed");
    let mut outcome = if failed > 0 { Outcome::ProblemsFound } else { Outcome::Clean };
    if !pending.is_empty() {
        if o.ocr {
            if cmd_ocr(&mut a, g, Some(pending))? == Outcome::ProblemsFound {
                outcome = Outcome::ProblemsFound;
            }
        } else {
            println!("{} scan(s) or photograph(s) wait for OCR: run `girok ocr`", pending.len());
        }
    }
    Ok(outcome)
}

/// OCR of the documents named, or of every one waiting, with a bar per page.
fn cmd_ocr(a: &mut girok_store::Archive, g: &Global, ids: Option<Vec<String>>) -> anyhow::Result<Outcome> {
    let pb = bar(0, "ocr");
    let mut current = String::new();
    let done = girok_app::recognise(a, &girok_app::Actor::key_holder(&actor(g)), ids, &mut |doc, page, pages| {
        if doc != current {
            current = doc.to_string();
            pb.set_length(pages as u64);
            pb.set_message(format!("ocr {doc}"));
        }
        pb.set_position(page as u64);
    })?;
    pb.finish_and_clear();
    let mut problems = false;
    for r in &done {
        match &r.origin {
            Ok(girok_core::model::TextOrigin::Ocr { confidence, pages, .. }) => {
                println!("{}: text recognised on {pages} page(s), mean confidence {confidence:.0}%", r.id)
            }
            Ok(girok_core::model::TextOrigin::OcrFailed { reason }) => {
                problems = true;
                println!("{}: no text ({reason})", r.id)
            }
            Ok(_) => {}
            Err(e) => {
                problems = true;
                println!("{}: {e}", r.id)
            }
        }
    }
    if done.is_empty() {
        println!("no document waits for OCR");
    }
    Ok(if problems { Outcome::ProblemsFound } else { Outcome::Clean })
}

fn cmd_search(g: &Global, args: SearchArgs) -> anyhow::Result<Outcome> {
    let a = open(g)?;
    let act_type = match &args.act_type {
        Some(t) => Some(Vocabulary::builtin().resolve(List::ActTypes, t).with_context(|| format!("--act-type {t:?}"))?.code.clone()),
        None => None,
    };
    let place = match &args.place {
        Some(p) => Some(a.resolve_place(p).with_context(|| format!("--place {p:?}"))?),
        None => None,
    };
    let q = SearchQuery {
        text: args.query.clone(),
        kinds: args.kinds.iter().map(|k| parse_kind(k)).collect::<anyhow::Result<_>>()?,
        act_type,
        place,
        from: args.from.as_deref().map(|s| parse_day_bound(s, false, "from")).transpose()?,
        to: args.to.as_deref().map(|s| parse_day_bound(s, true, "to")).transpose()?,
        source: args.source.clone(),
        max_confidentiality: args.confidentiality.into(),
        limit: args.limit,
        exhaustive: args.exhaustive,
    };
    let hits = a.search(&q)?;
    if args.json {
        let v: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| serde_json::json!({ "id": h.id, "kind": h.kind, "title": h.title, "score": h.score, "snippet": h.snippet.text, "marks": h.snippet.marks }))
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let (open_mark, close_mark) = if std::io::stdout().is_terminal() { ("\x1b[1;33m", "\x1b[0m") } else { ("[", "]") };
        for h in &hits {
            println!("{} {:<9} {}", h.id, h.kind, h.title);
            if !h.snippet.text.is_empty() {
                println!("    {}", h.snippet.render(open_mark, close_mark));
            }
        }
        eprintln!("{} result(s)", hits.len());
    }
    Ok(if hits.is_empty() { Outcome::ProblemsFound } else { Outcome::Clean })
}

fn cmd_show(g: &Global, id: &str, json: bool) -> anyhow::Result<Outcome> {
    let a = open(g)?;
    let rec = a.get(id).with_context(|| format!("showing {id}"))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rec)?);
        return Ok(Outcome::Clean);
    }
    let vocab = Vocabulary::builtin();
    let label = |list: List, code: &Option<String>| {
        code.as_ref().map(|c| vocab.get(list, c).map(|t| format!("{} ({c})", t.en)).unwrap_or_else(|| c.clone())).unwrap_or_else(|| "—".into())
    };
    println!("{} · {} · {}", rec.id(), rec.kind().as_str(), rec.confidentiality().as_str());
    println!("{}", rec.title());
    let place_name =
        |p: &Option<String>| p.as_ref().map(|p| a.get(p).map(|r| format!("{} [{p}]", r.title())).unwrap_or_else(|_| p.clone())).unwrap_or_else(|| "—".into());
    let date = |d: &Option<UncertainDate>| d.as_ref().map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let cites = |c: &[girok_core::model::Citation]| -> anyhow::Result<()> {
        for c in c {
            match c.span {
                Some((s, e)) => {
                    let text = a.document_text(&c.document)?.unwrap_or_default();
                    let passage: String = text.chars().skip(s as usize).take((e - s) as usize).collect();
                    println!("  cites {} chars {s}-{e}: \"{passage}\"", c.document);
                }
                None => println!("  cites {}", c.document),
            }
        }
        Ok(())
    };
    match &rec {
        Record::Act(x) => {
            println!("  act type    {}", label(List::ActTypes, &Some(x.act_type.clone())));
            println!("  victim      {}", a.get(&x.victim).map(|r| format!("{} [{}]", r.title(), x.victim)).unwrap_or_else(|_| x.victim.clone()));
            println!("  event       {}", x.event);
            println!("  place       {}", place_name(&x.place));
            println!("  date        {}", date(&x.date));
            for p in &x.perpetrators {
                println!(
                    "  perpetrator {} · {}",
                    a.get(&p.perpetrator).map(|r| r.title()).unwrap_or_else(|_| p.perpetrator.clone()),
                    label(List::Involvement, &p.degree)
                );
            }
            println!(
                "  source      {} · {} · reliability {}",
                x.source.clone().unwrap_or_else(|| "—".into()),
                label(List::SourceConnection, &x.connection),
                label(List::Reliability, &x.reliability)
            );
            if !x.description.is_empty() {
                println!("  description {}", x.description);
            }
            println!("  violates:");
            let victim = match a.get(&x.victim) {
                Ok(Record::Person(p)) => girok_core::rights::Victim {
                    age: girok_core::rights::age_at_act(p.birth.as_ref(), x.date.as_ref()),
                    female: match p.sex {
                        Some(girok_core::model::Sex::Female) => Some(true),
                        Some(girok_core::model::Sex::Male) => Some(false),
                        _ => None,
                    },
                },
                _ => girok_core::rights::Victim { age: girok_core::rights::AgeAtAct::Unknown, female: None },
            };
            let (articles, notes) = girok_core::rights::articles_for_act(vocab, &x.act_type, victim);
            for art in articles {
                println!("    {art}");
            }
            for n in notes {
                println!("    note: {n}");
            }
            cites(&x.citations)?;
        }
        Record::Event(x) => {
            println!("  place       {}", place_name(&x.place));
            println!("  date        {}", date(&x.date));
            if let Some(f) = &x.follows {
                println!("  follows     {f}");
            }
            if !x.description.is_empty() {
                println!("  description {}", x.description);
            }
            cites(&x.citations)?;
        }
        Record::Document(d) => {
            println!("  sha256      {}", d.sha256);
            println!("  size        {} bytes · {} · {}", d.size, d.media_type, d.original_name);
            println!("  received    {} from {} by {}", d.received_at, d.received_from.clone().unwrap_or_else(|| "—".into()), d.received_by);
            if let Some(text) = a.document_text(id)? {
                let excerpt: String = text.chars().take(600).collect();
                println!("  text ({} characters):\n{excerpt}{}", d.text_chars, if d.text_chars > 600 { "…" } else { "" });
            }
        }
        Record::Place(p) => {
            println!("  kind        {}", p.kind.label());
            println!("  parent      {}", place_name(&p.parent));
            if let (Some(lat), Some(lon)) = (p.lat, p.lon) {
                println!("  coordinates {lat}, {lon}");
            }
            println!("  aliases     {}", p.aliases.iter().map(|n| n.text.as_str()).collect::<Vec<_>>().join("; "));
            println!("  contains    {} places", a.place_descendants(id)?.len().saturating_sub(1));
            println!("  credit      {}", p.credit);
        }
        other => println!("{}", serde_json::to_string_pretty(other)?),
    }
    Ok(Outcome::Clean)
}

/// Demo accounts, one per role. The passwords are public: this is a synthetic demo.
const DEMO_ACCOUNTS: [(&str, &str, girok_store::Role); 4] = [
    ("admin", "demo-admin-password", girok_store::Role::Admin),
    ("documenter", "demo-documenter-password", girok_store::Role::Documenter),
    ("analyst", "demo-analyst-password", girok_store::Role::Analyst),
    ("viewer", "demo-viewer-password", girok_store::Role::Viewer),
];

fn cmd_demo(dir: &Path, testimonies: usize, seed: u64, serve: Option<std::net::SocketAddr>) -> anyhow::Result<Outcome> {
    let key = KeySource::passphrase(DEMO_PASSPHRASE);
    if dir.exists() {
        // Only ever replace a previous demo archive, recognised by opening with the demo passphrase.
        match Archive::open(dir, &key) {
            Ok(_) => std::fs::remove_dir_all(dir).with_context(|| format!("removing the previous demo archive {}", dir.display()))?,
            Err(_) => bail!("{} exists and is not a demo archive; choose another --dir", dir.display()),
        }
    }
    eprintln!("Generating {testimonies} synthetic testimonies (seed {seed})…");
    let ds = girok_synth::generate(&girok_synth::Config { seed, testimonies });
    let mut a = Archive::create(dir, &key, CreateOptions { kdf: KdfParams::INTERACTIVE, seed_gazetteer: true })
        .with_context(|| format!("creating {}", dir.display()))?;
    let pb = bar(ds.documents.len() as u64, "documents");
    let loaded = a.load_synthetic(&ds, &mut |what, done, total| {
        pb.set_message(what.to_string());
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    })?;
    pb.finish_and_clear();
    let places = a.counts()?.into_iter().find(|(k, _)| *k == Kind::Place).map(|(_, n)| n).unwrap_or(0);
    println!("Created the demo archive {} — ALL DATA IN IT IS SYNTHETIC (fictional people and testimonies).", dir.display());
    println!(
        "  {} testimonies (Korean and English) · {} persons · {} events · {} acts · {places} places · {} indicator series",
        loaded.documents,
        loaded.persons,
        loaded.events,
        loaded.acts,
        ds.indicators.len()
    );
    let c = a.corroboration_counts(girok_core::Confidentiality::Restricted)?;
    println!(
        "  {} events reported by two or more organisations, {} by one (`girok link events` finds more, told twice as separate events)",
        c.corroborated, c.single
    );
    println!("  demo passphrase: {DEMO_PASSPHRASE}");
    println!();
    println!("Try:");
    println!("  export GIROK_ARCHIVE={} GIROK_PASSPHRASE={DEMO_PASSPHRASE}", dir.display());
    println!("  cargo run --release -- search 수용소 --place \"North Hamgyong Province\"");
    println!("  cargo run --release -- search \"tortured\" --act-type DP0600000000 --from 2000 --to 2005");
    println!("  cargo run --release -- show act-synth-00001-2");
    println!("  cargo run --release -- verify");
    println!("  cargo run --release -- estimate --acts 강제송환 --compare");
    println!("  cargo run --release -- link events && cargo run --release -- review list   (events two testimonies tell)");
    println!("  cargo run --release -- demo-lists && cargo run --release -- estimate --lists girok-demo-lists/synthetic-org-*.csv --compare");
    println!("  cargo run --release -- publish --out demo-briefing --level internal   (the demo's records are internal)");
    println!("  cargo run --release -- publish --briefing demo-briefing --out demo-briefing-full   (the saved briefing: sections, estimate, recommendations)");
    for (name, password, role) in DEMO_ACCOUNTS {
        girok_app::accounts::set_user(&mut a, &girok_app::Actor::key_holder("girok-demo"), name, password, role, role == girok_store::Role::Admin)?;
    }
    let briefing = girok_app::briefing::BriefingTemplate::from_toml(&girok_synth::briefing::demo_briefing(&ds))?;
    girok_app::briefing::save(&mut a, &girok_app::Actor::key_holder("girok-demo"), &briefing).context("saving the demo briefing")?;
    let Some(listen) = serve else { return Ok(Outcome::Clean) };
    println!();
    println!("Web application: http://{listen}/  (Ctrl-C to stop; --no-serve skips this)");
    for (name, password, role) in DEMO_ACCOUNTS {
        println!("  {:<11} {name:<11} password {password}", role.as_str());
    }
    serve_archive(a, girok_server::ServerConfig::default(), listen, None, None)?;
    Ok(Outcome::Clean)
}

/// Serves the web application on `listen` until the process ends (`serve` and `demo`), saying
/// `ready` once it can answer.
fn serve_archive(
    a: girok_store::Archive,
    config: girok_server::ServerConfig,
    listen: std::net::SocketAddr,
    sync_listen: Option<std::net::SocketAddr>,
    ready: Option<&str>,
) -> anyhow::Result<()> {
    let state = girok_server::AppState::for_serving(a, config).context("preparing the web application")?;
    // Bound before "ready" is said, so whoever reads it can connect at once.
    let listener = std::net::TcpListener::bind(listen).with_context(|| format!("listening on {listen}"))?;
    let sync = match sync_listen {
        Some(addr) => {
            let l = std::net::TcpListener::bind(addr).with_context(|| format!("listening for sync on {addr}"))?;
            let bound = l.local_addr().context("the sync listener's address")?;
            Some((l, bound))
        }
        None => None,
    };
    if let Some(msg) = ready {
        println!("{msg}");
    }
    if let Some((_, bound)) = &sync {
        println!("Answering paired archives' sync at https://{bound}/ (girok sync https --url https://{bound})");
    }
    let rt = girok_server::runtime().context("starting the async runtime")?;
    rt.block_on(async {
        let web = girok_server::serve_listener(state.clone(), listener);
        match sync {
            Some((l, bound)) => {
                tokio::select! {
                    r = web => r.with_context(|| format!("serving on {listen}")),
                    r = girok_server::serve_sync_listener(state, l) => r.with_context(|| format!("serving sync on {bound}")),
                }
            }
            None => web.await.with_context(|| format!("serving on {listen}")),
        }
    })
}
