//! Sync: what this archive sends a replica, applying what a replica sent, and the conflicts
//! queue.
//!
//! A replica is sent every change it has not confirmed holding (its receipt, `acked`, comes
//! with each bundle it sends back), in this archive's chain order, which is causal: this
//! archive's own record changes, and the changes it holds from other archives when it relays
//! (a filtered archive never relays). Applying is idempotent: a change is known by its global
//! id, so a bundle applied twice, or a change that reached this archive by two paths, changes
//! nothing the second time. A change that follows this archive's current version of a record
//! (one of its parents is that version) is applied; a concurrent one is kept in the conflicts
//! queue beside the current version, for a person to choose; the clock never decides. One
//! bundle is one transaction: a bundle cut short, altered or signed by an unpaired key applies
//! nothing, and a kill during apply leaves what was committed before.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use girok_core::model::{Record, SealedIdentity};
use girok_core::Confidentiality;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::archive::{audit_row, sha256_hex, Archive, AuditEntry, Writer, AUDIT_COLUMNS};
use crate::error::{StoreError, SyncError};
use crate::replicas::{BundleNote, Replica, SyncPolicy};
use crate::sync_entry::{Synced, SHIPPED_ACTIONS};
use crate::sync_wire::{self, BlobSink, BundleWriter, Change};
use crate::verify::Progress;

/// What writing a bundle did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    pub changes: u64,
    pub blobs: u64,
    pub blob_bytes: u64,
    /// Changes left out because the replica may not hold them (its level, sealed identities).
    pub withheld: u64,
}

/// What applying a bundle did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ApplyReport {
    pub applied: u64,
    /// Changes this archive held already (a bundle applied twice, a change by two paths).
    pub already: u64,
    /// Changes this archive's policy keeps out.
    pub refused_by_policy: u64,
    pub conflicts: u64,
    pub blobs: u64,
    /// Whether anything was written (a replayed bundle writes nothing).
    pub changed: bool,
    /// The sender's name here.
    pub from: String,
}

/// A record edited concurrently on two archives: this archive's version stays current, the
/// other is kept here until someone chooses.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// The audit entry that holds the other version; names the conflict.
    pub seq: i64,
    pub record_id: String,
    /// The other version's action (`update`, `retire`, …) and content as its origin wrote it.
    pub action: String,
    pub content: Option<String>,
    pub at: String,
    pub actor: String,
    /// The origin's fingerprint and, if paired, its name here.
    pub origin: String,
    pub origin_name: Option<String>,
}

/// What a person chose for a conflict.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolution {
    /// Keep this archive's version (it is written again, naming both, so the replicas follow).
    Local,
    /// Take the other archive's version.
    Remote,
    /// A version written by hand from both.
    Merged(Box<Record>),
}

/// The level a change's record has: from its body, else the record as stored here.
fn change_level(conn: &rusqlite::Connection, action: &str, record_id: &str, content: Option<&str>) -> Result<Option<Confidentiality>, StoreError> {
    if matches!(action, "create" | "update") {
        return Ok(content.and_then(|c| serde_json::from_str::<Record>(c).ok()).map(|r| r.confidentiality()));
    }
    let conf: Option<i64> = conn.query_row("SELECT conf FROM records WHERE id = ?1", [record_id], |r| r.get(0)).optional()?;
    Ok(conf.map(crate::replicas::level_of))
}

impl Archive {
    /// The changes `replica` has not confirmed and may hold, in chain order, with their local
    /// sequence numbers; and how many were withheld by its policy.
    fn outgoing(&self, replica: &Replica) -> Result<(Vec<Change>, u64), StoreError> {
        let me = self.public_key_hex();
        let conn = self.conn();
        let mut out: Vec<(i64, Change)> = Vec::new();
        let mut withheld = 0u64;
        let from_me = replica.acked.get(&me).copied().unwrap_or(0);
        let shipped = SHIPPED_ACTIONS.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ");
        let mut stmt = conn.prepare(&format!("{AUDIT_COLUMNS} WHERE seq > ?1 AND record_id IS NOT NULL AND action IN ({shipped}) ORDER BY seq"))?;
        let own: Vec<AuditEntry> = stmt.query_map([from_me], audit_row)?.collect::<Result<_, _>>()?;
        for e in own {
            let parents = self.parents_of(&e)?;
            let synced = Synced::own(&self.signing_key, &e, parents);
            match self.with_extras(synced, &replica.accepts)? {
                Some(c) => out.push((e.seq, c)),
                None => withheld += 1,
            }
        }
        if self.sync_policy()?.relays() {
            let mut origins = conn.prepare("SELECT DISTINCT origin FROM sync_seen")?;
            let origins: Vec<String> = origins.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            let mut rows = conn.prepare("SELECT seq FROM sync_seen WHERE origin = ?1 AND origin_seq > ?2 ORDER BY origin_seq")?;
            for origin in origins.into_iter().filter(|o| *o != replica.key) {
                let from = replica.acked.get(&origin).copied().unwrap_or(0);
                let seqs: Vec<i64> = rows.query_map(params![origin, from], |r| r.get(0))?.collect::<Result<_, _>>()?;
                for seq in seqs {
                    let Some(e) = self.audit_entries(None, seq, seq)?.pop() else { continue };
                    let Some(synced) = Synced::of_entry(&e) else { continue };
                    match self.with_extras(synced, &replica.accepts)? {
                        Some(c) => out.push((seq, c)),
                        None => withheld += 1,
                    }
                }
            }
        }
        out.sort_by_key(|(seq, _)| *seq);
        Ok((out.into_iter().map(|(_, c)| c).collect(), withheld))
    }

    /// The global ids a local version entry started from: the record's version before it, and
    /// the other version of a conflict it resolved (the note written right after it).
    fn parents_of(&self, e: &AuditEntry) -> Result<Vec<String>, StoreError> {
        let id = e.record_id.as_deref().unwrap_or_default();
        let mut parents = Vec::new();
        let prev: Option<AuditEntry> = self
            .conn()
            .query_row(
                &format!("{AUDIT_COLUMNS} WHERE record_id = ?1 AND seq < ?2 AND action IN {} ORDER BY seq DESC LIMIT 1", crate::edit::VERSION_ACTIONS),
                params![id, e.seq],
                audit_row,
            )
            .optional()?;
        if let Some(p) = prev {
            parents.push(p.gid());
        }
        if let Some(next) = self.audit_entries(Some(id), e.seq + 1, e.seq + 1)?.pop() {
            if next.action == "resolve_conflict" {
                if let Some(g) =
                    next.content.as_deref().and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok()).and_then(|v| v["gid"].as_str().map(str::to_string))
                {
                    parents.push(g);
                }
            }
        }
        Ok(parents)
    }

    /// A change with what travels beside it, or `None` when `policy` keeps it from the replica.
    fn with_extras(&self, mut synced: Synced, policy: &SyncPolicy) -> Result<Option<Change>, StoreError> {
        let conn = self.conn();
        let action = synced.entry.action.clone();
        let id = synced.entry.record_id.clone().unwrap_or_default();
        let content = synced.entry.content.clone();
        match change_level(conn, &action, &id, content.as_deref())? {
            Some(level) if level <= policy.max_level => {}
            _ => return Ok(None),
        }
        let mut change = Change { synced: synced.clone(), text: None, location: None, sealed: None, blob: None };
        if action == "seal_identity" {
            if !policy.identities {
                return Ok(None);
            }
            let want = content
                .as_deref()
                .and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok())
                .and_then(|v| v["sealed_sha256"].as_str().map(str::to_string));
            let body: Option<String> = conn.query_row("SELECT body FROM sealed_identities WHERE source_id = ?1", [&id], |r| r.get(0)).optional()?;
            // A later sealing replaced this text; that entry carries it.
            match body {
                Some(b) if Some(sha256_hex(b.as_bytes())) == want => change.sealed = Some(b),
                _ => return Ok(None),
            }
            return Ok(Some(change));
        }
        if let (true, Some(Record::Document(d))) =
            (matches!(action.as_str(), "create" | "update"), content.as_deref().and_then(|c| serde_json::from_str::<Record>(c).ok()))
        {
            if let Some(want) = &d.text_sha256 {
                change.text = self.document_text(&d.id)?.filter(|t| sha256_hex(t.as_bytes()) == *want);
            }
            if let Some(want) = &d.location_sha256 {
                let body: Option<String> = conn.query_row("SELECT body FROM document_locations WHERE doc_id = ?1", [&d.id], |r| r.get(0)).optional()?;
                match body {
                    // A photograph's position can locate a witness: only for a replica that holds
                    // restricted material.
                    Some(b) if policy.max_level == Confidentiality::Restricted && sha256_hex(b.as_bytes()) == *want => change.location = Some(b),
                    _ => synced.withheld.push("location".into()),
                }
            }
            if action == "create" {
                let sha: Option<String> = conn.query_row("SELECT sha256 FROM blobs WHERE doc_id = ?1", [&d.id], |r| r.get(0)).optional()?;
                match sha {
                    Some(s) if s == d.sha256 => change.blob = Some(s),
                    _ => synced.withheld.push("blob".into()),
                }
            }
            synced.withheld.sort();
            synced.withheld.dedup();
            change.synced = synced;
        }
        Ok(Some(change))
    }

    /// What this archive holds, per origin: its own chain's head, and the newest entry of each
    /// other archive it holds.
    pub fn sync_have(&self) -> Result<BTreeMap<String, i64>, StoreError> {
        let mut have = BTreeMap::new();
        // Its own newest change that travels, not its chain's head: receipts and other local
        // notes are not sent, and counting them would make every sync write a new receipt on
        // the other side, so two quiet archives would never reach a sync that writes nothing.
        let shipped = SHIPPED_ACTIONS.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ");
        let own: i64 =
            self.conn()
                .query_row(&format!("SELECT COALESCE(MAX(seq), 0) FROM audit_log WHERE record_id IS NOT NULL AND action IN ({shipped})"), [], |r| r.get(0))?;
        have.insert(self.public_key_hex(), own);
        let mut stmt = self.conn().prepare("SELECT origin, MAX(origin_seq) FROM sync_seen GROUP BY origin")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (o, s) = row?;
            have.insert(o, s);
        }
        Ok(have)
    }

    /// How many changes wait for a replica (what the next bundle to it would carry).
    pub fn sync_waiting(&self, replica: &Replica) -> Result<u64, StoreError> {
        Ok(self.outgoing(replica)?.0.len() as u64)
    }

    /// Writes a bundle for the replica (or mirror) named `name` to `path`. For a mirror, which
    /// cannot confirm receipt, what the bundle carries counts as received.
    pub fn sync_export(&mut self, name: &str, path: &Path, progress: Progress<'_>) -> Result<ExportReport, SyncError> {
        let replica = self.replica(name)?;
        if path.exists() {
            return Err(SyncError::Invalid { path: path.to_path_buf(), detail: "exists already; choose a new file name".into() });
        }
        let (changes, withheld) = self.outgoing(&replica)?;
        let have = self.sync_have()?;
        let blobs = changes.iter().filter(|c| c.blob.is_some()).count() as u64;
        let manifest = sync_wire::manifest_for(self.public_key_hex(), replica.key.clone(), (self.clock)(), have.clone(), changes.len() as u64, blobs);
        let partial = partial_path(path);
        let res = (|| -> Result<ExportReport, SyncError> {
            let mut w = BundleWriter::create(&partial, &replica.age_recipient, &manifest)?;
            let mut report = ExportReport { withheld, ..Default::default() };
            let total = changes.len() as u64;
            for (i, c) in changes.iter().enumerate() {
                progress(i as u64, total);
                w.change(c)?;
                report.changes += 1;
                if let (Some(sha), Some(doc)) = (&c.blob, &c.synced.entry.record_id) {
                    let (mut reader, size) = self.blob_reader(doc)?;
                    w.blob(sha, size, &mut reader)?;
                    report.blobs += 1;
                    report.blob_bytes += size;
                }
            }
            progress(total, total);
            w.finish(&self.signing_key)?;
            std::fs::rename(&partial, path).map_err(|source| SyncError::Io { path: path.to_path_buf(), source })?;
            Ok(report)
        })();
        if res.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        let report = res?;
        if replica.mirror {
            let sha = sync_wire::file_sha256(path)?;
            self.write("girok", |w| {
                w.receipt(BundleNote { peer: replica.key.clone(), have: have.clone(), applied: report.changes, skipped: 0, conflicts: 0, bundle_sha256: sha })
            })?;
        }
        Ok(report)
    }

    /// Decrypts a document's original as a stream, with its size.
    fn blob_reader(&self, doc: &str) -> Result<(Box<dyn Read>, u64), StoreError> {
        let (file, size): (String, i64) = self
            .conn()
            .query_row("SELECT file, size FROM blobs WHERE doc_id = ?1", [doc], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("blob of {doc}")))?;
        let path = crate::intake::blob_path(&self.dir, &file);
        let f = std::fs::File::open(&path).map_err(|source| StoreError::Io { path: path.clone(), source })?;
        let d = age::Decryptor::new(std::io::BufReader::new(f)).map_err(|e| StoreError::Blob { doc: doc.into(), detail: e.to_string() })?;
        let r =
            d.decrypt(std::iter::once(&self.age_identity as &dyn age::Identity)).map_err(|e| StoreError::Blob { doc: doc.into(), detail: e.to_string() })?;
        Ok((Box::new(r), size as u64))
    }

    /// Applies a bundle a paired archive sent.
    pub fn sync_apply(&mut self, path: &Path, progress: Progress<'_>) -> Result<ApplyReport, SyncError> {
        self.sync_apply_from(path, None, progress)
    }

    /// Applies a bundle, and when `sender` is given (the key a transport authenticated),
    /// refuses one signed by any other archive.
    pub fn sync_apply_from(&mut self, path: &Path, sender: Option<&str>, progress: Progress<'_>) -> Result<ApplyReport, SyncError> {
        let identity = self.age_identity.clone();
        let manifest = sync_wire::read_manifest(path, &identity)?;
        if sender.is_some_and(|k| k != manifest.from) {
            return Err(SyncError::Invalid { path: path.to_path_buf(), detail: "it is signed by another archive than the one that sent it".into() });
        }
        let Some(sender) = self.replica_by_key(&manifest.from)? else {
            return Err(SyncError::Unpaired { path: path.to_path_buf(), fingerprint: crate::replicas::fingerprint(&manifest.from) });
        };
        if sender.mirror || manifest.to != self.public_key_hex() {
            return Err(SyncError::Invalid { path: path.to_path_buf(), detail: "it was written for another archive".into() });
        }
        self.apply_bundle(path, &identity, &manifest.from, &sender.name, progress)
    }

    /// Applies a mirror's bundle with the recovery identity, trusting the signer whose
    /// fingerprint the person restoring confirmed (`expect`), and pairs with it.
    pub fn sync_restore(&mut self, path: &Path, recovery: &age::x25519::Identity, expect: &str, progress: Progress<'_>) -> Result<ApplyReport, SyncError> {
        let manifest = sync_wire::read_manifest(path, recovery)?;
        let fp = crate::replicas::fingerprint(&manifest.from);
        if crate::replicas::normalise_fingerprint(expect) != crate::replicas::normalise_fingerprint(&fp) {
            return Err(SyncError::Unpaired { path: path.to_path_buf(), fingerprint: fp });
        }
        self.apply_bundle(path, recovery, &manifest.from, "restored-from-mirror", progress)
    }

    fn apply_bundle(
        &mut self,
        path: &Path,
        identity: &dyn age::Identity,
        signer: &str,
        sender_name: &str,
        progress: Progress<'_>,
    ) -> Result<ApplyReport, SyncError> {
        let mut sink =
            TempBlobs { dir: self.dir.clone(), recipient: self.age_identity.to_public(), files: HashMap::new(), path: path.to_path_buf(), placed: 0 };
        let read = sync_wire::read_bundle(path, identity, signer, &mut sink);
        let read = match read {
            Ok(r) => r,
            Err(e) => {
                sink.discard();
                return Err(e);
            }
        };
        for c in &read.changes {
            if c.synced.check().is_err() {
                sink.discard();
                return Err(SyncError::Forged { path: path.to_path_buf(), origin: crate::replicas::fingerprint(&c.synced.origin), seq: c.synced.entry.seq });
            }
        }
        let me = self.public_key_hex();
        let policy = self.sync_policy()?;
        let total = read.changes.len() as u64;
        let mut report = ApplyReport { from: sender_name.to_string(), ..Default::default() };
        let res = self.write("girok-sync", |w| {
            for (i, c) in read.changes.iter().enumerate() {
                progress(i as u64, total);
                match w.apply_change(c, &me, &policy, &mut sink)? {
                    Outcome::Applied => report.applied += 1,
                    Outcome::Already => report.already += 1,
                    Outcome::Policy => report.refused_by_policy += 1,
                    Outcome::Conflict => report.conflicts += 1,
                }
            }
            progress(total, total);
            let old = w.acked_of(signer)?;
            let receipt_new = read.manifest.have.iter().any(|(o, s)| old.get(o).is_none_or(|x| x < s));
            if report.applied + report.conflicts == 0 && !receipt_new {
                // Nothing new: the transaction commits nothing, not even a note.
                return Ok(false);
            }
            w.receipt(BundleNote {
                peer: signer.to_string(),
                have: read.manifest.have.clone(),
                applied: report.applied,
                skipped: report.already + report.refused_by_policy,
                conflicts: report.conflicts,
                bundle_sha256: read.file_sha256.clone(),
            })?;
            // Files are put in place before the commit: a crash between leaves an encrypted
            // file no document names (verify says so), never a document without its file.
            sink.place()?;
            Ok(true)
        });
        report.blobs = sink.placed;
        sink.discard();
        report.changed = res?;
        Ok(report)
    }

    /// The open conflicts, oldest first.
    pub fn conflicts(&self) -> Result<Vec<Conflict>, StoreError> {
        let mut stmt = self.conn().prepare("SELECT seq FROM sync_conflicts WHERE status = 'open' ORDER BY seq")?;
        let seqs: Vec<i64> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        let replicas = self.replicas()?;
        let mut out = Vec::new();
        for seq in seqs {
            let Some(e) = self.audit_entries(None, seq, seq)?.pop() else { continue };
            let Some(s) = Synced::of_entry(&e) else { continue };
            out.push(Conflict {
                seq,
                record_id: e.record_id.clone().unwrap_or_default(),
                action: s.entry.action.clone(),
                content: s.entry.content.clone(),
                at: s.entry.at.clone(),
                actor: s.entry.actor.clone(),
                origin: crate::replicas::fingerprint(&s.origin),
                origin_name: replicas.iter().find(|r| r.key == s.origin).map(|r| r.name.clone()),
            });
        }
        Ok(out)
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// Original files from a bundle, encrypted to this archive as they stream in, under random
/// names beside their final places; put in place only when the bundle's changes are written.
struct TempBlobs {
    dir: PathBuf,
    recipient: age::x25519::Recipient,
    files: HashMap<String, TempBlob>,
    path: PathBuf,
    placed: u64,
}

struct TempBlob {
    tmp: PathBuf,
    name: String,
    size: u64,
    /// A written change took it for its document.
    claimed: bool,
}

impl BlobSink for TempBlobs {
    fn take(&mut self, sha256: &str, size: u64, reader: &mut dyn Read) -> Result<(), SyncError> {
        let name = crate::intake::random_name();
        let final_path = crate::intake::blob_path(&self.dir, &name);
        let parent = final_path.parent().expect("blob paths have a parent").to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|source| SyncError::Io { path: parent.clone(), source })?;
        let tmp = parent.join(format!(".{name}.tmp"));
        let res = self.encrypt_to(&tmp, sha256, size, reader);
        if res.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        res?;
        if let Some(old) = self.files.insert(sha256.to_string(), TempBlob { tmp, name, size, claimed: false }) {
            let _ = std::fs::remove_file(old.tmp);
        }
        Ok(())
    }
}

impl TempBlobs {
    fn encrypt_to(&self, tmp: &Path, sha256: &str, size: u64, reader: &mut dyn Read) -> Result<(), SyncError> {
        let io = |source| SyncError::Io { path: tmp.to_path_buf(), source };
        let out = std::fs::File::create(tmp).map_err(io)?;
        let encryptor = age::Encryptor::with_recipients(std::iter::once(&self.recipient as &dyn age::Recipient)).expect("one recipient is given");
        let mut enc = encryptor.wrap_output(BufWriter::with_capacity(1 << 20, out)).map_err(io)?;
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut got = 0u64;
        loop {
            let n = reader.read(&mut buf).map_err(|e| {
                if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    SyncError::Truncated { path: self.path.clone(), detail: "an original file is cut off".into() }
                } else {
                    SyncError::Unreadable { path: self.path.clone(), detail: format!("decryption failed ({e})") }
                }
            })?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            enc.write_all(&buf[..n]).map_err(io)?;
            got += n as u64;
        }
        let buffered = enc.finish().map_err(io)?;
        buffered.into_inner().map_err(|e| io(e.into_error()))?.sync_all().map_err(io)?;
        if got != size {
            return Err(SyncError::Truncated { path: self.path.clone(), detail: "an original file is cut off".into() });
        }
        if hex::encode(h.finalize()) != sha256 {
            return Err(SyncError::Unreadable { path: self.path.clone(), detail: format!("an original file does not match its SHA-256 {sha256}") });
        }
        Ok(())
    }

    /// Claims the file with this SHA-256 for a document: its final name and size.
    fn claim(&mut self, sha256: &str) -> Option<(String, u64)> {
        let f = self.files.get_mut(sha256).filter(|f| !f.claimed)?;
        f.claimed = true;
        Some((f.name.clone(), f.size))
    }

    /// Moves every claimed file to its final name; it is then no longer temporary.
    fn place(&mut self) -> Result<(), StoreError> {
        let claimed: Vec<String> = self.files.iter().filter(|(_, f)| f.claimed).map(|(k, _)| k.clone()).collect();
        for key in claimed {
            let f = self.files.remove(&key).expect("a claimed file is in the map");
            let to = crate::intake::blob_path(&self.dir, &f.name);
            std::fs::rename(&f.tmp, &to).map_err(|source| StoreError::Io { path: to.clone(), source })?;
            self.placed += 1;
        }
        Ok(())
    }

    /// Removes every temporary file not put in place.
    fn discard(&mut self) {
        for (_, f) in self.files.drain() {
            let _ = std::fs::remove_file(f.tmp);
        }
    }
}

enum Outcome {
    Applied,
    Already,
    Policy,
    Conflict,
}

impl Writer<'_> {
    fn acked_of(&self, key: &str) -> Result<BTreeMap<String, i64>, StoreError> {
        let s: Option<String> = self.tx.query_row("SELECT acked FROM replicas WHERE key = ?1", [key], |r| r.get(0)).optional()?;
        Ok(s.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    /// The sequence number of the record's current version here, if the record exists.
    fn current_version(&self, id: &str) -> Result<Option<i64>, StoreError> {
        if !self.exists(id)? {
            return Ok(None);
        }
        Ok(crate::edit::version_of(&self.tx, id)?)
    }

    /// Whether one of `parents` is the version at local entry `seq` (its own global id, or one
    /// that another archive's identical version stands for).
    fn follows(&self, parents: &[String], seq: i64) -> Result<bool, StoreError> {
        if parents.is_empty() {
            return Ok(false);
        }
        let e: AuditEntry = self.tx.query_row(&format!("{AUDIT_COLUMNS} WHERE seq = ?1"), [seq], audit_row)?;
        if parents.contains(&e.gid()) {
            return Ok(true);
        }
        let mut stmt = self.tx.prepare_cached("SELECT gid FROM sync_seen WHERE version_seq = ?1")?;
        let aliases: Vec<String> = stmt.query_map([seq], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(aliases.iter().any(|a| parents.contains(a)))
    }

    /// Closes the open conflicts on `id` whose other version a newer change has taken into
    /// account (it names that version among its parents).
    fn settle(&mut self, id: &str, parents: &[String], status: &str) -> Result<(), StoreError> {
        for p in parents {
            self.tx.execute("UPDATE sync_conflicts SET status = ?3 WHERE record_id = ?1 AND gid = ?2 AND status = 'open'", params![id, p, status])?;
        }
        Ok(())
    }

    fn keep_conflict(&mut self, id: &str, s: &Synced) -> Result<Outcome, StoreError> {
        self.settle(id, &s.parents, "superseded")?;
        self.append_audit("sync_conflict", Some(id), Some(s.to_content()))?;
        let seq = self.last_seq();
        self.remember(s, seq, None)?;
        self.tx.execute("INSERT INTO sync_conflicts(seq, record_id, gid, status) VALUES (?1, ?2, ?3, 'open')", params![seq, id, s.gid()])?;
        Ok(Outcome::Conflict)
    }

    fn same(&mut self, id: &str, s: &Synced, version: i64) -> Result<Outcome, StoreError> {
        self.settle(id, &s.parents, "settled")?;
        self.append_audit("sync_same", Some(id), Some(s.to_content()))?;
        let seq = self.last_seq();
        self.remember(s, seq, Some(version))?;
        Ok(Outcome::Applied)
    }

    fn apply_change(&mut self, c: &Change, me: &str, policy: &SyncPolicy, blobs: &mut TempBlobs) -> Result<Outcome, StoreError> {
        let s = &c.synced;
        if s.origin == me {
            return Ok(Outcome::Already);
        }
        let seen: Option<i64> = self.tx.prepare_cached("SELECT seq FROM sync_seen WHERE gid = ?1")?.query_row([s.gid()], |r| r.get(0)).optional()?;
        if seen.is_some() {
            return Ok(Outcome::Already);
        }
        let Some(id) = s.entry.record_id.clone() else { return Ok(Outcome::Policy) };
        let action = s.entry.action.as_str();
        let content = s.entry.content.as_deref();
        match change_level(&self.tx, action, &id, content)? {
            Some(level) if level <= policy.max_level => {}
            _ => return Ok(Outcome::Policy),
        }
        let invalid = |message: String| StoreError::Invalid { id: id.clone(), message };
        match action {
            "create" | "update" => {
                let body = content.ok_or_else(|| invalid("a synced version without content".into()))?;
                let record: Record = serde_json::from_str(body).map_err(|e| invalid(format!("a synced version does not read: {e}")))?;
                if record.id() != id {
                    return Err(invalid(format!("a synced version names another record, {}", record.id())));
                }
                record.validate(girok_core::vocab::Vocabulary::builtin()).map_err(invalid)?;
                if let Some(current) = self.current_version(&id)? {
                    let stored: String = self.tx.query_row("SELECT body FROM records WHERE id = ?1", [&id], |r| r.get(0))?;
                    if stored == body {
                        return self.same(&id, s, current);
                    }
                    if !self.follows(&s.parents, current)? {
                        return self.keep_conflict(&id, s);
                    }
                }
                if let Record::Document(d) = &record {
                    if let Some(t) = &c.text {
                        if d.text_sha256.as_deref() == Some(sha256_hex(t.as_bytes()).as_str()) {
                            self.set_document_text(&id, t)?;
                        }
                    }
                    if let Some(l) = &c.location {
                        if policy.max_level == Confidentiality::Restricted && d.location_sha256.as_deref() == Some(sha256_hex(l.as_bytes()).as_str()) {
                            self.tx.execute("INSERT OR REPLACE INTO document_locations(doc_id, body) VALUES (?1, ?2)", params![id, l])?;
                        }
                    }
                    if let Some(sha) = &c.blob {
                        let taken: Option<String> =
                            self.tx.query_row("SELECT doc_id FROM blobs WHERE doc_id = ?1 OR sha256 = ?2", params![id, sha], |r| r.get(0)).optional()?;
                        if taken.is_none() && *sha == d.sha256 {
                            if let Some((name, size)) = blobs.claim(sha) {
                                self.tx
                                    .execute("INSERT INTO blobs(doc_id, sha256, file, size) VALUES (?1, ?2, ?3, ?4)", params![id, sha, name, size as i64])?;
                            }
                        }
                    }
                }
                self.settle(&id, &s.parents, "settled")?;
                self.put_as(record, Some(body.to_string()), Some(s), false)?;
                Ok(Outcome::Applied)
            }
            "retire" | "restore" => {
                let Some(current) = self.current_version(&id)? else { return Ok(Outcome::Policy) };
                let want = action == "retire";
                let retired: bool = self.tx.query_row("SELECT retired FROM records WHERE id = ?1", [&id], |r| r.get(0))?;
                if retired == want {
                    return self.same(&id, s, current);
                }
                if !self.follows(&s.parents, current)? {
                    return self.keep_conflict(&id, s);
                }
                let reason = content
                    .and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok())
                    .and_then(|v| v["reason"].as_str().map(str::to_string))
                    .unwrap_or_default();
                self.settle(&id, &s.parents, "settled")?;
                self.set_retired_as(&id, want, if reason.is_empty() { "(no reason given)" } else { &reason }, Some(s))?;
                Ok(Outcome::Applied)
            }
            "seal_identity" => {
                let (Some(body), true) = (&c.sealed, policy.identities) else { return Ok(Outcome::Policy) };
                let want =
                    content.and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok()).and_then(|v| v["sealed_sha256"].as_str().map(str::to_string));
                if want.as_deref() != Some(sha256_hex(body.as_bytes()).as_str()) || !self.exists(&id)? {
                    return Ok(Outcome::Policy);
                }
                serde_json::from_str::<SealedIdentity>(body).map_err(|e| invalid(format!("a sealed identity does not read: {e}")))?;
                self.seal_as(&id, body, None, Some(s))?;
                Ok(Outcome::Applied)
            }
            _ => Ok(Outcome::Policy),
        }
    }

    /// Settles a conflict as a person chose. The choice is written as a new version here that
    /// names both versions as its parents, so every replica it reaches takes it without a
    /// conflict of its own, and a `resolve_conflict` note says who chose what.
    pub fn resolve_conflict(&mut self, seq: i64, choice: Resolution) -> Result<(), StoreError> {
        let row: Option<(String, String)> = self
            .tx
            .query_row("SELECT record_id, gid FROM sync_conflicts WHERE seq = ?1 AND status = 'open'", [seq], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (id, gid) = row.ok_or_else(|| StoreError::NotFound(format!("open conflict {seq}")))?;
        let entry: AuditEntry = self.tx.query_row(&format!("{AUDIT_COLUMNS} WHERE seq = ?1"), [seq], audit_row)?;
        let other = Synced::of_entry(&entry).ok_or_else(|| StoreError::Invalid { id: id.clone(), message: "the conflict's entry does not read".into() })?;
        let kept = match &choice {
            Resolution::Local => "local",
            Resolution::Remote => "remote",
            Resolution::Merged(_) => "merged",
        };
        match choice {
            Resolution::Local => {
                let body: String = self.tx.query_row("SELECT body FROM records WHERE id = ?1", [&id], |r| r.get(0))?;
                let record: Record = serde_json::from_str(&body).map_err(|e| StoreError::Invalid { id: id.clone(), message: e.to_string() })?;
                let retired: bool = self.tx.query_row("SELECT retired FROM records WHERE id = ?1", [&id], |r| r.get(0))?;
                if matches!(other.entry.action.as_str(), "retire" | "restore") {
                    // This archive's retirement state, written again as a version of its own.
                    self.write_retired(&id, retired, "conflict resolved: this archive's state kept", None)?;
                } else {
                    self.put_as(record, Some(body), None, true)?;
                }
            }
            Resolution::Remote => match other.entry.action.as_str() {
                "retire" | "restore" => {
                    let want = other.entry.action == "retire";
                    self.set_retired_as(&id, want, "conflict resolved: the other archive's state taken", None)?;
                }
                _ => {
                    let body = other.entry.content.clone().unwrap_or_default();
                    let record: Record = serde_json::from_str(&body).map_err(|e| StoreError::Invalid { id: id.clone(), message: e.to_string() })?;
                    self.put_as(record, Some(body), None, true)?;
                }
            },
            Resolution::Merged(record) => {
                if record.id() != id {
                    return Err(StoreError::Invalid { id: id.clone(), message: format!("the merged version names another record, {}", record.id()) });
                }
                record.validate(girok_core::vocab::Vocabulary::builtin()).map_err(|message| StoreError::Invalid { id: id.clone(), message })?;
                self.put_as(*record, None, None, true)?;
            }
        }
        self.tx.execute("UPDATE sync_conflicts SET status = 'resolved' WHERE seq = ?1", [seq])?;
        self.note("resolve_conflict", Some(&id), serde_json::json!({ "conflict": seq, "gid": gid, "kept": kept }))
    }
}
