//! National law in a briefing: the provisions acts were charged or punished under, quoted with
//! their text in both languages where it is public, what treaty bodies said of them, and where
//! the text comes from. How many acts cite each is a table of its own, suppressed like the rest.

use crate::render::esc;

/// One provision as the briefing quotes it, already in the reader's language where it has one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LawProvision {
    /// The record id, so a section's `[[law-…]]` reference points at the quotation.
    pub id: String,
    /// "Criminal Code of the DPRK (1999), art. 44".
    pub label: String,
    pub title: String,
    pub max_penalty: Option<String>,
    /// The text in the briefing's language, then in the other, each only where it is known.
    pub text: String,
    pub text_other: String,
    pub commentary: String,
    pub source: String,
}

/// The briefing's words for this part.
pub struct LawWords {
    pub heading: &'static str,
    pub intro: &'static str,
    pub penalty: &'static str,
    pub not_public: &'static str,
    pub said: &'static str,
}

pub fn words(lang: &str) -> LawWords {
    if lang == "ko" {
        LawWords {
            heading: "국내법 조항",
            intro: "기록된 행위가 근거로 삼은 국내법 조항입니다. 각 조항을 인용한 행위의 수는 위 표에 있습니다.",
            penalty: "최고형",
            not_public: "조문이 공개되지 않았습니다.",
            said: "평가",
        }
    } else {
        LawWords {
            heading: "National law",
            intro: "The provisions of national law the documented acts were charged or punished under. How many acts cite each is in the table above.",
            penalty: "Heaviest penalty",
            not_public: "The text is not public.",
            said: "What has been said of it",
        }
    }
}

/// The quotations as HTML.
pub(crate) fn html(provisions: &[LawProvision], lang: &str) -> String {
    if provisions.is_empty() {
        return String::new();
    }
    let w = words(lang);
    let mut h = format!("<h2>{}</h2>\n<p class=\"note\">{}</p>\n", esc(w.heading), esc(w.intro));
    for p in provisions {
        let title = if p.title.is_empty() { String::new() } else { format!(": {}", esc(&p.title)) };
        h.push_str(&format!("<h3 id=\"{}\">{}{title}</h3>\n", esc(&p.id), esc(&p.label)));
        if let Some(pen) = &p.max_penalty {
            h.push_str(&format!("<p class=\"meta\">{}: {}</p>\n", esc(w.penalty), esc(pen)));
        }
        match (p.text.is_empty(), p.text_other.is_empty()) {
            (true, true) => h.push_str(&format!("<p class=\"note\">{}</p>\n", esc(w.not_public))),
            _ => {
                for t in [&p.text, &p.text_other].into_iter().filter(|t| !t.is_empty()) {
                    h.push_str(&format!("<blockquote>{}</blockquote>\n", esc(t)));
                }
            }
        }
        if !p.commentary.is_empty() {
            h.push_str(&format!("<p>{}: “{}”</p>\n", esc(w.said), esc(&p.commentary)));
        }
        if !p.source.is_empty() {
            h.push_str(&format!("<p class=\"note\">{}</p>\n", esc(&p.source)));
        }
    }
    h
}
