//! Briefings as saved documents: settings, chosen indicators and estimates, and the
//! organisation's own sections, kept in the archive (every version in the audit chain) and run
//! again whenever the archive changes. `girok publish`, `girok briefing` and the web editor all
//! call these functions: validating, checking every reference against the level, and
//! rendering happen once, here.

use girok_core::model::{Kind, Record};
use girok_core::Confidentiality;
use girok_store::{ActCounts, Archive, BriefingOptions, Role};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::error::DomainError;

/// A saved briefing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BriefingTemplate {
    /// Its name: lowercase letters, digits and dashes.
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    /// `en` or `ko`.
    #[serde(default = "english")]
    pub lang: String,
    /// Highest level counted and cited; public unless said otherwise.
    #[serde(default = "public")]
    pub level: Confidentiality,
    /// Counts below this are withheld.
    #[serde(default = "five")]
    pub min_cell: u64,
    /// Indicator series quoted (ids); absent: every series at the level.
    #[serde(default)]
    pub indicators: Option<Vec<String>>,
    /// Act types to estimate what stays hidden for (codes or labels).
    #[serde(default)]
    pub estimates: Vec<String>,
    #[serde(default)]
    pub sections: Vec<SectionSpec>,
}

fn english() -> String {
    "en".into()
}

fn public() -> Confidentiality {
    Confidentiality::Public
}

fn five() -> u64 {
    5
}

/// One of the organisation's sections.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionSpec {
    pub heading: String,
    /// `narrative` (before the figures) or `recommendations` (after them).
    #[serde(default = "narrative")]
    pub kind: String,
    /// Markdown: headings, emphasis, lists, links, and `[[record-id]]` references.
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub recommendations: Vec<RecommendationSpec>,
}

fn narrative() -> String {
    "narrative".into()
}

/// A call on someone: to whom, what, by when.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendationSpec {
    pub to: String,
    pub what: String,
    #[serde(default)]
    pub when: String,
}

impl BriefingTemplate {
    /// Reads the TOML form people write (`girok briefing save FILE`, the web editor).
    pub fn from_toml(text: &str) -> Result<BriefingTemplate, DomainError> {
        toml::from_str(text).map_err(|e| DomainError::invalid("briefing", e.to_string()))
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a template is plain data")
    }

    fn options(&self) -> BriefingOptions {
        BriefingOptions { level: self.level, lang: self.lang.clone(), min_cell: self.min_cell, title: self.title.clone(), indicators: self.indicators.clone() }
    }

    /// Everything that can be checked without the archive.
    fn check_shape(&self) -> Result<(), DomainError> {
        if !girok_store::valid_briefing_name(&self.name) {
            return Err(DomainError::invalid("name", format!("{:?}: use 1 to 64 lowercase letters, digits and dashes", self.name)));
        }
        if !matches!(self.lang.as_str(), "en" | "ko") {
            return Err(DomainError::invalid("lang", format!("{:?}: en or ko", self.lang)));
        }
        if self.min_cell == 0 {
            return Err(DomainError::invalid("min_cell", "at least 1 (1 withholds nothing)"));
        }
        for s in &self.sections {
            if s.heading.trim().is_empty() {
                return Err(DomainError::invalid("sections", "every section needs a heading"));
            }
            if !matches!(s.kind.as_str(), "narrative" | "recommendations") {
                return Err(DomainError::invalid("sections", format!("section {:?}: kind {:?} is narrative or recommendations", s.heading, s.kind)));
            }
            for r in &s.recommendations {
                if r.to.trim().is_empty() || r.what.trim().is_empty() {
                    return Err(DomainError::invalid("recommendations", format!("section {:?}: every recommendation says to whom and what", s.heading)));
                }
            }
        }
        Ok(())
    }
}

fn may_publish(actor: &Actor, level: Confidentiality) -> Result<(), DomainError> {
    if !matches!(actor.role, Role::Admin | Role::Analyst) {
        return Err(DomainError::Forbidden("briefings are for analysts and admins".into()));
    }
    if level > actor.ceiling() {
        return Err(DomainError::Forbidden(format!("a briefing at the {} level is above what you may see", level.as_str())));
    }
    Ok(())
}

/// A public image's or PDF's file for publication beside a briefing, without its metadata
/// (device, capture time, GPS position, author), with what was removed.
pub fn publication_copy(archive: &Archive, actor: &Actor, doc_id: &str) -> Result<(girok_core::model::Document, girok_extract::strip::Stripped), DomainError> {
    may_publish(actor, Confidentiality::Public)?;
    Ok(archive.publication_copy(doc_id)?)
}

/// Saves a new version of a template, after checking it as publishing would (so a template
/// that cannot be published is not saved).
pub fn save(archive: &mut Archive, actor: &Actor, t: &BriefingTemplate) -> Result<(), DomainError> {
    t.check_shape()?;
    may_publish(actor, t.level)?;
    resolve_references(archive, actor, t)?;
    let json = serde_json::to_string(t).expect("a template is plain data");
    archive.write(&actor.username, |w| w.save_briefing(&t.name, &json))?;
    Ok(())
}

/// The newest version of a saved template.
pub fn load(archive: &Archive, actor: &Actor, name: &str) -> Result<BriefingTemplate, DomainError> {
    may_publish(actor, Confidentiality::Public)?;
    let text = archive.briefing_template(name)?.ok_or_else(|| DomainError::NotFound(format!("briefing {name:?}")))?;
    serde_json::from_str(&text).map_err(|e| DomainError::invalid("briefing", format!("saved briefing {name:?} cannot be read: {e}")))
}

/// The saved templates: (name, when last saved, by whom).
pub fn list(archive: &Archive, actor: &Actor) -> Result<Vec<(String, String, String)>, DomainError> {
    may_publish(actor, Confidentiality::Public)?;
    Ok(archive.briefing_templates()?)
}

/// The kinds a briefing may cite. Persons and sources never: a public page naming a victim or
/// pointing at a witness is exactly what Girok exists to prevent.
const CITABLE: [Kind; 6] = [Kind::Event, Kind::Act, Kind::Indicator, Kind::Document, Kind::Place, Kind::Provision];

/// Every record the sections cite, described in the briefing's language, or the first
/// reference that may not be published, named by section and id (never by its content).
fn resolve_references(archive: &Archive, actor: &Actor, t: &BriefingTemplate) -> Result<Vec<girok_publish::Reference>, DomainError> {
    let ko = t.lang == "ko";
    let vocab = girok_core::Vocabulary::builtin();
    let mut out: Vec<girok_publish::Reference> = Vec::new();
    for s in &t.sections {
        let texts = std::iter::once(s.text.as_str()).chain(s.recommendations.iter().map(|r| r.what.as_str()));
        for id in texts.flat_map(girok_publish::markdown::references) {
            if out.iter().any(|r| r.id == id) {
                continue;
            }
            let record = match archive.get_for(&id, t.level, false) {
                Ok(v) => v.record,
                Err(girok_store::StoreError::NotFound(_)) => {
                    // Above the level, or nothing the actor may see: said without its content,
                    // and without confirming to a reader below its level that it exists.
                    let visible = archive.get_for(&id, actor.ceiling(), false).is_ok();
                    return Err(DomainError::invalid(
                        "sections",
                        if visible {
                            format!(
                                "section {:?} cites [[{id}]], a record above the briefing's {} level; cite records at or below it",
                                s.heading,
                                t.level.as_str()
                            )
                        } else {
                            format!("section {:?} cites [[{id}]]: no such record", s.heading)
                        },
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            if !CITABLE.contains(&record.kind()) {
                return Err(DomainError::invalid(
                    "sections",
                    format!(
                        "section {:?} cites [[{id}]], a {}: briefings cite events, acts, indicators, provisions, documents and places, never persons or sources",
                        s.heading,
                        record.kind().as_str()
                    ),
                ));
            }
            let place_name = |p: &Option<String>| -> Option<String> {
                let id = p.as_ref()?;
                match archive.get_for(id, t.level, false).ok()?.record {
                    Record::Place(p) => Some(if ko { p.name_ko.clone().unwrap_or(p.name) } else { p.name }),
                    _ => None,
                }
            };
            let detail = |parts: Vec<Option<String>>| -> String {
                let parts: Vec<String> = parts.into_iter().flatten().collect();
                if parts.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", parts.join(", "))
                }
            };
            let text = match &record {
                Record::Event(e) => format!("{}{}", e.title, detail(vec![e.date.as_ref().and_then(span), place_name(&e.place)])),
                Record::Act(a) => {
                    let label = vocab
                        .get(girok_core::List::ActTypes, &a.act_type)
                        .map(|x| if ko { x.ko.clone().unwrap_or_else(|| x.en.clone()) } else { x.en.clone() })
                        .unwrap_or_else(|| a.act_type.clone());
                    format!("{label}{}", detail(vec![a.date.as_ref().and_then(span), place_name(&a.place)]))
                }
                Record::Indicator(i) => {
                    let last = i.values.iter().max_by_key(|v| (v.year, v.to_year));
                    format!("{}{}: {}", i.name, last.map(|v| format!(", {} {} in {}", v.value, i.unit, v.year)).unwrap_or_default(), i.source)
                }
                Record::Provision(p) => {
                    let (label, title) = (p.label_in(ko), p.title_in(ko));
                    if title.is_empty() {
                        label
                    } else {
                        format!("{label}: {title}")
                    }
                }
                other => other.title().to_string(),
            };
            out.push(girok_publish::Reference { id, text });
        }
    }
    Ok(out)
}

/// A date as a briefing cites it, in any language: as precise as it is known ("2013-07-19",
/// "2005-03", "2012", "2000–2001"), never the documenter's words (which may be in another
/// language than the briefing's).
fn span(d: &girok_core::UncertainDate) -> Option<String> {
    let (e, l) = (d.earliest?.ymd(), d.latest?.ymd());
    Some(if e == l {
        format!("{:04}-{:02}-{:02}", e.0, e.1, e.2)
    } else if (e.0, e.1) == (l.0, l.1) {
        format!("{:04}-{:02}", e.0, e.1)
    } else if e.0 == l.0 {
        format!("{:04}", e.0)
    } else {
        format!("{:04}–{:04}", e.0, l.0)
    })
}

/// The briefing a template gives on the archive as it is now: counts (from `counts` when the
/// caller keeps them for the level, as the web application does), estimates, the
/// organisation's sections and the records they cite, every one checked against the level.
pub fn build(archive: &Archive, actor: &Actor, t: &BriefingTemplate, counts: Option<&ActCounts>) -> Result<girok_publish::Briefing, DomainError> {
    t.check_shape()?;
    may_publish(actor, t.level)?;
    let references = resolve_references(archive, actor, t)?;
    let options = t.options();
    let mut briefing = match counts {
        Some(c) => archive.briefing_from(c, &options)?,
        None => archive.briefing(&options)?,
    };
    for act_type in &t.estimates {
        let e = crate::estimation::for_briefing(archive, actor, act_type, &options).map_err(|e| match e {
            DomainError::Invalid { message, .. } => DomainError::invalid("estimates", format!("{act_type:?}: {message}")),
            other => other,
        })?;
        briefing.estimates.push(e);
    }
    briefing.sections = t
        .sections
        .iter()
        .map(|s| girok_publish::Section {
            kind: if s.kind == "recommendations" { girok_publish::SectionKind::Recommendations } else { girok_publish::SectionKind::Narrative },
            heading: s.heading.clone(),
            text: s.text.clone(),
            recommendations: s
                .recommendations
                .iter()
                .map(|r| girok_publish::Recommendation { to: r.to.clone(), what: r.what.clone(), when: r.when.clone() })
                .collect(),
        })
        .collect();
    briefing.references = references;
    Ok(briefing)
}

/// The briefing's files: the page, its tables, `briefing.pdf` from the same content, and the
/// manifest of them all; byte-identical for the same archive state and template.
pub fn render(archive: &Archive, actor: &Actor, t: &BriefingTemplate, counts: Option<&ActCounts>) -> Result<Vec<girok_publish::File>, DomainError> {
    files(&build(archive, actor, t, counts)?)
}

/// The files of a built briefing, PDF included.
pub fn files(b: &girok_publish::Briefing) -> Result<Vec<girok_publish::File>, DomainError> {
    let pdf = girok_pdf::briefing_pdf(b, fonts()?).map_err(|e| DomainError::invalid("pdf", e.to_string()))?;
    Ok(girok_publish::render_with(b, vec![girok_publish::File { name: "briefing.pdf".into(), bytes: pdf, withheld: None }]))
}

/// The fonts PDFs are typeset with, read once per process.
fn fonts() -> Result<&'static [Vec<u8>], DomainError> {
    static FONTS: std::sync::OnceLock<Result<Vec<Vec<u8>>, String>> = std::sync::OnceLock::new();
    FONTS.get_or_init(|| girok_pdf::system_fonts().map_err(|e| e.to_string())).as_deref().map_err(|e| DomainError::invalid("pdf", e.clone()))
}
