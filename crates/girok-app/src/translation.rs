//! Translations: a document recorded as the translation of another (language, translator,
//! date), both shown side by side, and a passage of the translation traced to the passage of
//! the original it renders, so a citation of the English text of a Korean testimony still
//! points at the witness's own words.

use girok_core::model::{Citation, Document, Record, TranslationOf};
use girok_store::Archive;

use crate::actor::Actor;
use crate::error::DomainError;

fn document(archive: &Archive, actor: &Actor, id: &str) -> Result<Document, DomainError> {
    match archive.get_for(id, actor.ceiling(), false)?.record {
        Record::Document(d) => Ok(d),
        _ => Err(DomainError::invalid("document", format!("{id} is not a document"))),
    }
}

/// Records `translation` as a translation of `original` into `language`, one audited change.
pub fn record_translation(
    archive: &mut Archive,
    actor: &Actor,
    translation: &str,
    original: &str,
    language: Option<&str>,
    translator: Option<&str>,
    date: Option<&str>,
) -> Result<i64, DomainError> {
    if !actor.can_edit() {
        return Err(DomainError::Forbidden(format!("{} ({}) may not change documents", actor.username, actor.role.as_str())));
    }
    let mut doc = document(archive, actor, translation)?;
    let version = archive.version(translation)?;
    document(archive, actor, original).map_err(|_| DomainError::invalid("original", format!("no document {original:?}")))?;
    if translation == original {
        return Err(DomainError::invalid("original", "a document cannot be its own translation"));
    }
    let keep = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    doc.translation_of = Some(TranslationOf { original: original.to_string(), translator: keep(translator), date: keep(date) });
    if let Some(l) = keep(language) {
        doc.language = Some(l);
    }
    Ok(archive.write(&actor.username, |w| w.put_at(Record::Document(doc), version))?)
}

/// Paragraph boundaries of a text: (start, end) in characters of each paragraph, paragraphs
/// being separated by blank lines or page breaks.
fn paragraphs(text: &str) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut start: Option<u64> = None;
    let mut end = 0u64;
    let mut pos = 0u64;
    for page in text.split('\u{c}') {
        for line in page.split('\n') {
            let n = line.chars().count() as u64;
            if line.trim().is_empty() {
                if let Some(s) = start.take() {
                    out.push((s, end));
                }
            } else {
                if start.is_none() {
                    start = Some(pos + (n - line.trim_start().chars().count() as u64));
                }
                end = pos + line.trim_end().chars().count() as u64;
            }
            pos += n + 1;
        }
        if let Some(s) = start.take() {
            out.push((s, end));
        }
    }
    out
}

/// The passage of the original that a passage of a translation renders: paragraphs are
/// aligned in order when both texts have as many (translators keep paragraphs), otherwise by
/// relative position. `None` when the cited document is no translation or has no span.
pub fn original_passage(archive: &Archive, actor: &Actor, citation: &Citation) -> Result<Option<Citation>, DomainError> {
    let doc = document(archive, actor, &citation.document)?;
    let (Some(t), Some((a, b))) = (&doc.translation_of, citation.span) else { return Ok(None) };
    // An original above the reader's level is not pointed at.
    if document(archive, actor, &t.original).is_err() {
        return Ok(None);
    }
    let (Some(tt), Some(ot)) = (archive.document_text(&doc.id)?, archive.document_text(&t.original)?) else { return Ok(None) };
    let (tp, op) = (paragraphs(&tt), paragraphs(&ot));
    if tp.is_empty() || op.is_empty() {
        return Ok(None);
    }
    let first = tp.iter().position(|p| p.1 > a).unwrap_or(tp.len() - 1);
    let last = tp.iter().rposition(|p| p.0 < b).unwrap_or(first).max(first);
    let map = |i: usize| if tp.len() == op.len() { i } else { (i * op.len() / tp.len()).min(op.len() - 1) };
    let (s, e) = (op[map(first)].0, op[map(last)].1);
    Ok(Some(Citation { document: t.original.clone(), span: Some((s, e)) }))
}

#[cfg(test)]
mod tests {
    use super::paragraphs;

    #[test]
    fn paragraphs_are_split_on_blank_lines_and_form_feeds() {
        let t = "첫째 문단.\n둘째 줄.\n\n둘째 문단.\u{c}셋째";
        let p = paragraphs(t);
        assert_eq!(p.len(), 3, "{p:?}");
        let text: Vec<String> = p.iter().map(|(a, b)| t.chars().skip(*a as usize).take((*b - *a) as usize).collect()).collect();
        assert_eq!(text, vec!["첫째 문단.\n둘째 줄.", "둘째 문단.", "셋째"]);
    }
}
