//! Reading the archive a page at a time: filtered, sorted record lists and the aggregate counts
//! behind charts and maps.
//!
//! Everything here answers from the derived index tables (`record_meta`, `facets`,
//! `place_ancestors`) so that a list page or a chart over a million acts decodes only the records
//! it shows. Confidentiality is a filter in every query: a caller cannot forget it.

use std::collections::{BTreeMap, HashMap};

use girok_core::model::{Kind, Record};
use girok_core::Confidentiality;
use rusqlite::types::Value;

use crate::{Archive, StoreError};

/// Order of a record list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ListSort {
    /// By title, then id.
    #[default]
    Title,
    /// Earliest possible date first; undated records last.
    DateAsc,
    /// Latest possible date first; undated records last.
    DateDesc,
}

impl ListSort {
    pub fn parse(s: &str) -> Option<ListSort> {
        match s {
            "" | "title" => Some(ListSort::Title),
            "date" | "date_asc" => Some(ListSort::DateAsc),
            "-date" | "date_desc" => Some(ListSort::DateDesc),
            _ => None,
        }
    }
}

/// One page of records of one kind. Facet filters (act type, place, years, source) apply to acts
/// and events through their own facets, and to documents through the acts and events citing them.
#[derive(Clone, Debug)]
pub struct ListQuery {
    pub kind: Kind,
    /// Words that must occur in the title (case-insensitive substring).
    pub title: Option<String>,
    pub act_type: Option<String>,
    /// A place id: records at it or anywhere beneath it.
    pub place: Option<String>,
    /// Calendar years (inclusive) the record's date range must overlap.
    pub years: Option<(i32, i32)>,
    pub source: Option<String>,
    pub max_confidentiality: Confidentiality,
    pub sort: ListSort,
    pub offset: u64,
    pub limit: u64,
}

impl ListQuery {
    pub fn new(kind: Kind, max_confidentiality: Confidentiality) -> ListQuery {
        ListQuery {
            kind,
            title: None,
            act_type: None,
            place: None,
            years: None,
            source: None,
            max_confidentiality,
            sort: ListSort::Title,
            offset: 0,
            limit: 50,
        }
    }

    fn has_facet_filter(&self) -> bool {
        self.act_type.is_some() || self.place.is_some() || self.years.is_some() || self.source.is_some()
    }
}

/// A page of a list and how many records match in all.
#[derive(Debug)]
pub struct ListPage {
    pub records: Vec<Record>,
    pub total: u64,
}

/// Confidentiality levels, public to restricted: the index of per-level counts.
pub const LEVELS: usize = 3;

/// The levels that may see a record at `conf`: its own and every higher one.
fn visible_at(conf: i64) -> std::ops::Range<usize> {
    (conf.clamp(0, LEVELS as i64) as usize)..LEVELS
}

/// The acts behind the dashboard and the map, for one confidentiality level.
#[derive(Clone, Debug, Default)]
pub struct ActCounts {
    /// Acts per act type, most frequent first.
    pub by_type: Vec<(String, u64)>,
    /// Acts per calendar year (only acts whose date lies within one year), by year.
    pub by_year: Vec<(i32, u64)>,
    /// Acts with no date or a date spanning several years.
    pub unplaced: u64,
    /// Acts per place, each counted under every enclosing place too, most first.
    pub by_place: Vec<(String, u64)>,
    pub corroboration: Corroboration,
}

/// Events by how independently they are reported (see `Archive::corroboration_counts`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Corroboration {
    pub corroborated: u64,
    pub single: u64,
    pub unsourced: u64,
}

/// A record pointing at another, through one of its fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The field of the referring record, e.g. `victim`.
    pub field: String,
    pub id: String,
    pub kind: Kind,
    pub title: String,
}

/// Day number (as stored in `facets`) of 1 January of `year`.
fn year_start(year: i32) -> i64 {
    girok_core::date::Day::from_ymd(year, 1, 1).map(|d| d.0 as i64).unwrap_or(i64::MIN)
}

impl Archive {
    /// One page of records of a kind, filtered and sorted in the database. The page is chosen
    /// on the narrow `list_keys` table (indexed by title and by date) and only its records are
    /// decoded, so a page costs about the same on a million acts as on a hundred.
    pub fn list_page(&self, q: &ListQuery) -> Result<ListPage, StoreError> {
        // Facet filters first pick candidate records from the facets table (through its indexes),
        // and the planner is made to start there (CROSS JOIN): probing a set of candidates for
        // each of a million list rows is what made filtered pages slow.
        let mut args: Vec<Value> = Vec::new();
        let source = if q.has_facet_filter() {
            let mut fw: Vec<String> = Vec::new();
            if let Some(t) = &q.act_type {
                let codes = crate::search::act_type_and_narrower(t);
                fw.push(format!("f.act_type IN ({})", vec!["?"; codes.len()].join(",")));
                args.extend(codes.into_iter().map(Value::Text));
            }
            if let Some(p) = &q.place {
                fw.push("f.place_id IN (SELECT place_id FROM place_ancestors WHERE ancestor_id = ?)".into());
                args.push(Value::Text(p.clone()));
            }
            if let Some((from, to)) = q.years {
                fw.push("f.date_start < ? AND f.date_end >= ?".into());
                args.push(Value::Integer(year_start(to.saturating_add(1))));
                args.push(Value::Integer(year_start(from)));
            }
            if let Some(s) = &q.source {
                fw.push("f.source_id = ?".into());
                args.push(Value::Text(s.clone()));
            }
            // A record matches if one of its facet rows matches every filter.
            format!("(SELECT DISTINCT f.rid AS rid FROM facets f WHERE {}) c CROSS JOIN list_keys l ON l.rid = c.rid", fw.join(" AND "))
        } else {
            "list_keys l".to_string()
        };
        let mut wheres = vec!["l.kind = ?".to_string(), "l.conf <= ?".to_string()];
        args.push(Value::Text(q.kind.as_str().into()));
        args.push(Value::Integer(q.max_confidentiality as i64));
        if let Some(t) = &q.title {
            wheres.push("l.title LIKE ? ESCAPE '\\'".into());
            let escaped = t.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            args.push(Value::Text(format!("%{escaped}%")));
        }
        let filter = format!("{source} WHERE {}", wheres.join(" AND "));
        let (limit, offset) = (q.limit.min(10_000), q.offset.min(i64::MAX as u64 / 2));
        if q.has_facet_filter() {
            return self.facet_filtered_page(&filter, &args, q.sort, limit, offset);
        }
        // How many match, and how many of those are dated, in one pass over the matches.
        let (total, dated): (u64, u64) =
            self.conn
                .query_row(&format!("SELECT COUNT(*), COUNT(l.day) FROM {filter}"), rusqlite::params_from_iter(args.iter()), |r| Ok((r.get(0)?, r.get(1)?)))?;
        // Unfiltered by title: walk the title index and stop after the page. Left to itself the
        // planner prefers the (kind, conf, day) index, which covers the WHERE but then sorts every
        // row of the kind by title (half a second on a million acts).
        let page_filter = if !q.has_facet_filter() && q.sort == ListSort::Title {
            filter.replacen("list_keys l", "list_keys AS l INDEXED BY list_keys_title", 1)
        } else {
            filter.clone()
        };
        let page = |extra: &str, order: &str, limit: u64, offset: u64| -> Result<Vec<i64>, StoreError> {
            let sql = format!("SELECT l.rid FROM {page_filter}{extra} ORDER BY {order} LIMIT {limit} OFFSET {offset}");
            let mut stmt = self.conn.prepare(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let rids: Vec<i64> = match q.sort {
            ListSort::Title => page("", "l.title, l.rid", limit, offset)?,
            // Dated records in date order, then the undated ones: two index-ordered queries, since
            // "undated last" in one ORDER BY would defeat the date index.
            ListSort::DateAsc | ListSort::DateDesc => {
                let order = if q.sort == ListSort::DateAsc { "l.day, l.rid" } else { "l.day DESC, l.rid" };
                let mut rids = if offset < dated { page(" AND l.day IS NOT NULL", order, limit, offset)? } else { Vec::new() };
                if (rids.len() as u64) < limit {
                    let skip = offset.saturating_sub(dated);
                    rids.extend(page(" AND l.day IS NULL", "l.rid", limit - rids.len() as u64, skip)?);
                }
                rids
            }
        };
        Ok(ListPage { records: self.decode_rids(rids)?, total })
    }

    /// A facet-filtered page: the matches (candidates from the facets' covering index, each
    /// probed once in `list_keys`) read in one pass with their sort keys, counted, sorted and cut
    /// here. Counting and then paging in SQL made two passes over every match.
    fn facet_filtered_page(&self, filter: &str, args: &[Value], sort: ListSort, limit: u64, offset: u64) -> Result<ListPage, StoreError> {
        let mut stmt = self.conn.prepare(&format!("SELECT l.rid, l.title, l.day FROM {filter}"))?;
        let mut rows: Vec<(i64, String, Option<i64>)> =
            stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        let total = rows.len() as u64;
        match sort {
            ListSort::Title => rows.sort_unstable_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0))),
            // Dated records in date order, then the undated ones by rid.
            ListSort::DateAsc | ListSort::DateDesc => rows.sort_unstable_by(|a, b| match (a.2, b.2) {
                (Some(x), Some(y)) => (if sort == ListSort::DateAsc { x.cmp(&y) } else { y.cmp(&x) }).then(a.0.cmp(&b.0)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.0.cmp(&b.0),
            }),
        }
        let rids = rows.into_iter().skip(offset.min(usize::MAX as u64) as usize).take(limit as usize).map(|r| r.0).collect();
        Ok(ListPage { records: self.decode_rids(rids)?, total })
    }

    /// The records of these rids, decoded, in order.
    fn decode_rids(&self, rids: Vec<i64>) -> Result<Vec<Record>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT id, body FROM records WHERE rid = ?1")?;
        let mut records = Vec::with_capacity(rids.len());
        for rid in rids {
            let (id, body): (String, String) = stmt.query_row([rid], |r| Ok((r.get(0)?, r.get(1)?)))?;
            records.push(serde_json::from_str(&body).map_err(|e| StoreError::Invalid { id, message: format!("stored record is unreadable: {e}") })?);
        }
        Ok(records)
    }

    /// Records that point at `id` (an act's victim, event, place, source, cited documents …), at
    /// most `limit` of them, newest first, with how many there are in all.
    pub fn referenced_by(&self, id: &str, max: Confidentiality, limit: u64) -> Result<(Vec<Reference>, u64), StoreError> {
        let total: u64 = self.conn.query_row(
            "SELECT COUNT(*) FROM links l JOIN list_keys k ON k.rid = l.from_rid WHERE l.to_id = ?1 AND k.conf <= ?2",
            rusqlite::params![id, max as i64],
            |r| r.get(0),
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT l.field, r.id, r.kind, k.title FROM links l JOIN list_keys k ON k.rid = l.from_rid JOIN records r ON r.rid = l.from_rid \
             WHERE l.to_id = ?1 AND k.conf <= ?2 ORDER BY l.from_rid DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(rusqlite::params![id, max as i64, limit.min(i64::MAX as u64) as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (field, rid, kind, title) = row?;
            if let Some(kind) = Kind::parse(&kind) {
                out.push(Reference { field, id: rid, kind, title });
            }
        }
        Ok((out, total))
    }

    /// How many events are reported by sources of several organisations (independently
    /// corroborated), of one organisation only, or by no attributed source, among events at or
    /// below `max`. The organisation is the unit of independence (`Source::organisation`, else
    /// the source itself).
    pub fn corroboration_counts(&self, max: Confidentiality) -> Result<Corroboration, StoreError> {
        Ok(self.corroboration_by_level()?[max as usize])
    }

    /// `corroboration_counts` for each confidentiality level (public, internal, restricted) in
    /// one pass over the events' facet rows, since every reader's ceiling needs the same scan.
    pub fn corroboration_by_level(&self) -> Result<[Corroboration; LEVELS], StoreError> {
        let organisation = self.source_organisations()?;
        // An event a reviewer merged into another counts as that event: its reports join the
        // other's, at no lower a level than the merged event's own.
        let canonical = self.event_merge_rids()?;
        // Each row: an event, its level, and a source of one of its acts with that act's level.
        // The act's level comes through the id index of `records` (which holds the rid) and the
        // narrow `record_meta`: reading the wide record rows would decrypt a page per act.
        let mut stmt = self.conn.prepare(
            "SELECT m.rid, m.conf, f.source_id, (SELECT am.conf FROM records a JOIN record_meta am ON am.rid = a.rid WHERE a.id = f.origin) \
             FROM record_meta m LEFT JOIN facets f ON f.rid = m.rid AND f.source_id IS NOT NULL \
             WHERE m.kind = 'event' ORDER BY m.rid",
        )?;
        let mut rows = stmt.query([])?;
        // Canonical event → its level (once seen) and, per organisation, the lowest level at
        // which a reader sees a report of it.
        let mut events: std::collections::BTreeMap<i64, (Option<i64>, std::collections::BTreeMap<String, i64>)> = Default::default();
        while let Some(row) = rows.next()? {
            let (rid, conf, source, act_conf): (i64, i64, Option<String>, Option<i64>) = (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            let (target, floor) = match canonical.get(&rid) {
                Some(&to) => (to, conf),
                None => (rid, 0),
            };
            let entry = events.entry(target).or_default();
            if target == rid {
                entry.0 = Some(conf);
            }
            if let (Some(s), Some(act_conf)) = (source, act_conf) {
                // A report counts for a reader who may see both the act and its source.
                let Some((org, source_conf)) = organisation.get(&s).cloned() else { continue };
                let needs = act_conf.max(source_conf).max(floor);
                let lowest = entry.1.entry(org).or_insert(needs);
                *lowest = (*lowest).min(needs);
            }
        }
        let mut out = [Corroboration::default(); LEVELS];
        for (event_conf, orgs) in events.values() {
            // A merge target that is itself gone (retired, or above every level) counts for nobody.
            let Some(event_conf) = event_conf else { continue };
            for (level, c) in out.iter_mut().enumerate() {
                if *event_conf > level as i64 {
                    continue;
                }
                match orgs.values().filter(|&&act_conf| act_conf <= level as i64).count() {
                    0 => c.unsourced += 1,
                    1 => c.single += 1,
                    _ => c.corroborated += 1,
                }
            }
        }
        Ok(out)
    }

    /// Events merged into this one that a reader at `max` may see (their reports count here).
    pub fn events_merged_into(&self, event_id: &str, max: Confidentiality) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id FROM links l JOIN record_meta m ON m.rid = l.from_rid JOIN records r ON r.rid = l.from_rid \
             WHERE l.field = 'same_as' AND l.to_id = ?1 AND m.kind = 'event' AND m.conf <= ?2 ORDER BY r.id",
        )?;
        let rows = stmt.query_map(rusqlite::params![event_id, max as i64], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The organisations whose sources report an event, for its page.
    /// Events merged into it count too.
    pub fn event_organisations(&self, event_id: &str, max: Confidentiality) -> Result<Vec<String>, StoreError> {
        let mut orgs = std::collections::BTreeSet::new();
        for merged in self.events_merged_into(event_id, max)? {
            orgs.extend(self.own_event_organisations(&merged, max)?);
        }
        orgs.extend(self.own_event_organisations(event_id, max)?);
        Ok(orgs.into_iter().collect())
    }

    fn own_event_organisations(&self, event_id: &str, max: Confidentiality) -> Result<Vec<String>, StoreError> {
        let organisation = self.source_organisations()?;
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT f.source_id FROM facets f JOIN records r ON r.rid = f.rid JOIN record_meta a ON a.rid = (SELECT rid FROM records WHERE id = f.origin) \
             WHERE r.id = ?1 AND f.source_id IS NOT NULL AND a.conf <= ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![event_id, max as i64], |r| r.get::<_, String>(0))?;
        let mut orgs = std::collections::BTreeSet::new();
        for s in rows {
            // Only sources the reader may see name an organisation (a source's organisation is
            // part of the source record).
            if let Some((org, source_conf)) = organisation.get(&s?) {
                if *source_conf <= max as i64 {
                    orgs.insert(org.clone());
                }
            }
        }
        Ok(orgs.into_iter().collect())
    }

    /// Source id → its unit of independence (`Source::independence_unit`) and the source's own
    /// level. Threat: a figure naming or counting an organisation behind a source the reader may
    /// not see; every caller counts a source only at or below its level.
    pub(crate) fn source_organisations(&self) -> Result<std::collections::HashMap<String, (String, i64)>, StoreError> {
        // Kept at write time beside the capture rows (`capture_index`), with the derived level: a
        // retired source counts for nobody, and no source is decoded.
        crate::capture_index::organisations(&self.conn)
    }

    /// Acts per calendar year, counting an act in a year only when its whole date range lies in
    /// that year; the second value counts acts whose date is unknown or spans several years, so a
    /// chart can say how many it could not place.
    pub fn act_year_counts(&self, max: Confidentiality) -> Result<(Vec<(i32, u64)>, u64), StoreError> {
        let c = &self.act_counts_by_level()?[max as usize];
        Ok((c.by_year.clone(), c.unplaced))
    }

    /// Acts at each place, counting an act under its own place and every place enclosing it
    /// (so a province's figure includes its towns and facilities). Places with no act are absent.
    pub fn act_place_counts(&self, max: Confidentiality) -> Result<Vec<(String, u64)>, StoreError> {
        Ok(std::mem::take(&mut self.act_counts_by_level()?[max as usize].by_place))
    }

    /// Number of acts per act type, most frequent first, from the index (no record is decoded,
    /// so the dashboard stays fast on a million acts).
    pub fn act_type_counts(&self, max: Confidentiality) -> Result<Vec<(String, u64)>, StoreError> {
        Ok(std::mem::take(&mut self.act_counts_by_level()?[max as usize].by_type))
    }

    /// The counts behind the dashboard, the map and the estimation page's choices, for each
    /// confidentiality level at once (index = level: public, internal, restricted): every
    /// reader's ceiling needs the same scans of a million facet rows, so each is made once,
    /// grouped by level, and summed upwards.
    pub fn act_counts_by_level(&self) -> Result<[ActCounts; LEVELS], StoreError> {
        let mut types: [HashMap<String, u64>; LEVELS] = Default::default();
        let mut stmt = self.conn.prepare(
            "SELECT f.act_type, m.conf, COUNT(*) FROM facets f JOIN record_meta m ON m.rid = f.rid \
             WHERE m.kind = 'act' AND f.act_type IS NOT NULL GROUP BY f.act_type, m.conf",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (code, conf, n): (String, i64, u64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            for level in visible_at(conf) {
                *types[level].entry(code.clone()).or_insert(0) += n;
            }
        }
        let mut years: [BTreeMap<i32, u64>; LEVELS] = Default::default();
        let mut unplaced = [0u64; LEVELS];
        let mut stmt = self.conn.prepare(
            "SELECT f.date_start, f.date_end, m.conf, COUNT(*) FROM facets f JOIN record_meta m ON m.rid = f.rid \
             WHERE m.kind = 'act' AND f.act_type IS NOT NULL GROUP BY f.date_start, f.date_end, m.conf",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (a, b, conf, n): (Option<i32>, Option<i32>, i64, u64) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            let year = match (a, b) {
                (Some(a), Some(b)) if girok_core::date::Day(a).year() == girok_core::date::Day(b).year() => Some(girok_core::date::Day(a).year()),
                _ => None,
            };
            for level in visible_at(conf) {
                match year {
                    Some(y) => *years[level].entry(y).or_insert(0) += n,
                    None => unplaced[level] += n,
                }
            }
        }
        let mut places: [HashMap<String, u64>; LEVELS] = Default::default();
        let mut stmt = self.conn.prepare(
            "SELECT pa.ancestor_id, c.conf, SUM(c.n) FROM \
               (SELECT f.place_id AS place_id, m.conf AS conf, COUNT(*) AS n FROM facets f JOIN record_meta m ON m.rid = f.rid \
                WHERE m.kind = 'act' AND f.act_type IS NOT NULL AND f.place_id IS NOT NULL GROUP BY f.place_id, m.conf) c \
             JOIN place_ancestors pa ON pa.place_id = c.place_id GROUP BY pa.ancestor_id, c.conf",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (place, conf, n): (String, i64, u64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            for level in visible_at(conf) {
                *places[level].entry(place.clone()).or_insert(0) += n;
            }
        }
        let corroboration = self.corroboration_by_level()?;
        let most_first = |m: HashMap<String, u64>| {
            let mut v: Vec<(String, u64)> = m.into_iter().collect();
            v.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
            v
        };
        let mut out: [ActCounts; LEVELS] = Default::default();
        for (level, c) in out.iter_mut().enumerate() {
            c.by_type = most_first(std::mem::take(&mut types[level]));
            c.by_year = std::mem::take(&mut years[level]).into_iter().collect();
            c.unplaced = unplaced[level];
            c.by_place = most_first(std::mem::take(&mut places[level]));
            c.corroboration = corroboration[level];
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CreateOptions, KeySource};
    use girok_core::model::{Act, Event, Person};
    use girok_core::UncertainDate;

    fn archive() -> (tempfile::TempDir, Archive) {
        let dir = tempfile::tempdir().unwrap();
        let options = CreateOptions { kdf: crate::KdfParams::WEAK_FOR_TESTS, seed_gazetteer: true };
        let a = Archive::create(&dir.path().join("a"), &KeySource::passphrase("synthetic test passphrase"), options).unwrap();
        (dir, a)
    }

    /// A synthetic internal event; an empty id gets a fresh one.
    fn synthetic_event(id: &str) -> Record {
        Record::Event(Event {
            provisions: Vec::new(),
            same_as: None,
            links: vec![],
            id: id.into(),
            title: "synthetic event".into(),
            description: String::new(),
            place: None,
            date: None,
            follows: None,
            citations: vec![],
            confidentiality: Confidentiality::Internal,
            synthetic: true,
        })
    }

    /// Synthetic: one person, one event, and one act per (type, place, date, confidentiality).
    fn add_acts(a: &mut Archive, acts: &[(&str, Option<&str>, Option<&str>, Confidentiality)]) {
        a.write("test", |w| {
            let victim = w.put(Record::Person(Person {
                id: String::new(),
                names: vec![girok_core::model::Name { text: "Synthetic Person".into(), script: girok_core::model::Script::Other }],
                sex: None,
                birth: None,
                origin: None,
                relationships: vec![],
                notes: String::new(),
                confidentiality: Confidentiality::Internal,
                synthetic: true,
                same_as: None,
            }))?;
            let event = w.put(synthetic_event(""))?;
            for (i, (t, place, date, conf)) in acts.iter().enumerate() {
                w.put(Record::Act(Act {
                    provisions: Vec::new(),
                    end: None,
                    victim_status: None,
                    id: String::new(),
                    event: event.clone(),
                    victim: victim.clone(),
                    act_type: t.to_string(),
                    place: place.map(str::to_string),
                    date: date.map(|d| UncertainDate::parse(d).unwrap()),
                    perpetrators: vec![],
                    source: None,
                    connection: None,
                    reliability: None,
                    description: format!("synthetic act {i}"),
                    citations: vec![],
                    confidentiality: *conf,
                    synthetic: true,
                }))?;
            }
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn year_counts_place_only_acts_dated_within_one_year() {
        let (_d, mut a) = archive();
        use Confidentiality::*;
        add_acts(
            &mut a,
            &[
                ("020111110000", None, Some("winter 1997"), Internal),
                ("020111110000", None, Some("March 1997"), Internal),
                ("020111110000", None, Some("1998"), Internal),
                ("020111110000", None, Some("between 1996 and 1999"), Internal),
                ("020111110000", None, None, Internal),
                ("020111110000", None, Some("2001"), Restricted),
            ],
        );
        // "winter 1997" runs into 1998, so it cannot be placed in one year.
        let (years, unplaced) = a.act_year_counts(Internal).unwrap();
        assert_eq!(years, vec![(1997, 1), (1998, 1)]);
        assert_eq!(unplaced, 3);
        let (years, _) = a.act_year_counts(Restricted).unwrap();
        assert_eq!(years.last(), Some(&(2001, 1)), "restricted acts count only for roles that may see them");
    }

    #[test]
    fn place_counts_roll_up_to_enclosing_places() {
        let (_d, mut a) = archive();
        use Confidentiality::*;
        // Yodok camp lies in South Hamgyong; Kanggye in Chagang.
        add_acts(
            &mut a,
            &[
                ("020111110000", Some("plc-fac-kwanliso-15"), None, Internal),
                ("020111110000", Some("plc-kp-03"), None, Internal),
                ("020111110000", Some("plc-gn2043572"), None, Internal),
                ("020111110000", Some("plc-gn2043572"), None, Restricted),
            ],
        );
        let counts: std::collections::HashMap<String, u64> = a.act_place_counts(Internal).unwrap().into_iter().collect();
        assert_eq!(counts["plc-fac-kwanliso-15"], 1);
        assert_eq!(counts["plc-kp-03"], 2);
        assert_eq!(counts["plc-kp-01"], 1);
        assert_eq!(counts["plc-kp"], 3);
    }

    #[test]
    fn corroboration_counts_independent_organisations_the_reader_may_see() {
        let (_d, mut a) = archive();
        use Confidentiality::*;
        add_acts(&mut a, &[("020111110000", None, None, Internal)]);
        let acts: Vec<girok_core::model::Act> = a
            .list(Kind::Act)
            .unwrap()
            .into_iter()
            .map(|r| match r {
                Record::Act(x) => x,
                _ => unreachable!(),
            })
            .collect();
        a.write("test", |w| {
            for (id, org) in [("src-a1", "Synthetic Project A"), ("src-a2", "Synthetic Project A"), ("src-b1", "Synthetic Project B")] {
                w.put(Record::Source(girok_core::model::Source {
                    id: id.into(),
                    pseudonym: id.to_uppercase(),
                    kind: girok_core::model::SourceKind::Witness,
                    organisation: Some(org.into()),
                    connection: None,
                    reliability: None,
                    notes: String::new(),
                    confidentiality: Internal,
                    synthetic: true,
                }))?;
            }
            for e in ["evt-two-orgs", "evt-one-org", "evt-unsourced"] {
                w.put(synthetic_event(e))?;
            }
            for (i, (evt, src, conf)) in [
                ("evt-two-orgs", "src-a1", Internal),
                ("evt-two-orgs", "src-b1", Internal),
                ("evt-one-org", "src-a1", Internal),
                ("evt-one-org", "src-a2", Internal),
                ("evt-one-org", "src-b1", Restricted),
            ]
            .into_iter()
            .enumerate()
            {
                let mut act = acts[0].clone();
                act.id = format!("act-corr-{i}");
                act.event = evt.into();
                act.source = Some(src.into());
                act.confidentiality = conf;
                w.put(Record::Act(act))?;
            }
            Ok(())
        })
        .unwrap();
        // The helper's own event has an act with no source: unsourced too.
        let c = a.corroboration_counts(Internal).unwrap();
        assert_eq!((c.corroborated, c.single, c.unsourced), (1, 1, 2), "two sources of one project are not independent");
        let c = a.corroboration_counts(Restricted).unwrap();
        assert_eq!((c.corroborated, c.single, c.unsourced), (2, 0, 2), "the restricted act corroborates only for readers who may see it");
        assert_eq!(a.event_organisations("evt-one-org", Internal).unwrap(), vec!["Synthetic Project A".to_string()]);
        assert_eq!(a.event_organisations("evt-one-org", Restricted).unwrap().len(), 2);
    }

    fn holds(ids: &[String], id: &str) -> bool {
        ids.iter().any(|x| x == id)
    }

    #[test]
    fn list_pages_filter_sort_and_count() {
        let (_d, mut a) = archive();
        use Confidentiality::*;
        add_acts(
            &mut a,
            &[
                ("020111110000", Some("plc-fac-kwanliso-15"), Some("1999"), Internal),
                ("DP0400000000", Some("plc-kp-03"), Some("1995"), Internal),
                ("020111110000", Some("plc-gn2043572"), Some("2003"), Internal),
                ("020111110000", None, None, Internal),
                ("020111110000", Some("plc-kp-03"), Some("2005"), Restricted),
            ],
        );
        let south_hamgyong = a.resolve_place("plc-kp-03").unwrap();
        let mut q = ListQuery::new(Kind::Act, Internal);
        assert_eq!(a.list_page(&q).unwrap().total, 4, "the restricted act is not counted");
        q.act_type = Some("020111110000".into());
        assert_eq!(a.list_page(&q).unwrap().total, 3);
        // A broader type takes in the narrower ones, as search and estimation do.
        let vocab = girok_core::vocab::Vocabulary::builtin();
        assert!(vocab.is_within(girok_core::vocab::List::ActTypes, "020111110000", "020000000000"));
        q.act_type = Some("020000000000".into());
        assert_eq!(a.list_page(&q).unwrap().total, 3, "acts coded with a narrower type are listed under the broader one");
        q.act_type = Some("020111110000".into());
        q.place = Some(south_hamgyong);
        let page = a.list_page(&q).unwrap();
        assert_eq!(page.total, 1, "place filter includes places beneath (the camp), not other provinces");
        q.place = None;
        q.years = Some((1998, 2004));
        assert_eq!(a.list_page(&q).unwrap().total, 2);
        let mut q = ListQuery::new(Kind::Act, Internal);
        q.sort = ListSort::DateDesc;
        let years: Vec<Option<i32>> = a
            .list_page(&q)
            .unwrap()
            .records
            .iter()
            .map(|r| match r {
                Record::Act(x) => x.date.as_ref().and_then(|d| d.earliest).map(|d| d.year()),
                _ => panic!("only acts"),
            })
            .collect();
        assert_eq!(years, vec![Some(2003), Some(1999), Some(1995), None]);
        q.limit = 2;
        q.offset = 2;
        let page = a.list_page(&q).unwrap();
        assert_eq!((page.records.len(), page.total), (2, 4));
        // A facet-filtered page sorts and cuts the same way (it takes another path): every act
        // here has a broad type, so filtering by it keeps the order and the page.
        let ids = |q: &ListQuery| -> Vec<String> { a.list_page(q).unwrap().records.iter().map(|r| r.id().to_string()).collect() };
        let mut filtered = q.clone();
        filtered.act_type = Some("020000000000".into());
        let (mut all_q, mut all_f) = (q.clone(), filtered.clone());
        (all_q.limit, all_q.offset, all_f.limit, all_f.offset) = (50, 0, 50, 0);
        let unfiltered_ids: Vec<String> = ids(&all_q).into_iter().filter(|id| holds(&ids(&all_f), id)).collect();
        assert_eq!(ids(&all_f), unfiltered_ids, "date order, undated last");
        all_q.sort = ListSort::Title;
        all_f.sort = ListSort::Title;
        let unfiltered_ids: Vec<String> = ids(&all_q).into_iter().filter(|id| holds(&ids(&all_f), id)).collect();
        assert_eq!(ids(&all_f), unfiltered_ids, "title order");
        (filtered.sort, filtered.offset, filtered.limit) = (ListSort::Title, 1, 1);
        assert_eq!(ids(&filtered), ids(&all_f)[1..2].to_vec());
        // Reverse links: the victim is pointed at by every act, the restricted one only for those who may see it.
        let victim = match &a.list_page(&ListQuery::new(Kind::Act, Internal)).unwrap().records[0] {
            Record::Act(x) => x.victim.clone(),
            _ => unreachable!(),
        };
        let (links, total) = a.referenced_by(&victim, Internal, 2).unwrap();
        assert_eq!((links.len(), total), (2, 4));
        assert!(links.iter().all(|l| l.field == "victim" && l.kind == Kind::Act));
        assert_eq!(a.referenced_by(&victim, Restricted, 10).unwrap().1, 5);
        let mut q = ListQuery::new(Kind::Person, Internal);
        q.title = Some("100%_".into());
        assert_eq!(a.list_page(&q).unwrap().total, 0, "LIKE wildcards in the filter are taken literally");
    }
}
