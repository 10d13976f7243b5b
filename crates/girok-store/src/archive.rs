//! One archive: a directory with an encrypted SQLCipher database and an encrypted blob store.
//!
//! Every change goes through a `Writer`, which wraps one database transaction and appends one
//! audit entry per change in the same transaction: either the record and its audit entry are
//! both committed or neither is, so a crash mid-write can never leave a change unaudited.

use std::path::{Path, PathBuf};

use girok_core::model::{Citation, Kind, Record, SealedIdentity};
use girok_core::vocab::Vocabulary;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{OpenError, StoreError};
use crate::keys::{derive_key, key_check, random_bytes, Header, KdfParams, KeySource, FORMAT_NAME, HEADER_FILE};
use crate::schema::{self, CURRENT_VERSION, GENESIS_HASH};

/// A character span `[start, end)` in a document's text.
pub(crate) type Span = (u64, u64);

pub(crate) const DB_FILE: &str = "girok.db";
pub(crate) const BLOB_DIR: &str = "blobs";

/// An open archive.
pub struct Archive {
    pub(crate) dir: PathBuf,
    pub(crate) conn: Connection,
    pub(crate) age_identity: age::x25519::Identity,
    pub(crate) signing_key: ed25519_dalek::SigningKey,
    pub(crate) clock: fn() -> String,
    /// The derived database key, kept (zeroized on drop) only so `another_connection` need not
    /// run the KDF again or ask for the passphrase twice.
    db_key: Zeroizing<[u8; 32]>,
}

/// Options for a new archive.
#[derive(Clone, Copy, Debug)]
pub struct CreateOptions {
    pub kdf: KdfParams,
    /// Seed the built-in DPRK gazetteer (provinces, towns, facilities).
    pub seed_gazetteer: bool,
}

impl Default for CreateOptions {
    fn default() -> Self {
        CreateOptions { kdf: KdfParams::INTERACTIVE, seed_gazetteer: true }
    }
}

/// One entry of the audit chain (also what travels to replicas, in its JSON form).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub prev_hash: String,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub record_id: Option<String>,
    pub content: Option<String>,
    pub hash: String,
}

impl AuditEntry {
    /// The hash that chains this entry: every field, length-prefixed so no two entries collide
    /// by shifting text between fields.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        for field in [
            self.seq.to_string().as_str(),
            &self.prev_hash,
            &self.at,
            &self.actor,
            &self.action,
            self.record_id.as_deref().unwrap_or("\u{0}"),
            self.content.as_deref().unwrap_or("\u{0}"),
        ] {
            h.update((field.len() as u64).to_le_bytes());
            h.update(field.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The current time as RFC 3339 UTC, computed without a date library.
pub fn now_rfc3339() -> String {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let day = girok_core::Day((secs.div_euclid(86_400)) as i32);
    let (y, m, dd) = day.ymd();
    let rem = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{dd:02}T{:02}:{:02}:{:02}Z", rem / 3600, (rem / 60) % 60, rem % 60)
}

fn open_connection(path: &Path, key: &[u8; 32]) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    let hex_key = Zeroizing::new(format!("x'{}'", hex::encode(key)));
    conn.pragma_update(None, "key", hex_key.as_str())?;
    // Format 3 keeps the database readable by the sqlcipher 3.4 shell Debian ships (RECOVERY.md);
    // 4 KiB pages instead of its 1 KiB default cut per-page cipher and B-tree overhead.
    conn.pragma_update(None, "cipher_compatibility", 3)?;
    conn.pragma_update(None, "cipher_page_size", 4096)?;
    Ok(conn)
}

fn tune(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Threat: plaintext pages in a temp file on an unencrypted disk.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // 256 MiB of decrypted pages: every page read from disk costs a decryption and an HMAC.
    conn.pragma_update(None, "cache_size", -262144)?;
    // After a checkpoint, shrink the write-ahead log back instead of keeping it at its peak size.
    conn.pragma_update(None, "journal_size_limit", 16 * 1024 * 1024)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(())
}

impl Archive {
    /// Creates a new archive in `dir`, which must not exist or be empty.
    pub fn create(dir: &Path, key: &KeySource, options: CreateOptions) -> Result<Archive, OpenError> {
        let io = |source| OpenError::Io { path: dir.to_path_buf(), source };
        if dir.exists() && std::fs::read_dir(dir).map_err(io)?.next().is_some() {
            return Err(OpenError::AlreadyExists { path: dir.to_path_buf() });
        }
        std::fs::create_dir_all(dir.join(BLOB_DIR)).map_err(io)?;
        let salt = hex::encode(random_bytes::<16>());
        let kdf = options.kdf;
        let db_key = derive_key(key, &salt, kdf)?;
        let header = Header {
            format: FORMAT_NAME.to_string(),
            format_version: crate::keys::FORMAT_VERSION,
            key_kind: match key {
                KeySource::Passphrase(_) => "passphrase".into(),
                KeySource::KeyFile(_) => "key-file".into(),
            },
            salt,
            kdf,
            key_check: key_check(&db_key),
            sqlcipher_compatibility: 3,
            sqlcipher_page_size: 4096,
            created_at: now_rfc3339(),
        };
        let header_json = serde_json::to_string_pretty(&header).expect("header serializes");
        std::fs::write(dir.join(HEADER_FILE), header_json).map_err(|source| OpenError::Io { path: dir.join(HEADER_FILE), source })?;

        let db_path = dir.join(DB_FILE);
        let damaged = |e: rusqlite::Error| OpenError::Damaged { path: db_path.clone(), detail: e.to_string() };
        let mut conn = open_connection(&db_path, &db_key).map_err(damaged)?;
        tune(&conn).map_err(damaged)?;
        let identity = age::x25519::Identity::generate();
        let signing_key = ed25519_dalek::SigningKey::from_bytes(&random_bytes::<32>());
        {
            let tx = conn.transaction().map_err(damaged)?;
            schema::migrate(&tx, 0).map_err(damaged)?;
            use age::secrecy::ExposeSecret;
            tx.execute("INSERT INTO archive_keys(name, value) VALUES ('age_identity', ?1)", [identity.to_string().expose_secret()]).map_err(damaged)?;
            tx.execute("INSERT INTO archive_keys(name, value) VALUES ('age_recipient', ?1)", [identity.to_public().to_string()]).map_err(damaged)?;
            tx.execute("INSERT INTO archive_keys(name, value) VALUES ('ed25519_secret', ?1)", [hex::encode(signing_key.to_bytes())]).map_err(damaged)?;
            tx.execute("INSERT INTO archive_keys(name, value) VALUES ('ed25519_public', ?1)", [hex::encode(signing_key.verifying_key().to_bytes())])
                .map_err(damaged)?;
            tx.commit().map_err(damaged)?;
        }
        let mut archive = Archive { dir: dir.to_path_buf(), conn, age_identity: identity, signing_key, clock: now_rfc3339, db_key };
        archive
            .write("girok", |w| {
                w.append_audit("create_archive", None, Some(format!("{{\"format_version\":{CURRENT_VERSION}}}")))?;
                if options.seed_gazetteer {
                    for place in girok_core::gazetteer::builtin_places() {
                        w.put(Record::Place(place))?;
                    }
                }
                Ok(())
            })
            .map_err(|e| OpenError::Damaged { path: db_path.clone(), detail: e.to_string() })?;
        Ok(archive)
    }

    /// Opens an existing archive.
    pub fn open(dir: &Path, key: &KeySource) -> Result<Archive, OpenError> {
        if !dir.exists() {
            return Err(OpenError::Missing { path: dir.to_path_buf() });
        }
        let header = Header::read(dir)?;
        if header.format_version > crate::keys::FORMAT_VERSION {
            return Err(OpenError::NewerFormat { path: dir.to_path_buf(), found: header.format_version, newest: crate::keys::FORMAT_VERSION });
        }
        let db_key = derive_key(key, &header.salt, header.kdf)?;
        if key_check(&db_key) != header.key_check {
            return Err(OpenError::BadKey { path: dir.to_path_buf() });
        }
        let db_path = dir.join(DB_FILE);
        if !db_path.exists() {
            return Err(OpenError::Damaged { path: db_path, detail: "the database file is missing".into() });
        }
        let damaged = |e: rusqlite::Error| OpenError::Damaged { path: db_path.clone(), detail: e.to_string() };
        let mut conn = open_connection(&db_path, &db_key).map_err(damaged)?;
        let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(damaged)?;
        if version > CURRENT_VERSION {
            return Err(OpenError::NewerFormat { path: dir.to_path_buf(), found: version, newest: CURRENT_VERSION });
        }
        tune(&conn).map_err(damaged)?;
        if version < CURRENT_VERSION {
            let tx = conn.transaction().map_err(damaged)?;
            schema::migrate(&tx, version).map_err(damaged)?;
            tx.commit().map_err(damaged)?;
        }
        let get_key = |name: &str| -> Result<String, OpenError> {
            conn.query_row("SELECT value FROM archive_keys WHERE name = ?1", [name], |r| r.get::<_, String>(0))
                .map_err(|e| OpenError::Damaged { path: db_path.clone(), detail: format!("archive key {name}: {e}") })
        };
        let identity: age::x25519::Identity = get_key("age_identity")?
            .parse()
            .map_err(|_| OpenError::Damaged { path: db_path.clone(), detail: "the stored age identity is malformed".into() })?;
        let secret = Zeroizing::new(hex::decode(get_key("ed25519_secret")?).unwrap_or_default());
        let secret: [u8; 32] =
            secret.as_slice().try_into().map_err(|_| OpenError::Damaged { path: db_path.clone(), detail: "the stored signing key is malformed".into() })?;
        let signing_key = ed25519_dalek::SigningKey::from_bytes(&secret);
        let restored = schema::restore_audit_triggers(&conn).map_err(damaged)?;
        let mut archive = Archive { dir: dir.to_path_buf(), conn, age_identity: identity, signing_key, clock: now_rfc3339, db_key };
        if !restored.is_empty() {
            // The chain keeps the fact: `verify` reports this entry for ever after.
            let detail = format!("the audit log's triggers {} were missing or altered", restored.join(", "));
            archive
                .write("girok", |w| w.append_audit("restore_schema", None, Some(detail.clone())))
                .map_err(|e| OpenError::Damaged { path: db_path.clone(), detail: e.to_string() })?;
        }
        Ok(archive)
    }

    /// A second connection to this archive, for a server's read-only pages: same keys, no KDF run.
    pub fn another_connection(&self) -> Result<Archive, OpenError> {
        let db_path = self.dir.join(DB_FILE);
        let conn = open_connection(&db_path, &self.db_key)
            .and_then(|c| tune(&c).map(|()| c))
            .map_err(|e| OpenError::Damaged { path: db_path.clone(), detail: e.to_string() })?;
        Ok(Archive {
            dir: self.dir.clone(),
            conn,
            age_identity: self.age_identity.clone(),
            signing_key: self.signing_key.clone(),
            clock: self.clock,
            db_key: self.db_key.clone(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The archive's public signing key (hex), printed on bundles so recipients can pin it.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.signing_key.verifying_key().to_bytes())
    }

    /// Replaces the clock, for deterministic tests.
    pub fn set_clock(&mut self, clock: fn() -> String) {
        self.clock = clock;
    }

    /// Runs `f` in one transaction; every change it makes is audited under `actor`.
    pub fn write<T>(&mut self, actor: &str, f: impl FnOnce(&mut Writer<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let tx = self.conn.transaction()?;
        let last: Option<(i64, String)> =
            tx.query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        let (seq, hash) = last.unwrap_or((0, GENESIS_HASH.to_string()));
        let mut writer = Writer {
            tx,
            actor: actor.to_string(),
            clock: self.clock,
            last_seq: seq,
            last_hash: hash,
            vocab: Vocabulary::builtin(),
            dir: self.dir.clone(),
            recipient: self.age_identity.to_public(),
            dirty: Default::default(),
        };
        let res = f(&mut writer)?;
        writer.flush_text_index()?;
        writer.tx.commit()?;
        Ok(res)
    }

    /// A record by id.
    pub fn get(&self, id: &str) -> Result<Record, StoreError> {
        let body: Option<String> = self.conn.query_row("SELECT body FROM records WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        let body = body.ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        serde_json::from_str(&body).map_err(|e| StoreError::Invalid { id: id.to_string(), message: format!("stored record is unreadable: {e}") })
    }

    pub fn exists(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.conn.query_row("SELECT 1 FROM records WHERE id = ?1", [id], |_| Ok(())).optional()?.is_some())
    }

    /// All records of a kind, in id order.
    pub fn list(&self, kind: Kind) -> Result<Vec<Record>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT id, body FROM records WHERE kind = ?1 ORDER BY id")?;
        let rows = stmt.query_map([kind.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body) = row?;
            out.push(serde_json::from_str(&body).map_err(|e| StoreError::Invalid { id, message: format!("stored record is unreadable: {e}") })?);
        }
        Ok(out)
    }

    /// Number of records per kind.
    pub fn counts(&self) -> Result<Vec<(Kind, u64)>, StoreError> {
        let mut out = Vec::new();
        for kind in Kind::ALL {
            let n: u64 = self.conn.query_row("SELECT COUNT(*) FROM records WHERE kind = ?1", [kind.as_str()], |r| r.get(0))?;
            out.push((kind, n));
        }
        Ok(out)
    }

    /// The extracted text of a document, if it has any.
    pub fn document_text(&self, doc_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self.conn.query_row("SELECT text FROM document_text WHERE doc_id = ?1", [doc_id], |r| r.get(0)).optional()?)
    }

    /// A witness's sealed identity. Callers must have checked identity clearance.
    pub fn sealed_identity(&self, source_id: &str) -> Result<Option<SealedIdentity>, StoreError> {
        let body: Option<String> = self.conn.query_row("SELECT body FROM sealed_identities WHERE source_id = ?1", [source_id], |r| r.get(0)).optional()?;
        body.map(|b| serde_json::from_str(&b).map_err(|e| StoreError::Invalid { id: source_id.to_string(), message: e.to_string() })).transpose()
    }

    /// Every audit entry that touched `id`, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_entries(Some(id), 0, i64::MAX)
    }

    /// Audit entries, optionally for one record, with `from <= seq <= to`.
    pub fn audit_entries(&self, id: Option<&str>, from: i64, to: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = if id.is_some() {
            format!("{AUDIT_COLUMNS} WHERE record_id = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq")
        } else {
            format!("{AUDIT_COLUMNS} WHERE ?1 IS NULL AND seq BETWEEN ?2 AND ?3 ORDER BY seq")
        };
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params![id, from, to], audit_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Places at or beneath `place_id` in the gazetteer.
    pub fn place_descendants(&self, place_id: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT place_id FROM place_ancestors WHERE ancestor_id = ?1 ORDER BY place_id")?;
        let rows = stmt.query_map([place_id], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Finds a place by id, English or Korean name, or alias (exact, case-insensitive).
    pub fn resolve_place(&self, given: &str) -> Result<String, StoreError> {
        if self.exists(given)? && Kind::of_id(given) == Some(Kind::Place) {
            return Ok(given.to_string());
        }
        let lower = given.trim().to_lowercase();
        let mut found = Vec::new();
        for rec in self.list(Kind::Place)? {
            if let Record::Place(p) = rec {
                let hit =
                    p.name.to_lowercase() == lower || p.name_ko.as_deref() == Some(given.trim()) || p.aliases.iter().any(|a| a.text.to_lowercase() == lower);
                if hit {
                    found.push(p.id);
                }
            }
        }
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(StoreError::NotFound(format!("place {given:?}"))),
            _ => Err(StoreError::Invalid { id: given.to_string(), message: format!("place name is ambiguous: {}", found.join(", ")) }),
        }
    }

    /// The raw database connection, for tests that simulate tampering by someone holding the key.
    #[doc(hidden)]
    pub fn raw_connection_for_tests(&self) -> &Connection {
        &self.conn
    }

    /// Merges the full-text index into one segment and returns free pages to the file system.
    /// Worth running after a large import; it rewrites the whole database.
    pub fn optimize(&mut self) -> Result<(), StoreError> {
        self.conn.execute("INSERT INTO fts(fts) VALUES ('optimize')", [])?;
        self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }

    /// Direct access for read-only queries by sibling modules.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// The columns `audit_row` reads, in its order.
pub(crate) const AUDIT_COLUMNS: &str = "SELECT seq, prev_hash, at, actor, action, record_id, content, hash FROM audit_log";

pub(crate) fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        prev_hash: r.get(1)?,
        at: r.get(2)?,
        actor: r.get(3)?,
        action: r.get(4)?,
        record_id: r.get(5)?,
        content: r.get(6)?,
        hash: r.get(7)?,
    })
}

/// A transaction on the archive. Dropped without commit, it rolls back.
pub struct Writer<'a> {
    pub(crate) tx: Transaction<'a>,
    actor: String,
    clock: fn() -> String,
    last_seq: i64,
    last_hash: String,
    vocab: &'static Vocabulary,
    pub(crate) dir: PathBuf,
    pub(crate) recipient: age::x25519::Recipient,
    /// Records whose full-text rows must be rewritten before commit. Deferred so that a batch
    /// of acts citing one long document re-tokenizes that document once, not once per act.
    pub(crate) dirty: std::collections::BTreeSet<i64>,
}

pub(crate) fn conf_rank(c: girok_core::Confidentiality) -> i64 {
    c as i64
}

impl Writer<'_> {
    /// Appends one audit entry; the trigger re-checks that it extends the chain.
    pub(crate) fn append_audit(&mut self, action: &str, record_id: Option<&str>, content: Option<String>) -> Result<(), StoreError> {
        let entry = AuditEntry {
            seq: self.last_seq + 1,
            prev_hash: self.last_hash.clone(),
            at: (self.clock)(),
            actor: self.actor.clone(),
            action: action.to_string(),
            record_id: record_id.map(str::to_string),
            content,
            hash: String::new(),
        };
        let hash = entry.compute_hash();
        self.tx.execute(
            "INSERT INTO audit_log(seq, prev_hash, at, actor, action, record_id, content, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![entry.seq, entry.prev_hash, entry.at, entry.actor, entry.action, entry.record_id, entry.content, hash],
        )?;
        self.last_seq = entry.seq;
        self.last_hash = hash;
        Ok(())
    }

    pub fn exists(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.tx.query_row("SELECT 1 FROM records WHERE id = ?1", [id], |_| Ok(())).optional()?.is_some())
    }

    pub fn get(&self, id: &str) -> Result<Record, StoreError> {
        let body: Option<String> = self.tx.query_row("SELECT body FROM records WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        let body = body.ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        serde_json::from_str(&body).map_err(|e| StoreError::Invalid { id: id.to_string(), message: e.to_string() })
    }

    /// Creates or updates a record after checking its codes, references and citation spans.
    /// An update identical to the stored version is not written and not audited.
    pub fn put(&mut self, mut record: Record) -> Result<String, StoreError> {
        if record.id().is_empty() {
            record.set_id(new_id(record.kind()));
        }
        let id = record.id().to_string();
        if Kind::of_id(&id) != Some(record.kind()) {
            return Err(StoreError::Invalid { id, message: format!("a {} id must start with {}-", record.kind().as_str(), record.kind().id_prefix()) });
        }
        record.validate(self.vocab).map_err(|message| StoreError::Invalid { id: id.clone(), message })?;
        for (field, target) in record.references() {
            if target != id && !self.exists(target)? {
                return Err(StoreError::DanglingReference { id: id.clone(), field, target: target.to_string() });
            }
        }
        self.check_spans(&id, &record)?;
        self.put_unchecked(record)
    }

    fn check_spans(&self, id: &str, record: &Record) -> Result<(), StoreError> {
        let citations: &[Citation] = match record {
            Record::Event(e) => &e.citations,
            Record::Act(a) => &a.citations,
            Record::Provision(p) => p.citation.as_slice(),
            _ => &[],
        };
        for c in citations {
            if let Some((start, end)) = c.span {
                if start >= end {
                    return Err(StoreError::SpanEmpty { id: id.to_string(), start, end });
                }
                let len: Option<u64> = self.tx.query_row("SELECT length(text) FROM document_text WHERE doc_id = ?1", [&c.document], |r| r.get(0)).optional()?;
                let len = len.unwrap_or(0);
                if end > len {
                    return Err(StoreError::SpanOutOfRange { id: id.to_string(), start, end, len });
                }
            }
        }
        Ok(())
    }

    /// Writes a record whose references the caller has already checked (bulk import).
    pub(crate) fn put_unchecked(&mut self, record: Record) -> Result<String, StoreError> {
        let id = record.id().to_string();
        self.put_as(record, None, None, false)?;
        Ok(id)
    }

    /// Writes a record, audited as a local change or as `synced` (a change from another
    /// archive, whose stored body is the origin's text, `body`, so the chain of both archives
    /// hashes the same bytes). `force` writes a version even when nothing changed (a conflict
    /// resolved by keeping this archive's version). Returns whether anything was written.
    pub(crate) fn put_as(&mut self, record: Record, body: Option<String>, synced: Option<&crate::sync_entry::Synced>, force: bool) -> Result<bool, StoreError> {
        let id = record.id().to_string();
        let body = body.unwrap_or_else(|| serde_json::to_string(&record).expect("records serialize"));
        let existing: Option<(i64, String, bool)> =
            self.tx.query_row("SELECT rid, body, retired FROM records WHERE id = ?1", [&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional()?;
        let action = match &existing {
            Some((_, old, _)) if *old == body && !force => return Ok(false),
            Some(_) => "update",
            None => "create",
        };
        let title = record.title();
        let rid = match existing {
            Some((rid, _, retired)) => {
                let level = crate::edit::effective_level(record.confidentiality(), retired);
                self.tx.execute(
                    "UPDATE records SET conf = ?2, title = ?3, body = ?4 WHERE rid = ?1",
                    params![rid, conf_rank(record.confidentiality()), title, body],
                )?;
                self.tx.prepare_cached("UPDATE record_meta SET conf = ?2 WHERE rid = ?1")?.execute(params![rid, level])?;
                self.tx.prepare_cached("UPDATE list_keys SET conf = ?2, title = ?3 WHERE rid = ?1")?.execute(params![rid, level, title])?;
                rid
            }
            None => {
                self.tx.prepare_cached("INSERT INTO records(id, kind, conf, title, body) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![
                    id,
                    record.kind().as_str(),
                    conf_rank(record.confidentiality()),
                    title,
                    body
                ])?;
                let rid = self.tx.last_insert_rowid();
                self.tx.prepare_cached("INSERT INTO record_meta(rid, kind, conf) VALUES (?1, ?2, ?3)")?.execute(params![
                    rid,
                    record.kind().as_str(),
                    conf_rank(record.confidentiality())
                ])?;
                self.tx.prepare_cached("INSERT INTO list_keys(rid, kind, conf, title) VALUES (?1, ?2, ?3, ?4)")?.execute(params![
                    rid,
                    record.kind().as_str(),
                    conf_rank(record.confidentiality()),
                    title
                ])?;
                rid
            }
        };
        self.index(rid, &record)?;
        self.append_change(action, &id, Some(body), synced, true)?;
        Ok(true)
    }

    /// The sequence number of the newest entry this transaction sees.
    pub(crate) fn last_seq(&self) -> i64 {
        self.last_seq
    }

    /// Deletes a record. Its history stays in the audit log.
    pub fn delete(&mut self, id: &str) -> Result<(), StoreError> {
        let rid: Option<i64> = self.tx.query_row("SELECT rid FROM records WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        let rid = rid.ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        self.tx.execute("DELETE FROM records WHERE rid = ?1", [rid])?;
        self.tx.execute("DELETE FROM record_meta WHERE rid = ?1", [rid])?;
        self.tx.execute("DELETE FROM list_keys WHERE rid = ?1", [rid])?;
        self.tx.execute("DELETE FROM links WHERE from_rid = ?1", [rid])?;
        self.unindex(rid, id)?;
        self.append_audit("delete", Some(id), None)?;
        Ok(())
    }

    /// Seals a witness's identifying details. The audit log keeps only their hash.
    pub fn seal_identity(&mut self, identity: &SealedIdentity) -> Result<(), StoreError> {
        if !self.exists(&identity.source)? {
            return Err(StoreError::DanglingReference { id: identity.source.clone(), field: "source", target: identity.source.clone() });
        }
        let body = serde_json::to_string(identity).expect("sealed identity serializes");
        let content = format!("{{\"sealed_sha256\":\"{}\"}}", sha256_hex(body.as_bytes()));
        self.seal_as(&identity.source, &body, Some(content), None)
    }

    /// Stores a sealed identity's text, audited as a local change (`content` its hash) or as
    /// `synced` from another archive.
    pub(crate) fn seal_as(&mut self, source: &str, body: &str, content: Option<String>, synced: Option<&crate::sync_entry::Synced>) -> Result<(), StoreError> {
        self.tx.execute("INSERT OR REPLACE INTO sealed_identities(source_id, body) VALUES (?1, ?2)", params![source, body])?;
        self.append_change("seal_identity", source, content, synced, false)
    }

    /// Records an action that changes no record (an export, a review decision), for the log.
    pub fn note(&mut self, action: &str, record_id: Option<&str>, content: serde_json::Value) -> Result<(), StoreError> {
        self.append_audit(action, record_id, Some(content.to_string()))
    }
}

impl Archive {
    /// The newest audit entry: names one state of the archive, which `verify` can later confirm
    /// is part of the chain (publications cite it). `None` only for a database with no chain.
    pub fn audit_head(&self) -> Result<Option<AuditEntry>, StoreError> {
        Ok(self.conn.query_row(&format!("{AUDIT_COLUMNS} ORDER BY seq DESC LIMIT 1"), [], audit_row).optional()?)
    }

    /// The audit entry with this hash, if the chain has one (what a briefing's archive state
    /// names). The chain itself is checked by `verify`.
    pub fn audit_entry_by_hash(&self, hash: &str) -> Result<Option<AuditEntry>, StoreError> {
        Ok(self.conn.query_row(&format!("{AUDIT_COLUMNS} WHERE hash = ?1"), [hash], audit_row).optional()?)
    }

    /// Sequence number of the newest audit entry: changes whenever anything in the archive does.
    pub fn audit_head_seq(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM audit_log", [], |r| r.get(0))?)
    }

    /// Records citing a document, with their character spans, in span order.
    pub fn citations_of(&self, doc_id: &str) -> Result<Vec<(String, Option<Span>)>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT record_id, span_start, span_end FROM citations WHERE document_id = ?1 ORDER BY span_start, record_id")?;
        let rows = stmt.query_map([doc_id], |r| {
            let (a, b): (Option<i64>, Option<i64>) = (r.get(1)?, r.get(2)?);
            Ok((r.get::<_, String>(0)?, a.zip(b).map(|(a, b)| (a as u64, b as u64))))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// A fresh random id for a kind, e.g. `act-k3m9x2p4q7ra`. Random rather than sequential so ids
/// reveal neither how many records exist nor in what order they were taken in.
pub fn new_id(kind: Kind) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let bytes = random_bytes::<12>();
    let tail: String = bytes.iter().map(|b| ALPHABET[(*b as usize) % 32] as char).collect();
    format!("{}-{tail}", kind.id_prefix())
}
