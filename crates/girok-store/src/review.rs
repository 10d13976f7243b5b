//! The review queue: proposed merges of records that may be the same person or the same event,
//! decided by a person, every decision audited and reversible (a merge never deletes a record).

use girok_core::model::Record;
use rusqlite::{params, OptionalExtension};

use crate::archive::{Archive, Writer};
use crate::error::StoreError;

/// A reviewer's decision on a proposed merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewDecision {
    Accept,
    Reject,
    Undo,
}

/// A proposed merge in the review queue.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewItem {
    pub id: i64,
    pub kind: String,
    pub left: String,
    pub right: String,
    pub score: f64,
    /// `open`, `accepted`, `rejected` or `undone`.
    pub status: String,
    pub detail: String,
}

fn review_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReviewItem> {
    Ok(ReviewItem { id: r.get(0)?, kind: r.get(1)?, left: r.get(2)?, right: r.get(3)?, score: r.get(4)?, status: r.get(5)?, detail: r.get(6)? })
}

impl Writer<'_> {
    /// Proposes that two records are the same entity, for a person to decide. Returns the
    /// queue id; a pair already queued (either order) is not queued again.
    pub fn queue_review(&mut self, kind: &str, left: &str, right: &str, score: f64, detail: &str) -> Result<Option<i64>, StoreError> {
        let exists: Option<i64> = self
            .tx
            .query_row(
                "SELECT id FROM review_queue WHERE kind = ?1 AND ((left_id = ?2 AND right_id = ?3) OR (left_id = ?3 AND right_id = ?2))",
                params![kind, left, right],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Ok(None);
        }
        self.tx.execute(
            "INSERT INTO review_queue(kind, left_id, right_id, score, status, detail) VALUES (?1, ?2, ?3, ?4, 'open', ?5)",
            params![kind, left, right, score, detail],
        )?;
        let id = self.tx.last_insert_rowid();
        self.append_audit(
            "queue_review",
            Some(left),
            Some(serde_json::json!({"review": id, "kind": kind, "left": left, "right": right, "score": score}).to_string()),
        )?;
        Ok(Some(id))
    }

    /// Accepts, rejects or undoes a proposed merge. Accepting marks the right-hand person or
    /// event `same_as` the left; undoing clears it. Every decision is audited.
    pub fn decide_review(&mut self, review: i64, decision: ReviewDecision) -> Result<ReviewItem, StoreError> {
        let item: Option<ReviewItem> =
            self.tx.query_row("SELECT id, kind, left_id, right_id, score, status, detail FROM review_queue WHERE id = ?1", [review], review_row).optional()?;
        let item = item.ok_or_else(|| StoreError::NotFound(format!("review {review}")))?;
        let (new_status, same_as) = match (decision, item.status.as_str()) {
            (ReviewDecision::Accept, "open" | "rejected" | "undone") => ("accepted", Some(item.left.clone())),
            (ReviewDecision::Reject, "open" | "undone") => ("rejected", None),
            (ReviewDecision::Undo, "accepted") => ("undone", None),
            (d, status) => {
                return Err(StoreError::Invalid { id: format!("review {review}"), message: format!("cannot {d:?} a review that is {status}").to_lowercase() })
            }
        };
        if decision == ReviewDecision::Accept || decision == ReviewDecision::Undo {
            match (item.kind.as_str(), self.get(&item.right)?) {
                ("person", Record::Person(mut p)) => {
                    p.same_as = same_as;
                    self.put(Record::Person(p))?;
                }
                // Two testimonies of one happening: the right-hand event's reports count for the left.
                ("event", Record::Event(mut e)) => {
                    e.same_as = same_as;
                    self.put(Record::Event(e))?;
                }
                _ => {}
            }
        }
        self.tx.execute("UPDATE review_queue SET status = ?2 WHERE id = ?1", params![review, new_status])?;
        self.append_audit(
            &format!("review_{new_status}"),
            Some(&item.right),
            Some(serde_json::json!({"review": review, "left": item.left, "right": item.right}).to_string()),
        )?;
        Ok(ReviewItem { status: new_status.to_string(), ..item })
    }
}

impl Archive {
    /// The review queue, optionally only items with one status, best score first.
    pub fn review_queue(&self, status: Option<&str>) -> Result<Vec<ReviewItem>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, kind, left_id, right_id, score, status, detail FROM review_queue WHERE ?1 IS NULL OR status = ?1 ORDER BY score DESC, id")?;
        let rows = stmt.query_map([status], review_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
