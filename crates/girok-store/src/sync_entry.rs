//! A change that came from another archive, as the receiver's chain keeps it: the origin's own
//! audit entry, untouched, with the origin's signature over its hash.
//!
//! An applied change is one entry of the receiver's chain, action `sync_<origin action>`,
//! whose content is this wrapper. So each archive keeps its own chain, and `verify` checks
//! every applied record back to the archive that wrote it: the origin entry's hash is
//! recomputed from its fields and its signature checked against the origin's key. A version
//! is named across archives by its global id: the hash of the entry that made it in the
//! archive where it was made.

use ed25519_dalek::{Signer, Verifier};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::archive::{AuditEntry, Writer};
use crate::error::StoreError;

/// What an origin's signature covers: a domain tag, the origin's key and the entry's hash.
fn signed_message(origin: &str, hash: &str) -> Vec<u8> {
    let mut m = b"girok-sync-entry\0".to_vec();
    m.extend_from_slice(origin.as_bytes());
    m.push(0);
    m.extend_from_slice(hash.as_bytes());
    m
}

/// A change from another archive, as the receiver's chain stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synced {
    /// The origin archive's public signing key (hex).
    pub origin: String,
    /// The origin's audit entry, every field its hash covers.
    pub entry: AuditEntry,
    /// The origin's ed25519 signature over the entry's hash (hex).
    pub signature: String,
    /// Global ids of the versions the origin's change started from (a conflict's resolution
    /// names both), so a receiver tells a change that follows its own version from a
    /// concurrent one.
    #[serde(default)]
    pub parents: Vec<String>,
    /// What the sender withheld by the receiver's policy or did not hold (`location`, `blob`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<String>,
}

/// Why an applied change does not prove itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Forgery {
    /// The entry's fields do not hash to the hash it claims.
    Altered,
    /// The signature is not the origin's over that hash.
    Signature,
}

impl Synced {
    /// A change this archive makes from one of its own entries.
    pub(crate) fn own(key: &ed25519_dalek::SigningKey, entry: &AuditEntry, parents: Vec<String>) -> Synced {
        let origin = hex::encode(key.verifying_key().to_bytes());
        let signature = hex::encode(key.sign(&signed_message(&origin, &entry.hash)).to_bytes());
        Synced { origin, entry: entry.clone(), signature, parents, withheld: Vec::new() }
    }

    /// The version's global id.
    pub fn gid(&self) -> &str {
        &self.entry.hash
    }

    /// Checks that the entry hashes to its hash and that the origin signed that hash.
    pub fn check(&self) -> Result<(), Forgery> {
        if self.entry.compute_hash() != self.entry.hash {
            return Err(Forgery::Altered);
        }
        let (key, sig) = (crate::replicas::verifying_key(&self.origin), crate::replicas::signature(&self.signature));
        match (key, sig) {
            (Some(k), Some(s)) if k.verify(&signed_message(&self.origin, &self.entry.hash), &s).is_ok() => Ok(()),
            _ => Err(Forgery::Signature),
        }
    }

    /// The wrapper stored as an applied entry's content.
    pub(crate) fn to_content(&self) -> String {
        serde_json::to_string(self).expect("a synced entry serializes")
    }

    /// The wrapper of an applied entry (`sync_*` action), if it reads as one.
    pub fn of_entry(e: &AuditEntry) -> Option<Synced> {
        if !e.action.starts_with("sync_") {
            return None;
        }
        e.content.as_deref().and_then(|c| serde_json::from_str(c).ok())
    }
}

impl AuditEntry {
    /// The entry's meaning for history and replay: an applied change reads as its origin's
    /// action and content.
    pub fn effective(&self) -> (String, Option<String>) {
        match Synced::of_entry(self) {
            Some(s) => (s.entry.action, s.entry.content),
            None => (self.action.clone(), self.content.clone()),
        }
    }

    /// The global id of the version this entry made, if it made one here: its own hash, or,
    /// for a change applied from another archive, the origin's.
    pub fn gid(&self) -> String {
        Synced::of_entry(self).map(|s| s.entry.hash).unwrap_or_else(|| self.hash.clone())
    }
}

/// Audit actions that make a version of a record, here or (prefixed `sync_`) elsewhere.
pub(crate) const SHIPPED_ACTIONS: [&str; 5] = ["create", "update", "retire", "restore", "seal_identity"];

impl Writer<'_> {
    /// Appends the entry for a change: the local action, or `sync_<action>` carrying the origin's
    /// entry, remembered in `sync_seen` with the local version it is (`version` true when the
    /// entry itself is that version).
    pub(crate) fn append_change(&mut self, action: &str, id: &str, content: Option<String>, synced: Option<&Synced>, version: bool) -> Result<(), StoreError> {
        match synced {
            None => self.append_audit(action, Some(id), content),
            Some(s) => {
                self.append_audit(&format!("sync_{action}"), Some(id), Some(s.to_content()))?;
                let seq = self.last_seq();
                self.remember(s, seq, version.then_some(seq))
            }
        }
    }

    /// Notes that this archive holds the origin's change `s`, kept as local entry `seq`, which is
    /// (or stands for) local version `version_seq`.
    pub(crate) fn remember(&mut self, s: &Synced, seq: i64, version_seq: Option<i64>) -> Result<(), StoreError> {
        self.tx.prepare_cached("INSERT OR REPLACE INTO sync_seen(gid, seq, version_seq, origin, origin_seq) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![
            s.entry.hash,
            seq,
            version_seq,
            s.origin,
            s.entry.seq
        ])?;
        Ok(())
    }
}

/// `verify`'s replay of `sync_seen` and the conflicts queue from the chain.
#[derive(Default)]
pub(crate) struct SeenReplay {
    /// gid → (entry, local version it is, origin, origin entry).
    seen: std::collections::HashMap<String, (i64, Option<i64>, String, i64)>,
    /// Conflicts the chain holds: entry → (record, other version's gid).
    conflicts: std::collections::BTreeMap<i64, (String, String)>,
}

impl SeenReplay {
    /// One applied entry; `version_at` is each record's newest local version before it.
    pub(crate) fn replay(&mut self, e: &AuditEntry, s: &Synced, version_at: &std::collections::HashMap<String, i64>) {
        let id = e.record_id.clone().unwrap_or_default();
        let version = match e.action.as_str() {
            "sync_create" | "sync_update" | "sync_retire" | "sync_restore" => Some(e.seq),
            "sync_same" => version_at.get(&id).copied(),
            _ => None,
        };
        self.seen.insert(s.entry.hash.clone(), (e.seq, version, s.origin.clone(), s.entry.seq));
        if e.action == "sync_conflict" {
            self.conflicts.insert(e.seq, (id, s.entry.hash.clone()));
        }
    }

    pub(crate) fn check(&self, conn: &rusqlite::Connection, problems: &mut Vec<crate::verify::Problem>) -> Result<(), StoreError> {
        use crate::verify::Problem;
        let mut stmt = conn.prepare("SELECT gid, seq, version_seq, origin, origin_seq FROM sync_seen")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))))?;
        let mut got = std::collections::HashMap::new();
        for row in rows {
            let (gid, v) = row?;
            got.insert(gid, v);
        }
        for (gid, v) in &got {
            if self.seen.get(gid) != Some(v) {
                problems.push(Problem::DerivedAltered { table: "sync_seen", record: gid.clone() });
            }
        }
        for gid in self.seen.keys().filter(|g| !got.contains_key(*g)) {
            problems.push(Problem::DerivedAltered { table: "sync_seen", record: gid.clone() });
        }
        let mut stmt = conn.prepare("SELECT seq, record_id, gid FROM sync_conflicts")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, (r.get::<_, String>(1)?, r.get::<_, String>(2)?))))?;
        let got: std::collections::BTreeMap<i64, (String, String)> = rows.collect::<Result<_, _>>()?;
        for (seq, (id, _)) in got.iter().filter(|(s, v)| self.conflicts.get(s) != Some(v)) {
            problems.push(Problem::DerivedAltered { table: "sync_conflicts", record: format!("{id} (entry {seq})") });
        }
        for (seq, (id, _)) in self.conflicts.iter().filter(|(s, _)| !got.contains_key(s)) {
            problems.push(Problem::DerivedAltered { table: "sync_conflicts", record: format!("{id} (entry {seq})") });
        }
        Ok(())
    }
}
