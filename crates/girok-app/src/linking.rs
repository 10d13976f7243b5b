//! Proposing duplicate persons: Korean-aware names, birth dates, origin and sex, blocked on the
//! canonical name key; pairs at or above a threshold go to the review queue, where a person
//! decides (`accounts::decide_review`). Nothing is merged here.

use girok_core::model::PlaceKind;
use girok_core::model::{Kind, Record, Script};
use girok_linkage::places::{Gazetteer, Level, PlaceEntry};
use girok_linkage::{BlockKey, Compare, Config, Dataset, FieldSpec, Mode, Places};
use girok_store::{Archive, Role};

use crate::actor::Actor;
use crate::error::DomainError;

/// What a linking run proposed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposed {
    pub compared: usize,
    pub candidate_pairs: u64,
    /// New proposals (a pair already queued is not queued again).
    pub queued: usize,
}

/// Girok's built-in gazetteer as linkage resolves places through it: every name, Korean name,
/// alias and the id itself (so a coded origin, which is an id, resolves too). Built once.
pub fn places() -> Places {
    static BUILT: std::sync::OnceLock<Places> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let entries = girok_core::gazetteer::builtin_places().into_iter().map(|p| {
                let level = match p.kind {
                    PlaceKind::Country => Level::Country,
                    PlaceKind::Province => Level::Province,
                    PlaceKind::County | PlaceKind::Town | PlaceKind::Other => Level::Town,
                    _ => Level::Facility,
                };
                let mut names = vec![p.id.clone(), p.name.clone()];
                names.extend(p.name_ko.clone());
                names.extend(p.aliases.iter().map(|a| a.text.clone()));
                PlaceEntry { id: p.id, parent: p.parent, level, names }
            });
            Places(std::sync::Arc::new(Gazetteer::new(entries)))
        })
        .clone()
}

/// The match probability at which person pairs are proposed, unless told otherwise: low,
/// since a person decides each one.
pub const PERSON_THRESHOLD: f64 = 0.5;

/// Proposes pairs of persons the actor may see that may be the same person.
pub fn propose_duplicate_persons(archive: &mut Archive, actor: &Actor, threshold: f64) -> Result<Proposed, DomainError> {
    if actor.role == Role::Viewer {
        return Err(DomainError::Forbidden("viewers do not propose merges".into()));
    }
    let d = person_dataset(archive, actor.ceiling())?;
    if d.len() < 2 {
        return Err(DomainError::invalid("persons", "fewer than two persons in the archive; nothing to link"));
    }
    let config = Config {
        fields: vec![
            FieldSpec { column: "name".into(), compare: Compare::KoreanName, term_frequency: true },
            FieldSpec { column: "birth".into(), compare: Compare::Year, term_frequency: false },
            FieldSpec { column: "origin".into(), compare: Compare::Place(places()), term_frequency: false },
            FieldSpec { column: "sex".into(), compare: Compare::Sex, term_frequency: false },
        ],
        blocking: vec![vec![BlockKey::KoreanName("name".into())], vec![BlockKey::KoreanSurname("name".into()), BlockKey::Year("birth".into())]],
        mode: Mode::Dedupe,
        max_pairs: 20_000_000,
        threshold,
        em_iterations: 40,
        u_samples: 100_000,
        seed: 1,
        one_per_source: false,
        min_support: 0.05,
    };
    let linkage = |e: girok_linkage::LinkError| DomainError::invalid("linkage", e.to_string());
    let result = girok_linkage::link(&d, &config, &mut |_, _, _| {}).map_err(linkage)?;
    let mut candidates: Vec<&girok_linkage::engine::ScoredPair> = result.pairs.iter().filter(|p| p.probability >= threshold).collect();
    candidates.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    // The evidence for each pair, for the reviewer's waterfall.
    let pairs: Vec<(usize, usize)> = candidates.iter().map(|p| (p.a as usize, p.b as usize)).collect();
    let explained = girok_linkage::explain_pairs(&d, &config, &result, &pairs).map_err(linkage)?;
    let proposals: Vec<(String, String, f64, String)> = candidates
        .iter()
        .zip(explained)
        .map(|(p, (_, contributions, _))| (d.ids[p.a as usize].clone(), d.ids[p.b as usize].clone(), p.probability, waterfall(&contributions).to_string()))
        .collect();
    let queued = queue(archive, actor, "person", &proposals)?;
    Ok(Proposed { compared: d.len(), candidate_pairs: result.candidate_count, queued })
}

/// The persons at or below `ceiling`, not merged into another, as the linkage engine reads
/// them: every recorded form of the name (Hangul first), the earliest birth year, the origin's
/// place id and sex.
fn person_dataset(archive: &Archive, ceiling: girok_core::Confidentiality) -> Result<Dataset, DomainError> {
    let mut d = Dataset { columns: vec!["name".into(), "birth".into(), "origin".into(), "sex".into()], ..Default::default() };
    for r in archive.list_for(Kind::Person, ceiling)? {
        let Record::Person(p) = r else { continue };
        if p.same_as.is_some() {
            continue;
        }
        // Every recorded form of the name, Hangul first: the comparison reads them all.
        let mut forms: Vec<&str> = p.names.iter().filter(|n| n.script == Script::Hangul).map(|n| n.text.as_str()).collect();
        forms.extend(p.names.iter().filter(|n| n.script != Script::Hangul).map(|n| n.text.as_str()));
        let name = (!forms.is_empty()).then(|| forms.join(&girok_linkage::ALTERNATIVE.to_string()));
        let birth = p.birth.as_ref().and_then(|b| b.earliest).map(|e| e.year().to_string());
        let sex = p.sex.map(|s| format!("{s:?}").to_lowercase());
        d.ids.push(p.id.clone());
        d.sources.push(0);
        d.values.push(vec![name, birth, p.origin.clone(), sex]);
    }
    Ok(d)
}

/// The header of the linkage-input CSV (schema in README, "Linkage and estimation elsewhere").
pub const PERSON_INPUT_COLUMNS: [&str; 6] = ["id", "name_hangul", "name_other", "birth_year", "origin", "sex"];

/// Writes the persons an actor may see, up to `max_level`, as the CSV another engine (DuckDB,
/// Spark, Splink, or `girok link --input` itself) links: the same values Girok's own linkage
/// compares, one row per person. Threat: the file is plaintext names of victims and witnesses;
/// it is written only at a level the actor chose and may read, sealed identities are never in
/// it, and the CLI says where it went. Returns how many rows were written.
pub fn write_person_inputs(archive: &Archive, actor: &Actor, max_level: girok_core::Confidentiality, out: impl std::io::Write) -> Result<usize, DomainError> {
    if actor.role == Role::Viewer {
        return Err(DomainError::Forbidden("viewers do not export linkage inputs".into()));
    }
    if max_level > actor.ceiling() {
        return Err(DomainError::Forbidden(format!("{} may read up to {}, not {}", actor.username, actor.ceiling().as_str(), max_level.as_str())));
    }
    let d = person_dataset(archive, max_level)?;
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| DomainError::invalid("linkage inputs", format!("writing the CSV: {e}"));
    w.write_record(PERSON_INPUT_COLUMNS).map_err(io)?;
    for (id, v) in d.ids.iter().zip(&d.values) {
        let forms: Vec<&str> = v[0].as_deref().map(|n| n.split(girok_linkage::ALTERNATIVE).collect()).unwrap_or_default();
        let hangul = forms.iter().position(|f| f.chars().any(girok_core::text::is_hangul));
        let first = hangul.map(|i| forms[i]).unwrap_or("");
        let other: Vec<&str> = forms.iter().enumerate().filter(|(i, _)| Some(*i) != hangul).map(|(_, f)| *f).collect();
        let cell = |x: &Option<String>| x.clone().unwrap_or_default();
        w.write_record([id.as_str(), first, &other.join("; "), &cell(&v[1]), &cell(&v[2]), &cell(&v[3])]).map_err(io)?;
    }
    w.flush().map_err(|e| DomainError::invalid("linkage inputs", format!("writing the CSV: {e}")))?;
    Ok(d.len())
}

/// Queues proposals (left, right, probability, evidence as JSON) for review, in one transaction;
/// a pair already queued is not queued again. Returns how many are new.
pub(crate) fn queue(archive: &mut Archive, actor: &Actor, kind: &str, proposals: &[(String, String, f64, String)]) -> Result<usize, DomainError> {
    Ok(archive.write(&actor.username, |w| {
        let mut queued = 0;
        for (a, b, score, detail) in proposals {
            if w.queue_review(kind, a, b, *score, detail)?.is_some() {
                queued += 1;
            }
        }
        Ok(queued)
    })?)
}

/// A pair's evidence as the review queue and `girok link --explain --json` show it.
pub fn waterfall(contributions: &[girok_linkage::engine::Contribution]) -> serde_json::Value {
    serde_json::Value::Array(
        contributions
            .iter()
            .map(|c| serde_json::json!({"field": c.field, "left": c.left, "right": c.right, "level": c.level, "bayes_factor_log2": c.bayes_factor_log2}))
            .collect(),
    )
}
