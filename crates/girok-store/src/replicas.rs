//! Paired archives and mirrors: who this archive exchanges sync bundles with, what each may
//! receive, and what each has confirmed it holds.
//!
//! Pairing exchanges cards (an archive's ed25519 key, its age recipient and what it accepts),
//! each shown as a fingerprint both people compare aloud or on paper before pairing. Threat: a
//! card swapped in transit pairs an adversary's archive; the fingerprint comparison is what
//! stops it, so pairing never happens without one. Pairings and receipts are audit entries
//! (`pair_replica`, `replica_receipt`), and `verify` rebuilds the `replicas` table from them, like
//! accounts: a key slipped into the table by someone holding the database key is named.

use std::collections::BTreeMap;

use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};
use girok_core::Confidentiality;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::archive::{Archive, AuditEntry, Writer};
use crate::error::{StoreError, SyncError};
use crate::verify::Problem;

const CARD_FORMAT: &str = "girok-replica-card";

/// What an archive accepts from its replicas: a field laptop holds nothing above a level and
/// no sealed identities, so a seized laptop gives away as little as possible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncPolicy {
    pub max_level: Confidentiality,
    pub identities: bool,
}

impl Default for SyncPolicy {
    fn default() -> Self {
        SyncPolicy { max_level: Confidentiality::Restricted, identities: true }
    }
}

impl SyncPolicy {
    /// Whether this archive passes on changes it received from others: only one that receives
    /// everything (a filtered archive's holdings have gaps, and relaying them would tell a
    /// third archive it had seen what it had not).
    pub fn relays(&self) -> bool {
        *self == SyncPolicy::default()
    }
}

/// One archive's pairing card, signed by the key it carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub format: String,
    pub name: String,
    pub signing_key: String,
    pub age_recipient: String,
    pub accepts: SyncPolicy,
    pub signature: String,
}

fn card_message(name: &str, key: &str, recipient: &str, accepts: &SyncPolicy) -> Vec<u8> {
    format!("{CARD_FORMAT}\0{name}\0{key}\0{recipient}\0{}\0{}", accepts.max_level.as_str(), accepts.identities).into_bytes()
}

/// The fingerprint people compare: 128 bits of SHA-256 of the key, in eight groups.
pub fn fingerprint(key_hex: &str) -> String {
    let digest = crate::archive::sha256_hex(key_hex.trim().to_lowercase().as_bytes());
    digest.as_bytes()[..32].chunks(4).map(|c| std::str::from_utf8(c).expect("hex is ascii").to_uppercase()).collect::<Vec<_>>().join("-")
}

impl Card {
    /// Reads and checks a card: its format, keys and self-signature.
    pub fn parse(text: &str) -> Result<Card, SyncError> {
        let card: Card = serde_json::from_str(text).map_err(|e| SyncError::Card(format!("not a pairing card: {e}")))?;
        if card.format != CARD_FORMAT {
            return Err(SyncError::Card(format!("format is {:?}, expected {CARD_FORMAT}", card.format)));
        }
        let key = verifying_key(&card.signing_key).ok_or_else(|| SyncError::Card("signing_key is not an ed25519 public key".into()))?;
        card.age_recipient.parse::<age::x25519::Recipient>().map_err(|e| SyncError::Card(format!("age_recipient: {e}")))?;
        let sig = signature(&card.signature).ok_or_else(|| SyncError::Card("signature is malformed".into()))?;
        key.verify(&card_message(&card.name, &card.signing_key, &card.age_recipient, &card.accepts), &sig)
            .map_err(|_| SyncError::Card("its signature does not match its key; the card was altered".into()))?;
        Ok(card)
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.signing_key)
    }
}

pub(crate) fn verifying_key(hex_key: &str) -> Option<VerifyingKey> {
    hex::decode(hex_key).ok().and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok()).and_then(|b| VerifyingKey::from_bytes(&b).ok())
}

pub(crate) fn signature(hex_sig: &str) -> Option<Signature> {
    hex::decode(hex_sig).ok().and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok()).map(|b| Signature::from_bytes(&b))
}

/// A paired archive, or a mirror (which holds bundles it cannot read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replica {
    pub name: String,
    /// The peer's ed25519 key (hex); a mirror's is `mirror:` and its recipient.
    pub key: String,
    pub mirror: bool,
    pub age_recipient: String,
    /// What the peer accepts; this archive sends it nothing beyond.
    pub accepts: SyncPolicy,
    /// What the peer has confirmed it holds: for each origin key, the newest origin entry.
    pub acked: BTreeMap<String, i64>,
    pub last_seen: Option<String>,
}

impl Replica {
    pub fn fingerprint(&self) -> String {
        if self.mirror {
            fingerprint(&self.age_recipient)
        } else {
            fingerprint(&self.key)
        }
    }
}

fn level_rank(c: Confidentiality) -> i64 {
    c as i64
}

pub(crate) fn level_of(rank: i64) -> Confidentiality {
    match rank {
        0 => Confidentiality::Public,
        1 => Confidentiality::Internal,
        _ => Confidentiality::Restricted,
    }
}

/// The pairing entry's content, which `verify` replays.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Pairing {
    name: String,
    key: String,
    mirror: bool,
    age_recipient: String,
    accepts: SyncPolicy,
}

impl Archive {
    /// This archive's ed25519 key as PKCS#8, for the sync transport's TLS certificate, which
    /// is made afresh in memory each time a server or client starts and never written: the
    /// TLS peer is authenticated by the same key its bundles are signed with.
    pub fn transport_key_pkcs8(&self) -> zeroize::Zeroizing<Vec<u8>> {
        // PKCS#8 v1 (RFC 8410): version 0, algorithm id-Ed25519, the 32-byte seed.
        const PREFIX: [u8; 16] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
        let mut der = zeroize::Zeroizing::new(Vec::with_capacity(48));
        der.extend_from_slice(&PREFIX);
        der.extend_from_slice(self.signing_key.as_bytes());
        der
    }

    /// The paired archive (not a mirror) whose signing key is `key_hex`, if any: who a
    /// transport peer is.
    pub fn paired_by_key(&self, key_hex: &str) -> Result<Option<Replica>, StoreError> {
        Ok(self.replica_by_key(key_hex)?.filter(|r| !r.mirror))
    }

    /// This archive's own card.
    pub fn card(&self, name: &str) -> Result<Card, StoreError> {
        let key = self.public_key_hex();
        let recipient = self.age_identity.to_public().to_string();
        let accepts = self.sync_policy()?;
        let signature = hex::encode(self.signing_key.sign(&card_message(name, &key, &recipient, &accepts)).to_bytes());
        Ok(Card { format: CARD_FORMAT.into(), name: name.into(), signing_key: key, age_recipient: recipient, accepts, signature })
    }

    /// This archive's own fingerprint, as its card shows it.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public_key_hex())
    }

    /// What this archive accepts from its replicas.
    pub fn sync_policy(&self) -> Result<SyncPolicy, StoreError> {
        let v: Option<String> = self.conn().query_row("SELECT value FROM archive_keys WHERE name = 'sync_policy'", [], |r| r.get(0)).optional()?;
        Ok(v.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default())
    }

    /// Every replica and mirror, by name.
    pub fn replicas(&self) -> Result<Vec<Replica>, StoreError> {
        let mut stmt = self.conn().prepare("SELECT name, key, kind, age_recipient, max_level, identities, acked, last_seen FROM replicas ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            let acked: String = r.get(6)?;
            Ok(Replica {
                name: r.get(0)?,
                key: r.get(1)?,
                mirror: r.get::<_, String>(2)? == "mirror",
                age_recipient: r.get(3)?,
                accepts: SyncPolicy { max_level: level_of(r.get(4)?), identities: r.get(5)? },
                acked: serde_json::from_str(&acked).unwrap_or_default(),
                last_seen: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A replica by name.
    pub fn replica(&self, name: &str) -> Result<Replica, SyncError> {
        self.replicas()?.into_iter().find(|r| r.name == name).ok_or_else(|| SyncError::UnknownReplica(name.to_string()))
    }

    /// The replica with this signing key, if it is paired.
    pub(crate) fn replica_by_key(&self, key: &str) -> Result<Option<Replica>, StoreError> {
        Ok(self.replicas()?.into_iter().find(|r| r.key == key))
    }
}

impl Writer<'_> {
    /// Sets what this archive accepts from its replicas (audited).
    pub fn set_sync_policy(&mut self, policy: SyncPolicy) -> Result<(), StoreError> {
        // Stored as the entry's own text, so `verify` compares like with like.
        let value = serde_json::to_value(policy).expect("a policy serializes");
        self.tx.execute("INSERT OR REPLACE INTO archive_keys(name, value) VALUES ('sync_policy', ?1)", [value.to_string()])?;
        self.note("set_sync_policy", None, value)
    }

    /// Pairs with the archive whose card this is, after the people on both sides compared its
    /// fingerprint (`confirmed`, as typed, must equal it).
    pub fn pair(&mut self, card: &Card, name: &str, confirmed: &str) -> Result<(), SyncError> {
        let want = card.fingerprint();
        if normalise_fingerprint(confirmed) != normalise_fingerprint(&want) {
            return Err(SyncError::Card(format!(
                "the fingerprint given ({confirmed}) is not the card's ({want}); compare it with the other archive's own `girok replica card` before pairing"
            )));
        }
        if card.signing_key == self.own_key()? {
            return Err(SyncError::Card("this is this archive's own card".into()));
        }
        self.write_pairing(Pairing {
            name: name.into(),
            key: card.signing_key.clone(),
            mirror: false,
            age_recipient: card.age_recipient.clone(),
            accepts: card.accepts,
        })
    }

    /// Adds a mirror: bundles for it are encrypted to the organisation's recovery key.
    pub fn add_mirror(&mut self, name: &str, recovery_recipient: &str) -> Result<(), SyncError> {
        recovery_recipient.trim().parse::<age::x25519::Recipient>().map_err(|e| SyncError::Card(format!("recovery key {recovery_recipient:?}: {e}")))?;
        let r = recovery_recipient.trim().to_string();
        self.write_pairing(Pairing { name: name.into(), key: format!("mirror:{r}"), mirror: true, age_recipient: r, accepts: SyncPolicy::default() })
    }

    fn own_key(&self) -> Result<String, StoreError> {
        Ok(self.tx.query_row("SELECT value FROM archive_keys WHERE name = 'ed25519_public'", [], |r| r.get(0))?)
    }

    fn write_pairing(&mut self, p: Pairing) -> Result<(), SyncError> {
        if p.name.trim().is_empty() || p.name.len() > 64 || p.name.chars().any(|c| c.is_control()) {
            return Err(SyncError::Card(format!("replica name {:?}: give a short name such as \"office\"", p.name)));
        }
        let taken: Option<String> = self.tx.query_row("SELECT key FROM replicas WHERE name = ?1", [&p.name], |r| r.get(0)).optional()?;
        if taken.is_some_and(|k| k != p.key) {
            return Err(SyncError::Card(format!("a replica named {:?} exists already", p.name)));
        }
        apply_pairing(&self.tx, &p)?;
        self.note("pair_replica", None, serde_json::to_value(&p).expect("json"))?;
        Ok(())
    }

    /// Records what `key`'s archive says it holds, as of the bundle it sent (or, for a mirror,
    /// what was just written to it), with the `replica_receipt` entry that `verify` replays.
    pub(crate) fn receipt(&mut self, note: BundleNote) -> Result<(), StoreError> {
        self.note("replica_receipt", None, serde_json::to_value(&note).expect("json"))?;
        let at: String = self.tx.query_row("SELECT at FROM audit_log WHERE seq = ?1", [self.last_seq()], |r| r.get(0))?;
        apply_acked(&self.tx, &note.peer, &note.have, &at)?;
        Ok(())
    }
}

pub(crate) fn normalise_fingerprint(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase()
}

fn apply_pairing(conn: &rusqlite::Connection, p: &Pairing) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO replicas(key, name, kind, age_recipient, max_level, identities) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(key) DO UPDATE SET name = excluded.name, age_recipient = excluded.age_recipient, max_level = excluded.max_level, identities = excluded.identities",
        params![p.key, p.name, if p.mirror { "mirror" } else { "replica" }, p.age_recipient, level_rank(p.accepts.max_level), p.accepts.identities],
    )?;
    Ok(())
}

fn apply_acked(conn: &rusqlite::Connection, key: &str, have: &BTreeMap<String, i64>, at: &str) -> rusqlite::Result<()> {
    let old: Option<String> = conn.query_row("SELECT acked FROM replicas WHERE key = ?1", [key], |r| r.get(0)).optional()?;
    let mut acked: BTreeMap<String, i64> = old.and_then(|o| serde_json::from_str(&o).ok()).unwrap_or_default();
    for (origin, seq) in have {
        let e = acked.entry(origin.clone()).or_insert(0);
        *e = (*e).max(*seq);
    }
    conn.execute("UPDATE replicas SET acked = ?2, last_seen = ?3 WHERE key = ?1", params![key, serde_json::to_string(&acked).expect("json"), at])?;
    Ok(())
}

/// `verify`'s replay of pairings, receipts and the sync policy: the tables they build, built
/// again in memory from the chain and compared.
#[derive(Default)]
pub(crate) struct ReplicaReplay {
    entries: Vec<AuditEntry>,
}

impl ReplicaReplay {
    pub(crate) fn replay(&mut self, e: &AuditEntry) {
        if matches!(e.action.as_str(), "pair_replica" | "replica_receipt" | "set_sync_policy") {
            self.entries.push(e.clone());
        }
    }

    pub(crate) fn check(&self, conn: &rusqlite::Connection, problems: &mut Vec<Problem>) -> Result<(), StoreError> {
        let scratch = rusqlite::Connection::open_in_memory()?;
        scratch.execute_batch(
            "CREATE TABLE replicas(key TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, age_recipient TEXT NOT NULL, max_level INTEGER NOT NULL, identities INTEGER NOT NULL, acked TEXT NOT NULL DEFAULT '{}', last_seen TEXT);",
        )?;
        let mut policy: Option<String> = None;
        for e in &self.entries {
            let Some(content) = e.content.as_deref() else { continue };
            match e.action.as_str() {
                "pair_replica" => {
                    if let Ok(p) = serde_json::from_str::<Pairing>(content) {
                        apply_pairing(&scratch, &p)?;
                    }
                }
                "replica_receipt" => {
                    if let Ok(b) = serde_json::from_str::<BundleNote>(content) {
                        apply_acked(&scratch, &b.peer, &b.have, &e.at)?;
                    }
                }
                _ => policy = Some(content.to_string()),
            }
        }
        let read = |c: &rusqlite::Connection| -> rusqlite::Result<Vec<ReplicaRow>> {
            let mut stmt = c.prepare("SELECT key, name, kind, age_recipient, max_level, identities, acked, last_seen FROM replicas ORDER BY key")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))?;
            rows.collect()
        };
        let (want, got) = (read(&scratch)?, read(conn)?);
        for g in &got {
            match want.iter().find(|w| w.0 == g.0) {
                None => problems.push(Problem::ReplicaAltered { replica: g.1.clone(), detail: "no audited pairing made it".into() }),
                Some(w) if w != g => {
                    problems.push(Problem::ReplicaAltered { replica: g.1.clone(), detail: "it differs from its audited pairing and receipts".into() })
                }
                Some(_) => {}
            }
        }
        for w in want.iter().filter(|w| !got.iter().any(|g| g.0 == w.0)) {
            problems.push(Problem::ReplicaAltered { replica: w.1.clone(), detail: "its audited pairing is missing from the table".into() });
        }
        let stored: Option<String> = conn.query_row("SELECT value FROM archive_keys WHERE name = 'sync_policy'", [], |r| r.get(0)).optional()?;
        if stored != policy {
            problems.push(Problem::ReplicaAltered { replica: "(this archive)".into(), detail: "the sync policy differs from its audited setting".into() });
        }
        Ok(())
    }
}

/// A `replicas` row, compared whole.
type ReplicaRow = (String, String, String, String, i64, bool, String, Option<String>);

/// The content of a `replica_receipt` entry: one applied bundle (or one written for a mirror).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct BundleNote {
    /// The peer whose receipt this is: the sender's key, or for a mirror push, the mirror's.
    pub(crate) peer: String,
    /// What the sender holds, per origin: the receipt this archive keeps.
    pub(crate) have: BTreeMap<String, i64>,
    pub(crate) applied: u64,
    pub(crate) skipped: u64,
    pub(crate) conflicts: u64,
    pub(crate) bundle_sha256: String,
}
