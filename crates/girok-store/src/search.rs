//! Full-text search inside the encrypted database, in English and Korean, with filters.
//!
//! The FTS5 index lives in the same SQLCipher file as the records and is written in the same
//! transaction, so it is encrypted and can never disagree with the records after a crash.
//! English goes through the Porter stemmer; Hangul is indexed as syllable bigrams (see
//! `girok_core::text`). Snippets are cut in Rust from the record's own text, because the index
//! is contentless (it stores no second copy of the evidence).

use girok_core::model::Kind;
use girok_core::text::{char_to_byte, hangul_bigrams, is_hangul, query_terms, QueryTerm};
use girok_core::vocab::{List, Vocabulary};
use girok_core::{Confidentiality, Day};

use rusqlite::types::Value;

use crate::archive::Archive;
use crate::error::StoreError;

/// A search request. Empty `text` lists records by filters alone.
#[derive(Clone, Debug)]
pub struct SearchQuery {
    pub text: String,
    pub kinds: Vec<Kind>,
    /// ESF act-type code; terms beneath it match too.
    pub act_type: Option<String>,
    /// Place id; everything inside it matches too.
    pub place: Option<String>,
    /// Keep records whose date could fall in `[from, to]`.
    pub from: Option<Day>,
    pub to: Option<Day>,
    pub source: Option<String>,
    /// The most confidential level the caller may see.
    pub max_confidentiality: Confidentiality,
    pub limit: usize,
    /// Rank every match instead of the most recent `RANK_WINDOW` (slower on very common terms).
    pub exhaustive: bool,
}

/// The full-text index numbers rows backwards (`FTS_ROWID_BASE − rid`), so that its natural
/// ascending order is newest first. FTS5 reads doclists forwards and can stop early and skip;
/// descending order makes it load each term's whole doclist, which for a word in a million
/// acts is megabytes of pages to decrypt.
pub(crate) const FTS_ROWID_BASE: i64 = 1 << 52;

pub(crate) fn fts_rowid(rid: i64) -> i64 {
    FTS_ROWID_BASE - rid
}

/// How many of the most recently added matches are ranked by relevance. A term that appears in
/// hundreds of thousands of acts would otherwise cost a BM25 evaluation per match on every query;
/// bounding it keeps search interactive on a million-act archive. `exhaustive` lifts the bound.
pub(crate) const RANK_WINDOW: usize = 500;

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            text: String::new(),
            kinds: Vec::new(),
            act_type: None,
            place: None,
            from: None,
            to: None,
            source: None,
            max_confidentiality: Confidentiality::Restricted,
            limit: 20,
            exhaustive: false,
        }
    }
}

/// One result.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub id: String,
    pub kind: String,
    pub title: String,
    /// Lower is better (FTS5 bm25 convention); 0 when there was no text query.
    pub score: f64,
    pub snippet: Snippet,
}

/// An excerpt with the byte ranges that matched, for the front end to highlight.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    pub marks: Vec<(usize, usize)>,
}

impl Snippet {
    /// Renders with `open`/`close` around each match (for terminals: ANSI or brackets).
    pub fn render(&self, open: &str, close: &str) -> String {
        let mut out = String::new();
        let mut pos = 0;
        for &(a, b) in &self.marks {
            out.push_str(&self.text[pos..a]);
            out.push_str(open);
            out.push_str(&self.text[a..b]);
            out.push_str(close);
            pos = b;
        }
        out.push_str(&self.text[pos..]);
        out
    }
}

fn token(prefix: &str, value: &str) -> String {
    let mut t = String::with_capacity(prefix.len() + value.len());
    t.push_str(prefix);
    t.extend(value.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()));
    t
}

/// Tokens every record carries: its kind and confidentiality.
/// `level` is the record's derived level (`edit::effective_level`: a retired record's is above
/// every ceiling, so no reader's search reaches it).
pub(crate) fn record_tokens(kind: Kind, level: i64) -> Vec<String> {
    vec![token("xk", kind.as_str()), format!("xc{level}")]
}

/// Longest date interval, in years, whose years are indexed one by one; longer or open ones are "wide".
const MAX_INDEXED_YEARS: i32 = 40;

/// Tokens from one facet row: the act type and its ancestors, the place and its ancestors
/// (`places`, space-separated, from the place closure), the source and the years spanned.
pub(crate) fn facet_tokens(out: &mut Vec<String>, act_type: Option<&str>, source: Option<&str>, start: Option<i32>, end: Option<i32>, places: Option<&str>) {
    if let Some(code) = act_type {
        for t in Vocabulary::builtin().ancestors(List::ActTypes, code) {
            out.push(token("xa", &t.code));
        }
        if Vocabulary::builtin().get(List::ActTypes, code).is_none() {
            out.push(token("xa", code));
        }
    }
    for p in places.unwrap_or("").split(' ').filter(|p| !p.is_empty()) {
        out.push(token("xp", p));
    }
    if let Some(s) = source {
        out.push(token("xs", s));
    }
    match (start, end) {
        (Some(a), Some(b)) if Day(b).year() - Day(a).year() <= MAX_INDEXED_YEARS => {
            for y in Day(a).year()..=Day(b).year() {
                out.push(format!("xy{y}"));
            }
        }
        (None, None) => {}
        _ => out.push("xywide".into()),
    }
}

/// The facet part of a MATCH expression: a superset of the exact filters, checked by FTS5 as
/// doclist intersections. The exact SQL filters still run on what it lets through.
fn facet_expression(q: &SearchQuery) -> Vec<String> {
    let mut parts = Vec::new();
    let quote = |toks: Vec<String>| format!("facets : ({})", toks.into_iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" OR "));
    // Kind and confidentiality are not selective enough to be worth a doclist merge (almost
    // every record is an internal act); SQL checks them exactly. They stay indexed for the case
    // where a query has nothing else to match on.
    let selective = q.act_type.is_some() || q.place.is_some() || q.source.is_some() || q.from.is_some() || q.to.is_some();
    if !q.kinds.is_empty() && !selective {
        parts.push(quote(q.kinds.iter().map(|k| token("xk", k.as_str())).collect()));
    }
    if let Some(code) = &q.act_type {
        parts.push(quote(vec![token("xa", code)]));
    }
    if let Some(place) = &q.place {
        parts.push(quote(vec![token("xp", place)]));
    }
    if let Some(source) = &q.source {
        parts.push(quote(vec![token("xs", source)]));
    }
    if q.from.is_some() || q.to.is_some() {
        let lo = q.from.map(|d| d.year()).unwrap_or(1900);
        let hi = q.to.map(|d| d.year()).unwrap_or(2100);
        if hi - lo <= 60 {
            let mut toks: Vec<String> = (lo..=hi).map(|y| format!("xy{y}")).collect();
            toks.push("xywide".into());
            parts.push(quote(toks));
        }
    }
    parts
}

/// Builds the FTS5 MATCH expression. Every term is quoted, so user input cannot inject syntax.
fn match_expression(terms: &[QueryTerm]) -> Option<String> {
    let mut parts = Vec::new();
    for t in terms {
        match t {
            QueryTerm::Word(w) => parts.push(format!("{{title body}} : \"{}\"", w.replace('"', ""))),
            QueryTerm::Phrase(p) => parts.push(format!("{{title body}} : \"{}\"", p.replace('"', ""))),
            QueryTerm::Hangul(h) => {
                let grams = hangul_bigrams(h);
                if h.chars().count() == 1 {
                    // One syllable: any bigram starting with it (a prefix query), a weak but useful match.
                    parts.push(format!("bigrams : \"{grams}\" *"));
                } else {
                    parts.push(format!("bigrams : \"{grams}\""));
                }
            }
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(" AND "))
    }
}

/// Text and facets together; `None` when there is neither. A query that is a name also
/// matches every spelling of it.
fn full_expression(terms: &[QueryTerm], q: &SearchQuery) -> Option<String> {
    let text = match (match_expression(terms), query_name_token(&q.text)) {
        (Some(t), Some(name)) => Some(format!("(({t}) OR facets : \"{name}\")")),
        (t, _) => t,
    };
    let mut parts: Vec<String> = text.into_iter().collect();
    parts.extend(facet_expression(q));
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(" AND "))
    }
}

impl Archive {
    /// Runs a search.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>, StoreError> {
        let terms = query_terms(&q.text);
        let has_text = match_expression(&terms).is_some();
        let expr = full_expression(&terms, q);
        let (filter_sql, filter_args) = filters(q);
        let mut hits;
        if let Some(expr) = &expr {
            // One pass over the newest matches (at most RANK_WINDOW of them, unless exhaustive),
            // scoring each with BM25 (title weighted 4x, facet tokens not at all), then keep
            // the best `limit`. Filters alone list the newest records first.
            // Filters alone list the newest records, so they need no more rows than shown.
            let window = if q.exhaustive {
                String::new()
            } else if has_text {
                format!(" LIMIT {RANK_WINDOW}")
            } else {
                format!(" LIMIT {}", q.limit.max(1))
            };
            let sql = format!(
                "SELECT {FTS_ROWID_BASE} - fts.rowid, bm25(fts, 4.0, 1.0, 1.0, 0.0) FROM fts JOIN record_meta r ON r.rid = {FTS_ROWID_BASE} - fts.rowid WHERE fts MATCH ?{filter_sql} ORDER BY fts.rowid{window}"
            );
            let mut args = vec![Value::Text(expr.clone())];
            args.extend(filter_args.iter().cloned());
            let mut scored: Vec<(f64, i64)> = {
                let mut stmt = self.conn().prepare_cached(&sql)?;
                let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| Ok((r.get::<_, f64>(1)?, r.get::<_, i64>(0)?)))?;
                rows.collect::<Result<_, _>>()?
            };
            if has_text {
                scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
            }
            scored.truncate(q.limit.max(1));
            hits = Vec::with_capacity(scored.len());
            let mut stmt = self.conn().prepare_cached("SELECT id, kind, title FROM records WHERE rid = ?1")?;
            for (score, rid) in scored {
                let (id, kind, title) = stmt.query_row([rid], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
                hits.push(Hit { id, kind, title, score: if has_text { score } else { 0.0 }, snippet: Snippet::default() });
            }
        } else {
            let sql = format!("SELECT r.id, r.kind, r.title, 0.0 AS score FROM records r WHERE 1{filter_sql} ORDER BY r.rid DESC LIMIT ?");
            let mut args = filter_args.clone();
            args.push(Value::Integer(q.limit.max(1) as i64));
            hits = self.collect_hits(&sql, args)?;
        }
        for hit in &mut hits {
            let text = self.snippet_source(&hit.id)?;
            hit.snippet = make_snippet(&text, &terms, 180);
            if hit.snippet.marks.is_empty() && !terms.is_empty() {
                // The match was in the title (a name, a label): show the title with its marks.
                let titled = make_snippet(&hit.title, &terms, 180);
                if !titled.marks.is_empty() {
                    hit.snippet = titled;
                }
            }
        }
        Ok(hits)
    }

    fn collect_hits(&self, sql: &str, args: Vec<Value>) -> Result<Vec<Hit>, StoreError> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, f64>(3)?))
        })?;
        let mut hits = Vec::new();
        for row in rows {
            let (id, kind, title, score) = row?;
            hits.push(Hit { id, kind, title, score, snippet: Snippet::default() });
        }
        Ok(hits)
    }

    fn snippet_source(&self, id: &str) -> Result<String, StoreError> {
        if Kind::of_id(id) == Some(Kind::Document) {
            if let Some(t) = self.document_text(id)? {
                return Ok(t);
            }
        }
        Ok(self.get(id)?.searchable_text())
    }
}

/// An act type and every narrower type beneath it: filtering by "torture" finds acts coded with
/// any kind of torture. A code outside the vocabulary stands for itself.
pub(crate) fn act_type_and_narrower(code: &str) -> Vec<String> {
    let vocab = Vocabulary::builtin();
    let codes: Vec<String> = vocab.terms(List::ActTypes).filter(|t| vocab.is_within(List::ActTypes, &t.code, code)).map(|t| t.code.clone()).collect();
    if codes.is_empty() {
        vec![code.to_string()]
    } else {
        codes
    }
}

/// The WHERE clauses (each starting with " AND") and arguments for everything but the text.
fn filters(q: &SearchQuery) -> (String, Vec<Value>) {
    let mut sql = String::new();
    let mut args: Vec<Value> = Vec::new();
    sql.push_str(" AND r.conf <= ?");
    args.push(Value::Integer(q.max_confidentiality as i64));
    if !q.kinds.is_empty() {
        sql.push_str(&format!(" AND r.kind IN ({})", vec!["?"; q.kinds.len()].join(",")));
        args.extend(q.kinds.iter().map(|k| Value::Text(k.as_str().to_string())));
    }
    let has_facet = q.act_type.is_some() || q.place.is_some() || q.from.is_some() || q.to.is_some() || q.source.is_some();
    if has_facet {
        sql.push_str(" AND EXISTS (SELECT 1 FROM facets f WHERE f.rid = r.rid");
        if let Some(code) = &q.act_type {
            let codes = act_type_and_narrower(code);
            sql.push_str(&format!(" AND f.act_type IN ({})", vec!["?"; codes.len()].join(",")));
            args.extend(codes.into_iter().map(Value::Text));
        }
        if let Some(place) = &q.place {
            sql.push_str(" AND f.place_id IN (SELECT place_id FROM place_ancestors WHERE ancestor_id = ?)");
            args.push(Value::Text(place.clone()));
        }
        // Overlap semantics: a record dated "1990s" may belong in a 1997 search; open bounds overlap.
        if let Some(from) = q.from {
            sql.push_str(" AND (f.date_end IS NULL OR f.date_end >= ?) AND (f.date_start IS NOT NULL OR f.date_end IS NOT NULL)");
            args.push(Value::Integer(from.0 as i64));
        }
        if let Some(to) = q.to {
            sql.push_str(" AND (f.date_start IS NULL OR f.date_start <= ?) AND (f.date_start IS NOT NULL OR f.date_end IS NOT NULL)");
            args.push(Value::Integer(to.0 as i64));
        }
        if let Some(source) = &q.source {
            sql.push_str(" AND f.source_id = ?");
            args.push(Value::Text(source.clone()));
        }
        sql.push(')');
    }
    (sql, args)
}

/// Finds where a term occurs: Hangul by substring, words by case-insensitive stem prefix at a
/// word start (so "tortured" highlights for "torture").
fn find_term(lower_text: &str, term: &QueryTerm) -> Option<(usize, usize)> {
    match term {
        QueryTerm::Hangul(h) => lower_text.find(h.as_str()).map(|p| (p, p + h.len())),
        QueryTerm::Word(w) | QueryTerm::Phrase(w) => {
            let first = w.split(' ').next().unwrap_or(w);
            let n_chars = first.chars().count();
            let stem: String = first.chars().take(if n_chars > 5 { n_chars - 2 } else { n_chars }).collect();
            let mut from = 0;
            while let Some(p) = lower_text[from..].find(stem.as_str()) {
                let at = from + p;
                let boundary = lower_text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
                if boundary {
                    let end = lower_text[at..].find(|c: char| !c.is_alphanumeric()).map(|e| at + e).unwrap_or(lower_text.len());
                    let end = if let QueryTerm::Phrase(_) = term { (at + w.len()).min(lower_text.len()).max(end) } else { end };
                    return Some((at, end));
                }
                from = at + stem.len();
            }
            None
        }
    }
}

/// Cuts an excerpt of about `width` characters around the first match, marking every match in it.
pub fn make_snippet(text: &str, terms: &[QueryTerm], width: usize) -> Snippet {
    // Lower-casing ASCII keeps byte offsets identical; non-ASCII case folding is left alone for that reason.
    let lower = text.to_ascii_lowercase();
    let first = terms.iter().filter_map(|t| find_term(&lower, t)).map(|(a, _)| a).min();
    let start_byte = match first {
        None => 0,
        Some(p) => {
            let char_pos = text[..p].chars().count();
            char_to_byte(text, char_pos.saturating_sub(width / 3))
        }
    };
    let end_byte = {
        let n_chars = text[start_byte..].chars().count();
        start_byte + char_to_byte(&text[start_byte..], width.min(n_chars))
    };
    let window = &text[start_byte..end_byte];
    let lower_window = &lower[start_byte..end_byte];
    let mut marks: Vec<(usize, usize)> = Vec::new();
    for t in terms {
        let mut from = 0;
        while from < lower_window.len() {
            match find_term(&lower_window[from..], t) {
                Some((a, b)) if b > a => {
                    marks.push((from + a, from + b));
                    from += b;
                }
                _ => break,
            }
        }
    }
    marks.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for m in marks {
        match merged.last_mut() {
            Some(last) if m.0 <= last.1 => last.1 = last.1.max(m.1),
            _ => merged.push(m),
        }
    }
    let prefix = if start_byte > 0 { "…" } else { "" };
    let suffix = if end_byte < text.len() { "…" } else { "" };
    let flat: String = format!("{prefix}{window}{suffix}");
    let shift = prefix.len();
    // Newlines become spaces so a snippet is one line; byte lengths are unchanged.
    let flat = flat.replace(['\n', '\r', '\t'], " ");
    let _ = is_hangul;
    Snippet { text: flat, marks: merged.into_iter().map(|(a, b)| (a + shift, b + shift)).collect() }
}

/// The token of a full name in any script or spelling: `xn` and the linkage crate's canonical
/// key (surname key and loose given-name key), so "Hong Hyebok", "Hong Hye-bok", "Hong Hye
/// Bok", "Hong Hyepok" and 홍혜복 give one token. `None` for a name without both parts.
pub(crate) fn name_token(full: &str) -> Option<String> {
    let (surname, given) = girok_linkage::korean::name_key(full);
    (!surname.is_empty() && !given.is_empty()).then(|| token("xn", &format!("{surname}{given}")))
}

/// Full names a text may mention, for `name_token`: each run of three Hangul syllables opening
/// with a surname (particles attached after it are cut off), and each capitalised romanized
/// surname with the one or two capitalised words after it ("Kim Chol-su", "Hong Hye Bok") or
/// before it ("Hyebok Hong"). Over-generous on purpose: a stray token costs a posting, a missed
/// name a missed witness.
pub(crate) fn mentioned_names(text: &str) -> Vec<String> {
    use girok_linkage::korean::surname_key;
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !is_syllable(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_syllable(chars[i]) {
            i += 1;
        }
        if i - start >= 3 && surname_key(&chars[start].to_string()).is_some() {
            out.push(chars[start..start + 3].iter().collect());
        }
    }
    let words: Vec<&str> = text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'' || c == '’')).filter(|w| !w.is_empty()).collect();
    let capital = |w: &str| w.chars().next().is_some_and(|c| c.is_uppercase()) && !w.chars().any(is_syllable);
    let short = |w: &str| w.chars().count() <= 5;
    for (k, w) in words.iter().enumerate() {
        if !capital(w) || surname_key(w).is_none() {
            continue;
        }
        if let Some(next) = words.get(k + 1).filter(|n| capital(n)) {
            out.push(format!("{w} {next}"));
            if let Some(third) = words.get(k + 2).filter(|t| capital(t) && short(next) && short(t)) {
                out.push(format!("{w} {next}{third}"));
            }
        }
        if k >= 1 && capital(words[k - 1]) && surname_key(words[k - 1]).is_none() {
            out.push(format!("{} {w}", words[k - 1]));
            if k >= 2 && capital(words[k - 2]) && short(words[k - 1]) && short(words[k - 2]) {
                out.push(format!("{}{} {w}", words[k - 2], words[k - 1]));
            }
        }
    }
    out
}

fn is_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// The name token of a query that is a name (two or three words with a surname first or last,
/// or two to four Hangul syllables opening with a surname), to find every spelling of it.
pub(crate) fn query_name_token(text: &str) -> Option<String> {
    use girok_linkage::korean::surname_key;
    let t = text.trim();
    let syllables: Vec<char> = t.chars().filter(|c| !c.is_whitespace()).collect();
    if syllables.iter().all(|c| is_syllable(*c)) {
        return (2..=4).contains(&syllables.len()).then(|| surname_key(&syllables[0].to_string())).flatten().and_then(|_| name_token(t));
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let named = (2..=3).contains(&words.len()) && (surname_key(words[0]).is_some() || surname_key(words[words.len() - 1]).is_some());
    if !named {
        return None;
    }
    // "Hong Hye Bok": the given name's syllables are one given name.
    let joined = if words.len() == 3 && surname_key(words[0]).is_some() { format!("{} {}{}", words[0], words[1], words[2]) } else { t.to_string() };
    name_token(&joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_marks_english_stems_and_hangul() {
        let text = "He said he was tortured at the 요덕수용소 camp in winter.";
        let s = make_snippet(text, &query_terms("torture 수용소"), 200);
        assert_eq!(s.render("[", "]"), "He said he was [tortured] at the 요덕[수용소] camp in winter.");
    }

    #[test]
    fn match_expression_quotes_everything() {
        let e = match_expression(&query_terms("NEAR(a b) 수용소 \"labour camp\"")).unwrap();
        assert_eq!(
            e,
            "{title body} : \"near\" AND {title body} : \"a\" AND {title body} : \"b\" AND bigrams : \"수용 용소\" AND {title body} : \"labour camp\""
        );
    }
}
