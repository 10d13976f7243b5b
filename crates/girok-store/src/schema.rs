//! The database schema and its migration ladder.
//!
//! Records are stored as JSON (the interchange form, readable with any SQLite shell); the other
//! tables are indexes derived from them and can be rebuilt. The audit log is append-only by
//! trigger, not by convention: an UPDATE or DELETE on it aborts, and an INSERT must extend the
//! chain (next sequence number, previous entry's hash).

use rusqlite::Connection;

/// The newest schema this build writes. Bump it and add a step to `migrate` together.
pub const CURRENT_VERSION: u32 = 16;

pub(crate) const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const V1: &str = r#"
CREATE TABLE archive_keys(name TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE records(
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    conf INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX records_kind ON records(kind, id);

CREATE TABLE document_text(doc_id TEXT PRIMARY KEY, text TEXT NOT NULL);

-- file is random: a blob's name must not reveal the hash of its plaintext.
CREATE TABLE blobs(doc_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, file TEXT NOT NULL UNIQUE, size INTEGER NOT NULL);

CREATE TABLE sealed_identities(source_id TEXT PRIMARY KEY, body TEXT NOT NULL);

CREATE TABLE place_ancestors(place_id TEXT NOT NULL, ancestor_id TEXT NOT NULL, PRIMARY KEY(place_id, ancestor_id)) WITHOUT ROWID;
CREATE INDEX place_ancestors_rev ON place_ancestors(ancestor_id, place_id);

-- One row per (record that can be filtered, act or event that gives it facets).
CREATE TABLE facets(
    rid INTEGER NOT NULL,
    origin TEXT NOT NULL,
    act_type TEXT,
    place_id TEXT,
    date_start INTEGER,
    date_end INTEGER,
    source_id TEXT
);
CREATE INDEX facets_rid ON facets(rid);
CREATE INDEX facets_origin ON facets(origin);
CREATE INDEX facets_act_type ON facets(act_type);

CREATE TABLE citations(record_id TEXT NOT NULL, document_id TEXT NOT NULL, span_start INTEGER, span_end INTEGER);
CREATE INDEX citations_record ON citations(record_id);
CREATE INDEX citations_document ON citations(document_id);

CREATE TABLE review_queue(
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    left_id TEXT NOT NULL,
    right_id TEXT NOT NULL,
    score REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    detail TEXT NOT NULL DEFAULT ''
);

-- facets holds filter tokens (act types with their ancestors, places with theirs, source, years,
-- kind, confidentiality) so filters are doclist intersections inside FTS5, not row-by-row checks.
CREATE VIRTUAL TABLE fts USING fts5(title, body, bigrams, facets, content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2');

CREATE TABLE audit_log(
    seq INTEGER PRIMARY KEY,
    prev_hash TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    record_id TEXT,
    content TEXT,
    hash TEXT NOT NULL
);
CREATE INDEX audit_record ON audit_log(record_id, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted'); END;

CREATE TRIGGER audit_log_extends_chain BEFORE INSERT ON audit_log
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log)
  OR NEW.prev_hash IS NOT COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN SELECT RAISE(ABORT, 'audit_log entries must extend the chain'); END;
"#;

const V2: &str = r#"
CREATE TABLE record_meta(rid INTEGER PRIMARY KEY, kind TEXT NOT NULL, conf INTEGER NOT NULL);
INSERT INTO record_meta(rid, kind, conf) SELECT rid, kind, conf FROM records;
DROP INDEX facets_rid;
CREATE INDEX facets_cover ON facets(rid, act_type, place_id, date_start, date_end, source_id);
"#;

const V3: &str = r#"
CREATE TABLE users(
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    identity_clearance INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0
);
"#;

const V4: &str = r#"
ALTER TABLE users ADD COLUMN totp_secret TEXT;
"#;

const V5: &str = r#"
CREATE TABLE list_keys(rid INTEGER PRIMARY KEY, kind TEXT NOT NULL, conf INTEGER NOT NULL, title TEXT NOT NULL, day INTEGER);
INSERT INTO list_keys(rid, kind, conf, title, day)
  SELECT r.rid, r.kind, r.conf, r.title, (SELECT MIN(f.date_start) FROM facets f WHERE f.rid = r.rid) FROM records r;
CREATE INDEX list_keys_title ON list_keys(kind, title);
CREATE INDEX list_keys_day ON list_keys(kind, day);
"#;

const V6: &str = r#"
CREATE TABLE links(from_rid INTEGER NOT NULL, field TEXT NOT NULL, to_id TEXT NOT NULL);
CREATE INDEX links_to ON links(to_id, from_rid);
CREATE INDEX links_from ON links(from_rid);
CREATE INDEX list_keys_conf ON list_keys(kind, conf);
"#;

const V7: &str = r#"
CREATE INDEX facets_filter ON facets(act_type, place_id, date_start, date_end, source_id, rid);
DROP INDEX facets_act_type;
CREATE INDEX list_keys_conf_day ON list_keys(kind, conf, day);
DROP INDEX list_keys_conf;
"#;

const V8: &str = r#"
CREATE INDEX links_from_cover ON links(from_rid, field, to_id);
DROP INDEX links_from;
"#;

const V9: &str = r#"
ALTER TABLE records ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
"#;

const V11: &str = r#"
CREATE TABLE captures(rid INTEGER PRIMARY KEY, act_type TEXT NOT NULL, victim TEXT NOT NULL, event TEXT, source TEXT, place TEXT, date_start INTEGER, date_end INTEGER);
CREATE INDEX captures_type ON captures(act_type);
"#;

const V12: &str = r#"
CREATE INDEX links_same_as ON links(from_rid, to_id) WHERE field = 'same_as';
"#;

const V13: &str = r#"
ALTER TABLE captures ADD COLUMN conf INTEGER NOT NULL DEFAULT 0;
UPDATE captures SET conf = (SELECT m.conf FROM record_meta m WHERE m.rid = captures.rid);
CREATE TABLE capture_sources(rid INTEGER PRIMARY KEY, id TEXT NOT NULL, organisation TEXT NOT NULL, conf INTEGER NOT NULL);
INSERT INTO capture_sources(rid, id, organisation, conf)
  SELECT r.rid, r.id, coalesce(json_extract(r.body, '$.organisation'), r.id), m.conf FROM records r JOIN record_meta m ON m.rid = r.rid WHERE r.kind = 'source';
"#;

const V14: &str = r#"
CREATE TABLE document_locations(doc_id TEXT PRIMARY KEY, body TEXT NOT NULL);
"#;

const V16: &str = r#"
DROP INDEX captures_type;
CREATE INDEX captures_cover ON captures(act_type, conf, victim, source, event, place, date_start, date_end);
"#;

const V15: &str = r#"
CREATE TABLE replicas(key TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, age_recipient TEXT NOT NULL, max_level INTEGER NOT NULL, identities INTEGER NOT NULL, acked TEXT NOT NULL DEFAULT '{}', last_seen TEXT);
CREATE TABLE sync_seen(gid TEXT PRIMARY KEY, seq INTEGER NOT NULL, version_seq INTEGER, origin TEXT NOT NULL, origin_seq INTEGER NOT NULL);
CREATE INDEX sync_seen_origin ON sync_seen(origin, origin_seq);
CREATE INDEX sync_seen_version ON sync_seen(version_seq) WHERE version_seq IS NOT NULL;
CREATE TABLE sync_conflicts(seq INTEGER PRIMARY KEY, record_id TEXT NOT NULL, gid TEXT NOT NULL, status TEXT NOT NULL);
CREATE INDEX sync_conflicts_record ON sync_conflicts(record_id, status);
"#;

/// Fills `links` from every stored record (v6), decoding each once.
fn backfill_links(conn: &Connection) -> rusqlite::Result<()> {
    let mut read = conn.prepare("SELECT rid, body FROM records")?;
    let mut write = conn.prepare("INSERT INTO links(from_rid, field, to_id) VALUES (?1, ?2, ?3)")?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let rid: i64 = row.get(0)?;
        let body: String = row.get(1)?;
        // An unreadable record is left for `verify` to report; it only lacks reverse links here.
        if let Ok(record) = serde_json::from_str::<girok_core::Record>(&body) {
            for (field, target) in record.references() {
                write.execute(rusqlite::params![rid, field, target])?;
            }
        }
    }
    Ok(())
}

/// Brings a database from `from` to `CURRENT_VERSION`, one step at a time, inside the caller's
/// transaction. `from == 0` is a new, empty database.
pub(crate) fn migrate(conn: &Connection, from: u32) -> rusqlite::Result<()> {
    let mut version = from;
    if version == 0 {
        conn.execute_batch(V1)?;
        version = 1;
    }
    if version == 1 {
        // v2: search joins a narrow table instead of the wide records rows, and the facet
        // filter is answered from a covering index; both avoid decrypting pages of JSON.
        conn.execute_batch(V2)?;
        version = 2;
    }
    if version == 2 {
        // v3: accounts for the web application. Password hashes are Argon2id PHC strings.
        conn.execute_batch(V3)?;
        version = 3;
    }
    if version == 3 {
        // v4: optional second factor (TOTP) for web accounts; the secret is hex, inside the
        // encrypted database like the password hashes.
        conn.execute_batch(V4)?;
        version = 4;
    }
    if version == 4 {
        // v5: list pages sort and page through a narrow table with indexes on title and date,
        // instead of sorting a million wide JSON rows (derived; rebuilt from records and facets).
        conn.execute_batch(V5)?;
        version = 5;
    }
    if version == 5 {
        // v6: reverse links ("referenced by"), so a person's page lists the acts against them
        // without decoding every act; and a narrow index to count list pages.
        conn.execute_batch(V6)?;
        backfill_links(conn)?;
        version = 6;
    }
    if version == 6 {
        // v7: filtered list pages (act type, place, years, source) are answered from one
        // covering index, starting from act type then place, without reading facet rows; it
        // replaces the act-type-only index, which is its prefix. List counts (all, and dated)
        // come from one index-only pass over (kind, conf, day).
        conn.execute_batch(V7)?;
        version = 7;
    }
    if version == 7 {
        // v8: an act's victim (and any record's outgoing links) read from the index alone, so
        // capture tables for estimation cost one index probe per act, not a probe and a row.
        conn.execute_batch(V8)?;
        version = 8;
    }
    if version == 8 {
        // v9: retiring a record (hidden from every reader, kept with its history, reversible)
        // is a flag beside the record, set and cleared by audited entries; the derived levels
        // of a retired record are above every reader's ceiling.
        conn.execute_batch(V9)?;
        version = 9;
    }
    if version == 9 {
        // v10: full-text rows carry a token per spelling-independent name key (any spelling of
        // a name finds the person and the documents naming them): persons' and documents' rows
        // are rebuilt.
        crate::derived::rebuild_fts_rows(conn, &["person", "document"])?;
        version = 10;
    }
    if version == 10 {
        // v11: what estimation reads of each act, one narrow row per act kept at write time
        // (`capture_index`), so a capture table is an indexed scan, not a links probe per act.
        conn.execute_batch(V11)?;
        crate::capture_index::backfill(conn)?;
        version = 11;
    }
    if version == 11 {
        // v12: the merges reviewers made, from a partial index of the `same_as` links alone:
        // a capture table or a corroboration count reads the few merges, not a probe per record.
        conn.execute_batch(V12)?;
        version = 12;
    }
    if version == 12 {
        // v13: a capture row carries its act's derived level, and each source's organisation
        // has a narrow row of its own: a capture table reads neither `record_meta` per act nor
        // the wide records table per source.
        conn.execute_batch(V13)?;
        version = 13;
    }
    if version == 13 {
        // v14: GPS positions read from photographs, kept apart from the document records
        // because they can locate a witness (only restricted readers see them).
        conn.execute_batch(V14)?;
        version = 14;
    }
    if version == 14 {
        // v15: replicas (paired archives and mirrors, from audited pairings), which origin
        // entries this archive holds (`sync_seen`: the global id of each applied change and the
        // local version it is), and the conflicts queue. All three are rebuilt by `verify`'s
        // replay of the chain; an older archive has no applied changes yet.
        conn.execute_batch(V15)?;
        version = 15;
    }
    if version == 15 {
        // v16: a capture table reads its act type's rows from one covering index in act-type
        // order, every column it needs in the index entry: no probe of the table per act (on a
        // million acts, those probes were most of an estimate's time). It replaces the
        // act-type-only index, which is its prefix.
        conn.execute_batch(V16)?;
        version = 16;
    }
    // Future steps go here: `if version == 16 { ...; version = 17; }`.
    conn.pragma_update(None, "user_version", version)?;
    Ok(())
}

/// The triggers that make the audit log append-only. Threat: someone holding the key drops one,
/// deletes or edits entries, and leaves; Girok restores them at open and says so in the chain.
const AUDIT_TRIGGERS: [&str; 3] = ["audit_log_no_update", "audit_log_no_delete", "audit_log_extends_chain"];

type SchemaMap = std::collections::BTreeMap<(String, String), Option<String>>;

fn read_schema(conn: &Connection) -> rusqlite::Result<SchemaMap> {
    let mut stmt = conn.prepare("SELECT type, name, sql FROM main.sqlite_master")?;
    let rows = stmt.query_map([], |r| Ok(((r.get::<_, String>(0)?, r.get::<_, String>(1)?), r.get::<_, Option<String>>(2)?)))?;
    rows.collect()
}

/// The schema this build creates, made once per process in a scratch database in memory (every
/// open compares the audit triggers with it; `verify` compares everything).
fn expected_schema() -> rusqlite::Result<&'static SchemaMap> {
    static EXPECTED: std::sync::OnceLock<SchemaMap> = std::sync::OnceLock::new();
    if let Some(s) = EXPECTED.get() {
        return Ok(s);
    }
    let conn = Connection::open_in_memory()?;
    migrate(&conn, 0)?;
    let schema = read_schema(&conn)?;
    Ok(EXPECTED.get_or_init(|| schema))
}

/// Compares the archive's tables, indexes and triggers with what Girok creates; names each
/// one missing, changed or added.
pub(crate) fn check(conn: &Connection, problems: &mut Vec<crate::verify::Problem>) -> Result<(), crate::error::StoreError> {
    use crate::verify::Problem;
    let want = expected_schema()?;
    let got = read_schema(conn)?;
    for ((kind, name), sql) in want {
        match got.get(&(kind.clone(), name.clone())) {
            None => problems.push(Problem::Schema { detail: format!("{kind} {name} is missing") }),
            Some(s) if s != sql => problems.push(Problem::Schema { detail: format!("{kind} {name} differs from what Girok creates") }),
            Some(_) => {}
        }
    }
    for (kind, name) in got.keys() {
        if !want.contains_key(&(kind.clone(), name.clone())) {
            problems.push(Problem::Schema { detail: format!("{kind} {name} is not part of Girok's schema") });
        }
    }
    let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version != CURRENT_VERSION {
        problems.push(Problem::Schema { detail: format!("schema version is {version}, expected {CURRENT_VERSION}") });
    }
    Ok(())
}

/// Puts back any of the audit log's triggers that is missing or not as Girok wrote it, and
/// returns the names of those it restored (for an audit entry saying so).
pub(crate) fn restore_audit_triggers(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let want = expected_schema()?;
    let got = read_schema(conn)?;
    let mut restored = Vec::new();
    for name in AUDIT_TRIGGERS {
        let key = ("trigger".to_string(), name.to_string());
        let Some(Some(sql)) = want.get(&key) else { continue };
        if got.get(&key) != Some(&Some(sql.clone())) {
            conn.execute_batch(&format!("DROP TRIGGER IF EXISTS {name}; {sql};"))?;
            restored.push(name.to_string());
        }
    }
    Ok(restored)
}
