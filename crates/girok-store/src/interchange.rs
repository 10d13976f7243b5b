//! Import and export of coded records as CSV (one file per kind) and JSON.
//!
//! An import is all-or-nothing by default: every row is parsed and checked before the first
//! write, and a bad row refuses the whole file naming its row and column. With `skip_invalid`
//! the valid rows go in and each skipped row is reported. Writes are committed in batches, so a
//! `kill -9` mid-import leaves every earlier batch committed, audited and verifying.

use std::collections::HashSet;

use girok_core::model::{
    Act, Citation, Confidentiality, Event, Involvement, Kind, Name, Person, Place, PlaceKind, Record, Relationship, Script, Sex, Source, SourceKind,
};
use girok_core::vocab::{List, Vocabulary};
use girok_core::UncertainDate;

use crate::archive::Archive;
use crate::error::{ImportError, StoreError};

/// File format of an import or export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// Import options.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Import the valid rows and report the others, instead of refusing the file.
    pub skip_invalid: bool,
    /// Rows per committed transaction.
    pub batch: usize,
    pub actor: String,
    /// Check every row and say what would be written, writing nothing (a preview).
    pub dry_run: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions { skip_invalid: false, batch: 1000, actor: "import".into(), dry_run: false }
    }
}

/// What an import did.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    /// Records written: new ones, and existing ones that changed (each a new version).
    pub imported: usize,
    pub unchanged: usize,
    /// Existing records the file changed, with the fields that changed, in file order.
    pub updated: Vec<(String, Vec<String>)>,
    /// `(row, column, message)` of each skipped row.
    pub skipped: Vec<(usize, Option<String>, String)>,
}

/// The CSV columns of each kind, in order. Import accepts them in any order.
pub fn csv_columns(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Place => &["id", "name", "name_ko", "kind", "parent", "lat", "lon", "aliases", "credit", "confidentiality", "access"],
        Kind::Source => &["id", "pseudonym", "kind", "organisation", "connection", "reliability", "notes", "confidentiality", "synthetic"],
        Kind::Person => &["id", "names", "sex", "birth", "origin", "relationships", "notes", "confidentiality", "synthetic"],
        Kind::Event => &["id", "title", "description", "place", "date", "follows", "provisions", "citations", "confidentiality", "synthetic"],
        Kind::Act => &[
            "id",
            "event",
            "victim",
            "act_type",
            "place",
            "date",
            "end",
            "victim_status",
            "perpetrators",
            "source",
            "connection",
            "reliability",
            "description",
            "provisions",
            "citations",
            "confidentiality",
            "synthetic",
        ],
        Kind::Provision => &[
            "id",
            "instrument",
            "instrument_ko",
            "article",
            "title",
            "title_ko",
            "text_en",
            "text_ko",
            "max_penalty",
            "source",
            "citation",
            "commentary",
            "confidentiality",
            "synthetic",
        ],
        // One row per value; rows with the same id are one series.
        Kind::Indicator => {
            &["id", "name", "unit", "source", "document", "year", "to_year", "value", "place", "value_source", "citation", "confidentiality", "synthetic"]
        }
        Kind::Document => &[],
    }
}

const REQUIRED: &[(Kind, &[&str])] = &[
    (Kind::Place, &["name", "kind"]),
    (Kind::Source, &["pseudonym", "kind"]),
    (Kind::Person, &["names"]),
    (Kind::Event, &["title"]),
    (Kind::Act, &["event", "victim", "act_type"]),
    (Kind::Provision, &["instrument", "article"]),
];

struct RowError {
    column: Option<String>,
    message: String,
}

fn col_err(column: &str, message: impl Into<String>) -> RowError {
    RowError { column: Some(column.to_string()), message: message.into() }
}

/// Reads one CSV row into a record. Vocabulary cells take a code or a label; place cells an id or a name.
struct RowReader<'a> {
    headers: &'a [String],
    row: &'a csv::StringRecord,
    archive: &'a Archive,
    vocab: &'static Vocabulary,
}

impl RowReader<'_> {
    fn get(&self, col: &str) -> &str {
        self.headers.iter().position(|h| h == col).and_then(|i| self.row.get(i)).map(|c| girok_core::text::csv_cell_read(c.trim())).unwrap_or("")
    }

    fn opt(&self, col: &str) -> Option<String> {
        Some(self.get(col).to_string()).filter(|s| !s.is_empty())
    }

    fn required(&self, col: &str) -> Result<String, RowError> {
        self.opt(col).ok_or_else(|| col_err(col, "is empty but required"))
    }

    fn term(&self, col: &str, list: List) -> Result<Option<String>, RowError> {
        match self.opt(col) {
            None => Ok(None),
            Some(v) => self.vocab.resolve(list, &v).map(|t| Some(t.code.clone())).map_err(|e| col_err(col, e.to_string())),
        }
    }

    fn date(&self, col: &str) -> Result<Option<UncertainDate>, RowError> {
        match self.opt(col) {
            None => Ok(None),
            Some(v) => UncertainDate::parse(&v).map(Some).map_err(|e| col_err(col, e.to_string())),
        }
    }

    fn place(&self, col: &str, batch_ids: &HashSet<String>) -> Result<Option<String>, RowError> {
        match self.opt(col) {
            None => Ok(None),
            Some(v) if batch_ids.contains(&v) => Ok(Some(v)),
            Some(v) => self.archive.resolve_place(&v).map(Some).map_err(|e| col_err(col, e.to_string())),
        }
    }

    fn confidentiality(&self) -> Result<Confidentiality, RowError> {
        Confidentiality::parse(self.get("confidentiality"))
            .ok_or_else(|| col_err("confidentiality", format!("{:?} is not public, internal or restricted", self.get("confidentiality"))))
    }

    fn synthetic(&self) -> Result<bool, RowError> {
        match self.get("synthetic").to_lowercase().as_str() {
            "" | "false" | "0" | "no" => Ok(false),
            "true" | "1" | "yes" => Ok(true),
            other => Err(col_err("synthetic", format!("{other:?} is not true or false"))),
        }
    }

    fn provisions(&self) -> Vec<String> {
        split_list(self.get("provisions")).map(str::to_string).collect()
    }

    fn citation(&self) -> Result<Option<Citation>, RowError> {
        match self.get("citation") {
            "" => Ok(None),
            c => Citation::parse(c).map(Some).map_err(|e| col_err("citation", e)),
        }
    }

    fn citations(&self) -> Result<Vec<Citation>, RowError> {
        split_list(self.get("citations")).map(|c| Citation::parse(c).map_err(|e| col_err("citations", e))).collect()
    }

    fn record(&self, kind: Kind, batch_ids: &HashSet<String>) -> Result<Record, RowError> {
        let id = self.get("id").to_string();
        Ok(match kind {
            Kind::Place => Record::Place(Place {
                access: match self.get("access") {
                    "" => None,
                    a => Some(girok_core::model::Access::parse(a).ok_or_else(|| col_err("access", format!("unknown access {a:?} (open, restricted, closed)")))?),
                },
                id,
                name: self.required("name")?,
                name_ko: self.opt("name_ko"),
                kind: PlaceKind::parse(self.get("kind")).ok_or_else(|| col_err("kind", format!("unknown place kind {:?} (country, province, county, town, kwanliso, kyohwaso, jipkyulso, labour_training_unit, security_detention, police_detention, other_facility, other)", self.get("kind"))))?,
                parent: self.place("parent", batch_ids)?,
                aliases: split_list(self.get("aliases")).map(|a| Name { text: a.to_string(), script: Script::guess(a) }).collect(),
                lat: parse_f64(self.get("lat"), "lat")?,
                lon: parse_f64(self.get("lon"), "lon")?,
                credit: self.get("credit").to_string(),
                confidentiality: self.confidentiality()?,
            }),
            Kind::Source => Record::Source(Source {
                id,
                pseudonym: self.required("pseudonym")?,
                kind: SourceKind::parse(self.get("kind")).ok_or_else(|| col_err("kind", format!("unknown source kind {:?} (witness, ngo, un_body, academic, media, government, other)", self.get("kind"))))?,
                organisation: self.opt("organisation"),
                connection: self.term("connection", List::SourceConnection)?,
                reliability: self.term("reliability", List::Reliability)?,
                notes: self.get("notes").to_string(),
                confidentiality: self.confidentiality()?,
                synthetic: self.synthetic()?,
            }),
            Kind::Person => {
                let mut names = Vec::new();
                for n in self.get("names").split('|').map(str::trim).filter(|s| !s.is_empty()) {
                    let (script, text) = match n.split_once(':') {
                        Some((tag, text)) if Script::parse(tag).is_some() && !tag.contains(' ') => (Script::parse(tag).expect("checked"), text.trim()),
                        _ => (Script::guess(n), n),
                    };
                    names.push(Name { text: text.to_string(), script });
                }
                if names.is_empty() {
                    return Err(col_err("names", "is empty but required (use \"unknown\" if need be)"));
                }
                let mut relationships = Vec::new();
                for r in split_list(self.get("relationships")) {
                    let (kind, other) = r.rsplit_once(':').ok_or_else(|| col_err("relationships", format!("{r:?} is not TYPE:PERSON-ID")))?;
                    let kind = self.vocab.resolve(List::Relationships, kind).map_err(|e| col_err("relationships", e.to_string()))?.code.clone();
                    relationships.push(Relationship { kind, other: other.trim().to_string() });
                }
                Record::Person(Person {
                    id,
                    names,
                    sex: match self.opt("sex") {
                        None => None,
                        Some(s) => Some(Sex::parse(&s).ok_or_else(|| col_err("sex", format!("{s:?} is not male, female or unknown")))?),
                    },
                    birth: self.date("birth")?,
                    origin: self.place("origin", batch_ids)?,
                    relationships,
                    notes: self.get("notes").to_string(),
                    confidentiality: self.confidentiality()?,
                    synthetic: self.synthetic()?,
                    same_as: None,
                })
            }
            Kind::Event => Record::Event(Event {
same_as: None,
                links: vec![],
                id,
                title: self.required("title")?,
                description: self.get("description").to_string(),
                place: self.place("place", batch_ids)?,
                date: self.date("date")?,
                follows: self.opt("follows"),
                provisions: self.provisions(),
                citations: self.citations()?,
                confidentiality: self.confidentiality()?,
                synthetic: self.synthetic()?,
            }),
            Kind::Act => {
                let mut perpetrators = Vec::new();
                for p in split_list(self.get("perpetrators")) {
                    let (who, degree) = match p.split_once(':') {
                        Some((who, degree)) => (who.trim(), Some(self.vocab.resolve(List::Involvement, degree).map_err(|e| col_err("perpetrators", e.to_string()))?.code.clone())),
                        None => (p, None),
                    };
                    perpetrators.push(Involvement { perpetrator: who.to_string(), degree });
                }
                Record::Act(Act {
                    end: self.date("end")?,
                    victim_status: self.term("victim_status", List::VictimStatus)?,
                    id,
                    event: self.required("event")?,
                    victim: self.required("victim")?,
                    act_type: self.term("act_type", List::ActTypes)?.ok_or_else(|| col_err("act_type", "is empty but required"))?,
                    place: self.place("place", batch_ids)?,
                    date: self.date("date")?,
                    perpetrators,
                    source: self.opt("source"),
                    connection: self.term("connection", List::SourceConnection)?,
                    reliability: self.term("reliability", List::Reliability)?,
                    description: self.get("description").to_string(),
                    provisions: self.provisions(),
                    citations: self.citations()?,
                    confidentiality: self.confidentiality()?,
                    synthetic: self.synthetic()?,
                })
            }
            Kind::Indicator => {
                let year: i32 = self.required("year")?.parse().map_err(|_| col_err("year", format!("{:?} is not a year", self.get("year"))))?;
                let to_year = match self.get("to_year") {
                    "" => None,
                    t => Some(t.parse().map_err(|_| col_err("to_year", format!("{t:?} is not a year")))?),
                };
                let value = parse_f64(self.get("value"), "value")?.ok_or_else(|| col_err("value", "is empty but required"))?;
                let citation = self.citation()?;
                Record::Indicator(girok_core::model::Indicator {
                    id,
                    name: self.required("name")?,
                    unit: self.get("unit").to_string(),
                    values: vec![girok_core::model::IndicatorValue { year, to_year, value, place: self.place("place", batch_ids)?, source: self.opt("value_source"), citation }],
                    source: self.get("source").to_string(),
                    document: self.opt("document"),
                    confidentiality: self.confidentiality()?,
                    synthetic: self.synthetic()?,
                })
            }
            Kind::Provision => Record::Provision(girok_core::model::Provision {
                id,
                instrument: self.required("instrument")?,
                instrument_ko: self.opt("instrument_ko"),
                article: self.required("article")?,
                title: self.get("title").to_string(),
                title_ko: self.opt("title_ko"),
                text_en: self.get("text_en").to_string(),
                text_ko: self.get("text_ko").to_string(),
                max_penalty: self.opt("max_penalty"),
                source: self.get("source").to_string(),
                citation: self.citation()?,
                commentary: self.get("commentary").to_string(),
                confidentiality: self.confidentiality()?,
                synthetic: self.synthetic()?,
            }),
            Kind::Document => return Err(RowError { column: None, message: "documents are taken in as files (girok add), not imported from CSV".into() }),
        })
    }
}

/// Indicator rows with the same id (or, without one, the same name) become one series, its
/// values in file order; a row that names the series differently from its first row is refused.
fn merge_series(rows: ParsedRows) -> ParsedRows {
    let mut out: ParsedRows = Vec::new();
    let mut first: std::collections::HashMap<String, (usize, usize)> = std::collections::HashMap::new();
    for (line, res) in rows {
        let Ok(Record::Indicator(ind)) = res else {
            out.push((line, res));
            continue;
        };
        let key = if ind.id.is_empty() { format!("name:{}", ind.name) } else { ind.id.clone() };
        match first.get(&key) {
            Some(&(idx, first_line)) => {
                if let (_, Ok(Record::Indicator(series))) = &mut out[idx] {
                    if series.name != ind.name || series.unit != ind.unit || series.source != ind.source || series.confidentiality != ind.confidentiality {
                        out.push((
                            line,
                            Err(RowError {
                                column: Some("name".into()),
                                message: format!("names the series differently from row {first_line} (name, unit, source and level are the series')"),
                            }),
                        ));
                    } else {
                        series.values.extend(ind.values);
                    }
                }
            }
            None => {
                first.insert(key, (out.len(), line));
                out.push((line, Ok(Record::Indicator(ind))));
            }
        }
    }
    out
}

/// The top-level fields in which two versions of a record differ.
fn changed_fields(old: &Record, new: &Record) -> Vec<String> {
    let (serde_json::Value::Object(a), serde_json::Value::Object(b)) =
        (serde_json::to_value(old).expect("records serialize"), serde_json::to_value(new).expect("records serialize"))
    else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).cloned().collect()
}

fn split_list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty())
}

fn parse_f64(s: &str, col: &str) -> Result<Option<f64>, RowError> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| col_err(col, format!("{s:?} is not a number")))
}

/// Checks the bytes are UTF-8, naming the line of the first bad byte.
fn utf8<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, ImportError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        ImportError::File { file: file.to_string(), message: format!("invalid UTF-8 at line {line} (byte {}); save the file as UTF-8", e.valid_up_to()) }
    })
}

impl Archive {
    /// Imports records of one kind from CSV, or of any kinds from JSON.
    pub fn import(
        &mut self,
        file: &str,
        bytes: &[u8],
        format: Format,
        kind: Option<Kind>,
        options: &ImportOptions,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportReport, ImportError> {
        let text = utf8(file, bytes)?;
        if text.trim().is_empty() {
            return Err(ImportError::File { file: file.to_string(), message: "the file is empty".into() });
        }
        let parsed: Vec<(usize, Result<Record, RowError>)> = match format {
            Format::Csv => {
                let kind = kind.ok_or_else(|| ImportError::File {
                    file: file.to_string(),
                    message: "a CSV import needs the kind of record (places, sources, persons, events, acts or indicators)".into(),
                })?;
                self.parse_csv(file, text, kind)?
            }
            Format::Json => parse_json(file, text)?,
        };
        let mut report = ImportReport::default();
        // Ids generated now, so rows can refer to each other and errors can name them.
        let mut records: Vec<(usize, Record)> = Vec::new();
        let mut errors: Vec<(usize, Option<String>, String)> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for (row, res) in parsed {
            match res {
                Ok(mut rec) => {
                    if rec.id().is_empty() {
                        rec.set_id(crate::archive::new_id(rec.kind()));
                    }
                    if !seen.insert(rec.id().to_string()) {
                        errors.push((row, Some("id".into()), format!("duplicate id {} in this file", rec.id())));
                        continue;
                    }
                    records.push((row, rec));
                }
                Err(e) => errors.push((row, e.column, e.message)),
            }
        }
        // Referential and vocabulary checks against the archive plus this file.
        let vocab = Vocabulary::builtin();
        let mut valid: Vec<Record> = Vec::new();
        for (row, rec) in records {
            let id = rec.id().to_string();
            if Kind::of_id(&id) != Some(rec.kind()) {
                errors.push((row, Some("id".into()), format!("a {} id must start with {}-", rec.kind().as_str(), rec.kind().id_prefix())));
                continue;
            }
            if let Err(m) = rec.validate(vocab) {
                errors.push((row, None, m));
                continue;
            }
            let mut bad = None;
            for (field, target) in rec.references() {
                if target != id && !seen.contains(target) && !self.exists(target)? {
                    bad = Some((field, target.to_string()));
                    break;
                }
            }
            if let Some((field, target)) = bad {
                errors.push((row, Some(field.to_string()), format!("refers to {target}, which is neither in the archive nor in this file")));
                continue;
            }
            valid.push(rec);
        }
        errors.sort_by_key(|e| e.0);
        if !errors.is_empty() && !options.skip_invalid {
            let (row, column, message) = errors.remove(0);
            return Err(if errors.is_empty() {
                ImportError::Row { file: file.to_string(), row, column, message }
            } else {
                ImportError::ManyRows { file: file.to_string(), count: errors.len() + 1, row, column, message }
            });
        }
        report.skipped = errors;
        // Parents before children, so the place closure and facets see what they point at.
        valid.sort_by_key(|r| match r.kind() {
            Kind::Place => 0,
            Kind::Source => 1,
            Kind::Document => 2,
            Kind::Person => 3,
            Kind::Event => 4,
            Kind::Act => 5,
            Kind::Indicator => 6,
            // After the documents it quotes, before the events and acts that cite it.
            Kind::Provision => 3,
        });
        sort_places_topologically(&mut valid);
        let total = valid.len();
        if options.dry_run {
            for rec in &valid {
                match self.exists(rec.id())?.then(|| self.get(rec.id())).transpose()? {
                    Some(old) if &old == rec => report.unchanged += 1,
                    Some(old) => {
                        report.updated.push((rec.id().to_string(), changed_fields(&old, rec)));
                        report.imported += 1;
                    }
                    None => report.imported += 1,
                }
            }
            progress(total, total);
            return Ok(report);
        }
        let batch = options.batch.max(1);
        let mut done = 0;
        for chunk in valid.chunks(batch) {
            let (n_new, n_same, updated) = self.write(&options.actor, |w| {
                let (mut n_new, mut n_same, mut updated) = (0, 0, Vec::new());
                for rec in chunk {
                    let before = if w.exists(rec.id())? { Some(w.get(rec.id())?) } else { None };
                    if before.as_ref() == Some(rec) {
                        n_same += 1;
                        continue;
                    }
                    if let Some(old) = &before {
                        updated.push((rec.id().to_string(), changed_fields(old, rec)));
                    }
                    w.put_unchecked(rec.clone())?;
                    n_new += 1;
                }
                Ok((n_new, n_same, updated))
            })?;
            report.imported += n_new;
            report.unchanged += n_same;
            report.updated.extend(updated);
            done += chunk.len();
            progress(done, total);
        }
        Ok(report)
    }

    fn parse_csv(&self, file: &str, text: &str, kind: Kind) -> Result<ParsedRows, ImportError> {
        let columns = csv_columns(kind);
        if columns.is_empty() {
            return Err(ImportError::File { file: file.to_string(), message: format!("{} records are imported as JSON, not CSV", kind.as_str()) });
        }
        let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| ImportError::File { file: file.to_string(), message: format!("cannot read the header row: {e}") })?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let unknown: Vec<&String> = headers.iter().filter(|h| !columns.contains(&h.as_str())).collect();
        if !unknown.is_empty() {
            return Err(ImportError::File {
                file: file.to_string(),
                message: format!(
                    "unknown column(s) {} for {} (expected some of: {})",
                    unknown.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", "),
                    kind.as_str(),
                    columns.join(", ")
                ),
            });
        }
        for (k, req) in REQUIRED {
            if *k == kind {
                for r in *req {
                    if !headers.iter().any(|h| h == r) {
                        return Err(ImportError::File { file: file.to_string(), message: format!("missing required column {r:?} for {}", kind.as_str()) });
                    }
                }
            }
        }
        let mut out = Vec::new();
        // First pass collects ids so that rows may refer to rows further down.
        let mut batch_ids = HashSet::new();
        let mut rows = Vec::new();
        for res in rdr.records() {
            match res {
                Ok(r) => {
                    let line = r.position().map(|p| p.line() as usize).unwrap_or(0);
                    if let Some(id) = headers.iter().position(|h| h == "id").and_then(|i| r.get(i)) {
                        batch_ids.insert(id.trim().to_string());
                    }
                    rows.push((line, Ok(r)));
                }
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                    let message = match e.kind() {
                        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!("has {len} fields, the header has {expected_len}"),
                        _ => e.to_string(),
                    };
                    rows.push((line, Err(RowError { column: None, message })));
                }
            }
        }
        if rows.is_empty() {
            return Err(ImportError::File { file: file.to_string(), message: "the file has a header but no rows".into() });
        }
        for (line, r) in rows {
            let res = r.and_then(|row| RowReader { headers: &headers, row: &row, archive: self, vocab: Vocabulary::builtin() }.record(kind, &batch_ids));
            out.push((line, res));
        }
        if kind == Kind::Indicator {
            return Ok(merge_series(out));
        }
        Ok(out)
    }

    /// Exports records as CSV (one kind) or JSON (any kinds). Sealed identities are never exported.
    pub fn export(&self, kinds: &[Kind], format: Format, max_confidentiality: Confidentiality) -> Result<String, StoreError> {
        let mut records = Vec::new();
        for &kind in kinds {
            // Retired records are left out, as from every other view.
            records.extend(self.list_for(kind, max_confidentiality)?);
        }
        match format {
            Format::Json => Ok(serde_json::to_string_pretty(&records).expect("records serialize") + "\n"),
            Format::Csv => {
                let kind = *kinds.first().ok_or_else(|| StoreError::Invalid { id: String::new(), message: "no kind to export".into() })?;
                let columns = csv_columns(kind);
                if columns.is_empty() || kinds.len() != 1 {
                    return Err(StoreError::Invalid {
                        id: String::new(),
                        message: format!(
                            "CSV export takes exactly one of places, sources, persons, events, acts, indicators (got {})",
                            kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    });
                }
                let mut w = csv::Writer::from_writer(Vec::new());
                w.write_record(columns).map_err(|e| StoreError::Invalid { id: String::new(), message: e.to_string() })?;
                for r in &records {
                    for row in to_rows(r) {
                        // Threat: a cell such as =HYPERLINK(...) run by the spreadsheet that opens the export.
                        let row: Vec<String> = row.iter().map(|c| girok_core::text::csv_cell_write(c).into_owned()).collect();
                        w.write_record(row).map_err(|e| StoreError::Invalid { id: r.id().to_string(), message: e.to_string() })?;
                    }
                }
                let bytes = w.into_inner().map_err(|e| StoreError::Invalid { id: String::new(), message: e.to_string() })?;
                Ok(String::from_utf8(bytes).expect("csv of UTF-8 strings is UTF-8"))
            }
        }
    }
}

/// Each row's number (line for CSV, item for JSON) with its record or what was wrong with it.
type ParsedRows = Vec<(usize, Result<Record, RowError>)>;

fn parse_json(file: &str, text: &str) -> Result<ParsedRows, ImportError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| ImportError::File { file: file.to_string(), message: format!("not valid JSON at line {} column {}: {e}", e.line(), e.column()) })?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    if items.is_empty() {
        return Err(ImportError::File { file: file.to_string(), message: "the JSON array is empty".into() });
    }
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i + 1, serde_json::from_value::<Record>(v).map_err(|e| RowError { column: None, message: format!("not a valid record: {e}") })))
        .collect())
}

fn sort_places_topologically(records: &mut [Record]) {
    // Depth in the batch's own parent chain; archive parents count as depth 0.
    let parents: std::collections::HashMap<String, Option<String>> = records
        .iter()
        .filter_map(|r| match r {
            Record::Place(p) => Some((p.id.clone(), p.parent.clone())),
            _ => None,
        })
        .collect();
    let depth = |id: &str| {
        let mut d = 0;
        let mut cur = parents.get(id).cloned().flatten();
        while let Some(c) = cur {
            d += 1;
            if d > 64 {
                break;
            }
            cur = parents.get(&c).cloned().flatten();
        }
        d
    };
    let n_places = records.iter().take_while(|r| r.kind() == Kind::Place).count();
    records[..n_places].sort_by_key(|r| depth(r.id()));
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(";")
}

fn conf_and_synth(c: Confidentiality, s: bool) -> [String; 2] {
    [c.as_str().to_string(), if s { "true".into() } else { "false".into() }]
}

fn to_row(r: &Record) -> Vec<String> {
    let date = |d: &Option<UncertainDate>| d.as_ref().map(|d| if d.text.is_empty() { d.interval() } else { d.text.clone() }).unwrap_or_default();
    let cites = |c: &[Citation]| c.iter().map(Citation::to_cell).collect::<Vec<_>>().join(";");
    let o = |s: &Option<String>| s.clone().unwrap_or_default();
    match r {
        Record::Place(p) => vec![
            p.id.clone(),
            p.name.clone(),
            o(&p.name_ko),
            p.kind.as_str().into(),
            o(&p.parent),
            p.lat.map(|x| x.to_string()).unwrap_or_default(),
            p.lon.map(|x| x.to_string()).unwrap_or_default(),
            join(p.aliases.iter().map(|a| a.text.as_str())),
            p.credit.clone(),
            p.confidentiality.as_str().into(),
            p.access.map(|a| a.as_str().to_string()).unwrap_or_default(),
        ],
        Record::Source(s) => {
            let mut v =
                vec![s.id.clone(), s.pseudonym.clone(), s.kind.as_str().into(), o(&s.organisation), o(&s.connection), o(&s.reliability), s.notes.clone()];
            v.extend(conf_and_synth(s.confidentiality, s.synthetic));
            v
        }
        Record::Person(p) => {
            let names = p.names.iter().map(|n| format!("{}:{}", n.script.as_str(), n.text)).collect::<Vec<_>>().join("|");
            let sex = match p.sex {
                Some(Sex::Male) => "male",
                Some(Sex::Female) => "female",
                Some(Sex::Unknown) => "unknown",
                None => "",
            };
            let rels = p.relationships.iter().map(|r| format!("{}:{}", r.kind, r.other)).collect::<Vec<_>>().join(";");
            let mut v = vec![p.id.clone(), names, sex.into(), date(&p.birth), o(&p.origin), rels, p.notes.clone()];
            v.extend(conf_and_synth(p.confidentiality, p.synthetic));
            v
        }
        Record::Event(e) => {
            let mut v = vec![
                e.id.clone(),
                e.title.clone(),
                e.description.clone(),
                o(&e.place),
                date(&e.date),
                o(&e.follows),
                e.provisions.join(";"),
                cites(&e.citations),
            ];
            v.extend(conf_and_synth(e.confidentiality, e.synthetic));
            v
        }
        Record::Act(a) => {
            let perps = a.perpetrators.iter().map(|p| match &p.degree {
                Some(d) => format!("{}:{d}", p.perpetrator),
                None => p.perpetrator.clone(),
            });
            let mut v = vec![
                a.id.clone(),
                a.event.clone(),
                a.victim.clone(),
                a.act_type.clone(),
                o(&a.place),
                date(&a.date),
                date(&a.end),
                o(&a.victim_status),
                perps.collect::<Vec<_>>().join(";"),
                o(&a.source),
                o(&a.connection),
                o(&a.reliability),
                a.description.clone(),
                a.provisions.join(";"),
                cites(&a.citations),
            ];
            v.extend(conf_and_synth(a.confidentiality, a.synthetic));
            v
        }
        Record::Provision(p) => {
            let mut v = vec![
                p.id.clone(),
                p.instrument.clone(),
                o(&p.instrument_ko),
                p.article.clone(),
                p.title.clone(),
                o(&p.title_ko),
                p.text_en.clone(),
                p.text_ko.clone(),
                o(&p.max_penalty),
                p.source.clone(),
                p.citation.as_ref().map(Citation::to_cell).unwrap_or_default(),
                p.commentary.clone(),
            ];
            v.extend(conf_and_synth(p.confidentiality, p.synthetic));
            v
        }
        Record::Document(_) | Record::Indicator(_) => Vec::new(),
    }
}

/// A record's CSV rows: one, or one per value of a series.
fn to_rows(r: &Record) -> Vec<Vec<String>> {
    let Record::Indicator(i) = r else { return vec![to_row(r)] };
    let o = |s: &Option<String>| s.clone().unwrap_or_default();
    i.values
        .iter()
        .map(|v| {
            let mut row = vec![
                i.id.clone(),
                i.name.clone(),
                i.unit.clone(),
                i.source.clone(),
                o(&i.document),
                v.year.to_string(),
                v.to_year.map(|t| t.to_string()).unwrap_or_default(),
                v.value.to_string(),
                o(&v.place),
                o(&v.source),
                v.citation.as_ref().map(Citation::to_cell).unwrap_or_default(),
            ];
            row.extend(conf_and_synth(i.confidentiality, i.synthetic));
            row
        })
        .collect()
}
