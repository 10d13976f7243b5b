//! The `captures` table: one narrow row per act with what estimation reads of it (type,
//! victim, event, source, place, dates), kept at write time so a capture table over a million
//! acts is one indexed scan instead of a probe of the links table per act. Writer, reader and
//! checker of the table live here side by side.

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

fn insert(conn: &Connection, rid: i64, row: &CaptureRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO captures(rid, act_type, victim, event, source, place, date_start, date_end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![rid, row.act_type, row.victim, row.event, row.source, row.place, row.date_start, row.date_end])?;
    Ok(())
}

impl Writer<'_> {
    /// Keeps the record's row (or its absence) in step with the record.
    pub(crate) fn index_capture(&mut self, rid: i64, record: &Record) -> Result<(), StoreError> {
        match capture_row(record) {
            Some(row) => insert(&self.tx, rid, &row)?,
            None => {
                self.tx.prepare_cached("DELETE FROM captures WHERE rid = ?1")?.execute([rid])?;
            }
        }
        Ok(())
    }

    pub(crate) fn unindex_capture(&mut self, rid: i64) -> Result<(), StoreError> {
        self.tx.prepare_cached("DELETE FROM captures WHERE rid = ?1")?.execute([rid])?;
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
        // An unreadable record is left for `verify` to report.
        if let Some(row) = serde_json::from_str::<Record>(&body).ok().as_ref().and_then(capture_row) {
            insert(conn, rid, &row)?;
        }
    }
    Ok(())
}

/// What a reader at `max` may count: rows of acts of these types whose derived level (retired
/// acts are above every ceiling) is at or below `max`.
pub(crate) fn read(conn: &Connection, codes: &[String], max: Confidentiality) -> Result<Vec<CaptureRow>, StoreError> {
    let sql = format!(
        "SELECT c.act_type, c.victim, c.event, c.source, c.place, c.date_start, c.date_end \
         FROM captures c JOIN record_meta m ON m.rid = c.rid WHERE m.conf <= ? AND c.act_type IN ({})",
        vec!["?"; codes.len()].join(",")
    );
    let mut args: Vec<rusqlite::types::Value> = vec![rusqlite::types::Value::Integer(max as i64)];
    args.extend(codes.iter().cloned().map(rusqlite::types::Value::Text));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
        Ok(CaptureRow {
            act_type: r.get(0)?,
            victim: r.get(1)?,
            event: r.get(2)?,
            source: r.get(3)?,
            place: r.get(4)?,
            date_start: r.get(5)?,
            date_end: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Archive {
    /// Re-derives the table from the decoded records and names each act whose row differs,
    /// and any row without its act.
    pub(crate) fn check_captures(&self, records: &[(i64, String, Option<Record>)], problems: &mut Vec<Problem>) -> Result<(), StoreError> {
        let mut got: BTreeMap<i64, CaptureRow> = BTreeMap::new();
        {
            let mut stmt = self.conn().prepare("SELECT rid, act_type, victim, event, source, place, date_start, date_end FROM captures")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                got.insert(
                    r.get(0)?,
                    CaptureRow {
                        act_type: r.get(1)?,
                        victim: r.get(2)?,
                        event: r.get(3)?,
                        source: r.get(4)?,
                        place: r.get(5)?,
                        date_start: r.get(6)?,
                        date_end: r.get(7)?,
                    },
                );
            }
        }
        for (rid, id, rec) in records {
            let have = got.remove(rid);
            // An undecodable record is reported by the audit check, not here.
            let Some(rec) = rec else { continue };
            if have != capture_row(rec) {
                problems.push(Problem::DerivedAltered { table: "captures", record: id.clone() });
            }
        }
        for rid in got.keys() {
            problems.push(Problem::DerivedAltered { table: "captures", record: format!("row {rid} (no such act)") });
        }
        Ok(())
    }
}
