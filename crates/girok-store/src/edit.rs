//! Versions, edits that name the version they start from, and retirement.
//!
//! A record's version is the sequence number of the last audit entry that changed it (created,
//! updated, retired or restored it), so it needs no column of its own and cannot disagree with
//! the chain. Threat: two documenters correcting one act at once, the second silently undoing
//! the first; an edit names its base version and is refused when another came in between.
//!
//! Retiring hides a record from every reader (lists, counts, search, briefings) without
//! deleting anything: its derived level is above every ceiling, its history stays, and an admin
//! can restore it. Nothing is ever deleted through this module.

use girok_core::model::Record;
use girok_core::Confidentiality;
use rusqlite::{params, OptionalExtension};

use crate::archive::{conf_rank, Archive, Writer};
use crate::error::StoreError;

/// The derived level of a retired record: above `Restricted`, so no reader's ceiling reaches it.
pub const RETIRED_LEVEL: i64 = 3;

/// The level derived tables hold for a record: its own, or `RETIRED_LEVEL`.
pub(crate) fn effective_level(c: Confidentiality, retired: bool) -> i64 {
    if retired {
        RETIRED_LEVEL
    } else {
        conf_rank(c)
    }
}

/// Audit actions that make a new version of a record.
/// An applied change from another archive (`sync_…`) is a version here like a local one.
pub(crate) const VERSION_ACTIONS: &str = "('create', 'update', 'retire', 'restore', 'sync_create', 'sync_update', 'sync_retire', 'sync_restore')";

pub(crate) fn version_of(conn: &rusqlite::Connection, id: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(&format!("SELECT MAX(seq) FROM audit_log WHERE record_id = ?1 AND action IN {VERSION_ACTIONS}"))?.query_row([id], |r| r.get(0))
}

/// A record as a reader may see it, with its version.
#[derive(Clone, Debug, PartialEq)]
pub struct Versioned {
    pub record: Record,
    pub version: i64,
    pub retired: bool,
}

impl Archive {
    /// The current version of a record, `None` if there is no such record.
    pub fn version(&self, id: &str) -> Result<Option<i64>, StoreError> {
        if !self.exists(id)? {
            return Ok(None);
        }
        Ok(version_of(self.conn(), id)?)
    }

    /// A record for a reader whose ceiling is `max`: not found when it is above the ceiling, and
    /// when it is retired unless `retired` asks for retired records too (admins restoring one).
    /// The one read of a single record that the front ends use, so none can forget the check.
    pub fn get_for(&self, id: &str, max: Confidentiality, retired: bool) -> Result<Versioned, StoreError> {
        let row: Option<(String, bool)> =
            self.conn().query_row("SELECT body, retired FROM records WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        let (body, is_retired) = row.ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        let record: Record =
            serde_json::from_str(&body).map_err(|e| StoreError::Invalid { id: id.to_string(), message: format!("stored record is unreadable: {e}") })?;
        if record.confidentiality() > max || (is_retired && !retired) {
            return Err(StoreError::NotFound(id.to_string()));
        }
        let version = version_of(self.conn(), id)?.unwrap_or(0);
        Ok(Versioned { record, version, retired: is_retired })
    }

    /// Every record of a kind a reader at `max` may see (retired ones never), in id order.
    pub fn list_for(&self, kind: girok_core::Kind, max: Confidentiality) -> Result<Vec<Record>, StoreError> {
        let mut stmt =
            self.conn().prepare("SELECT r.id, r.body FROM records r JOIN record_meta m ON m.rid = r.rid WHERE r.kind = ?1 AND m.conf <= ?2 ORDER BY r.id")?;
        let rows = stmt.query_map(params![kind.as_str(), conf_rank(max)], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body) = row?;
            out.push(serde_json::from_str(&body).map_err(|e| StoreError::Invalid { id, message: format!("stored record is unreadable: {e}") })?);
        }
        Ok(out)
    }

    /// The record as it was at `version` (a sequence number of the audit log), if that entry
    /// wrote it.
    pub fn record_at(&self, id: &str, version: i64) -> Result<Option<Record>, StoreError> {
        let entry = self.audit_entries(Some(id), version, version)?.pop();
        let content = entry.map(|e| e.effective()).filter(|(action, _)| action == "create" || action == "update").and_then(|(_, c)| c);
        Ok(content.and_then(|c| serde_json::from_str(&c).ok()))
    }
}

impl Writer<'_> {
    fn version(&self, id: &str) -> Result<Option<i64>, StoreError> {
        Ok(version_of(&self.tx, id)?)
    }

    fn retired(&self, id: &str) -> Result<Option<(i64, bool)>, StoreError> {
        Ok(self.tx.query_row("SELECT rid, retired FROM records WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
    }

    /// Writes a record after checking that it is still at `base` (the version the edit started
    /// from; `None` for a new record, which must not exist yet). Returns the new version; an
    /// edit that changes nothing keeps the version it started from.
    pub fn put_at(&mut self, record: Record, base: Option<i64>) -> Result<i64, StoreError> {
        let id = record.id().to_string();
        let current = if id.is_empty() { None } else { self.version(&id)? };
        let exists = !id.is_empty() && self.exists(&id)?;
        match (base, exists) {
            (None, true) => return Err(StoreError::Invalid { id, message: "a record with this id exists already; edit it instead".into() }),
            (Some(_), false) => return Err(StoreError::NotFound(id)),
            (Some(b), true) if Some(b) != current => return Err(StoreError::Stale { id, base: b, current: current.unwrap_or(0) }),
            _ => {}
        }
        if exists && self.retired(&id)?.is_some_and(|(_, r)| r) {
            return Err(StoreError::Invalid { id, message: "the record is retired; an admin restores it before it can be edited".into() });
        }
        let id = self.put(record)?;
        Ok(self.version(&id)?.unwrap_or(0))
    }

    /// Retires a record (or restores it, with `retired` false), keeping the reason in the audit
    /// entry. Returns the new version.
    pub fn set_retired(&mut self, id: &str, retired: bool, reason: &str) -> Result<i64, StoreError> {
        self.set_retired_as(id, retired, reason, None)
    }

    /// `set_retired`, audited as a local change or as `synced` from another archive.
    pub(crate) fn set_retired_as(&mut self, id: &str, retired: bool, reason: &str, synced: Option<&crate::sync_entry::Synced>) -> Result<i64, StoreError> {
        let (_, was) = self.retired(id)?.ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        if was == retired {
            let state = if retired { "retired already" } else { "not retired" };
            return Err(StoreError::Invalid { id: id.to_string(), message: format!("the record is {state}") });
        }
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid { id: id.to_string(), message: "reason: say why (it is kept in the audit log)".into() });
        }
        self.write_retired(id, retired, reason, synced)
    }

    /// Writes a retirement state as a new version, even the one the record is in (a conflict
    /// resolved by keeping this archive's state).
    pub(crate) fn write_retired(&mut self, id: &str, retired: bool, reason: &str, synced: Option<&crate::sync_entry::Synced>) -> Result<i64, StoreError> {
        let (rid, _) = self.retired(id)?.ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        let conf: i64 = self.tx.query_row("SELECT conf FROM records WHERE rid = ?1", [rid], |r| r.get(0))?;
        let level = if retired { RETIRED_LEVEL } else { conf };
        self.tx.execute("UPDATE records SET retired = ?2 WHERE rid = ?1", params![rid, retired])?;
        self.tx.execute("UPDATE record_meta SET conf = ?2 WHERE rid = ?1", params![rid, level])?;
        self.tx.execute("UPDATE list_keys SET conf = ?2 WHERE rid = ?1", params![rid, level])?;
        self.relevel_capture(rid, level)?;
        // Its search row carries its level.
        self.dirty.insert(rid);
        let action = if retired { "retire" } else { "restore" };
        self.append_change(action, id, Some(serde_json::json!({ "reason": reason }).to_string()), synced, true)?;
        Ok(self.version(id)?.unwrap_or(0))
    }
}
