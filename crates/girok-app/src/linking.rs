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
    let mut d = Dataset { columns: vec!["name".into(), "birth".into(), "origin".into(), "sex".into()], ..Default::default() };
    for r in archive.list_for(Kind::Person, actor.ceiling())? {
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
