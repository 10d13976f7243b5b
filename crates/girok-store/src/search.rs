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
}

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

impl Archive {
    /// Runs a search.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>, StoreError> {
        let terms = query_terms(&q.text);
        let expr = match_expression(&terms);
        let mut sql = String::new();
        let mut args: Vec<Value> = Vec::new();
        if let Some(expr) = &expr {
            sql.push_str("SELECT r.id, r.kind, r.title, bm25(fts, 4.0, 1.0, 1.0) AS score FROM fts JOIN records r ON r.rid = fts.rowid WHERE fts MATCH ?");
            args.push(Value::Text(expr.clone()));
        } else {
            sql.push_str("SELECT r.id, r.kind, r.title, 0.0 AS score FROM records r WHERE 1");
        }
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
                let vocab = Vocabulary::builtin();
                let codes: Vec<String> = vocab.terms(List::ActTypes).filter(|t| vocab.is_within(List::ActTypes, &t.code, code)).map(|t| t.code.clone()).collect();
                let codes = if codes.is_empty() { vec![code.clone()] } else { codes };
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
        if expr.is_some() {
            sql.push_str(" ORDER BY score, r.id LIMIT ?");
        } else {
            sql.push_str(" ORDER BY r.id LIMIT ?");
        }
        args.push(Value::Integer(q.limit.max(1) as i64));
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, f64>(3)?)))?;
        let mut hits = Vec::new();
        for row in rows {
            let (id, kind, title, score) = row?;
            hits.push(Hit { id, kind, title, score, snippet: Snippet::default() });
        }
        for hit in &mut hits {
            let text = self.snippet_source(&hit.id)?;
            hit.snippet = make_snippet(&text, &terms, 180);
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
        assert_eq!(e, "{title body} : \"near\" AND {title body} : \"a\" AND {title body} : \"b\" AND bigrams : \"수용 용소\" AND {title body} : \"labour camp\"");
    }
}
