//! The derived tables (facets, links, citations, place closure, list keys, the full-text rows):
//! how the writer keeps them, and how `verify` re-derives them from the audited records.
//!
//! Writer and checker share the functions that say what a record's rows are, so they cannot
//! drift apart. Threat: someone holding the key edits a derived table directly (lowers a
//! record's confidentiality in `record_meta`, deletes its facet rows so a filter hides it, or
//! plants search tokens). The records and their audit entries are the truth; every derived row
//! must be what they imply, and `verify` names each record whose rows are not.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};

use girok_core::model::{Citation, Kind, Place, Record};
use girok_core::text::hangul_bigrams;
use rusqlite::{params, Connection, OptionalExtension};

use crate::archive::{Archive, Writer};
use crate::error::StoreError;
use crate::verify::Problem;

/// One facet row a record gives: the record `rid` it describes may be the record itself or
/// another (an act gives its event and the documents it cites its facets too).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct FacetRow {
    pub(crate) rid: i64,
    pub(crate) act_type: Option<String>,
    pub(crate) place_id: Option<String>,
    pub(crate) date_start: Option<i32>,
    pub(crate) date_end: Option<i32>,
    pub(crate) source_id: Option<String>,
}

/// The facet rows `record` (stored as `rid`) gives; `rid_of` finds the rows of the records it
/// names.
pub(crate) fn facet_rows(record: &Record, rid: i64, rid_of: &mut dyn FnMut(&str) -> rusqlite::Result<Option<i64>>) -> rusqlite::Result<Vec<FacetRow>> {
    let rows = |targets: Vec<i64>, act_type: Option<&str>, place: Option<&str>, date: Option<&girok_core::UncertainDate>, source: Option<&str>| {
        let mut targets = targets;
        targets.sort_unstable();
        targets.dedup();
        targets
            .into_iter()
            .map(|t| FacetRow {
                rid: t,
                act_type: act_type.map(str::to_string),
                place_id: place.map(str::to_string),
                date_start: date.and_then(|d| d.earliest.map(|x| x.0)),
                date_end: date.and_then(|d| d.latest.map(|x| x.0)),
                source_id: source.map(str::to_string),
            })
            .collect::<Vec<_>>()
    };
    let mut targets = vec![rid];
    Ok(match record {
        Record::Act(a) => {
            targets.extend(rid_of(&a.event)?);
            for c in &a.citations {
                targets.extend(rid_of(&c.document)?);
            }
            rows(targets, Some(&a.act_type), a.place.as_deref(), a.date.as_ref(), a.source.as_deref())
        }
        Record::Event(e) => {
            for c in &e.citations {
                targets.extend(rid_of(&c.document)?);
            }
            rows(targets, None, e.place.as_deref(), e.date.as_ref(), None)
        }
        Record::Document(d) => rows(targets, None, None, None, d.received_from.as_deref()),
        _ => Vec::new(),
    })
}

/// The passages a record cites.
fn citations(record: &Record) -> &[Citation] {
    match record {
        Record::Event(e) => &e.citations,
        Record::Act(a) => &a.citations,
        _ => &[],
    }
}

/// A citation as its row: document, span start, span end.
type CitationRow = (String, Option<i64>, Option<i64>);

fn citation_rows(record: &Record) -> Vec<CitationRow> {
    let mut out: Vec<CitationRow> = citations(record).iter().map(|c| (c.document.clone(), c.span.map(|s| s.0 as i64), c.span.map(|s| s.1 as i64))).collect();
    out.sort();
    out
}

fn link_rows(record: &Record) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = record.references().into_iter().map(|(f, t)| (f.to_string(), t.to_string())).collect();
    out.sort();
    out
}

/// What a record's full-text row holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FtsRow {
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) bigrams: String,
    pub(crate) facets: String,
}

/// The full-text row of the record stored as `rid`: its text (a document's extracted text), its
/// Hangul bigrams and its facet tokens, read from the facet rows and the place closure.
pub(crate) fn fts_row(conn: &Connection, rid: i64) -> Result<Option<FtsRow>, StoreError> {
    let row: Option<(String, String, bool)> =
        conn.prepare_cached("SELECT id, body, retired FROM records WHERE rid = ?1")?.query_row([rid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional()?;
    let Some((id, body_json, retired)) = row else { return Ok(None) };
    let record: Record = serde_json::from_str(&body_json).map_err(|e| StoreError::Invalid { id: id.clone(), message: e.to_string() })?;
    let mut body = record.searchable_text();
    if let Record::Document(_) = record {
        if let Some(text) = conn.prepare_cached("SELECT text FROM document_text WHERE doc_id = ?1")?.query_row([&id], |r| r.get::<_, String>(0)).optional()? {
            body = text;
        }
    }
    let title = record.title();
    let bigrams = hangul_bigrams(&format!("{title}\n{body}"));
    let mut tokens = crate::search::record_tokens(record.kind(), crate::edit::effective_level(record.confidentiality(), retired));
    {
        let mut stmt = conn.prepare_cached(
            "SELECT f.act_type, f.source_id, f.date_start, f.date_end, (SELECT group_concat(ancestor_id, ' ') FROM place_ancestors WHERE place_id = f.place_id) FROM facets f WHERE f.rid = ?1",
        )?;
        let rows = stmt.query_map([rid], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<i32>>(2)?,
                r.get::<_, Option<i32>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        for row in rows {
            let (act_type, source, start, end, places) = row?;
            crate::search::facet_tokens(&mut tokens, act_type.as_deref(), source.as_deref(), start, end, places.as_deref());
        }
    }
    // Every spelling of every name the record holds or its text mentions (search by any form
    // of a name): persons by their names, documents by their text.
    match &record {
        Record::Person(p) => tokens.extend(p.names.iter().filter_map(|n| crate::search::name_token(&n.text))),
        Record::Document(_) => tokens.extend(crate::search::mentioned_names(&body).iter().filter_map(|n| crate::search::name_token(n))),
        _ => {}
    }
    tokens.sort_unstable();
    tokens.dedup();
    Ok(Some(FtsRow { title, body, bigrams, facets: tokens.join(" ") }))
}

/// Rewrites the full-text rows of every record of these kinds (a migration that changes what
/// the rows hold). A record that cannot be read keeps its row, for `verify` to report.
pub(crate) fn rebuild_fts_rows(conn: &Connection, kinds: &[&str]) -> rusqlite::Result<()> {
    for kind in kinds {
        let rids: Vec<i64> = {
            let mut stmt = conn.prepare("SELECT rid FROM record_meta WHERE kind = ?1")?;
            let rows = stmt.query_map([kind], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for rid in rids {
            let row = match fts_row(conn, rid) {
                Ok(Some(row)) => row,
                Ok(None) | Err(StoreError::Invalid { .. }) => continue,
                Err(StoreError::Db(e)) => return Err(e),
                Err(_) => continue,
            };
            conn.execute("DELETE FROM fts WHERE rowid = ?1", [crate::search::fts_rowid(rid)])?;
            conn.execute(
                "INSERT INTO fts(rowid, title, body, bigrams, facets) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![crate::search::fts_rowid(rid), row.title, row.body, row.bigrams, row.facets],
            )?;
        }
    }
    Ok(())
}

/// A place and every place above it, following `parent` (the place itself first).
fn ancestors_of(place_id: &str, parent_of: &dyn Fn(&str) -> Option<String>) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut cur = Some(place_id.to_string());
    while let Some(c) = cur {
        if !seen.insert(c.clone()) {
            return Err(c);
        }
        cur = parent_of(&c);
        out.push(c);
    }
    Ok(out)
}

impl Writer<'_> {
    pub(crate) fn unindex(&mut self, rid: i64, id: &str) -> Result<(), StoreError> {
        let targets = self.facet_targets(id)?;
        self.tx.execute("DELETE FROM fts WHERE rowid = ?1", [crate::search::fts_rowid(rid)])?;
        self.tx.execute("DELETE FROM facets WHERE origin = ?1", [id])?;
        self.tx.execute("DELETE FROM citations WHERE record_id = ?1", [id])?;
        if Kind::of_id(id) == Some(Kind::Place) {
            self.tx.execute("DELETE FROM place_ancestors WHERE place_id = ?1", [id])?;
        }
        self.dirty.remove(&rid);
        self.dirty.extend(targets.into_iter().filter(|t| *t != rid));
        self.unindex_capture(rid)
    }

    pub(crate) fn flush_text_index(&mut self) -> Result<(), StoreError> {
        for rid in std::mem::take(&mut self.dirty) {
            self.reindex_text(rid)?;
        }
        Ok(())
    }

    fn facet_targets(&self, origin: &str) -> rusqlite::Result<Vec<i64>> {
        let mut stmt = self.tx.prepare_cached("SELECT DISTINCT rid FROM facets WHERE origin = ?1")?;
        let rows = stmt.query_map([origin], |r| r.get(0))?;
        rows.collect()
    }

    /// Maintains the derived tables: facets, links, citations, place closure, and the full-text
    /// rows of this record and of every record whose facets it changes (its event, the
    /// documents it cites).
    pub(crate) fn index(&mut self, rid: i64, record: &Record) -> Result<(), StoreError> {
        let id = record.id();
        let mut reindex: Vec<i64> = self.facet_targets(id)?;
        reindex.push(rid);
        self.tx.execute("DELETE FROM facets WHERE origin = ?1", [id])?;
        self.tx.execute("DELETE FROM citations WHERE record_id = ?1", [id])?;
        self.tx.prepare_cached("DELETE FROM links WHERE from_rid = ?1")?.execute([rid])?;
        {
            let mut link = self.tx.prepare_cached("INSERT INTO links(from_rid, field, to_id) VALUES (?1, ?2, ?3)")?;
            for (field, target) in record.references() {
                link.execute(params![rid, field, target])?;
            }
        }
        let rows = {
            let tx = &self.tx;
            let mut rid_of = |id: &str| tx.prepare_cached("SELECT rid FROM records WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional();
            facet_rows(record, rid, &mut rid_of)?
        };
        {
            let mut stmt = self
                .tx
                .prepare_cached("INSERT INTO facets(rid, origin, act_type, place_id, date_start, date_end, source_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
            for f in &rows {
                stmt.execute(params![f.rid, id, f.act_type, f.place_id, f.date_start, f.date_end, f.source_id])?;
            }
        }
        reindex.extend(rows.iter().map(|f| f.rid));
        if let Record::Place(p) = record {
            self.index_place(p)?;
        }
        for (doc, start, end) in citation_rows(record) {
            self.tx.execute("INSERT INTO citations(record_id, document_id, span_start, span_end) VALUES (?1, ?2, ?3, ?4)", params![id, doc, start, end])?;
        }
        self.dirty.extend(reindex);
        self.index_capture(rid, record)
    }

    /// Rewrites one record's full-text row and its list date.
    fn reindex_text(&mut self, rid: i64) -> Result<(), StoreError> {
        // A record's list date is the earliest date among its facets (its own, and for events and
        // documents those of the acts touching them), which changed if its facets did.
        self.tx.prepare_cached("UPDATE list_keys SET day = (SELECT MIN(date_start) FROM facets WHERE rid = ?1) WHERE rid = ?1")?.execute([rid])?;
        self.tx.prepare_cached("DELETE FROM fts WHERE rowid = ?1")?.execute([crate::search::fts_rowid(rid)])?;
        let Some(row) = fts_row(&self.tx, rid)? else { return Ok(()) };
        self.tx.prepare_cached("INSERT INTO fts(rowid, title, body, bigrams, facets) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![
            crate::search::fts_rowid(rid),
            row.title,
            row.body,
            row.bigrams,
            row.facets
        ])?;
        Ok(())
    }

    fn index_place(&mut self, place: &Place) -> Result<(), StoreError> {
        // Rebuild the closure for this place and everything beneath it: a moved province moves
        // its towns, and so the place tokens of every record filed under any of them.
        let mut affected: Vec<String> = vec![place.id.clone()];
        {
            let mut stmt = self.tx.prepare("SELECT place_id FROM place_ancestors WHERE ancestor_id = ?1 AND place_id != ?1")?;
            let rows = stmt.query_map([&place.id], |r| r.get::<_, String>(0))?;
            for r in rows {
                affected.push(r?);
            }
        }
        let tx = &self.tx;
        let parent_of = |c: &str| -> Option<String> {
            if c == place.id {
                return place.parent.clone();
            }
            let body: Option<String> = tx.query_row("SELECT body FROM records WHERE id = ?1", [c], |r| r.get(0)).optional().ok().flatten();
            body.and_then(|b| serde_json::from_str::<Record>(&b).ok()).and_then(|r| match r {
                Record::Place(p) => p.parent,
                _ => None,
            })
        };
        let mut moved = Vec::new();
        for pid in &affected {
            let chain = ancestors_of(pid, &parent_of)
                .map_err(|c| StoreError::Invalid { id: place.id.clone(), message: format!("place hierarchy has a cycle through {c}") })?;
            let old: BTreeSet<String> = {
                let mut stmt = tx.prepare_cached("SELECT ancestor_id FROM place_ancestors WHERE place_id = ?1")?;
                let rows = stmt.query_map([pid], |r| r.get::<_, String>(0))?;
                rows.collect::<Result<_, _>>()?
            };
            if old != chain.iter().cloned().collect::<BTreeSet<_>>() {
                moved.push(pid.clone());
            }
            tx.execute("DELETE FROM place_ancestors WHERE place_id = ?1", [pid])?;
            for c in &chain {
                tx.execute("INSERT OR IGNORE INTO place_ancestors(place_id, ancestor_id) VALUES (?1, ?2)", params![pid, c])?;
            }
        }
        let mut touched = Vec::new();
        {
            let mut stmt = self.tx.prepare_cached("SELECT DISTINCT rid FROM facets WHERE place_id = ?1")?;
            for pid in &moved {
                let rows = stmt.query_map([pid], |r| r.get::<_, i64>(0))?;
                for r in rows {
                    touched.push(r?);
                }
            }
        }
        self.dirty.extend(touched);
        Ok(())
    }
}

/// An order-free digest of a set of full-text postings, per row.
fn posting_hash(term: &str, col: &str, offset: i64) -> (u64, u64) {
    let mut a = std::collections::hash_map::DefaultHasher::new();
    (term, col, offset).hash(&mut a);
    let mut b = std::collections::hash_map::DefaultHasher::new();
    (offset, col, term, 0x9e37_79b9_7f4a_7c15u64).hash(&mut b);
    (a.finish(), b.finish())
}

/// Per full-text row, the digest of every posting an FTS5 table holds (read through fts5vocab).
fn fts_digests(conn: &Connection, vocab_table: &str, out: &mut HashMap<i64, (u64, u64)>) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(&format!("SELECT term, doc, col, offset FROM {vocab_table}"))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (term, doc, col, offset): (String, i64, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let (x, y) = posting_hash(&term, &col, offset);
        let d = out.entry(doc).or_insert((0, 0));
        d.0 = d.0.wrapping_add(x);
        d.1 = d.1.wrapping_add(y);
    }
    Ok(())
}

/// Rows re-derived per batch when checking the full-text index: bounds the in-memory copy.
const FTS_CHECK_BATCH: usize = 20_000;

impl Archive {
    /// Re-derives every derived table from the stored records and names each record whose rows
    /// differ. The records themselves are checked against the audit chain by the caller.
    pub(crate) fn check_derived(&self, problems: &mut Vec<Problem>) -> Result<(), StoreError> {
        let conn = self.conn();
        let differs = |table: &'static str, record: &str| Problem::DerivedAltered { table, record: record.to_string() };
        // Every record, decoded once: (rid, id, record).
        let mut rid_by_id: HashMap<String, i64> = HashMap::new();
        let mut records: Vec<(i64, String, Option<Record>)> = Vec::new();
        let mut retired: HashSet<i64> = HashSet::new();
        {
            let mut stmt = conn.prepare("SELECT rid, id, kind, conf, title, body, retired FROM records ORDER BY rid")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let (rid, id, kind, conf, title, body): (i64, String, String, i64, String, String) =
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
                if r.get::<_, bool>(6)? {
                    retired.insert(rid);
                }
                let rec = serde_json::from_str::<Record>(&body).ok();
                if let Some(rec) = &rec {
                    if kind != rec.kind().as_str() || conf != rec.confidentiality() as i64 || title != rec.title() {
                        problems.push(differs("records", &id));
                    }
                }
                rid_by_id.insert(id.clone(), rid);
                records.push((rid, id, rec));
            }
        }
        let id_of_rid: HashMap<i64, &str> = records.iter().map(|(rid, id, _)| (*rid, id.as_str())).collect();

        // record_meta and list_keys (kind, level, title; the list date is checked below).
        let mut meta: HashMap<i64, (String, i64)> = HashMap::new();
        {
            let mut stmt = conn.prepare("SELECT rid, kind, conf FROM record_meta")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                meta.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
            }
        }
        let mut list_keys: HashMap<i64, (String, i64, String, Option<i32>)> = HashMap::new();
        {
            let mut stmt = conn.prepare("SELECT rid, kind, conf, title, day FROM list_keys")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                list_keys.insert(r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?));
            }
        }
        for (rid, id, rec) in &records {
            let Some(rec) = rec else { continue };
            let want = (rec.kind().as_str().to_string(), crate::edit::effective_level(rec.confidentiality(), retired.contains(rid)));
            if meta.remove(rid).as_ref() != Some(&want) {
                problems.push(differs("record_meta", id));
            }
            match list_keys.get(rid) {
                Some((k, c, t, _)) if *k == want.0 && *c == want.1 && *t == rec.title() => {}
                _ => problems.push(differs("list_keys", id)),
            }
        }
        for rid in meta.keys() {
            problems.push(differs("record_meta", &format!("row {rid} (no such record)")));
        }

        // facets, links and citations: what each record gives, against what the tables hold.
        let mut actual_facets: HashMap<String, Vec<FacetRow>> = HashMap::new();
        {
            let mut stmt = conn.prepare("SELECT origin, rid, act_type, place_id, date_start, date_end, source_id FROM facets")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let origin: String = r.get(0)?;
                let row =
                    FacetRow { rid: r.get(1)?, act_type: r.get(2)?, place_id: r.get(3)?, date_start: r.get(4)?, date_end: r.get(5)?, source_id: r.get(6)? };
                actual_facets.entry(origin).or_default().push(row);
            }
        }
        let mut actual_links: HashMap<i64, Vec<(String, String)>> = HashMap::new();
        {
            let mut stmt = conn.prepare("SELECT from_rid, field, to_id FROM links")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                actual_links.entry(r.get(0)?).or_default().push((r.get(1)?, r.get(2)?));
            }
        }
        let mut actual_citations: HashMap<String, Vec<CitationRow>> = HashMap::new();
        {
            let mut stmt = conn.prepare("SELECT record_id, document_id, span_start, span_end FROM citations")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                actual_citations.entry(r.get(0)?).or_default().push((r.get(1)?, r.get(2)?, r.get(3)?));
            }
        }
        let mut min_day: HashMap<i64, i32> = HashMap::new();
        for (rid, id, rec) in &records {
            let Some(rec) = rec else { continue };
            let mut rid_of = |t: &str| Ok(rid_by_id.get(t).copied());
            let mut want = facet_rows(rec, *rid, &mut rid_of)?;
            want.sort();
            let mut got = actual_facets.remove(id).unwrap_or_default();
            got.sort();
            if got != want {
                problems.push(differs("facets", id));
            }
            for f in &got {
                if let Some(d) = f.date_start {
                    let e = min_day.entry(f.rid).or_insert(d);
                    *e = (*e).min(d);
                }
            }
            let mut got = actual_links.remove(rid).unwrap_or_default();
            got.sort();
            if got != link_rows(rec) {
                problems.push(differs("links", id));
            }
            let mut got = actual_citations.remove(id).unwrap_or_default();
            got.sort();
            if got != citation_rows(rec) {
                problems.push(differs("citations", id));
            }
        }
        let mut orphans: BTreeSet<String> = actual_facets.into_keys().collect();
        orphans.extend(actual_citations.into_keys());
        orphans.extend(actual_links.into_keys().map(|rid| id_of_rid.get(&rid).map(|s| s.to_string()).unwrap_or_else(|| format!("row {rid} (no such record)"))));
        for o in orphans {
            problems.push(differs("facets, links or citations", &format!("{o} (rows of a record that does not exist)")));
        }
        // The list date follows the (checked) facet rows.
        for (rid, id, rec) in &records {
            if rec.is_some() && list_keys.get(rid).map(|k| k.3) != Some(min_day.get(rid).copied()) {
                problems.push(differs("list_keys", id));
            }
        }

        // The place closure.
        let places: BTreeMap<String, Option<String>> = records
            .iter()
            .filter_map(|(_, _, r)| match r {
                Some(Record::Place(p)) => Some((p.id.clone(), p.parent.clone())),
                _ => None,
            })
            .collect();
        let mut want: BTreeSet<(String, String)> = BTreeSet::new();
        for id in places.keys() {
            if let Ok(chain) = ancestors_of(id, &|c| places.get(c).cloned().flatten()) {
                want.extend(chain.into_iter().map(|a| (id.clone(), a)));
            }
        }
        let got: BTreeSet<(String, String)> = {
            let mut stmt = conn.prepare("SELECT place_id, ancestor_id FROM place_ancestors")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut bad: BTreeSet<&String> = BTreeSet::new();
        bad.extend(want.symmetric_difference(&got).map(|(p, _)| p));
        for p in bad {
            problems.push(differs("place_ancestors", p));
        }

        self.check_captures(&records, &retired, problems)?;
        self.check_fts(&records, problems)
    }

    /// Rebuilds the full-text rows in a scratch FTS5 table in memory, in batches, and compares
    /// every posting with the archive's index. The index is contentless (no copy of the text
    /// sits beside it), so its postings are what there is to compare.
    fn check_fts(&self, records: &[(i64, String, Option<Record>)], problems: &mut Vec<Problem>) -> Result<(), StoreError> {
        let conn = self.conn();
        let mut actual: HashMap<i64, (u64, u64)> = HashMap::new();
        conn.execute_batch("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_check_vocab USING fts5vocab(main, fts, instance)")?;
        let res = fts_digests(conn, "temp.fts_check_vocab", &mut actual);
        conn.execute_batch("DROP TABLE IF EXISTS temp.fts_check_vocab")?;
        res?;
        let id_by_row: HashMap<i64, &str> = records.iter().map(|(rid, id, _)| (crate::search::fts_rowid(*rid), id.as_str())).collect();
        for chunk in records.chunks(FTS_CHECK_BATCH) {
            // Threat: plaintext of the index on disk. temp_store is MEMORY for every connection.
            conn.execute_batch(
                "DROP TABLE IF EXISTS temp.fts_check; \
                 CREATE VIRTUAL TABLE temp.fts_check USING fts5(title, body, bigrams, facets, content='', tokenize='porter unicode61 remove_diacritics 2'); \
                 CREATE VIRTUAL TABLE temp.fts_check_v USING fts5vocab(temp, fts_check, instance);",
            )?;
            let mut expected: HashMap<i64, (u64, u64)> = HashMap::new();
            let res = (|| -> Result<(), StoreError> {
                let mut insert = conn.prepare("INSERT INTO temp.fts_check(rowid, title, body, bigrams, facets) VALUES (?1, ?2, ?3, ?4, ?5)")?;
                for (rid, _, _) in chunk {
                    if let Some(row) = fts_row(conn, *rid)? {
                        insert.execute(params![crate::search::fts_rowid(*rid), row.title, row.body, row.bigrams, row.facets])?;
                    }
                }
                fts_digests(conn, "temp.fts_check_v", &mut expected)?;
                Ok(())
            })();
            conn.execute_batch("DROP TABLE IF EXISTS temp.fts_check_v; DROP TABLE IF EXISTS temp.fts_check;")?;
            res?;
            for (rid, id, _) in chunk {
                let row = crate::search::fts_rowid(*rid);
                if expected.get(&row) != actual.remove(&row).as_ref() {
                    problems.push(Problem::DerivedAltered { table: "fts", record: id.clone() });
                }
            }
        }
        for row in actual.keys() {
            let who = id_by_row.get(row).map(|s| s.to_string()).unwrap_or_else(|| format!("row {row} (no such record)"));
            problems.push(Problem::DerivedAltered { table: "fts", record: who });
        }
        Ok(())
    }
}
