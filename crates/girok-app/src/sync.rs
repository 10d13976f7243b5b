//! Sync workflows: pairing, bundles to and from replicas, mirrors, restore and the conflicts
//! queue, for `girok replica|sync|mirror|conflicts|restore` and the web's replica page.
//!
//! Pairing, bundles and mirrors are admin work (they decide which machines hold the record);
//! resolving a conflict is a documenter's, like any correction, at their ceiling.

use std::path::{Path, PathBuf};

use girok_core::model::Record;
use girok_store::{ApplyReport, Archive, Card, Conflict, ExportReport, Replica, Resolution, SyncError, SyncPolicy};

use crate::{Actor, DomainError};

fn admin(actor: &Actor) -> Result<(), DomainError> {
    if actor.role == girok_store::Role::Admin {
        Ok(())
    } else {
        Err(DomainError::Forbidden("only an admin pairs archives and moves sync bundles".into()))
    }
}

/// This archive's pairing card as JSON, and its fingerprint.
pub fn card(archive: &Archive, actor: &Actor, name: &str) -> Result<(String, String), DomainError> {
    admin(actor)?;
    let card = archive.card(name)?;
    Ok((serde_json::to_string_pretty(&card).expect("a card serializes"), card.fingerprint()))
}

/// Sets what this archive accepts from replicas (a field laptop: a level, no identities).
pub fn set_policy(archive: &mut Archive, actor: &Actor, policy: SyncPolicy) -> Result<(), DomainError> {
    admin(actor)?;
    Ok(archive.write(&actor.username, |w| w.set_sync_policy(policy))?)
}

/// Reads another archive's card: its fingerprint, to be compared before `pair`.
pub fn read_card(text: &str) -> Result<Card, DomainError> {
    Ok(Card::parse(text)?)
}

/// Pairs with the archive whose card this is, once `fingerprint` (as the person compared it)
/// matches.
pub fn pair(archive: &mut Archive, actor: &Actor, card: &Card, name: &str, fingerprint: &str) -> Result<(), DomainError> {
    admin(actor)?;
    run(archive, actor, |w| w.pair(card, name, fingerprint))
}

/// Adds a mirror that receives bundles encrypted to the organisation's recovery key.
pub fn add_mirror(archive: &mut Archive, actor: &Actor, name: &str, recovery_recipient: &str) -> Result<(), DomainError> {
    admin(actor)?;
    run(archive, actor, |w| w.add_mirror(name, recovery_recipient))
}

/// Runs a writer step that fails with a `SyncError`, keeping the error as it is. A refused
/// pairing fails before it writes anything, so the empty transaction commits nothing.
fn run(archive: &mut Archive, actor: &Actor, f: impl FnOnce(&mut girok_store::Writer<'_>) -> Result<(), SyncError>) -> Result<(), DomainError> {
    Ok(archive.write(&actor.username, |w| Ok(f(w)))??)
}

/// One replica's state for admins: when it last sent a bundle, what waits for it.
#[derive(Clone, Debug)]
pub struct ReplicaState {
    pub replica: Replica,
    pub fingerprint: String,
    pub waiting: u64,
}

pub fn replicas(archive: &Archive, actor: &Actor) -> Result<(Vec<ReplicaState>, usize), DomainError> {
    admin(actor)?;
    let mut out = Vec::new();
    for r in archive.replicas()? {
        let waiting = archive.sync_waiting(&r)?;
        out.push(ReplicaState { fingerprint: r.fingerprint(), replica: r, waiting });
    }
    Ok((out, archive.conflicts()?.len()))
}

/// Writes a bundle of what `replica` has not confirmed to `path`.
pub fn export(archive: &mut Archive, actor: &Actor, replica: &str, path: &Path, progress: girok_store::Progress<'_>) -> Result<ExportReport, DomainError> {
    admin(actor)?;
    Ok(archive.sync_export(replica, path, progress)?)
}

/// Applies a bundle from a paired archive.
pub fn apply(archive: &mut Archive, actor: &Actor, path: &Path, progress: girok_store::Progress<'_>) -> Result<ApplyReport, DomainError> {
    admin(actor)?;
    Ok(archive.sync_apply(path, progress)?)
}

/// Writes the next numbered bundle into a mirror directory (`000001.girok-sync`, …).
pub fn mirror_push(
    archive: &mut Archive,
    actor: &Actor,
    mirror: &str,
    dir: &Path,
    progress: girok_store::Progress<'_>,
) -> Result<(PathBuf, ExportReport), DomainError> {
    admin(actor)?;
    std::fs::create_dir_all(dir).map_err(|source| SyncError::Io { path: dir.to_path_buf(), source })?;
    let next = mirror_bundles(dir)?.len() + 1;
    let path = dir.join(format!("{next:06}.girok-sync"));
    let report = archive.sync_export(mirror, &path, progress)?;
    Ok((path, report))
}

/// The bundles of a mirror directory, in the order they were written.
pub fn mirror_bundles(dir: &Path) -> Result<Vec<PathBuf>, DomainError> {
    let entries = std::fs::read_dir(dir).map_err(|source| SyncError::Io { path: dir.to_path_buf(), source })?;
    let mut out: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "girok-sync")).collect();
    out.sort();
    Ok(out)
}

/// Restores into `archive` (new and empty) every bundle of a mirror directory, with the
/// organisation's recovery identity, trusting the archive whose fingerprint is `expect`.
pub fn restore(
    archive: &mut Archive,
    dir: &Path,
    recovery: &age::x25519::Identity,
    expect: &str,
    progress: girok_store::Progress<'_>,
) -> Result<Vec<ApplyReport>, DomainError> {
    let bundles = mirror_bundles(dir)?;
    if bundles.is_empty() {
        return Err(DomainError::Invalid { field: "mirror".into(), message: format!("{} holds no .girok-sync bundles", dir.display()), suggestions: vec![] });
    }
    let mut out = Vec::new();
    for b in bundles {
        out.push(archive.sync_restore(&b, recovery, expect, progress)?);
    }
    Ok(out)
}

/// Reads an age identity file (the recovery key, `AGE-SECRET-KEY-1…`).
pub fn read_identity(path: &Path) -> Result<age::x25519::Identity, DomainError> {
    let text = std::fs::read_to_string(path).map_err(|source| SyncError::Io { path: path.to_path_buf(), source })?;
    let line = text.lines().map(str::trim).find(|l| l.starts_with("AGE-SECRET-KEY-")).unwrap_or("");
    line.parse().map_err(|_| DomainError::Invalid {
        field: "recovery key".into(),
        message: format!("{} holds no age identity (AGE-SECRET-KEY-1…)", path.display()),
        suggestions: vec![],
    })
}

/// A new recovery key: the identity file's text and its public recipient.
pub fn new_recovery_key() -> (String, String) {
    use age::secrecy::ExposeSecret;
    let id = age::x25519::Identity::generate();
    let recipient = id.to_public().to_string();
    (
        format!(
            "# Girok recovery key. Keep it offline; whoever holds it reads every mirror bundle.\n# recipient: {recipient}\n{}\n",
            id.to_string().expose_secret()
        ),
        recipient,
    )
}

/// The open conflicts a documenter may see (records above their ceiling are left out).
pub fn conflicts(archive: &Archive, actor: &Actor) -> Result<Vec<Conflict>, DomainError> {
    let all = archive.conflicts()?;
    Ok(all.into_iter().filter(|c| archive.get_for(&c.record_id, actor.ceiling(), true).is_ok()).collect())
}

/// A conflict beside this archive's current version: the fields where the other version
/// differs (this archive's value as `before`, the other's as `after`; none when the other
/// version retires or restores rather than edits), for choosing.
pub struct ConflictView {
    pub conflict: Conflict,
    pub changes: Vec<crate::diff::FieldChange>,
}

/// The open conflicts a documenter may see (as `conflicts`), each with what differs.
pub fn conflict_views(archive: &Archive, actor: &Actor) -> Result<Vec<ConflictView>, DomainError> {
    let mut out = Vec::new();
    for c in archive.conflicts()? {
        let Ok(here) = archive.get_for(&c.record_id, actor.ceiling(), true) else { continue };
        let here = serde_json::to_value(&here.record).unwrap_or_default();
        let changes = match c.content.as_deref().and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok()) {
            Some(other) if other.is_object() => crate::diff::diff(&here, &other),
            _ => Vec::new(),
        };
        out.push(ConflictView { conflict: c, changes });
    }
    Ok(out)
}

/// What a documenter chose for a conflict.
pub enum Choice {
    Local,
    Remote,
    Merged(Box<Record>),
}

/// Settles a conflict; audited under the actor, and the choice travels to the replicas.
pub fn resolve(archive: &mut Archive, actor: &Actor, seq: i64, choice: Choice) -> Result<(), DomainError> {
    if !actor.can_edit() {
        return Err(DomainError::Forbidden("only documenters and admins resolve conflicts".into()));
    }
    let conflict = conflicts(archive, actor)?.into_iter().find(|c| c.seq == seq).ok_or_else(|| DomainError::NotFound(format!("conflict {seq}")))?;
    let choice = match choice {
        Choice::Local => Resolution::Local,
        Choice::Remote => Resolution::Remote,
        Choice::Merged(r) => {
            if r.id() != conflict.record_id {
                return Err(DomainError::Invalid {
                    field: "merged".into(),
                    message: format!("the merged version is of {}, not {}", r.id(), conflict.record_id),
                    suggestions: vec![],
                });
            }
            Resolution::Merged(r)
        }
    };
    Ok(archive.write(&actor.username, |w| w.resolve_conflict(seq, choice))?)
}

/// The paired archive a transport authenticated by its key, or why it may not sync: the
/// HTTPS transport's only check of who is on the other end (no account, no password).
pub fn transport_peer(archive: &Archive, key_hex: &str) -> Result<Replica, DomainError> {
    archive
        .paired_by_key(key_hex)?
        .ok_or_else(|| DomainError::Forbidden(format!("the archive with fingerprint {} is not paired with this one", girok_store::fingerprint(key_hex))))
}

/// Writes a bundle for a transport peer (what it has not confirmed), as `export` does for an
/// admin.
pub fn export_for_peer(archive: &mut Archive, key_hex: &str, path: &Path) -> Result<ExportReport, DomainError> {
    let peer = transport_peer(archive, key_hex)?;
    Ok(archive.sync_export(&peer.name, path, &mut |_, _| {})?)
}

/// Applies a bundle a transport peer uploaded; refused unless that peer signed it.
pub fn apply_from_peer(archive: &mut Archive, key_hex: &str, path: &Path) -> Result<ApplyReport, DomainError> {
    transport_peer(archive, key_hex)?;
    Ok(archive.sync_apply_from(path, Some(key_hex), &mut |_, _| {})?)
}
