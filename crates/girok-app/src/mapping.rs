//! Imports from the systems our users leave: a mapping (TOML) renames another system's CSV
//! columns to Girok's, drops the ones it names as bookkeeping, rewrites values and dates, and
//! refuses any column it does not know, so nothing is lost silently. The mapped file then goes
//! through the ordinary import, where every row is imported or refused with its row and, named
//! back in the source's words, its column. Girok ships one for Uwazi exports.

use std::collections::BTreeMap;

use girok_store::{Archive, Format, ImportError, ImportOptions, ImportReport};
use serde::Deserialize;

use crate::actor::Actor;
use crate::error::DomainError;

/// Mappings shipped with Girok, by name.
pub const SHIPPED: [(&str, &str); 1] = [("uwazi-events", include_str!("../data/mappings/uwazi-events.toml"))];

#[derive(Clone, Debug, Deserialize)]
pub struct Mapping {
    pub name: String,
    /// The kind of record each row becomes.
    pub kind: String,
    /// Source column → Girok column.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub ignore: Columns,
    /// Girok column → (source value → Girok value).
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// Source columns holding dates as 2013/07/19, 19/07/2013 or Unix timestamps.
    #[serde(default)]
    pub dates: Columns,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Columns {
    #[serde(default)]
    pub columns: Vec<String>,
}

impl Mapping {
    /// A shipped mapping by name, or a mapping file's text.
    pub fn load(name_or_text: &str) -> Result<Mapping, DomainError> {
        let text = SHIPPED.iter().find(|(n, _)| *n == name_or_text).map(|(_, t)| *t).unwrap_or(name_or_text);
        toml::from_str(text).map_err(|e| DomainError::invalid("mapping", format!("the mapping cannot be read: {e}")))
    }

    /// The kind of record the mapping makes.
    pub fn kind(&self) -> Result<girok_core::Kind, DomainError> {
        girok_core::Kind::parse(&self.kind).ok_or_else(|| DomainError::invalid("mapping", format!("unknown kind {:?} in mapping {}", self.kind, self.name)))
    }
}

/// A source file rewritten in Girok's columns, and which source columns fed each one (for
/// errors in the source's words).
#[derive(Debug)]
pub struct Mapped {
    pub csv: Vec<u8>,
    pub sources: BTreeMap<String, Vec<String>>,
}

/// "2013/07/19", "19/07/2013", "1374192000" → "2013-07-19"; anything else as it is.
fn date(s: &str) -> String {
    let t = s.trim();
    let parts: Vec<&str> = t.split('/').collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) {
        let (y, m, d) = if parts[0].len() == 4 { (parts[0], parts[1], parts[2]) } else { (parts[2], parts[1], parts[0]) };
        return format!("{y}-{:0>2}-{:0>2}", m, d);
    }
    if t.len() >= 9 && t.chars().all(|c| c.is_ascii_digit()) {
        if let Ok(secs) = t.parse::<i64>() {
            let (y, m, d) = girok_core::date::Day((secs.div_euclid(86_400)) as i32).ymd();
            return format!("{y:04}-{m:02}-{d:02}");
        }
    }
    t.to_string()
}

/// Rewrites a source CSV into Girok's columns for `mapping.kind`. Several source columns may
/// feed one Girok column (the first non-empty wins).
pub fn apply(mapping: &Mapping, file: &str, bytes: &[u8]) -> Result<Mapped, DomainError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| DomainError::invalid("file", format!("{file}: invalid UTF-8 at byte {}; save the file as UTF-8", e.valid_up_to())))?;
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| DomainError::invalid("file", format!("{file}: cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let unknown: Vec<&String> = headers.iter().filter(|h| !mapping.columns.contains_key(*h) && !mapping.ignore.columns.contains(h)).collect();
    if !unknown.is_empty() {
        return Err(DomainError::invalid(
            "mapping",
            format!(
                "{file}: column(s) {} are neither mapped nor ignored by mapping {}; add them to [columns] or [ignore] so nothing is dropped unseen",
                unknown.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", "),
                mapping.name
            ),
        ));
    }
    let mut out_cols: Vec<String> = Vec::new();
    let mut sources: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for h in &headers {
        if let Some(g) = mapping.columns.get(h) {
            if !out_cols.contains(g) {
                out_cols.push(g.clone());
            }
            sources.entry(g.clone()).or_default().push(h.clone());
        }
    }
    // A rewritten value (the published flag) needs its column even when the file lacks it.
    for g in mapping.values.keys() {
        if mapping.values[g].contains_key("") && !out_cols.contains(g) {
            out_cols.push(g.clone());
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&out_cols).expect("writing to memory");
    for (i, row) in rdr.records().enumerate() {
        let row = row.map_err(|e| DomainError::invalid("file", format!("{file}: row {}: {e}", i + 2)))?;
        let mut cells: BTreeMap<&str, String> = BTreeMap::new();
        for (h, v) in headers.iter().zip(row.iter()) {
            let Some(g) = mapping.columns.get(h) else { continue };
            let v = if mapping.dates.columns.contains(h) { date(v) } else { v.trim().to_string() };
            let slot = cells.entry(g.as_str()).or_default();
            if slot.is_empty() {
                *slot = v;
            }
        }
        let record: Vec<String> = out_cols
            .iter()
            .map(|g| {
                let v = cells.get(g.as_str()).cloned().unwrap_or_default();
                match mapping.values.get(g).and_then(|m| m.get(&v.to_lowercase())) {
                    Some(mapped) => mapped.clone(),
                    None => v,
                }
            })
            .collect();
        w.write_record(&record).expect("writing to memory");
    }
    Ok(Mapped { csv: w.into_inner().expect("writing to memory"), sources })
}

/// How a mapped import runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Run {
    /// Import the valid rows and report the others.
    pub skip_invalid: bool,
    /// Check every row and report what would be written, writing nothing.
    pub preview: bool,
}

/// Imports (or, with `preview`, checks without writing) a CSV from another system through a
/// mapping. Errors name the row and the source's own column.
pub fn import(
    archive: &mut Archive,
    actor: &Actor,
    mapping: &Mapping,
    file: &str,
    bytes: &[u8],
    run: Run,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, DomainError> {
    if !actor.can_edit() {
        return Err(DomainError::Forbidden(format!("{} ({}) may not import records", actor.username, actor.role.as_str())));
    }
    let kind = mapping.kind()?;
    let mapped = apply(mapping, file, bytes)?;
    let in_source_words = |c: Option<String>| {
        c.map(|c| match mapped.sources.get(&c) {
            Some(s) => format!("{} (→ {c})", s.join(" or ")),
            None => c,
        })
    };
    // A preview lists every refused row, not only the first.
    let options = ImportOptions { skip_invalid: run.skip_invalid || run.preview, actor: actor.username.clone(), dry_run: run.preview, ..Default::default() };
    let mut report = archive.import(file, &mapped.csv, Format::Csv, Some(kind), &options, progress).map_err(|e| match e {
        ImportError::Row { file, row, column, message } => DomainError::Import(ImportError::Row { file, row, column: in_source_words(column), message }),
        ImportError::ManyRows { file, count, row, column, message } => {
            DomainError::Import(ImportError::ManyRows { file, count, row, column: in_source_words(column), message })
        }
        other => DomainError::Import(other),
    })?;
    report.skipped = report.skipped.into_iter().map(|(row, column, message)| (row, in_source_words(column), message)).collect();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_uwazis_forms() {
        assert_eq!(date("2013/07/19"), "2013-07-19");
        assert_eq!(date("19/7/2013"), "2013-07-19");
        assert_eq!(date("1374192000"), "2013-07-19");
        assert_eq!(date("winter 1997"), "winter 1997");
    }

    #[test]
    fn the_shipped_mapping_reads_and_an_unknown_column_is_refused() {
        let m = Mapping::load("uwazi-events").unwrap();
        assert_eq!(m.kind().unwrap(), girok_core::Kind::Event);
        let err = apply(&m, "x.csv", b"Title,Secret column\nA,B\n").unwrap_err().to_string();
        assert!(err.contains("\"Secret column\"") && err.contains("neither mapped nor ignored"), "{err}");
        let out =
            String::from_utf8(apply(&m, "x.csv", b"Title,Date of incident,Published,Template\nA,2001/02/03,true,Violation\nB,,,Violation\n").unwrap().csv)
                .unwrap();
        assert_eq!(out, "title,date,confidentiality\nA,2001-02-03,public\nB,,internal\n");
    }
}
