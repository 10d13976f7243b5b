//! Which records reviewers merged into which (`same_as` on persons and events), read from the
//! link index with chains followed, for every count that must see one victim or one event.

use std::collections::BTreeMap;

use crate::archive::Archive;
use crate::error::StoreError;

/// Follows each chain of merges to its end. Bounded: a cycle must not hang a page or an estimate.
fn chase<K: Ord + Clone>(direct: &BTreeMap<K, K>) -> BTreeMap<K, K> {
    direct
        .keys()
        .map(|from| {
            let mut cur = from.clone();
            for _ in 0..32 {
                match direct.get(&cur) {
                    Some(next) if next != from => cur = next.clone(),
                    _ => break,
                }
            }
            (from.clone(), cur)
        })
        .collect()
}

impl Archive {
    /// Merged record id → the id it was finally merged into, for one kind (`person`, `event`).
    pub fn merges(&self, kind: &str) -> Result<BTreeMap<String, String>, StoreError> {
        // The same_as links alone, from their partial index: as many rows as there are merges.
        let mut stmt = self.conn.prepare(
            "SELECT r.id, l.to_id FROM links l INDEXED BY links_same_as JOIN record_meta m ON m.rid = l.from_rid \
             JOIN records r ON r.rid = l.from_rid WHERE l.field = 'same_as' AND m.kind = ?1",
        )?;
        let direct: BTreeMap<String, String> = stmt.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        Ok(chase(&direct))
    }

    /// The same for events, by row id (what corroboration counts walk).
    pub(crate) fn event_merge_rids(&self) -> Result<BTreeMap<i64, i64>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT m.rid, t.rid FROM links l INDEXED BY links_same_as JOIN record_meta m ON m.rid = l.from_rid JOIN records t ON t.id = l.to_id \
             WHERE l.field = 'same_as' AND m.kind = 'event'",
        )?;
        let direct: BTreeMap<i64, i64> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        Ok(chase(&direct))
    }
}

#[cfg(test)]
mod tests {
    use super::chase;

    #[test]
    fn chains_end_where_they_end_and_cycles_stop() {
        let direct = [("c", "b"), ("b", "a"), ("x", "y"), ("y", "x")].into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        let merged = chase(&direct);
        assert_eq!(merged["c"], "a");
        assert_eq!(merged["b"], "a");
        assert!(merged["x"] == "y" || merged["x"] == "x", "a cycle ends without hanging");
    }
}
