//! The `captures` table: one narrow row per act with what estimation reads of it (type,
//! victim, event, source, place, dates, derived level), and `capture_sources`: each source's
//! organisation and level. Kept at write time, so a capture table over a million acts is one
//! indexed scan, with no probe of the links table or `record_meta` per act and no source
//! decoded. Writer, reader and checker of both tables live here side by side.

use std::collections::BTreeMap;

use girok_core::model::Record;
use girok_core::Confidentiality;
use rusqlite::{params, Connection};

use crate::archive::{Archive, Writer};
use crate::error::StoreError;
use crate::verify::Problem;

/// An act's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CaptureRow {
    pub(crate) act_type: String,
    pub(crate) victim: String,
    pub(crate) event: Option<String>,
    pub(crate) source: Option<String>,
    pub(crate) place: Option<String>,
    pub(crate) date_start: Option<i32>,
    pub(crate) date_end: Option<i32>,
}

/// The columns `CaptureRow::read` reads, in its order.
const ROW_COLUMNS: &str = "act_type, victim, event, source, place, date_start, date_end";

/// The row a record gives: acts only.
pub(crate) fn capture_row(record: &Record) -> Option<CaptureRow> {
    let Record::Act(a) = record else { return None };
    Some(CaptureRow {
        act_type: a.act_type.clone(),
        victim: a.victim.clone(),
        event: Some(a.event.clone()).filter(|e| !e.is_empty()),
        source: a.source.clone(),
        place: a.place.clone(),
        date_start: a.date.as_ref().and_then(|d| d.earliest.map(|x| x.0)),
        date_end: a.date.as_ref().and_then(|d| d.latest.map(|x| x.0)),
    })
}

fn insert(conn: &Connection, rid: i64, row: &CaptureRow, level: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO captures(rid, act_type, victim, event, source, place, date_start, date_end, conf) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![rid, row.act_type, row.victim, row.event, row.source, row.place, row.date_start, row.date_end, level])?;
    Ok(())
}

/// The derived level `record_meta` holds for `rid` (retired records above every ceiling).
fn level_of(conn: &Connection, rid: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT conf FROM record_meta WHERE rid = ?1")?.query_row([rid], |r| r.get(0))
}

impl Writer<'_> {
    /// Keeps the record's row (or its absence) in step with the record.
    pub(crate) fn index_capture(&mut self, rid: i64, record: &Record) -> Result<(), StoreError> {
        self.unindex_capture(rid)?;
        if let Some(row) = capture_row(record) {
            insert(&self.tx, rid, &row, level_of(&self.tx, rid)?)?;
        }
        if let Record::Source(s) = record {
            self.tx.prepare_cached("INSERT INTO capture_sources(rid, id, organisation, conf) VALUES (?1, ?2, ?3, ?4)")?.execute(params![
                rid,
                s.id,
                s.independence_unit(),
                level_of(&self.tx, rid)?
            ])?;
        }
        Ok(())
    }

    pub(crate) fn unindex_capture(&mut self, rid: i64) -> Result<(), StoreError> {
        self.tx.prepare_cached("DELETE FROM captures WHERE rid = ?1")?.execute([rid])?;
        self.tx.prepare_cached("DELETE FROM capture_sources WHERE rid = ?1")?.execute([rid])?;
        Ok(())
    }

    /// A record's derived level changed without the record (retiring, restoring).
    pub(crate) fn relevel_capture(&mut self, rid: i64, level: i64) -> Result<(), StoreError> {
        self.tx.prepare_cached("UPDATE captures SET conf = ?2 WHERE rid = ?1")?.execute(params![rid, level])?;
        self.tx.prepare_cached("UPDATE capture_sources SET conf = ?2 WHERE rid = ?1")?.execute(params![rid, level])?;
        Ok(())
    }
}

/// Fills the table from every stored act (schema v11), decoding each once.
pub(crate) fn backfill(conn: &Connection) -> rusqlite::Result<()> {
    let mut read = conn.prepare("SELECT rid, body FROM records WHERE kind = 'act'")?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let rid: i64 = r.get(0)?;
        let body: String = r.get(1)?;
        // An unreadable record is left for `verify` to report. (v11 has no level column yet;
        // v13 adds it and fills it from `record_meta`.)
        if let Some(row) = serde_json::from_str::<Record>(&body).ok().as_ref().and_then(capture_row) {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO captures(rid, act_type, victim, event, source, place, date_start, date_end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![rid, row.act_type, row.victim, row.event, row.source, row.place, row.date_start, row.date_end])?;
        }
    }
    Ok(())
}

/// An act's row as the scan lends it: borrowed from SQLite's row, so a million acts cost no
/// allocation per act (owned rows made the capture table the slow part of an estimate).
pub(crate) struct CaptureRef<'a> {
    pub(crate) act_type: &'a str,
    pub(crate) victim: &'a str,
    pub(crate) event: Option<&'a str>,
    pub(crate) source: Option<&'a str>,
    pub(crate) place: Option<&'a str>,
    pub(crate) date_start: Option<i32>,
    pub(crate) date_end: Option<i32>,
}

impl<'a> CaptureRef<'a> {
    /// The row from a query selecting `ROW_COLUMNS` from column `at` on: the one place those
    /// columns are read, for the scan and for `verify`'s check.
    fn read(r: &'a rusqlite::Row<'_>, at: usize) -> rusqlite::Result<CaptureRef<'a>> {
        Ok(CaptureRef {
            act_type: text(r, at)?.unwrap_or_default(),
            victim: text(r, at + 1)?.unwrap_or_default(),
            event: text(r, at + 2)?,
            source: text(r, at + 3)?,
            place: text(r, at + 4)?,
            date_start: r.get(at + 5)?,
            date_end: r.get(at + 6)?,
        })
    }

    fn owned(&self) -> CaptureRow {
        CaptureRow {
            act_type: self.act_type.to_string(),
            victim: self.victim.to_string(),
            event: self.event.map(str::to_string),
            source: self.source.map(str::to_string),
            place: self.place.map(str::to_string),
            date_start: self.date_start,
            date_end: self.date_end,
        }
    }
}

/// What a reader at `max` may count: rows of acts of these types whose derived level (retired
/// acts are above every ceiling) is at or below `max`, each handed to `each` in turn.
pub(crate) fn scan(
    conn: &Connection,
    codes: &[String],
    max: Confidentiality,
    mut each: impl FnMut(CaptureRef<'_>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let sql = format!("SELECT {ROW_COLUMNS} FROM captures WHERE conf <= ? AND act_type IN ({})", vec!["?"; codes.len()].join(","));
    let mut args: Vec<rusqlite::types::Value> = vec![rusqlite::types::Value::Integer(max as i64)];
    args.extend(codes.iter().cloned().map(rusqlite::types::Value::Text));
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    while let Some(r) = rows.next()? {
        each(CaptureRef::read(r, 0)?)?;
    }
    Ok(())
}

/// Column `i` as borrowed text (`None` for NULL).
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    match r.get_ref(i)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        v => v.as_str().map(Some).map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))),
    }
}

/// Every source's organisation (`Source::independence_unit`) and derived level, by source id.
pub(crate) fn organisations(conn: &Connection) -> Result<std::collections::HashMap<String, (String, i64)>, StoreError> {
    let mut stmt = conn.prepare("SELECT id, organisation, conf FROM capture_sources")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get::<_, String>(1)?, r.get::<_, i64>(2)?))))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Archive {
    /// Re-derives both tables from the decoded records (and their retired flags) and names
    /// each record whose row differs, and any row without its record.
    pub(crate) fn check_captures(
        &self,
        records: &[(i64, String, Option<Record>)],
        retired: &std::collections::HashSet<i64>,
        problems: &mut Vec<Problem>,
    ) -> Result<(), StoreError> {
        let mut got: BTreeMap<i64, (CaptureRow, i64)> = BTreeMap::new();
        {
            let mut stmt = self.conn().prepare(&format!("SELECT rid, conf, {ROW_COLUMNS} FROM captures"))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                got.insert(r.get(0)?, (CaptureRef::read(r, 2)?.owned(), r.get(1)?));
            }
        }
        let mut sources: BTreeMap<i64, (String, String, i64)> = BTreeMap::new();
        {
            let mut stmt = self.conn().prepare("SELECT rid, id, organisation, conf FROM capture_sources")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                sources.insert(r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?));
            }
        }
        for (rid, id, rec) in records {
            let (have, have_source) = (got.remove(rid), sources.remove(rid));
            // An undecodable record is reported by the audit check, not here.
            let Some(rec) = rec else { continue };
            let level = crate::edit::effective_level(rec.confidentiality(), retired.contains(rid));
            if have != capture_row(rec).map(|r| (r, level)) {
                problems.push(Problem::DerivedAltered { table: "captures", record: id.clone() });
            }
            let want_source = match rec {
                Record::Source(s) => Some((s.id.clone(), s.independence_unit().to_string(), level)),
                _ => None,
            };
            if have_source != want_source {
                problems.push(Problem::DerivedAltered { table: "capture_sources", record: id.clone() });
            }
        }
        for rid in got.keys().chain(sources.keys()) {
            problems.push(Problem::DerivedAltered { table: "captures", record: format!("row {rid} (no such record)") });
        }
        Ok(())
    }
}
