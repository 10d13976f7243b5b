//! The organisation's own sections in a briefing (narrative, and recommendations to whom, what,
//! by when), and the list of records they cite. References are resolved by the caller, which
//! checks each against the briefing's level before anything is rendered; here they are only
//! numbered in order of first appearance.

use crate::markdown;
use crate::render::esc;

/// What a section is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SectionKind {
    #[default]
    Narrative,
    /// Calls on the government and others (ESF "interventions"): each to whom, what, by when.
    Recommendations,
}

/// A recommendation: who is called on, to do what, by when.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recommendation {
    pub to: String,
    pub what: String,
    pub when: String,
}

/// One section, in the briefing's language.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Section {
    pub kind: SectionKind,
    pub heading: String,
    /// Markdown (`crate::markdown`), with `[[record-id]]` references.
    pub text: String,
    pub recommendations: Vec<Recommendation>,
}

/// A record a section cites, described in the briefing's language (title, date, place; a
/// value with its source), as the caller resolved it at the briefing's level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reference {
    pub id: String,
    pub text: String,
}

/// Numbers references by first appearance across the sections.
pub(crate) struct Numbering<'a> {
    known: &'a [Reference],
    pub(crate) order: Vec<&'a Reference>,
}

impl<'a> Numbering<'a> {
    pub(crate) fn new(known: &'a [Reference]) -> Numbering<'a> {
        Numbering { known, order: Vec::new() }
    }

    /// The reference's number, or `None` for an id the caller did not resolve (never rendered
    /// as anything but a mark: the caller refuses such a briefing before this).
    pub(crate) fn number(&mut self, id: &str) -> Option<usize> {
        if let Some(i) = self.order.iter().position(|r| r.id == id) {
            return Some(i + 1);
        }
        let r = self.known.iter().find(|r| r.id == id)?;
        self.order.push(r);
        Some(self.order.len())
    }
}

/// The words of the organisation's sections in the briefing's language.
pub struct Words {
    pub to: &'static str,
    pub what: &'static str,
    pub when: &'static str,
    pub cited: &'static str,
}

pub fn words(lang: &str) -> Words {
    if lang == "ko" {
        Words { to: "대상", what: "권고 내용", when: "시한", cited: "인용한 기록" }
    } else {
        Words { to: "To", what: "What", when: "By when", cited: "Records cited" }
    }
}

pub(crate) fn html(s: &Section, numbers: &mut Numbering, w: &Words) -> String {
    let mut mark = |id: &str| match numbers.number(id) {
        Some(n) => format!("<sup><a href=\"#ref-{n}\">[{n}]</a></sup>"),
        None => "<sup>[?]</sup>".to_string(),
    };
    let mut h = format!("<h2>{}</h2>\n", esc(&s.heading));
    h.push_str(&markdown::to_html(&s.text, 3, &mut mark));
    if !s.recommendations.is_empty() {
        h.push_str(&format!(
            "<table class=\"recommendations\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
            esc(w.to),
            esc(w.what),
            esc(w.when)
        ));
        for r in &s.recommendations {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&r.to),
                markdown::to_html(&r.what, 4, &mut mark).trim_start_matches("<p>").trim_end_matches("</p>\n"),
                esc(&r.when)
            ));
        }
        h.push_str("</tbody></table>\n");
    }
    h
}

pub(crate) fn cited(numbers: &Numbering, w: &Words) -> String {
    if numbers.order.is_empty() {
        return String::new();
    }
    let mut h = format!("<h2>{}</h2>\n<ol class=\"cited\">\n", esc(w.cited));
    for (i, r) in numbers.order.iter().enumerate() {
        h.push_str(&format!("<li id=\"ref-{}\">{} <span class=\"meta\">({})</span></li>\n", i + 1, esc(&r.text), esc(&r.id)));
    }
    h.push_str("</ol>\n");
    h
}
