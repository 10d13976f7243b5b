//! Inferring a linkage configuration from the columns themselves, and never running a blocking
//! rule whose pairs were not counted first.
//!
//! Lists arrive with whatever headers their makers chose. Inference reads headers (English and
//! Korean) and contents: a column of Hangul or romanized Korean names is a Korean name column
//! whatever it is called, and several of them are one name in several forms; a column whose
//! values the gazetteer resolves is a place; a column of four-digit numbers is a year. Then it
//! proposes blocking rules and counts each rule's pairs from its blocks before anything is
//! compared (as Splink's comparison counting does): a rule over the budget is tightened with a
//! year or a place, or dropped, and every decision is written into `notes` for the user.

use crate::engine::{BlockIndex, BlockKey, Compare, Dataset, FieldSpec, LinkError, Mode, Places, Progress};

/// What inference decided, and why.
#[derive(Clone, Debug)]
pub struct Inferred {
    pub fields: Vec<FieldSpec>,
    pub blocking: Vec<Vec<BlockKey>>,
    /// One line per decision, for the user: what each column is taken for, each rule's pair count.
    pub notes: Vec<String>,
}

/// The most pairs one inferred blocking rule may compare: enough for the blocks of real names
/// (forty candidates a record), never so many that comparing them takes minutes.
pub fn rule_budget(n_records: usize) -> u64 {
    (n_records as u64 * 20).clamp(200_000, 5_000_000)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    KoreanName,
    Name,
    Year,
    Date,
    Place,
    /// A place the gazetteer does not know (an address, a suburb): compared by spelling.
    PlaceText,
    Sex,
    Code,
    Text,
}

fn has_hangul(s: &str) -> bool {
    s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

/// Up to 2,000 non-empty values of a column, spread over the file.
fn sample(d: &Dataset, col: usize) -> Vec<&str> {
    let step = (d.len() / 2000).max(1);
    d.values.iter().step_by(step).filter_map(|v| v[col].as_deref()).map(str::trim).filter(|s| !s.is_empty()).take(2000).collect()
}

fn share(values: &[&str], test: impl Fn(&str) -> bool) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().filter(|v| test(v)).count() as f64 / values.len() as f64
}

/// A full Korean name in Hangul (2–5 syllables, perhaps spaced) or romanized with a known
/// Korean surname first or last ("KIM Jun Hwan", "Su Chong Kim", "Ri Cholsu").
fn looks_korean_name(v: &str) -> bool {
    if has_hangul(v) {
        let n = v.chars().filter(|c| ('\u{AC00}'..='\u{D7A3}').contains(c)).count();
        return (2..=5).contains(&n) || v.contains('(');
    }
    let words: Vec<&str> = v.split_whitespace().collect();
    words.len() >= 2 && (crate::korean::surname_key(words[0]).is_some() || crate::korean::surname_key(words[words.len() - 1]).is_some())
}

fn header_has(l: &str, words: &[&str]) -> bool {
    words.iter().any(|w| l.contains(w))
}

const NAME_WORDS: &[&str] = &["name", "surname", "given", "forename", "이름", "성명", "성함"];
const PLACE_WORDS: &[&str] = &[
    "place",
    "town",
    "city",
    "origin",
    "province",
    "county",
    "hometown",
    "residence",
    "address",
    "facility",
    "camp",
    "prison",
    "detention",
    "detained",
    "location",
    "suburb",
    "state",
    "출신",
    "지역",
    "주소",
    "시설",
    "수용소",
    "고향",
    "거주",
];
const DATE_WORDS: &[&str] = &["dob", "birth", "born", "date", "year", "연도", "년도", "출생", "생년", "일자"];

fn classify(d: &Dataset, col: usize, places: Option<&Places>) -> Option<Kind> {
    let l = d.columns[col].to_lowercase();
    let values = sample(d, col);
    if values.is_empty() {
        return None;
    }
    let korean_names = share(&values, looks_korean_name);
    let years = share(&values, |v| {
        let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
        digits.len() == 4 && crate::engine::year_of(v).is_some_and(|y| (1800..=2100).contains(&y)) && v.chars().count() <= 8
    });
    let dates = share(&values, |v| crate::engine::year_of(v).is_some());
    let resolved = places.map(|p| share(&values, |v| p.0.resolve(v).is_some())).unwrap_or(0.0);
    let is_place_header = header_has(&l, PLACE_WORDS) && !l.contains("name");
    if l == "sex" || l == "gender" || l == "성별" {
        return Some(Kind::Sex);
    }
    if header_has(&l, NAME_WORDS) && !is_place_header {
        return Some(if korean_names >= 0.6 || l.contains("korean") || l.contains("hangul") || l.contains("한글") { Kind::KoreanName } else { Kind::Name });
    }
    if header_has(&l, DATE_WORDS) && !l.contains("place") && dates >= 0.5 {
        return Some(if years >= 0.9 { Kind::Year } else { Kind::Date });
    }
    if is_place_header || resolved >= 0.5 {
        return Some(if resolved >= 0.3 { Kind::Place } else { Kind::PlaceText });
    }
    if header_has(&l, &["postcode", "zip", "soc_sec", "number", "phone", "passport"]) {
        return Some(Kind::Code);
    }
    // Headers that say nothing: go by contents.
    if korean_names >= 0.8 {
        return Some(Kind::KoreanName);
    }
    if years >= 0.95 {
        return Some(Kind::Year);
    }
    if l.contains("occupation") || l.contains("job") || l.contains("직업") {
        return Some(Kind::Text);
    }
    None
}

/// Whether a name column only repeats others ("full_name" beside "first_name" and
/// "surname"): comparing it as well would count the same evidence twice.
fn repeats_others(d: &Dataset, col: usize, others: &[usize]) -> bool {
    if others.len() < 2 {
        return false;
    }
    let rows: Vec<&Vec<Option<String>>> = d.values.iter().step_by((d.len() / 2000).max(1)).take(2000).collect();
    let mut seen = 0;
    let mut contained = 0;
    for r in rows {
        let Some(v) = r[col].as_deref() else { continue };
        let tokens: Vec<String> = v.to_lowercase().split_whitespace().map(str::to_string).collect();
        let parts: Vec<String> = others.iter().filter_map(|&o| r[o].as_deref()).map(|s| s.to_lowercase()).collect();
        if parts.len() < 2 {
            continue;
        }
        seen += 1;
        if parts.iter().all(|p| p.split_whitespace().all(|t| tokens.iter().any(|x| x == t))) {
            contained += 1;
        }
    }
    seen >= 20 && contained * 10 >= seen * 8
}

/// Infers fields and blocking rules for `data`, adding a merged column when several columns
/// hold one Korean name in different forms. `places` resolves place columns; without it they
/// compare as names. Rules are counted against the budget before they are returned.
pub fn infer(data: &mut Dataset, id_column: &str, places: Option<&Places>, mode: Mode, progress: Progress<'_>) -> Result<Inferred, LinkError> {
    let mut notes = Vec::new();
    let mut kinds: Vec<(usize, Kind)> = Vec::new();
    for col in 0..data.columns.len() {
        let l = data.columns[col].to_lowercase();
        if data.columns[col] == id_column || l == "cluster" || l == "list" || l == "source" || l.ends_with("_id") && !l.contains("soc") || l == "id" {
            continue;
        }
        progress("reading columns", col as u64 + 1, data.columns.len() as u64);
        if let Some(k) = classify(data, col, places) {
            kinds.push((col, k));
        }
    }
    // Several Korean name columns are one name in several forms (Hangul and romanized).
    let korean: Vec<usize> = kinds.iter().filter(|(_, k)| *k == Kind::KoreanName).map(|(c, _)| *c).collect();
    let korean_col = match korean.as_slice() {
        [] => None,
        [one] => Some(data.columns[*one].clone()),
        many => {
            let name = many.iter().map(|&c| data.columns[c].as_str()).collect::<Vec<_>>().join("+");
            notes.push(format!("columns {} hold one Korean name in several forms; compared together as {name:?}", name.replace('+', ", ")));
            data.merge_columns(&name, many);
            Some(name)
        }
    };
    // Western name columns, the wordiest first, so "full_name" is weighed against the parts.
    let mut western: Vec<usize> = kinds.iter().filter(|(_, k)| *k == Kind::Name).map(|(c, _)| *c).collect();
    let words = |c: usize| sample(data, c).iter().map(|v| v.split_whitespace().count()).sum::<usize>();
    let mut order = western.clone();
    order.sort_by_key(|&c| std::cmp::Reverse(words(c)));
    let mut repeated = Vec::new();
    for &c in &order {
        let others: Vec<usize> = western.iter().copied().filter(|&o| o != c && !repeated.contains(&o)).collect();
        if repeats_others(data, c, &others) {
            repeated.push(c);
        }
    }
    western.retain(|c| !repeated.contains(c));
    let mut fields = Vec::new();
    if let Some(k) = &korean_col {
        fields.push(FieldSpec { column: k.clone(), compare: Compare::KoreanName, term_frequency: true });
    }
    let mut western_kept = Vec::new();
    let mut years = Vec::new();
    let mut dates = Vec::new();
    let mut place_cols = Vec::new();
    let mut text_places = Vec::new();
    let mut codes = Vec::new();
    for &(col, kind) in &kinds {
        let column = data.columns[col].clone();
        let spec = match kind {
            Kind::KoreanName => continue,
            Kind::Name => {
                if repeated.contains(&col) {
                    notes.push(format!("column {column:?} repeats other name columns; not compared again"));
                    continue;
                }
                western_kept.push(column.clone());
                Compare::Name
            }
            Kind::PlaceText => {
                text_places.push(column.clone());
                let values = sample(data, col);
                let long = values.iter().map(|v| v.chars().count()).sum::<usize>() > 12 * values.len();
                if long {
                    Compare::Text
                } else {
                    Compare::Name
                }
            }
            Kind::Year => {
                years.push(column.clone());
                Compare::Year
            }
            Kind::Date => {
                dates.push(column.clone());
                Compare::Date
            }
            Kind::Place => {
                place_cols.push(column.clone());
                Compare::Place(places.expect("Place is only inferred with a gazetteer").clone())
            }
            Kind::Sex => Compare::Sex,
            Kind::Code => {
                codes.push(column.clone());
                Compare::Code
            }
            Kind::Text => Compare::Name,
        };
        let tf = matches!(spec, Compare::Name | Compare::KoreanName | Compare::Place(_)) && kind != Kind::PlaceText
            || kind == Kind::PlaceText && spec == Compare::Name;
        notes.push(format!("column {column:?}: {}", describe(&spec)));
        fields.push(FieldSpec { column, compare: spec, term_frequency: tf });
    }
    if let Some(k) = &korean_col {
        notes.insert(0, format!("column {k:?}: Korean name (any script, order and spacing)"));
    }
    // Blocking: names with years, then exact dates and identifying codes.
    let year_keys: Vec<BlockKey> = years.iter().chain(&dates).map(|c| BlockKey::Year(c.clone())).collect();
    let mut rules: Vec<Vec<BlockKey>> = Vec::new();
    if let Some(k) = &korean_col {
        rules.push(vec![BlockKey::KoreanName(k.clone())]);
        for y in &year_keys {
            rules.push(vec![BlockKey::KoreanSurname(k.clone()), y.clone()]);
            rules.push(vec![BlockKey::KoreanGiven(k.clone()), y.clone()]);
        }
        for p in &place_cols {
            rules.push(vec![BlockKey::KoreanGiven(k.clone()), BlockKey::Exact(p.clone())]);
        }
        // One rule without the name, so EM learns how often true matches' names disagree
        // instead of assuming it.
        if year_keys.len() >= 2 {
            rules.push(vec![year_keys[0].clone(), year_keys[1].clone()]);
        }
    }
    if western_kept.len() >= 2 {
        rules.push(vec![BlockKey::Exact(western_kept[0].clone()), BlockKey::Exact(western_kept[1].clone())]);
    }
    for n in &western_kept {
        rules.push(vec![BlockKey::Exact(n.clone())]);
        for y in &year_keys {
            rules.push(vec![BlockKey::Exact(n.clone()), y.clone()]);
        }
    }
    // A name's first letters with a place: meets misspelt names of people from one place.
    if let Some(n) = western_kept.last() {
        for p in place_cols.iter().chain(&text_places) {
            rules.push(vec![BlockKey::Prefix(n.clone(), 3), BlockKey::Exact(p.clone())]);
        }
    }
    for d in &dates {
        rules.push(vec![BlockKey::Exact(d.clone())]);
    }
    for c in &codes {
        let col = data.column(c).expect("inferred from the dataset");
        let values = sample(data, col);
        let distinct: std::collections::HashSet<&str> = values.iter().copied().collect();
        if distinct.len() * 2 >= values.len() {
            rules.push(vec![BlockKey::Exact(c.clone())]);
        }
    }
    if rules.is_empty() {
        if let Some(p) = place_cols.first() {
            rules.push(vec![BlockKey::Exact(p.clone())]);
        }
    }
    let blocking = budget_rules(data, rules, mode, &year_keys, &place_cols, &mut notes, progress)?;
    Ok(Inferred { fields, blocking, notes })
}

fn describe(c: &Compare) -> &'static str {
    match c {
        Compare::Exact => "exact",
        Compare::Sex => "sex (M/F, 남/여 and other spellings)",
        Compare::Name => "name (spelling similarity)",
        Compare::KoreanName => "Korean name",
        Compare::Year => "year (exact, ±1, ±2, ±3–4)",
        Compare::Date => "date",
        Compare::Place(_) => "place or facility (through the gazetteer)",
        Compare::Code => "code (exact or one edit)",
        Compare::Text => "text",
        Compare::Postcode => "postcode",
    }
}

/// Counts every rule's pairs before anything is compared; a rule over the budget is tightened
/// with a year, then a place (or dropped when neither is enough), and each decision is noted.
fn budget_rules(
    data: &Dataset,
    rules: Vec<Vec<BlockKey>>,
    mode: Mode,
    years: &[BlockKey],
    places: &[String],
    notes: &mut Vec<String>,
    progress: Progress<'_>,
) -> Result<Vec<Vec<BlockKey>>, LinkError> {
    let budget = rule_budget(data.len());
    let tighteners: Vec<BlockKey> = years.iter().cloned().chain(places.iter().map(|p| BlockKey::Exact(p.clone()))).collect();
    let mut kept: Vec<Vec<BlockKey>> = Vec::new();
    let total = rules.len() as u64;
    let mut index = BlockIndex::new(data);
    for (i, rule) in rules.into_iter().enumerate() {
        progress("counting candidate pairs", i as u64 + 1, total);
        let n = index.pair_count(&rule, mode)?;
        if n <= budget {
            notes.push(format!("blocking on {}: {n} candidate pairs", crate::engine::describe_rule(&rule)));
            if !kept.contains(&rule) {
                kept.push(rule);
            }
            continue;
        }
        let tightened = tighteners.iter().filter(|t| !rule.contains(t)).find_map(|t| {
            let r: Vec<BlockKey> = rule.iter().cloned().chain(std::iter::once(t.clone())).collect();
            let m = index.pair_count(&r, mode).ok()?;
            (m <= budget).then_some((r, m))
        });
        match tightened {
            Some((r, m)) => {
                notes.push(format!(
                    "blocking on {} would compare {n} pairs (budget {budget}); tightened to {}: {m} pairs",
                    crate::engine::describe_rule(&rule),
                    crate::engine::describe_rule(&r)
                ));
                if !kept.contains(&r) {
                    kept.push(r);
                }
            }
            None => notes.push(format!(
                "blocking on {} would compare {n} pairs (budget {budget}); dropped (name a tighter rule in a config file)",
                crate::engine::describe_rule(&rule)
            )),
        }
    }
    if kept.is_empty() {
        return Err(LinkError::OverBudget { budget });
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(columns: &[&str], rows: &[&[&str]]) -> Dataset {
        Dataset {
            columns: columns.iter().map(|s| s.to_string()).collect(),
            ids: (0..rows.len()).map(|i| format!("r{i}")).collect(),
            sources: vec![0; rows.len()],
            values: rows.iter().map(|r| r.iter().map(|v| Some(v.to_string()).filter(|s| !s.is_empty())).collect()).collect(),
        }
    }

    #[test]
    fn romanized_and_hangul_columns_become_one_korean_name_and_years_are_years() {
        // SYNTHETIC names.
        let rows: Vec<[&str; 5]> = (0..40)
            .map(|i| match i % 4 {
                0 => ["KIM Jun Hwan", "김준환", "1971", "M", ""],
                1 => ["Su Chong Kim", "", "1965년", "F", ""],
                2 => ["Ri Cholsu", "리철수", "", "M", ""],
                _ => ["Hong Hye-bok", "홍혜복", "1980", "F", ""],
            })
            .collect();
        let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
        let mut d = dataset(&["person", "hangul", "born", "sex", "notes"], &rows);
        let inf = infer(&mut d, "id", None, Mode::Dedupe, &mut |_, _, _| {}).unwrap();
        assert_eq!(inf.fields[0].column, "person+hangul");
        assert_eq!(inf.fields[0].compare, Compare::KoreanName);
        assert!(inf.fields.iter().any(|f| f.column == "born" && f.compare == Compare::Year));
        assert!(inf.fields.iter().any(|f| f.column == "sex" && f.compare == Compare::Sex));
        assert!(!inf.fields.iter().any(|f| f.column == "notes"));
        assert!(inf.blocking.contains(&vec![BlockKey::KoreanName("person+hangul".into())]));
    }

    #[test]
    fn a_rule_over_the_budget_is_tightened_or_dropped_and_said() {
        // 2,000 SYNTHETIC records sharing one surname: blocking on it alone is 2 million pairs.
        let rows: Vec<[String; 2]> = (0..2000).map(|i| ["Smith".to_string(), format!("{}", 1900 + i % 100)]).collect();
        let rows: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
        let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
        let d = dataset(&["surname", "birth_year"], &rows);
        let mut notes = Vec::new();
        let rules = budget_rules(
            &d,
            vec![vec![BlockKey::Exact("surname".into())]],
            Mode::Dedupe,
            &[BlockKey::Year("birth_year".into())],
            &[],
            &mut notes,
            &mut |_, _, _| {},
        )
        .unwrap();
        assert_eq!(rules, vec![vec![BlockKey::Exact("surname".into()), BlockKey::Year("birth_year".into())]]);
        assert!(notes[0].contains("would compare 1999000 pairs") && notes[0].contains("tightened"), "{notes:?}");
        // Nothing to tighten with: dropped, and with no rule left, an error that says why.
        let mut notes = Vec::new();
        let err = budget_rules(&d, vec![vec![BlockKey::Exact("surname".into())]], Mode::Dedupe, &[], &[], &mut notes, &mut |_, _, _| {}).unwrap_err();
        assert!(notes[0].contains("dropped"), "{notes:?}");
        assert!(err.to_string().contains("budget"), "{err}");
    }
}
