//! `girok verify`: re-hash the audit chain, every record and every blob, and name what is wrong.
//!
//! Threat: someone with the key (an insider, or a state that seized key and laptop together)
//! quietly edits or removes evidence. The chain makes history tamper-evident: each entry hashes
//! its predecessor, each record's stored body must equal the content of its latest audit entry,
//! and each blob must decrypt to the SHA-256 taken at intake.
//!
//! Beyond the chain: every page's authentication code (SQLCipher) and SQLite's own structural
//! check; the schema and the audit log's protective triggers against what Girok creates; every
//! derived table re-derived from the records (`derived`); and the accounts replayed from their
//! audited changes. What `verify` cannot see (a rewrite by someone who also holds the signing
//! key, or a cut-off tail of the chain) is in ARCHITECTURE.md's threat model.

use std::collections::{HashMap, HashSet};
use std::fmt;

use girok_core::model::Record;
use rusqlite::OptionalExtension;

use crate::archive::{audit_row, sha256_hex, Archive, AuditEntry, BLOB_DIR};
use crate::error::StoreError;
use crate::schema::GENESIS_HASH;

/// One thing `verify` found wrong. Each names the entry, record or file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    ChainGap {
        expected: i64,
        found: i64,
    },
    ChainLink {
        seq: i64,
    },
    EntryAltered {
        seq: i64,
        record: Option<String>,
    },
    RecordAltered {
        id: String,
    },
    RecordMissing {
        id: String,
    },
    RecordUnaudited {
        id: String,
    },
    TextAltered {
        doc: String,
    },
    LocationAltered {
        doc: String,
    },
    SealedAltered {
        source: String,
    },
    BlobMissing {
        doc: String,
        file: String,
    },
    BlobAltered {
        doc: String,
        file: String,
    },
    BlobUnreadable {
        doc: String,
        file: String,
        detail: String,
    },
    BlobUnrecorded {
        doc: String,
    },
    /// A page failed its authentication code, or SQLite found the structure damaged.
    Database {
        detail: String,
    },
    /// A table, index or trigger differs from what Girok creates.
    Schema {
        detail: String,
    },
    /// The archive was opened with the audit log's protective triggers missing or changed.
    SchemaRestored {
        seq: i64,
        detail: String,
    },
    /// A record is retired, or not, against its audited retirements and restorations.
    RetirementAltered {
        id: String,
    },
    /// A derived table's rows for a record are not what the record implies.
    DerivedAltered {
        table: &'static str,
        record: String,
    },
    /// An account differs from what its audited changes made it.
    AccountAltered {
        username: String,
        field: &'static str,
    },
    /// An account exists that no audited change created.
    AccountUnaudited {
        username: String,
    },
    /// A replica, or this archive's sync policy, differs from its audited pairing and receipts.
    ReplicaAltered {
        replica: String,
        detail: String,
    },
    /// A change applied from another archive does not carry its origin's valid signature, or
    /// its origin entry was altered.
    SyncForged {
        seq: i64,
        origin: String,
        detail: &'static str,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::ChainGap { expected, found } => write!(f, "audit chain: entry {expected} is missing (next entry is {found})"),
            Problem::ChainLink { seq } => write!(f, "audit chain: entry {seq} does not link to the entry before it"),
            Problem::EntryAltered { seq, record } => match record {
                Some(r) => write!(f, "audit chain: entry {seq} (record {r}) was altered after it was written"),
                None => write!(f, "audit chain: entry {seq} was altered after it was written"),
            },
            Problem::RecordAltered { id } => write!(f, "record {id}: stored content differs from its last audited version"),
            Problem::RecordMissing { id } => write!(f, "record {id}: missing from the archive, but the audit log never deleted it"),
            Problem::RecordUnaudited { id } => write!(f, "record {id}: present in the archive but never recorded in the audit log"),
            Problem::TextAltered { doc } => write!(f, "document {doc}: extracted text differs from the hash recorded at intake"),
            Problem::LocationAltered { doc } => write!(f, "document {doc}: the GPS position kept apart differs from the hash recorded at intake, or is missing"),
            Problem::SealedAltered { source } => write!(f, "source {source}: sealed identity differs from its audited hash"),
            Problem::BlobMissing { doc, file } => write!(f, "document {doc}: original file blobs/{}/{file}.age is missing", &file[..2]),
            Problem::BlobAltered { doc, file } => {
                write!(f, "document {doc}: original file blobs/{}/{file}.age does not match the SHA-256 taken at intake", &file[..2])
            }
            Problem::BlobUnreadable { doc, file, detail } => {
                write!(f, "document {doc}: original file blobs/{}/{file}.age cannot be decrypted ({detail})", &file[..2])
            }
            Problem::BlobUnrecorded { doc } => write!(f, "document {doc}: no original file is recorded for it"),
            Problem::Database { detail } => write!(f, "database: {detail}"),
            Problem::Schema { detail } => write!(f, "schema: {detail}"),
            Problem::SchemaRestored { seq, detail } => write!(
                f,
                "audit chain: entry {seq} records that {detail} when the archive was opened (restored then); entries written before it may have been changed or removed"
            ),
            Problem::RetirementAltered { id } => write!(f, "record {id}: its retirement differs from its audited retirements and restorations"),
            Problem::DerivedAltered { table, record } => write!(f, "record {record}: its rows in {table} are not what the record implies (edited outside Girok?)"),
            Problem::AccountAltered { username, field } => write!(f, "account {username}: {field} differs from its audited changes"),
            Problem::AccountUnaudited { username } => write!(f, "account {username}: present but never created through an audited change"),
            Problem::ReplicaAltered { replica, detail } => write!(f, "replica {replica}: {detail}"),
            Problem::SyncForged { seq, origin, detail } => write!(f, "audit chain: entry {seq}, a change applied from archive {origin}, {detail}"),
        }
    }
}

/// What `verify` checked and found.
#[derive(Clone, Debug, Default)]
pub struct VerifyReport {
    pub entries: u64,
    pub records: u64,
    pub blobs: u64,
    pub head_hash: String,
    pub problems: Vec<Problem>,
    /// Not tampering, but worth knowing (e.g. an encrypted file left by an interrupted intake).
    pub warnings: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Progress of the slow part (blobs): `(done, total)`.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

impl Archive {
    /// Checks everything. Never modifies the archive.
    ///
    /// Every check reads one snapshot (a read transaction; the write-ahead log keeps it while
    /// others write), so a change committed while `verify` runs, on a live server, is never
    /// mistaken for a record out of step with its derived rows.
    pub fn verify(&self, progress: Progress<'_>) -> Result<VerifyReport, StoreError> {
        // FTS5's own structural check is issued as an INSERT, so it runs before the read-only
        // snapshot; an archive busy with a write is a reason to say so, not damage.
        let fts = self.conn().execute("INSERT INTO fts(fts) VALUES ('integrity-check')", []);
        self.conn().execute_batch("BEGIN DEFERRED")?;
        let res = self.verify_snapshot(progress);
        // Read-only: ending it cannot lose anything; a failure to end it is not the report's.
        let _ = self.conn().execute_batch("COMMIT");
        let mut report = res?;
        match fts {
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(e, _)) if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                report.warnings.push("the full-text index's own check could not run (the archive was busy with a write); run verify again".into())
            }
            Err(e) => report.problems.insert(0, Problem::Database { detail: format!("full-text index: {e}") }),
        }
        Ok(report)
    }

    fn verify_snapshot(&self, progress: Progress<'_>) -> Result<VerifyReport, StoreError> {
        let mut report = VerifyReport::default();
        let mut problems: Vec<Problem> = Vec::new();
        let conn = self.conn();

        // 0. The pages and the structure: a flipped byte anywhere fails a page's HMAC.
        guarded(&mut problems, "page check", |problems| {
            let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for row in rows {
                problems.push(Problem::Database { detail: row? });
            }
            let mut stmt = conn.prepare("PRAGMA integrity_check")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for row in rows {
                let row = row?;
                if row != "ok" {
                    problems.push(Problem::Database { detail: row });
                }
            }
            Ok(())
        });
        guarded(&mut problems, "schema check", |problems| crate::schema::check(conn, problems));

        // 1. The chain itself.
        let mut latest: HashMap<String, Option<String>> = HashMap::new();
        let mut sealed: HashMap<String, String> = HashMap::new();
        let mut accounts = AccountReplay::default();
        let mut retired: HashMap<String, bool> = HashMap::new();
        let mut replicas = crate::replicas::ReplicaReplay::default();
        let mut seen = crate::sync_entry::SeenReplay::default();
        let mut version_at: HashMap<String, i64> = HashMap::new();
        let mut withheld: HashMap<String, Vec<String>> = HashMap::new();
        guarded(&mut problems, "audit chain", |problems| {
            let mut stmt = conn.prepare(&format!("{} ORDER BY seq", crate::archive::AUDIT_COLUMNS))?;
            let mut rows = stmt.query([])?;
            let mut expected_seq = 1i64;
            let mut prev_hash = GENESIS_HASH.to_string();
            while let Some(row) = rows.next()? {
                let e: AuditEntry = audit_row(row)?;
                report.entries += 1;
                if e.seq != expected_seq {
                    problems.push(Problem::ChainGap { expected: expected_seq, found: e.seq });
                }
                if e.prev_hash != prev_hash {
                    problems.push(Problem::ChainLink { seq: e.seq });
                }
                if e.compute_hash() != e.hash {
                    problems.push(Problem::EntryAltered { seq: e.seq, record: e.record_id.clone() });
                }
                if e.action == "restore_schema" {
                    problems.push(Problem::SchemaRestored { seq: e.seq, detail: e.content.clone().unwrap_or_default() });
                }
                accounts.replay(&e);
                replicas.replay(&e);
                // A change applied from another archive counts as its origin's action, once
                // its origin entry is shown intact and signed by that origin.
                let (action, content) = match crate::sync_entry::Synced::of_entry(&e) {
                    Some(synced) => {
                        let fp = crate::replicas::fingerprint(&synced.origin);
                        match synced.check() {
                            Ok(()) => {}
                            Err(crate::sync_entry::Forgery::Altered) => problems.push(Problem::SyncForged {
                                seq: e.seq,
                                origin: fp.clone(),
                                detail: "has an origin entry that does not hash to its hash (altered)",
                            }),
                            Err(crate::sync_entry::Forgery::Signature) => {
                                problems.push(Problem::SyncForged { seq: e.seq, origin: fp.clone(), detail: "is not signed by the archive it names (forged)" })
                            }
                        }
                        seen.replay(&e, &synced, &version_at);
                        if let (Some(id), true) = (&e.record_id, synced.withheld.iter().any(|w| w == "blob" || w == "location")) {
                            withheld.insert(id.clone(), synced.withheld.clone());
                        }
                        match e.action.as_str() {
                            "sync_same" | "sync_conflict" => (String::new(), None),
                            _ => (synced.entry.action, synced.entry.content),
                        }
                    }
                    None if e.action.starts_with("sync_") => {
                        problems.push(Problem::SyncForged { seq: e.seq, origin: "(unknown)".into(), detail: "does not read as a change from another archive" });
                        (String::new(), None)
                    }
                    None => (e.action.clone(), e.content.clone()),
                };
                if let (Some(id), true) = (&e.record_id, matches!(action.as_str(), "create" | "update" | "retire" | "restore")) {
                    version_at.insert(id.clone(), e.seq);
                }
                if let Some(id) = &e.record_id {
                    match action.as_str() {
                        "create" | "update" => {
                            latest.insert(id.clone(), content.as_deref().map(|c| sha256_hex(c.as_bytes())));
                        }
                        "delete" => {
                            latest.insert(id.clone(), None);
                        }
                        "retire" | "restore" => {
                            retired.insert(id.clone(), action == "retire");
                        }
                        "seal_identity" => {
                            let h = content
                                .as_deref()
                                .and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok())
                                .and_then(|v| v["sealed_sha256"].as_str().map(str::to_string));
                            sealed.insert(id.clone(), h.unwrap_or_default());
                        }
                        _ => {}
                    }
                }
                expected_seq = e.seq + 1;
                prev_hash = e.hash;
            }
            report.head_hash = prev_hash;
            Ok(())
        });

        // 2. Every record against its last audited version.
        let mut present: HashSet<String> = HashSet::new();
        let mut documents: Vec<(String, String, Option<String>)> = Vec::new();
        let mut locations: Vec<(String, Option<String>)> = Vec::new();
        guarded(&mut problems, "records", |problems| {
            let mut stmt = conn.prepare("SELECT id, body, retired FROM records")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let body: String = row.get(1)?;
                if row.get::<_, bool>(2)? != retired.get(&id).copied().unwrap_or(false) {
                    problems.push(Problem::RetirementAltered { id: id.clone() });
                }
                report.records += 1;
                match latest.get(&id) {
                    Some(Some(h)) if *h == sha256_hex(body.as_bytes()) => {}
                    Some(Some(_)) | Some(None) => problems.push(Problem::RecordAltered { id: id.clone() }),
                    None => problems.push(Problem::RecordUnaudited { id: id.clone() }),
                }
                if id.starts_with("doc-") {
                    if let Ok(Record::Document(d)) = serde_json::from_str::<Record>(&body) {
                        documents.push((id.clone(), d.sha256, d.text_sha256));
                        // A replica that may not hold a photograph's position receives the record
                        // without it, and the applied change says so.
                        let kept_back = |what: &str| withheld.get(&id).is_some_and(|w| w.iter().any(|x| x == what));
                        locations.push((id.clone(), if kept_back("location") { None } else { d.location_sha256 }));
                    }
                }
                present.insert(id);
            }
            Ok(())
        });
        let mut missing: Vec<&String> = latest.iter().filter(|(id, h)| h.is_some() && !present.contains(*id)).map(|(id, _)| id).collect();
        missing.sort();
        problems.extend(missing.into_iter().map(|id| Problem::RecordMissing { id: id.clone() }));

        for (source, hash) in &sealed {
            let body: Option<String> = conn.query_row("SELECT body FROM sealed_identities WHERE source_id = ?1", [source], |r| r.get(0)).optional()?;
            if body.map(|b| sha256_hex(b.as_bytes())).as_deref() != Some(hash.as_str()) {
                problems.push(Problem::SealedAltered { source: source.clone() });
            }
        }

        guarded(&mut problems, "accounts", |problems| accounts.check(conn, problems));
        guarded(&mut problems, "replicas", |problems| replicas.check(conn, problems));
        guarded(&mut problems, "sync tables", |problems| seen.check(conn, problems));
        guarded(&mut problems, "derived tables", |problems| self.check_derived(problems));

        // GPS positions kept apart: each matches its document's hash, and none is without one.
        let stored: std::collections::HashMap<String, String> = {
            let mut stmt = conn.prepare("SELECT doc_id, body FROM document_locations")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        for (doc, hash) in &locations {
            if stored.get(doc).map(|b| sha256_hex(b.as_bytes())) != *hash {
                problems.push(Problem::LocationAltered { doc: doc.clone() });
            }
        }
        for doc in stored.keys().filter(|d| !locations.iter().any(|(x, _)| x == *d)) {
            problems.push(Problem::LocationAltered { doc: doc.clone() });
        }

        // 3. Extracted text and original files.
        documents.sort();
        let total = documents.len() as u64;
        let mut known_files: HashSet<String> = HashSet::new();
        for (done, (doc, sha, text_sha)) in documents.iter().enumerate() {
            progress(done as u64, total);
            if let Some(ts) = text_sha {
                let text = self.document_text(doc)?;
                if text.map(|t| sha256_hex(t.as_bytes())).as_deref() != Some(ts.as_str()) {
                    problems.push(Problem::TextAltered { doc: doc.clone() });
                }
            }
            let file: Option<(String, String)> =
                conn.query_row("SELECT file, sha256 FROM blobs WHERE doc_id = ?1", [doc], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            let Some((file, blob_sha)) = file else {
                if withheld.get(doc).is_some_and(|w| w.iter().any(|x| x == "blob")) {
                    report.warnings.push(format!("document {doc}: its original file was not sent with it by the archive it came from"));
                    continue;
                }
                problems.push(Problem::BlobUnrecorded { doc: doc.clone() });
                continue;
            };
            known_files.insert(file.clone());
            report.blobs += 1;
            let path = crate::intake::blob_path(&self.dir, &file);
            if !path.exists() {
                problems.push(Problem::BlobMissing { doc: doc.clone(), file });
                continue;
            }
            match self.read_blob(doc) {
                Ok(bytes) => {
                    let got = sha256_hex(&bytes);
                    if got != *sha || got != blob_sha {
                        problems.push(Problem::BlobAltered { doc: doc.clone(), file });
                    }
                }
                Err(StoreError::Blob { detail, .. }) => problems.push(Problem::BlobUnreadable { doc: doc.clone(), file, detail }),
                Err(e) => return Err(e),
            }
        }
        progress(total, total);
        if let Ok(shards) = std::fs::read_dir(self.dir.join(BLOB_DIR)) {
            for shard in shards.flatten() {
                for f in std::fs::read_dir(shard.path()).into_iter().flatten().flatten() {
                    let name = f.file_name().to_string_lossy().into_owned();
                    let stem = name.trim_end_matches(".age");
                    if !known_files.contains(stem) {
                        report.warnings.push(format!(
                            "blobs/{}/{name} belongs to no document (left by an interrupted intake?); it is encrypted and can be deleted",
                            shard.file_name().to_string_lossy()
                        ));
                    }
                }
            }
        }
        report.problems = problems;
        Ok(report)
    }
}

/// Runs one phase of `verify`; a database error in it (a damaged page, most often) is reported
/// as a problem of that phase instead of ending the whole check.
fn guarded(problems: &mut Vec<Problem>, phase: &str, f: impl FnOnce(&mut Vec<Problem>) -> Result<(), StoreError>) {
    if let Err(e) = f(problems) {
        let detail = match &e {
            StoreError::Db(inner) => format!("{phase} could not finish: {inner}"),
            other => format!("{phase} could not finish: {other}"),
        };
        problems.push(Problem::Database { detail });
    }
}

/// An account as its audited changes left it. A fingerprint is `None` where the entry that
/// set it predates fingerprints (entries written before Girok recorded fingerprints), and is then not compared.
#[derive(Clone, Debug, Default)]
struct AuditedAccount {
    role: String,
    clearance: bool,
    disabled: bool,
    password_sha256: Option<String>,
    totp: bool,
    totp_sha256: Option<String>,
}

/// The accounts, replayed from `set_user`, `set_totp` and `set_user_disabled` entries.
#[derive(Default)]
struct AccountReplay {
    accounts: HashMap<String, AuditedAccount>,
}

impl AccountReplay {
    fn replay(&mut self, e: &AuditEntry) {
        let Some(v) = e.content.as_deref().and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok()) else { return };
        let Some(name) = v["username"].as_str() else { return };
        let text = |k: &str| v[k].as_str().map(str::to_string);
        match e.action.as_str() {
            "set_user" => {
                let a = self.accounts.entry(name.to_string()).or_default();
                a.role = text("role").unwrap_or_default();
                a.clearance = v["identity_clearance"].as_bool().unwrap_or(false);
                a.disabled = false;
                a.password_sha256 = text("password_sha256");
            }
            "set_totp" => {
                if let Some(a) = self.accounts.get_mut(name) {
                    a.totp = v["enabled"].as_bool().unwrap_or(false);
                    a.totp_sha256 = text("totp_sha256");
                }
            }
            "set_user_disabled" => {
                if let Some(a) = self.accounts.get_mut(name) {
                    a.disabled = v["disabled"].as_bool().unwrap_or(false);
                }
            }
            _ => {}
        }
    }

    fn check(&self, conn: &rusqlite::Connection, problems: &mut Vec<Problem>) -> Result<(), StoreError> {
        let mut stmt = conn.prepare("SELECT username, password_hash, role, identity_clearance, disabled, totp_secret FROM users ORDER BY username")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (username, hash, role, clearance, disabled, totp): (String, String, String, bool, bool, Option<String>) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
            let Some(want) = self.accounts.get(&username) else {
                problems.push(Problem::AccountUnaudited { username });
                continue;
            };
            let mut differs = |field| problems.push(Problem::AccountAltered { username: username.clone(), field });
            if role != want.role {
                differs("role");
            }
            if clearance != want.clearance {
                differs("identity clearance");
            }
            if disabled != want.disabled {
                differs("disabled");
            }
            if want.password_sha256.as_deref().is_some_and(|h| h != sha256_hex(hash.as_bytes())) {
                differs("password");
            }
            if totp.is_some() != want.totp
                || (totp.is_some() && want.totp_sha256.as_deref().is_some_and(|h| Some(h.to_string()) != totp.as_deref().map(|t| sha256_hex(t.as_bytes()))))
            {
                differs("second factor");
            }
        }
        Ok(())
    }
}
