//! `girok replica`, `girok sync`, `girok mirror`, `girok recovery-key`, `girok restore` and
//! `girok conflicts`: argv in, `girok_app::sync` workflows, text out.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Subcommand, ValueEnum};
use girok_app::sync as app;
use girok_app::Actor;
use girok_core::model::Confidentiality;
use girok_store::{Archive, CreateOptions, SyncPolicy};

use crate::{actor, bar, key_source, open, Conf, Global, Outcome};

#[derive(Subcommand)]
pub(crate) enum ReplicaCmd {
    /// Print this archive's pairing card (JSON) and, on stderr, its fingerprint to read out.
    Card {
        /// The name the other archive will know this one by.
        #[arg(long, default_value = "girok")]
        name: String,
        /// Write the card to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Pair with another archive from its card, after comparing its fingerprint.
    Pair {
        card: PathBuf,
        /// What this archive calls the other (office, laptop-seoul, …).
        #[arg(long)]
        name: String,
        /// The fingerprint the other archive's operator read out; asked for when omitted.
        #[arg(long)]
        fingerprint: Option<String>,
    },
    /// Receive nothing above a level, and optionally no sealed identities (a field laptop).
    /// Set it before printing the card, which carries it.
    Policy {
        #[arg(long, value_enum)]
        max_level: Conf,
        #[arg(long)]
        no_identities: bool,
    },
    /// Add a mirror: an offsite place that receives bundles encrypted to the recovery key.
    Mirror {
        name: String,
        /// The recovery key's public recipient (age1…), from `girok recovery-key`.
        #[arg(long)]
        recovery_recipient: String,
    },
    /// Paired archives and mirrors: fingerprint, last bundle, changes waiting.
    List,
}

#[derive(Subcommand)]
pub(crate) enum SyncCmd {
    /// Write a bundle of everything the replica has not confirmed (for a USB stick).
    Export {
        #[arg(long)]
        to: String,
        file: PathBuf,
    },
    /// Apply bundles from paired archives (each is all or nothing; applying one twice changes nothing).
    Apply { files: Vec<PathBuf> },
    /// Sync both ways with a paired archive serving `girok serve --sync-listen`, over TLS
    /// authenticated by the two archives' keys; an interrupted run resumes where it stopped.
    Https {
        /// The paired archive's name here.
        #[arg(long)]
        with: String,
        /// Where it serves sync, e.g. https://office.example.org:8751
        #[arg(long)]
        url: String,
        /// Carry at most this many bytes now (a metered link); the next run continues.
        #[arg(long)]
        max_bytes: Option<u64>,
    },
}

#[derive(Subcommand)]
pub(crate) enum ConflictsCmd {
    /// The open conflicts.
    List,
    /// Settle one: keep this archive's version, take the other's, or give a merged record (JSON).
    Resolve {
        seq: i64,
        #[arg(long, value_enum, conflicts_with = "merged")]
        take: Option<Take>,
        #[arg(long)]
        merged: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Take {
    Local,
    Remote,
}

fn holder(g: &Global) -> Actor {
    Actor::key_holder(&actor(g))
}

pub(crate) fn replica(g: &Global, cmd: ReplicaCmd) -> anyhow::Result<Outcome> {
    match cmd {
        ReplicaCmd::Card { name, out } => {
            let a = open(g)?;
            let (card, fp) = app::card(&a, &holder(g), &name)?;
            match out {
                Some(p) => std::fs::write(&p, &card).with_context(|| format!("writing {}", p.display()))?,
                None => println!("{card}"),
            }
            eprintln!("fingerprint {fp} — read it out to the other archive's operator; they give it to `girok replica pair`");
        }
        ReplicaCmd::Pair { card, name, fingerprint } => {
            let text = std::fs::read_to_string(&card).with_context(|| format!("reading card {}", card.display()))?;
            let parsed = app::read_card(&text).with_context(|| format!("card {}", card.display()))?;
            let given = match fingerprint {
                Some(f) => f,
                None => {
                    if !std::io::stdin().is_terminal() {
                        bail!("--fingerprint: give the fingerprint the other archive's operator read out (their `girok replica card` prints it)");
                    }
                    eprint!("Type the fingerprint the other archive's operator reads out from their own screen: ");
                    std::io::stderr().flush()?;
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line
                }
            };
            let mut a = open(g)?;
            app::pair(&mut a, &holder(g), &parsed, &name, &given).with_context(|| format!("pairing with {}", card.display()))?;
            println!(
                "paired with {name} ({}); it accepts up to {}{}",
                parsed.fingerprint(),
                parsed.accepts.max_level.as_str(),
                if parsed.accepts.identities { "" } else { ", no sealed identities" }
            );
        }
        ReplicaCmd::Policy { max_level, no_identities } => {
            let mut a = open(g)?;
            let policy = SyncPolicy { max_level: max_level.into(), identities: !no_identities };
            app::set_policy(&mut a, &holder(g), policy)?;
            println!(
                "this archive now receives nothing above {}{}",
                policy.max_level.as_str(),
                if policy.identities { "" } else { " and no sealed identities" }
            );
            if policy.max_level != Confidentiality::Restricted || !policy.identities {
                println!("(a filtered archive sends only its own changes; print its card again for the office)");
            }
        }
        ReplicaCmd::Mirror { name, recovery_recipient } => {
            let mut a = open(g)?;
            app::add_mirror(&mut a, &holder(g), &name, &recovery_recipient)?;
            println!("mirror {name} added; `girok mirror push {name} DIR` writes its bundles");
        }
        ReplicaCmd::List => {
            let a = open(g)?;
            let (replicas, conflicts) = app::replicas(&a, &holder(g))?;
            println!("this archive: {}", a.fingerprint());
            if replicas.is_empty() {
                println!("no replicas; pair with `girok replica pair CARD --name NAME`");
            }
            for r in replicas {
                let kind = if r.replica.mirror { "mirror" } else { "replica" };
                let seen = r.replica.last_seen.as_deref().unwrap_or("never");
                println!("{:<16} {kind:<8} {}  last bundle {seen}  {} changes waiting", r.replica.name, r.fingerprint, r.waiting);
            }
            if conflicts > 0 {
                println!("{conflicts} conflicts wait for a documenter: `girok conflicts list`");
            }
        }
    }
    Ok(Outcome::Clean)
}

fn progress_bar(what: &str) -> (indicatif::ProgressBar, impl FnMut(u64, u64)) {
    let pb = bar(0, what);
    let p = pb.clone();
    (pb, move |done, total| {
        p.set_length(total);
        p.set_position(done);
    })
}

pub(crate) fn sync(g: &Global, cmd: SyncCmd) -> anyhow::Result<Outcome> {
    let mut a = open(g)?;
    match cmd {
        SyncCmd::Export { to, file } => {
            let (pb, mut p) = progress_bar("changes");
            let r = app::export(&mut a, &holder(g), &to, &file, &mut p).with_context(|| format!("writing {}", file.display()))?;
            pb.finish_and_clear();
            println!(
                "{}: {} changes and {} original files ({} bytes) for {to}; {} withheld by its policy",
                file.display(),
                r.changes,
                r.blobs,
                r.blob_bytes,
                r.withheld
            );
        }
        SyncCmd::Apply { files } => {
            if files.is_empty() {
                bail!("give the bundle files to apply");
            }
            for file in files {
                let (pb, mut p) = progress_bar("changes");
                let r = app::apply(&mut a, &holder(g), &file, &mut p).with_context(|| format!("applying {}", file.display()))?;
                pb.finish_and_clear();
                print_applied(&file.display().to_string(), &r);
            }
        }
        SyncCmd::Https { with, url, max_bytes } => {
            let pb = bar(0, "connecting");
            let options = girok_server::sync_client::HttpsOptions { max_bytes, ..Default::default() };
            let r = girok_server::sync_client::sync_over_https(&mut a, &holder(g), &with, &url, options, &mut |what, done, total| {
                pb.set_message(what.to_string());
                pb.set_length(total);
                pb.set_position(done);
            })
            .with_context(|| format!("syncing with {with} at {url}"))?;
            pb.finish_and_clear();
            println!("{with} ({}) knows this archive as {}", r.peer, r.known_as);
            if r.resumed_bytes > 0 {
                println!("resumed: {} bytes had arrived in an earlier run", r.resumed_bytes);
            }
            match &r.pushed {
                Some(p) => print_applied(&format!("sent to {with}"), p),
                None => println!("sent {} bytes to {with}; the bundle is not complete yet: run again to continue", r.sent_bytes),
            }
            match &r.pulled {
                Some(p) => print_applied(&format!("received from {with}"), p),
                None if r.pushed.is_some() => println!("received {} bytes from {with}; not complete yet: run again to continue", r.received_bytes),
                None => {}
            }
            if !r.complete() {
                return Ok(Outcome::ProblemsFound);
            }
        }
    }
    Ok(Outcome::Clean)
}

/// One applied bundle, as `sync apply` and `sync https` say it.
fn print_applied(what: &str, r: &girok_store::ApplyReport) {
    if !r.changed {
        println!("{what}: from {}: nothing new (applied before)", r.from);
        return;
    }
    if r.applied + r.conflicts == 0 {
        // Only what the sender holds of this archive's changes moved on (its receipt), noted.
        println!("{what}: from {}: nothing new ({} held already; its receipt noted)", r.from, r.already);
        return;
    }
    println!(
        "{what}: from {}: {} changes applied, {} original files, {} held already, {} refused by this archive's policy, {} conflicts",
        r.from, r.applied, r.blobs, r.already, r.refused_by_policy, r.conflicts
    );
    if r.conflicts > 0 {
        println!("conflicts wait in `girok conflicts list`");
    }
}

pub(crate) fn mirror_push(g: &Global, name: &str, dir: &std::path::Path) -> anyhow::Result<Outcome> {
    let mut a = open(g)?;
    let (pb, mut p) = progress_bar("changes");
    let (path, r) = app::mirror_push(&mut a, &holder(g), name, dir, &mut p).with_context(|| format!("mirror {name} in {}", dir.display()))?;
    pb.finish_and_clear();
    println!("{}: {} changes, {} original files, encrypted to the recovery key", path.display(), r.changes, r.blobs);
    Ok(Outcome::Clean)
}

pub(crate) fn recovery_key(out: &std::path::Path) -> anyhow::Result<Outcome> {
    if out.exists() {
        bail!("{} exists already; choose a new file", out.display());
    }
    let (text, recipient) = app::new_recovery_key();
    std::fs::write(out, text).with_context(|| format!("writing {}", out.display()))?;
    println!("recovery key written to {}; its recipient: {recipient}", out.display());
    println!("Keep the file offline (paper, a safe); give the recipient to `girok replica mirror`.");
    Ok(Outcome::Clean)
}

pub(crate) fn restore(g: &Global, mirror: &std::path::Path, recovery: &std::path::Path, expect: &str) -> anyhow::Result<Outcome> {
    let identity = app::read_identity(recovery)?;
    let key = key_source(g, true)?;
    let options = CreateOptions { seed_gazetteer: false, ..CreateOptions::default() };
    let mut a = Archive::create(&g.archive, &key, options).with_context(|| format!("creating archive {}", g.archive.display()))?;
    let (pb, mut p) = progress_bar("changes");
    let reports = app::restore(&mut a, mirror, &identity, expect, &mut p).with_context(|| format!("restoring from {}", mirror.display()))?;
    pb.finish_and_clear();
    let applied: u64 = reports.iter().map(|r| r.applied).sum();
    let blobs: u64 = reports.iter().map(|r| r.blobs).sum();
    println!("restored {} bundles into {}: {applied} changes, {blobs} original files; run `girok verify`", reports.len(), g.archive.display());
    Ok(Outcome::Clean)
}

pub(crate) fn conflicts(g: &Global, cmd: ConflictsCmd) -> anyhow::Result<Outcome> {
    let mut a = open(g)?;
    match cmd {
        ConflictsCmd::List => {
            let list = app::conflict_views(&a, &holder(g))?;
            if list.is_empty() {
                println!("no open conflicts");
            }
            for v in list {
                let c = &v.conflict;
                let from = c.origin_name.clone().unwrap_or(c.origin.clone());
                println!("conflict {}: {} — {} by {} on {from} at {}", c.seq, c.record_id, c.action, c.actor, c.at);
                for f in &v.changes {
                    println!(
                        "  {}: this archive {} | other archive {}",
                        f.field,
                        crate::records::change_text(&f.before),
                        crate::records::change_text(&f.after)
                    );
                }
            }
        }
        ConflictsCmd::Resolve { seq, take, merged } => {
            let choice = match (take, merged) {
                (Some(Take::Local), None) => app::Choice::Local,
                (Some(Take::Remote), None) => app::Choice::Remote,
                (None, Some(p)) => {
                    let text = std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
                    app::Choice::Merged(Box::new(serde_json::from_str(&text).with_context(|| format!("{}: not a record (JSON)", p.display()))?))
                }
                _ => bail!("say --take local, --take remote or --merged FILE"),
            };
            app::resolve(&mut a, &holder(g), seq, choice)?;
            println!("conflict {seq} resolved; the choice travels with the next bundles");
        }
    }
    Ok(Outcome::Clean)
}
