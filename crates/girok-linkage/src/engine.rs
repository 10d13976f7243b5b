//! Fellegi–Sunter record linkage: blocking, comparison levels, EM, scoring, clustering.
//!
//! Records carry a `source` (which list or file they came from). Deduplication compares every
//! candidate pair; linking compares only pairs from different sources. u-probabilities come
//! from random pairs (almost all non-matches); m-probabilities from EM (`training`).
//! Exact agreement on a field with term-frequency adjustment is weighted by how rare the
//! shared value is: sharing "kim" says less than sharing a rare surname.

use std::collections::HashMap;
use std::sync::Arc;

use rand::{Rng, SeedableRng};

use crate::korean;
use crate::places::{Gazetteer, Relation};
use crate::strings::{jaro_winkler, levenshtein_within};
use crate::training;

/// Input records: one row per record, one value per column (`None` = missing).
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    pub columns: Vec<String>,
    pub ids: Vec<String>,
    pub sources: Vec<u16>,
    pub values: Vec<Vec<Option<String>>>,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Adds a column holding every non-empty value of `from` as alternative forms of one field
    /// (a Hangul and a romanized name column, say), so one comparison and one blocking key see
    /// them all. Returns the new column's index.
    pub fn merge_columns(&mut self, name: &str, from: &[usize]) -> usize {
        self.columns.push(name.to_string());
        for row in &mut self.values {
            let forms: Vec<&str> = from.iter().filter_map(|&c| row[c].as_deref()).map(str::trim).filter(|s| !s.is_empty()).collect();
            let merged = (!forms.is_empty()).then(|| forms.iter().map(|f| f.replace(ALTERNATIVE, " ")).collect::<Vec<_>>().join(&ALTERNATIVE.to_string()));
            row.push(merged);
        }
        self.columns.len() - 1
    }
}

/// Separates alternative forms of one value in a merged column (see `Dataset::merge_columns`).
pub const ALTERNATIVE: char = '\u{1e}';

/// A gazetteer shared by the fields that resolve places through it; equal when it is the same one.
#[derive(Clone, Debug)]
pub struct Places(pub Arc<Gazetteer>);

impl PartialEq for Places {
    fn eq(&self, other: &Places) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// How a field is compared; each gives a few ordered agreement levels.
#[derive(Clone, Debug, PartialEq)]
pub enum Compare {
    /// Exact or not.
    Exact,
    /// Personal names: exact, Jaro–Winkler ≥ 0.92, ≥ 0.80, one is an initial or nickname-like
    /// prefix of the other ("rl" / "robert", "bob" / "bobby"), else.
    Name,
    /// Full Korean names in any script or romanization, every form in the cell (and every
    /// merged column) read surname-first and surname-last: same canonical key, same surname
    /// and close given name, close spelling or same given name under another surname, else.
    KoreanName,
    /// Years (the first four-digit number): exact, one apart (Korean age counting), two apart,
    /// three or four apart (two records each off by up to two), else.
    Year,
    /// Sex in any of the usual spellings (M, male, 남, 남자; F, female, 여, 여자): same or not.
    Sex,
    /// Places and facilities resolved through a gazetteer: same town or facility, same town,
    /// same province, else; strings it cannot resolve compare by loose spelling.
    Place(Places),
    /// Dates as digits (`YYYY-MM-DD`, `YYYYMMDD`): exact, one typo or swapped day/month, within
    /// a year (Korean age counting), within ten years, further apart (strong evidence against).
    Date,
    /// Codes and short text: exact, one edit, else.
    Code,
    /// Longer text: exact, Jaro–Winkler ≥ 0.9, ≥ 0.75, else.
    Text,
    /// Postcodes: exact, same outward code (before the space), same area letters, else.
    Postcode,
}

impl Compare {
    /// Number of levels (excluding "missing").
    pub fn n_levels(&self) -> usize {
        match self {
            Compare::Exact => 2,
            Compare::Code => 3,
            Compare::Sex => 2,
            Compare::KoreanName | Compare::Text | Compare::Postcode | Compare::Place(_) => 4,
            Compare::Name | Compare::Date | Compare::Year => 5,
        }
    }

    pub fn level_name(&self, level: u8) -> &'static str {
        let top = self.n_levels() as u8 - 1;
        match (self, level) {
            (Compare::Place(_), 3) => "same place",
            (Compare::Place(_), 2) => "same town, a facility in it, or a close spelling",
            (Compare::Place(_), 1) => "same province",
            (Compare::Year, 3) => "one year apart",
            (Compare::Year, 2) => "two years apart",
            (Compare::Year, 1) => "three or four years apart",
            (_, l) if l == top => "exact",
            (_, 0) => "different",
            (Compare::Date, 3) => "one typo",
            (Compare::Date, 2) => "within a year",
            (Compare::Date, 1) => "within ten years",
            (Compare::Code, 1) => "one edit",
            (Compare::KoreanName, 2) => "same surname, close given name",
            (Compare::KoreanName, 1) => "close spelling, or same given name",
            (Compare::Name, 3) => "very similar",
            (Compare::Name, 2) => "similar",
            (Compare::Name, 1) => "initial or prefix",
            (Compare::Postcode, 2) => "same outward code",
            (Compare::Postcode, 1) => "same area",
            (_, 2) => "very similar",
            (_, 1) => "similar",
            _ => "other",
        }
    }
}

/// One compared field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSpec {
    pub column: String,
    pub compare: Compare,
    /// Weight exact agreement by the rarity of the shared value.
    pub term_frequency: bool,
}

/// A blocking key part.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BlockKey {
    Exact(String),
    /// The first `n` characters.
    Prefix(String, usize),
    /// The canonical Korean name key (surname + given name).
    KoreanName(String),
    /// The canonical Korean surname key.
    KoreanSurname(String),
    /// The loose key of a Korean given name (meets surname spellings the table lacks).
    KoreanGiven(String),
    /// The first four digits (a year).
    Year(String),
}

impl BlockKey {
    pub fn column(&self) -> &str {
        match self {
            BlockKey::Exact(c)
            | BlockKey::Prefix(c, _)
            | BlockKey::KoreanName(c)
            | BlockKey::KoreanSurname(c)
            | BlockKey::KoreanGiven(c)
            | BlockKey::Year(c) => c,
        }
    }

    /// The key in words, for notes and messages.
    pub fn describe(&self) -> String {
        match self {
            BlockKey::Exact(c) => c.clone(),
            BlockKey::Prefix(c, n) => format!("first {n} letters of {c}"),
            BlockKey::KoreanName(c) => format!("Korean name key of {c}"),
            BlockKey::KoreanSurname(c) => format!("Korean surname of {c}"),
            BlockKey::KoreanGiven(c) => format!("Korean given name of {c}"),
            BlockKey::Year(c) => format!("year of {c}"),
        }
    }
}

/// A rule in words: its keys joined by "+".
pub(crate) fn describe_rule(rule: &[BlockKey]) -> String {
    rule.iter().map(BlockKey::describe).collect::<Vec<_>>().join(" + ")
}

/// Deduplicate one dataset, or link records across sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Dedupe,
    Link,
}

/// Everything the engine needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    pub fields: Vec<FieldSpec>,
    /// A pair is a candidate if it agrees on every key of at least one rule.
    pub blocking: Vec<Vec<BlockKey>>,
    pub mode: Mode,
    /// Refuse to compare more candidate pairs than this.
    pub max_pairs: usize,
    pub threshold: f64,
    pub em_iterations: usize,
    pub u_samples: usize,
    pub seed: u64,
    /// In link mode, never put two records of the same source in one cluster.
    pub one_per_source: bool,
    /// Groups merge only if this share of the record pairs between them are linked (see
    /// `cluster_with_support`); 0 gives plain connected components.
    pub min_support: f64,
}

/// Why linkage could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("column {column:?} named in the {context} does not exist (columns: {available})")]
    NoSuchColumn { column: String, context: &'static str, available: String },
    #[error("the blocking rules produce {count} candidate pairs, more than the limit of {limit}; add a key to the broadest rule (e.g. combine surname with year of birth) or raise the limit")]
    TooManyPairs { count: u64, limit: usize },
    #[error("there are no records to link")]
    Empty,
    #[error("no blocking rule was given")]
    NoBlocking,
    #[error("every inferred blocking rule is over the budget of {budget} pairs; name the blocking rules in a config file")]
    OverBudget { budget: u64 },
}

/// Fitted parameters.
#[derive(Clone, Debug)]
pub struct Params {
    /// m[field][level], u[field][level].
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    /// Prior probability that two records are one person (across sources, when
    /// `lambda_within` is set).
    pub lambda: f64,
    /// Deduplicating several sources: the prior for two records of one source.
    pub lambda_within: Option<f64>,
    pub em_iterations_run: usize,
}

impl Params {
    /// The prior log2 odds of a pair, by whether its two records come from one source.
    pub fn prior_log2(&self, same_source: bool) -> f64 {
        let l = if same_source { self.lambda_within.unwrap_or(self.lambda) } else { self.lambda };
        (l / (1.0 - l)).log2()
    }
}

/// A scored candidate pair.
#[derive(Clone, Debug)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    pub weight: f64,
    pub probability: f64,
}

/// The result of a run.
#[derive(Clone, Debug)]
pub struct Linkage {
    pub params: Params,
    pub pairs: Vec<ScoredPair>,
    /// Cluster index per record.
    pub clusters: Vec<u32>,
    pub candidate_count: u64,
    /// How fields that every blocking rule blocks on were trained (see `training`), to be shown.
    pub training: Option<String>,
    /// Per record, the records it was linked to at probability ≥ `SAME_PERSON` (0.9) before
    /// Korean names were weighed by their namesakes alone (empty without a Korean name field); explanations
    /// weigh names the same way.
    pub same_person: Vec<Vec<u32>>,
}

impl Linkage {
    /// No pairs, only parameters: to explain pairs under parameters set by hand.
    pub fn with_params(params: Params) -> Linkage {
        Linkage { params, pairs: Vec::new(), clusters: Vec::new(), candidate_count: 0, training: None, same_person: Vec::new() }
    }
}

/// How sure the first scoring must be that two records are one person before the second
/// stops counting either as the other's namesake.
const SAME_PERSON: f64 = 0.9;

/// Progress callback: (stage, done, total).
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

/// Per-record precomputed comparison inputs, so each pair costs only the comparison itself.
struct Prepared {
    /// Normalised value per field (lowercase, trimmed).
    values: Vec<Vec<Option<String>>>,
    /// For KoreanName: every reading of the cell per record.
    korean: Vec<Vec<Option<Readings>>>,
    /// For Year: the year per record.
    years: Vec<Vec<Option<i32>>>,
    /// For Place: the gazetteer entries the value may name and its loose key, per record.
    places: Vec<Vec<PlaceValue>>,
    /// Relative frequency of each record's value per field (for term frequencies).
    tf: Vec<Vec<f32>>,
    /// For KoreanName: how many records read each way, and how many have a name at all, so
    /// the reading two records share is weighed by its own rarity.
    reading_counts: Vec<ReadingCounts>,
}

/// A place value: the gazetteer entries it may name, and its loose key.
type PlaceValue = Option<(Vec<u32>, String)>;

/// Records per reading of a name, and records with a name.
type ReadingCounts = (HashMap<(String, String), u32>, u32);

/// A Korean name cell read every way it can be: (surname key, given key) pairs, and each
/// reading's keys joined (for comparing spellings).
struct Readings {
    keys: Vec<(String, String)>,
    joined: Vec<String>,
}

fn readings(cell: &str) -> Option<Readings> {
    let keys = korean::cell_readings(cell);
    if keys.is_empty() {
        return None;
    }
    let joined = keys.iter().map(|(s, g)| format!("{s}{g}").to_lowercase()).collect();
    Some(Readings { keys, joined })
}

fn normalise(v: &str) -> String {
    v.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn digits(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_digit()).collect()
}

/// 'M' or 'F' from the spellings lists use; `None` for anything else (unknown, other).
fn sex_of(v: &str) -> Option<char> {
    match v {
        "m" | "male" | "man" | "남" | "남자" | "남성" | "sex:male" => Some('M'),
        "f" | "female" | "woman" | "여" | "여자" | "여성" | "sex:female" => Some('F'),
        _ => None,
    }
}

/// The first four-digit number in a value: "1975", "1975년", "c. 1975", "1975-03-02".
/// Eight digits are read as `YYYYMMDD`.
pub fn year_of(s: &str) -> Option<i32> {
    s.split(|c: char| !c.is_ascii_digit()).find(|t| t.len() == 4 || t.len() == 8).and_then(|t| t[..4].parse().ok())
}

fn prepare(data: &Dataset, config: &Config) -> Result<(Prepared, Vec<usize>), LinkError> {
    let mut cols = Vec::new();
    for f in &config.fields {
        let idx = data.column(&f.column).ok_or_else(|| LinkError::NoSuchColumn {
            column: f.column.clone(),
            context: "comparisons",
            available: data.columns.join(", "),
        })?;
        cols.push(idx);
    }
    let n = data.len();
    let nf = config.fields.len();
    let mut p = Prepared {
        values: Vec::with_capacity(nf),
        korean: Vec::with_capacity(nf),
        years: Vec::with_capacity(nf),
        places: Vec::with_capacity(nf),
        tf: Vec::with_capacity(nf),
        reading_counts: Vec::with_capacity(nf),
    };
    for (fi, f) in config.fields.iter().enumerate() {
        let col = cols[fi];
        let vals: Vec<Option<String>> = (0..n).map(|r| data.values[r][col].as_deref().map(normalise).filter(|s| !s.is_empty())).collect();
        // Names are read from the cell as written: capitals mark the surname ("KIM Jun Hwan").
        let kor: Vec<Option<Readings>> =
            if f.compare == Compare::KoreanName { (0..n).map(|r| data.values[r][col].as_deref().and_then(readings)).collect() } else { Vec::new() };
        let years: Vec<Option<i32>> = if f.compare == Compare::Year { vals.iter().map(|v| v.as_deref().and_then(year_of)).collect() } else { Vec::new() };
        let places: Vec<PlaceValue> = match &f.compare {
            Compare::Place(Places(g)) => {
                let mut cache: HashMap<&str, PlaceValue> = HashMap::new();
                vals.iter()
                    .map(|v| {
                        let v = v.as_deref()?;
                        cache
                            .entry(v)
                            .or_insert_with(|| {
                                let forms: Vec<&str> = v.split(ALTERNATIVE).collect();
                                let mut resolved: Vec<u32> = forms.iter().flat_map(|f| g.resolve_all(f)).filter(|&i| !g.is_country(i)).collect();
                                resolved.sort_unstable();
                                resolved.dedup();
                                let key = crate::places::place_key(forms[0]);
                                (!resolved.is_empty() || !key.is_empty()).then_some((resolved, key))
                            })
                            .clone()
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        // Term frequencies count what a comparison treats as the same value: a Korean name's
        // canonical key, a place's gazetteer entry.
        let tf_key: Vec<Option<String>> = match &f.compare {
            Compare::KoreanName => kor.iter().map(|r| r.as_ref().map(|r| format!("{}|{}", r.keys[0].0, r.keys[0].1))).collect(),
            Compare::Place(_) => {
                places.iter().map(|p| p.as_ref().map(|(ids, key)| ids.first().map(|i| format!("#{i}")).unwrap_or_else(|| key.clone()))).collect()
            }
            _ => vals.clone(),
        };
        let mut freq: HashMap<&str, u32> = HashMap::new();
        let mut n_present = 0u32;
        for v in tf_key.iter().flatten() {
            *freq.entry(v.as_str()).or_default() += 1;
            n_present += 1;
        }
        // The chance that someone else's record shares this value: the pair's own two records
        // are left out of the count (a name borne by one person, written twice, is rare
        // however often that person is listed), with half a record as the floor.
        let t: Vec<f32> =
            tf_key.iter().map(|v| v.as_ref().map(|s| (freq[s.as_str()] as f32 - 2.0).max(0.5) / n_present.max(1) as f32).unwrap_or(0.0)).collect();
        let mut counts: HashMap<(String, String), u32> = HashMap::new();
        for r in kor.iter().flatten() {
            for k in &r.keys {
                *counts.entry(k.clone()).or_default() += 1;
            }
        }
        p.reading_counts.push((counts, kor.iter().flatten().count() as u32));
        p.values.push(vals);
        p.korean.push(kor);
        p.years.push(years);
        p.places.push(places);
        p.tf.push(t);
    }
    Ok((p, cols))
}

pub(crate) const MISSING: u8 = u8::MAX;

fn compare_level(p: &Prepared, field: usize, spec: &Compare, a: usize, b: usize) -> u8 {
    let (Some(x), Some(y)) = (&p.values[field][a], &p.values[field][b]) else { return MISSING };
    match spec {
        Compare::Exact => u8::from(x == y),
        Compare::Sex => match (sex_of(x), sex_of(y)) {
            (Some(a), Some(b)) => u8::from(a == b),
            _ => MISSING,
        },
        Compare::Code => {
            if x == y {
                2
            } else if levenshtein_within(x, y, 1).is_some() {
                1
            } else {
                0
            }
        }
        Compare::Name => {
            if x == y {
                return 4;
            }
            let jw = jaro_winkler(x, y);
            if jw >= 0.92 {
                3
            } else if jw >= 0.80 {
                2
            } else if x.chars().next() == y.chars().next()
                && (x.starts_with(y.as_str()) || y.starts_with(x.as_str()) || x.chars().count() <= 2 || y.chars().count() <= 2)
            {
                1
            } else {
                0
            }
        }
        Compare::Text => {
            if x == y {
                return 3;
            }
            let jw = jaro_winkler(x, y);
            if jw >= 0.9 {
                2
            } else if jw >= 0.75 {
                1
            } else {
                0
            }
        }
        Compare::Postcode => {
            if x == y {
                return 3;
            }
            let outward = |s: &str| s.split_whitespace().next().unwrap_or("").to_string();
            let area = |s: &str| s.chars().take_while(|c| c.is_alphabetic()).collect::<String>();
            if outward(x) == outward(y) {
                2
            } else if !area(x).is_empty() && area(x) == area(y) {
                1
            } else {
                0
            }
        }
        Compare::KoreanName => {
            let (Some(ra), Some(rb)) = (&p.korean[field][a], &p.korean[field][b]) else { return MISSING };
            korean_level(ra, rb, x == y)
        }
        Compare::Year => {
            let (Some(ya), Some(yb)) = (p.years[field][a], p.years[field][b]) else { return MISSING };
            match (ya - yb).abs() {
                0 => 4,
                1 => 3,
                2 => 2,
                3 | 4 => 1,
                _ => 0,
            }
        }
        Compare::Place(Places(g)) => {
            let (Some((ia, ka)), Some((ib, kb))) = (&p.places[field][a], &p.places[field][b]) else { return MISSING };
            match (ia.is_empty(), ib.is_empty()) {
                (false, false) => match g.relate_any(ia, ib) {
                    Relation::Same => 3,
                    Relation::SameTown => 2,
                    Relation::SameProvince => 1,
                    Relation::Different => 0,
                },
                _ if ka == kb && !ka.is_empty() => 3,
                _ if jaro_winkler(ka, kb) >= 0.9 => 2,
                _ => 0,
            }
        }
        Compare::Date => {
            let (dx, dy) = (digits(x), digits(y));
            if dx.is_empty() || dy.is_empty() {
                return MISSING;
            }
            if dx == dy {
                return 4;
            }
            let years = (dx.get(..4).and_then(|s| s.parse::<i32>().ok()), dy.get(..4).and_then(|s| s.parse::<i32>().ok()));
            let by_year = |a: i32, b: i32| {
                if (a - b).abs() <= 1 {
                    2
                } else if (a - b).abs() <= 10 {
                    1
                } else {
                    0
                }
            };
            if dx.len() == 4 && dy.len() == 4 {
                // Years only: one apart is the usual slip of Korean age counting.
                return match years {
                    (Some(a), Some(b)) => by_year(a, b),
                    _ => 0,
                };
            }
            let swapped = dx.len() == 8 && dy.len() == 8 && dx[..4] == dy[..4] && dx[4..6] == dy[6..8] && dx[6..8] == dy[4..6];
            if swapped || levenshtein_within(&dx, &dy, 1).is_some() {
                return 3;
            }
            match years {
                (Some(a), Some(b)) => by_year(a, b),
                _ => 0,
            }
        }
    }
}

/// The best agreement between any reading of one name cell and any of the other's.
fn korean_level(a: &Readings, b: &Readings, same_text: bool) -> u8 {
    if same_text || a.keys.iter().any(|k| !k.1.is_empty() && b.keys.contains(k)) {
        return 3;
    }
    let mut best = 0;
    for (sa, ga) in &a.keys {
        for (sb, gb) in &b.keys {
            if sa == sb && !ga.is_empty() && !gb.is_empty() && jaro_winkler(ga, gb) >= 0.85 {
                return 2;
            }
            if ga == gb && ga.len() >= 3 {
                best = 1;
            }
        }
    }
    if best == 0 && a.joined.iter().any(|x| b.joined.iter().any(|y| jaro_winkler(x, y) >= 0.88)) {
        best = 1;
    }
    best
}

/// A record's pieces under one key part: several when a name cell reads several ways (both
/// orders, Hangul and romanized forms that fold differently), none when the value is missing.
/// `readings` are the cell's name readings, for the Korean parts.
fn key_pieces(raw: Option<&str>, part: &BlockKey, readings: &[(String, String)]) -> Vec<String> {
    let Some(raw) = raw.filter(|s| !s.trim().is_empty()) else { return Vec::new() };
    let pieces: Vec<String> = match part {
        BlockKey::Exact(_) => vec![normalise(raw)],
        BlockKey::Prefix(_, n) => vec![normalise(raw).chars().take(*n).collect()],
        BlockKey::KoreanName(_) => readings.iter().filter(|(_, g)| !g.is_empty()).map(|(s, g)| format!("{s}|{g}")).collect(),
        BlockKey::KoreanSurname(_) => readings.iter().map(|(s, _)| s.clone()).collect(),
        BlockKey::KoreanGiven(_) => readings.iter().map(|(_, g)| g.clone()).filter(|g| g.len() >= 3).collect(),
        BlockKey::Year(_) => year_of(raw).map(|y| y.to_string()).into_iter().collect(),
    };
    let mut pieces: Vec<String> = pieces.into_iter().filter(|p| !p.is_empty()).collect();
    pieces.sort();
    pieces.dedup();
    pieces
}

/// (surname key, given key) readings of one name cell.
type NameReadings = Vec<(String, String)>;

/// Each key part's pieces for every record, computed once and interned as numbers, so counting
/// many rules (and the tightened variants inference tries) reads each cell once.
pub struct BlockIndex<'a> {
    data: &'a Dataset,
    parts: Vec<(BlockKey, Vec<Vec<u32>>)>,
    /// Name readings per record of a column, shared by the Korean parts on it.
    readings: Vec<(usize, Vec<NameReadings>)>,
}

impl<'a> BlockIndex<'a> {
    pub fn new(data: &'a Dataset) -> BlockIndex<'a> {
        BlockIndex { data, parts: Vec::new(), readings: Vec::new() }
    }

    pub(crate) fn data(&self) -> &'a Dataset {
        self.data
    }

    /// Gives the index a column's name readings already made (by `prepare`), so they are not
    /// read again.
    fn seed_readings(&mut self, col: usize, readings: Vec<NameReadings>) {
        if !self.readings.iter().any(|(c, _)| *c == col) {
            self.readings.push((col, readings));
        }
    }

    fn pieces(&mut self, part: &BlockKey) -> Result<usize, LinkError> {
        if let Some(i) = self.parts.iter().position(|(k, _)| k == part) {
            return Ok(i);
        }
        let data = self.data;
        let col = data.column(part.column()).ok_or_else(|| LinkError::NoSuchColumn {
            column: part.column().to_string(),
            context: "blocking rules",
            available: data.columns.join(", "),
        })?;
        let korean = matches!(part, BlockKey::KoreanName(_) | BlockKey::KoreanSurname(_) | BlockKey::KoreanGiven(_));
        if korean && !self.readings.iter().any(|(c, _)| *c == col) {
            let all = (0..data.len()).map(|r| data.values[r][col].as_deref().map(korean::cell_readings).unwrap_or_default()).collect();
            self.readings.push((col, all));
        }
        let readings = self.readings.iter().find(|(c, _)| *c == col).map(|(_, r)| r);
        let mut ids: HashMap<String, u32> = HashMap::new();
        let per_record: Vec<Vec<u32>> = (0..data.len())
            .map(|r| {
                key_pieces(data.values[r][col].as_deref(), part, readings.map(|rs| rs[r].as_slice()).unwrap_or(&[]))
                    .into_iter()
                    .map(|p| {
                        let next = ids.len() as u32;
                        *ids.entry(p).or_insert(next)
                    })
                    .collect()
            })
            .collect();
        self.parts.push((part.clone(), per_record));
        Ok(self.parts.len() - 1)
    }

    /// The blocks of one rule: records sharing every part's piece, in groups of two or more.
    pub fn blocks(&mut self, rule: &[BlockKey]) -> Result<Vec<Vec<u32>>, LinkError> {
        let idx: Vec<usize> = rule.iter().map(|k| self.pieces(k)).collect::<Result<_, _>>()?;
        let mut groups: HashMap<Vec<u32>, Vec<u32>> = HashMap::new();
        let mut keys: Vec<Vec<u32>> = Vec::new();
        for r in 0..self.data.len() {
            keys.clear();
            keys.push(Vec::with_capacity(idx.len()));
            for &i in &idx {
                let pieces = &self.parts[i].1[r];
                if pieces.is_empty() {
                    keys.clear();
                    break;
                }
                keys = keys.iter().flat_map(|k| pieces.iter().map(move |p| k.iter().copied().chain(std::iter::once(*p)).collect())).collect();
            }
            for k in keys.drain(..) {
                groups.entry(k).or_default().push(r as u32);
            }
        }
        Ok(groups.into_values().filter(|g| g.len() > 1).collect())
    }

    /// How many pairs one rule would compare, from its blocks alone.
    pub fn pair_count(&mut self, rule: &[BlockKey], mode: Mode) -> Result<u64, LinkError> {
        let data = self.data;
        Ok(self.blocks(rule)?.iter().map(|g| group_pairs(data, g, mode)).sum())
    }
}

/// How many pairs one blocking rule would compare, counted from its blocks alone (nothing is
/// compared): what rule inference and a budget are decided on.
pub fn rule_pair_count(data: &Dataset, rule: &[BlockKey], mode: Mode) -> Result<u64, LinkError> {
    BlockIndex::new(data).pair_count(rule, mode)
}

/// Pairs a block gives: every pair, or when linking lists only pairs across lists.
pub(crate) fn group_pairs(data: &Dataset, g: &[u32], mode: Mode) -> u64 {
    match mode {
        Mode::Dedupe => (g.len() as u64 * (g.len() as u64 - 1)) / 2,
        Mode::Link => {
            let mut per: HashMap<u16, u64> = HashMap::new();
            for &r in g {
                *per.entry(data.sources[r as usize]).or_default() += 1;
            }
            let s: u64 = per.values().sum();
            (s * s - per.values().map(|c| c * c).sum::<u64>()) / 2
        }
    }
}

/// Candidate pairs from the blocking rules, deduplicated, as `(lower, higher)` record indices.
pub fn candidates(data: &Dataset, config: &Config, progress: Progress<'_>) -> Result<Vec<(u32, u32)>, LinkError> {
    Ok(candidates_with_rules(&mut BlockIndex::new(data), config, progress)?.into_iter().map(|(p, _)| p).collect())
}

/// A candidate pair with the bitmask of the blocking rules it satisfies.
type RulePair = ((u32, u32), u32);

/// Candidate pairs with a bitmask of the blocking rules each satisfies (rule 0 is bit 0).
fn candidates_with_rules(index: &mut BlockIndex<'_>, config: &Config, progress: Progress<'_>) -> Result<Vec<RulePair>, LinkError> {
    let data = index.data;
    if config.blocking.is_empty() {
        return Err(LinkError::NoBlocking);
    }
    // First count, so an explosive rule is refused before any memory is spent on it.
    let mut rule_groups: Vec<Vec<Vec<u32>>> = Vec::new();
    let mut total: u64 = 0;
    for rule in &config.blocking {
        let groups = index.blocks(rule)?;
        total += groups.iter().map(|g| group_pairs(data, g, config.mode)).sum::<u64>();
        rule_groups.push(groups);
    }
    if total > config.max_pairs as u64 {
        return Err(LinkError::TooManyPairs { count: total, limit: config.max_pairs });
    }
    let mut pairs: Vec<(u64, u32)> = Vec::with_capacity(total as usize);
    let mut done = 0u64;
    for (rule_idx, groups) in rule_groups.iter().enumerate() {
        let bit = 1u32 << rule_idx.min(31);
        for g in groups {
            for i in 0..g.len() {
                for j in i + 1..g.len() {
                    let (a, b) = (g[i].min(g[j]), g[i].max(g[j]));
                    if config.mode == Mode::Link && data.sources[a as usize] == data.sources[b as usize] {
                        continue;
                    }
                    pairs.push((((a as u64) << 32) | b as u64, bit));
                }
            }
            done += 1;
        }
        progress("blocking", done, rule_groups.iter().map(|g| g.len() as u64).sum());
    }
    pairs.sort_unstable_by_key(|p| p.0);
    let mut merged: Vec<((u32, u32), u32)> = Vec::with_capacity(pairs.len());
    for (p, bit) in pairs {
        let key = ((p >> 32) as u32, p as u32);
        match merged.last_mut() {
            Some(last) if last.0 == key => last.1 |= bit,
            _ => merged.push((key, bit)),
        }
    }
    Ok(merged)
}

/// Runs blocking, comparison, EM, scoring and clustering.
pub fn link(data: &Dataset, config: &Config, progress: Progress<'_>) -> Result<Linkage, LinkError> {
    if data.is_empty() {
        return Err(LinkError::Empty);
    }
    let (prep, cols) = prepare(data, config)?;
    // Blocking reads the same name readings the comparisons were prepared with.
    let mut index = BlockIndex::new(data);
    for (fi, f) in config.fields.iter().enumerate() {
        if f.compare == Compare::KoreanName {
            index.seed_readings(cols[fi], prep.korean[fi].iter().map(|r| r.as_ref().map(|r| r.keys.clone()).unwrap_or_default()).collect());
        }
    }
    let with_rules = candidates_with_rules(&mut index, config, progress)?;
    let rule_masks: Vec<u32> = with_rules.iter().map(|p| p.1).collect();
    let pairs: Vec<(u32, u32)> = with_rules.into_iter().map(|p| p.0).collect();
    let nf = config.fields.len();
    // Comparison vectors, one row of levels per pair; rows computed in parallel halves.
    let compare_rows = |range: &[(u32, u32)]| -> Vec<u8> {
        let mut out = Vec::with_capacity(range.len() * nf);
        for &(a, b) in range {
            for (fi, f) in config.fields.iter().enumerate() {
                out.push(compare_level(&prep, fi, &f.compare, a as usize, b as usize));
            }
        }
        out
    };
    let mid = pairs.len() / 2;
    let (first, second) = std::thread::scope(|s| {
        let h = s.spawn(|| compare_rows(&pairs[mid..]));
        (compare_rows(&pairs[..mid]), h.join().expect("comparison worker does not panic"))
    });
    let mut levels = first;
    levels.extend(second);
    progress("comparing", pairs.len() as u64, pairs.len() as u64);

    // u from random pairs.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(config.seed);
    let mut u: Vec<Vec<f64>> = config.fields.iter().map(|f| vec![1.0; f.compare.n_levels()]).collect();
    let n = data.len();
    let mut sampled = 0;
    let mut tries = 0;
    while sampled < config.u_samples && tries < config.u_samples * 20 {
        tries += 1;
        let (a, b) = (rng.gen_range(0..n), rng.gen_range(0..n));
        if a == b || (config.mode == Mode::Link && data.sources[a] == data.sources[b]) {
            continue;
        }
        sampled += 1;
        for (fi, f) in config.fields.iter().enumerate() {
            let l = compare_level(&prep, fi, &f.compare, a, b);
            if l != MISSING {
                u[fi][l as usize] += 1.0;
            }
        }
    }
    for row in &mut u {
        let s: f64 = row.iter().sum();
        row.iter_mut().for_each(|x| *x /= s);
    }
    let n_pairs = pairs.len();
    // m by EM, once per blocking rule over the pairs that rule found, leaving out the fields the
    // rule blocked on: within a block those fields agree by construction and say nothing. Each
    // field's m is the average over the rules that did not block on it (Splink's approach).
    // u stays as estimated from random pairs.
    let init_m: Vec<Vec<f64>> = config
        .fields
        .iter()
        .map(|f| {
            let k = f.compare.n_levels();
            (0..k).map(|l| if l == k - 1 { 0.9 } else { 0.1 / (k - 1) as f64 }).collect()
        })
        .collect();
    let lu: Vec<Vec<f64>> = u.iter().map(|r| r.iter().map(|x| x.ln()).collect()).collect();
    let mut m_sum: Vec<Vec<f64>> = init_m.iter().map(|r| vec![0.0; r.len()]).collect();
    let mut m_runs = vec![0usize; nf];
    let mut iterations = 0;
    for (rule_idx, rule) in config.blocking.iter().enumerate() {
        let bit = 1u32 << rule_idx.min(31);
        let blocked: Vec<bool> = config.fields.iter().map(|f| rule.iter().any(|k| k.column() == f.column)).collect();
        if blocked.iter().all(|&b| b) {
            continue;
        }
        let rows = (0..n_pairs).filter(|&i| rule_masks[i] & bit != 0).map(|pi| &levels[pi * nf..pi * nf + nf]);
        let patterns = training::histogram(rows, &blocked);
        if patterns.is_empty() {
            continue;
        }
        let (m, run) = training::em(&patterns, &blocked, &init_m, &lu, config.em_iterations, &mut *progress);
        iterations += run;
        for fi in (0..nf).filter(|&fi| !blocked[fi]) {
            for l in 0..m[fi].len() {
                m_sum[fi][l] += m[fi][l];
            }
            m_runs[fi] += 1;
        }
    }
    // Fields every rule blocked on learn their m from pairs of a rule on the other fields.
    let untrained: Vec<bool> = m_runs.iter().map(|&r| r == 0).collect();
    let mut training_note = None;
    if untrained.iter().any(|&u| u) && untrained.iter().any(|&u| !u) {
        progress("training", 0, 1);
        match training::training_pairs(&mut index, config, &untrained, &mut rng)? {
            Some(t) => {
                let rows = compare_rows(&t.pairs);
                let patterns = training::histogram(rows.chunks(nf), &t.blocked);
                let (m, run) = training::em(&patterns, &t.blocked, &init_m, &lu, config.em_iterations, &mut *progress);
                iterations += run;
                let mut names: Vec<&str> = Vec::new();
                for fi in (0..nf).filter(|&fi| untrained[fi] && !t.blocked[fi]) {
                    m_sum[fi] = m[fi].clone();
                    m_runs[fi] = 1;
                    names.push(&config.fields[fi].column);
                }
                training_note = Some(format!(
                    "every blocking rule blocks on {}, so its agreement levels were learnt from {} pairs agreeing on {} ({} such pairs in all)",
                    names.join(", "),
                    t.pairs.len(),
                    describe_rule(&t.rule),
                    t.rule_pairs
                ));
            }
            None => {
                training_note =
                    Some("every blocking rule blocks on some fields and no other field can train them; their agreement levels keep a fixed guess".to_string());
            }
        }
        progress("training", 1, 1);
    }
    let m: Vec<Vec<f64>> =
        (0..nf).map(|fi| if m_runs[fi] == 0 { init_m[fi].clone() } else { m_sum[fi].iter().map(|x| x / m_runs[fi] as f64).collect() }).collect();
    // λ: the probability that two random records match, from the expected number of matches
    // among the candidates (all true matches are assumed to be candidates), to a fixed point.
    // Deduplicating several lists, two records of one list are far less often one person than
    // two records of different lists (a list seldom holds a person twice; lists overlap
    // because they record the same people), so each kind of pair has its own λ.
    let mut per_source: HashMap<u16, f64> = HashMap::new();
    for &s in &data.sources {
        *per_source.entry(s).or_default() += 1.0;
    }
    let all_pairs = (n as f64) * (n as f64 - 1.0) / 2.0;
    let within_pairs: f64 = per_source.values().map(|c| c * (c - 1.0) / 2.0).sum();
    let split = config.mode == Mode::Dedupe && per_source.len() > 1 && within_pairs > 0.0;
    let class_of = |pi: usize| -> usize { usize::from(split && data.sources[pairs[pi].0 as usize] == data.sources[pairs[pi].1 as usize]) };
    // Pairs of each class in all: [across sources (or every pair), within one source].
    let class_pairs = match config.mode {
        Mode::Dedupe if split => [all_pairs - within_pairs, within_pairs],
        Mode::Dedupe => [all_pairs, 0.0],
        Mode::Link => [all_pairs - within_pairs, 0.0],
    };
    // The fixed point runs over distinct patterns too (term frequencies aside, a pair's
    // Bayes factor is its pattern's).
    let mut by_pattern: HashMap<(usize, &[u8]), f64> = HashMap::new();
    for pi in 0..n_pairs {
        *by_pattern.entry((class_of(pi), &levels[pi * nf..pi * nf + nf])).or_default() += 1.0;
    }
    let bf: Vec<(usize, f64, f64)> = by_pattern
        .into_iter()
        .map(|((class, row), count)| {
            (class, row.iter().enumerate().filter(|(_, &l)| l != MISSING).map(|(fi, &l)| (m[fi][l as usize] / u[fi][l as usize]).ln()).sum(), count)
        })
        .collect();
    let fixed_point = |class: usize| -> f64 {
        let total = class_pairs[class].max(1.0);
        let mut lambda = (n as f64 / class_pairs[0].max(1.0)).clamp(1e-12, 0.5);
        for _ in 0..50 {
            let prior = (lambda / (1.0 - lambda)).ln();
            let expected: f64 = bf.iter().filter(|b| b.0 == class).map(|(_, w, count)| count / (1.0 + (-(prior + w)).exp())).sum();
            let new = (expected / total).clamp(1e-12, 0.5);
            if (new / lambda - 1.0).abs() < 1e-6 {
                return new;
            }
            lambda = new;
        }
        lambda
    };
    let lambda = fixed_point(0);
    let lambda_within = split.then(|| fixed_point(1));
    let params = Params { m, u, lambda, lambda_within, em_iterations_run: iterations };
    // Score with term-frequency adjustment.
    let priors = [params.prior_log2(false), params.prior_log2(true)];
    // Each level's log2 Bayes factor once; only exact agreement on a term-frequency field
    // needs the pair itself.
    let table: Vec<Vec<f64>> = (0..nf).map(|fi| params.m[fi].iter().zip(&params.u[fi]).map(|(m, u)| (m / u).log2()).collect()).collect();
    let score_range = |start: usize, end: usize, partners: &[Vec<u32>]| -> Vec<ScoredPair> {
        let mut out = Vec::with_capacity(end - start);
        for pi in start..end {
            let (a, b) = pairs[pi];
            let row = &levels[pi * nf..pi * nf + nf];
            let mut w = priors[class_of(pi)];
            for (fi, &l) in row.iter().enumerate() {
                if l == MISSING {
                    continue;
                }
                let f = &config.fields[fi];
                w += if f.term_frequency && l as usize == f.compare.n_levels() - 1 {
                    field_bayes_factor(&params, &prep, partners, f, fi, l, a as usize, b as usize)
                } else {
                    table[fi][l as usize]
                };
            }
            let probability = 1.0 / (1.0 + (-w * std::f64::consts::LN_2).exp());
            out.push(ScoredPair { a, b, weight: w, probability });
        }
        out
    };
    let half = n_pairs / 2;
    let score = |partners: &[Vec<u32>]| {
        std::thread::scope(|s| {
            let h = s.spawn(|| score_range(half, n_pairs, partners));
            let mut first = score_range(0, half, partners);
            first.extend(h.join().expect("scoring worker does not panic"));
            first
        })
    };
    let mut scored = score(&[]);
    // A name shared by records of one person is not shared by namesakes: a person on four
    // lists makes their own name look four times as common. Counted once more with each
    // record's likely other records (probability ≥ SAME_PERSON at the first scoring) left out
    // of the namesakes, every other step unchanged.
    let mut same_person: Vec<Vec<u32>> = Vec::new();
    if config.fields.iter().any(|f| f.compare == Compare::KoreanName && f.term_frequency) {
        same_person = vec![Vec::new(); n];
        for p in scored.iter().filter(|p| p.probability >= SAME_PERSON) {
            same_person[p.a as usize].push(p.b);
            same_person[p.b as usize].push(p.a);
        }
        scored = score(&same_person);
    }
    scored.shrink_to_fit();
    progress("scoring", n_pairs as u64, n_pairs as u64);
    let clusters = cluster_with_support(data, &scored, config.threshold, config.mode == Mode::Link && config.one_per_source, config.min_support);
    Ok(Linkage { params, pairs: scored, clusters, candidate_count: n_pairs as u64, training: training_note, same_person })
}

/// log2 Bayes factor of one field at one agreement level. Exact agreement on a field with term
/// frequencies uses the frequency of the shared value instead of the average u (floored at a
/// twentieth of u, so a value seen once does not count as infinitely strong evidence).
#[allow(clippy::too_many_arguments)]
fn field_bayes_factor(params: &Params, prep: &Prepared, same_person: &[Vec<u32>], field: &FieldSpec, fi: usize, level: u8, a: usize, b: usize) -> f64 {
    let (m, u) = (params.m[fi][level as usize], params.u[fi][level as usize]);
    let top = field.compare.n_levels() as u8 - 1;
    if level == top && field.term_frequency {
        let korean = prep.korean.get(fi);
        if let (Some(ra), Some(rb)) = (korean.and_then(|k| k.get(a)).and_then(Option::as_ref), korean.and_then(|k| k.get(b)).and_then(Option::as_ref)) {
            let (counts, n) = &prep.reading_counts[fi];
            if let Some((c, key)) = ra.keys.iter().filter(|k| !k.1.is_empty() && rb.keys.contains(k)).filter_map(|k| counts.get(k).map(|c| (*c, k))).min() {
                // Namesakes: the records with this reading but the pair's own two and their
                // person's other records.
                // (Each counted once: b's partners that are a's too were counted with a's.)
                let (pa, pb) = (same_person.get(a).map(Vec::as_slice).unwrap_or(&[]), same_person.get(b).map(Vec::as_slice).unwrap_or(&[]));
                let reads = |x: u32| x as usize != a && x as usize != b && korean.and_then(|k| k[x as usize].as_ref()).is_some_and(|r| r.keys.contains(key));
                let own = pa.iter().filter(|&&x| reads(x)).count() + pb.iter().filter(|&&x| !pa.contains(&x) && reads(x)).count();
                let tf = (c as f64 - 2.0 - own as f64).max(0.5) / (*n).max(1) as f64;
                return (m / tf.max(u * 0.05)).log2();
            }
        }
        let tf = prep.tf[fi][a].max(prep.tf[fi][b]) as f64;
        if tf > 0.0 {
            return (m / tf.max(u * 0.05)).log2();
        }
    }
    (m / u).log2()
}

/// Connected components of pairs at or above `threshold`. With `one_per_source`, pairs are
/// taken strongest first and a merge that would put two records of one source together is
/// skipped (up to 64 sources tracked exactly).
pub fn cluster(data: &Dataset, pairs: &[ScoredPair], threshold: f64, one_per_source: bool) -> Vec<u32> {
    cluster_with_support(data, pairs, threshold, one_per_source, 0.0)
}

/// Like `cluster`, but two groups of two or more records merge only if at least `min_support`
/// of the record pairs between them are themselves linked at the threshold. One strong but
/// wrong link (a father and son sharing name, place and trade) then cannot chain two families
/// together; plain connected components are `min_support = 0`.
pub fn cluster_with_support(data: &Dataset, pairs: &[ScoredPair], threshold: f64, one_per_source: bool, min_support: f64) -> Vec<u32> {
    let n = data.len();
    let linked: std::collections::HashSet<(u32, u32)> = if min_support > 0.0 {
        pairs.iter().filter(|p| p.probability >= threshold).map(|p| (p.a.min(p.b), p.a.max(p.b))).collect()
    } else {
        Default::default()
    };
    let mut members: Vec<Vec<u32>> = if min_support > 0.0 { (0..n as u32).map(|i| vec![i]).collect() } else { Vec::new() };
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut sources: Vec<u64> = data.sources.iter().map(|&s| 1u64 << (s % 64)).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    }
    let mut order: Vec<usize> = (0..pairs.len()).filter(|&i| pairs[i].probability >= threshold).collect();
    order.sort_by(|&x, &y| pairs[y].probability.total_cmp(&pairs[x].probability).then(x.cmp(&y)));
    for i in order {
        let (ra, rb) = (find(&mut parent, pairs[i].a), find(&mut parent, pairs[i].b));
        if ra == rb {
            continue;
        }
        if one_per_source && sources[ra as usize] & sources[rb as usize] != 0 {
            continue;
        }
        if min_support > 0.0 {
            let (ma, mb) = (&members[ra as usize], &members[rb as usize]);
            if ma.len() > 1 || mb.len() > 1 {
                let mut hits = 0usize;
                for &x in ma {
                    for &y in mb {
                        if linked.contains(&(x.min(y), x.max(y))) {
                            hits += 1;
                        }
                    }
                }
                if (hits as f64) < min_support * (ma.len() * mb.len()) as f64 {
                    continue;
                }
            }
            let moved = std::mem::take(&mut members[rb as usize]);
            members[ra as usize].extend(moved);
        }
        parent[rb as usize] = ra;
        sources[ra as usize] |= sources[rb as usize];
    }
    let mut ids: HashMap<u32, u32> = HashMap::new();
    (0..n as u32)
        .map(|r| {
            let root = find(&mut parent, r);
            let next = ids.len() as u32;
            *ids.entry(root).or_insert(next)
        })
        .collect()
}

/// Pairwise precision, recall and F1 of predicted clusters against true entity labels. With
/// `cross_source_only`, only pairs from different sources count (linking tasks).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    pub true_pairs: u64,
    pub predicted_pairs: u64,
    pub correct_pairs: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

pub fn evaluate(predicted: &[u32], truth: &[String], sources: &[u16], cross_source_only: bool) -> Evaluation {
    // Pairs within groups; for cross-source counting, subtract same-source pairs.
    fn pairs_in(members: &[usize], sources: &[u16], cross: bool) -> u64 {
        let k = members.len() as u64;
        let all = k * k.saturating_sub(1) / 2;
        if !cross {
            return all;
        }
        let mut per: HashMap<u16, u64> = HashMap::new();
        for &m in members {
            *per.entry(sources[m]).or_default() += 1;
        }
        all - per.values().map(|c| c * c.saturating_sub(1) / 2).sum::<u64>()
    }
    let mut by_pred: HashMap<u32, Vec<usize>> = HashMap::new();
    let mut by_truth: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_both: HashMap<(u32, &str), Vec<usize>> = HashMap::new();
    for i in 0..predicted.len() {
        by_pred.entry(predicted[i]).or_default().push(i);
        by_truth.entry(truth[i].as_str()).or_default().push(i);
        by_both.entry((predicted[i], truth[i].as_str())).or_default().push(i);
    }
    let predicted_pairs: u64 = by_pred.values().map(|m| pairs_in(m, sources, cross_source_only)).sum();
    let true_pairs: u64 = by_truth.values().map(|m| pairs_in(m, sources, cross_source_only)).sum();
    let correct_pairs: u64 = by_both.values().map(|m| pairs_in(m, sources, cross_source_only)).sum();
    let precision = if predicted_pairs == 0 { 1.0 } else { correct_pairs as f64 / predicted_pairs as f64 };
    let recall = if true_pairs == 0 { 1.0 } else { correct_pairs as f64 / true_pairs as f64 };
    let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
    Evaluation { true_pairs, predicted_pairs, correct_pairs, precision, recall, f1 }
}

/// One field's part in a pair's match weight.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    pub field: String,
    pub left: Option<String>,
    pub right: Option<String>,
    pub level: String,
    /// log2 Bayes factor added to the weight.
    pub bayes_factor_log2: f64,
}

/// The waterfall of a pair: prior, then each field's contribution, then the total.
pub fn explain(data: &Dataset, config: &Config, linkage: &Linkage, a: usize, b: usize) -> Result<Explanation, LinkError> {
    Ok(explain_pairs(data, config, linkage, &[(a, b)])?.remove(0))
}

/// A pair's waterfall: the prior, each field's contribution, the total (log2).
pub type Explanation = (f64, Vec<Contribution>, f64);

/// The waterfalls of many pairs, preparing the records once (a review queue explains every
/// proposal; preparing per pair would read every record for each).
pub fn explain_pairs(data: &Dataset, config: &Config, linkage: &Linkage, pairs: &[(usize, usize)]) -> Result<Vec<Explanation>, LinkError> {
    let (prep, cols) = prepare(data, config)?;
    let params = &linkage.params;
    Ok(pairs
        .iter()
        .map(|&(a, b)| {
            let prior = params.prior_log2(data.sources[a] == data.sources[b]);
            let mut total = prior;
            let mut out = Vec::new();
            for (fi, f) in config.fields.iter().enumerate() {
                let l = compare_level(&prep, fi, &f.compare, a, b);
                let (level, bf) = if l == MISSING {
                    ("missing".to_string(), 0.0)
                } else {
                    (f.compare.level_name(l).to_string(), field_bayes_factor(params, &prep, &linkage.same_person, f, fi, l, a, b))
                };
                total += bf;
                out.push(Contribution {
                    field: f.column.clone(),
                    left: data.values[a][cols[fi]].clone(),
                    right: data.values[b][cols[fi]].clone(),
                    level,
                    bayes_factor_log2: bf,
                });
            }
            (prior, out, total)
        })
        .collect())
}
