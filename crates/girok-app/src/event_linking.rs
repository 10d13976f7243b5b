//! Proposing that two events are one happening told by two testimonies: the same victim (after
//! person merges), overlapping uncertain dates, the same or a nested place, related act types.
//! Proposals go to the review queue as person proposals do; accepting one (`Event::same_as`)
//! makes the event reported by both organisations, in corroboration counts and capture tables.

use girok_core::model::{Kind, Record};
use girok_linkage::engine::Contribution;
use girok_store::{Archive, Role};

use crate::actor::Actor;
use crate::error::DomainError;

/// What an event-linking run proposed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposedEvents {
    pub events: usize,
    pub candidate_pairs: usize,
    pub queued: usize,
}

/// What one event is known by, for comparing it with another.
struct EventFacts {
    id: String,
    sources: std::collections::BTreeSet<String>,
    victims: std::collections::BTreeSet<String>,
    types: std::collections::BTreeSet<String>,
    places: Vec<String>,
    date: Option<girok_core::UncertainDate>,
}

/// log2 Bayes factors of the evidence that two events are one happening, and the prior, set by
/// hand (events are too few per archive for EM to learn them): a shared victim is strong, dates
/// that cannot both be true are strong against, a place or type in common helps.
pub mod weights {
    pub const PRIOR: f64 = -6.0;
    pub const SAME_VICTIM: f64 = 8.0;
    pub const OTHER_VICTIMS: f64 = -2.0;
    pub const SAME_DAY_OR_MONTH: f64 = 4.0;
    pub const OVERLAPPING_DATES: f64 = 1.5;
    pub const WITHIN_A_YEAR: f64 = 0.5;
    pub const DATES_APART: f64 = -5.0;
    pub const SAME_PLACE: f64 = 4.0;
    pub const SAME_TOWN: f64 = 3.0;
    pub const SAME_PROVINCE: f64 = 1.0;
    pub const OTHER_PLACE: f64 = -4.0;
    pub const SAME_TYPE: f64 = 2.0;
    pub const RELATED_TYPE: f64 = 1.0;
    pub const OTHER_TYPE: f64 = -5.0;
}

fn contribution(field: &str, left: String, right: String, level: &str, bf: f64) -> Contribution {
    Contribution { field: field.to_string(), left: Some(left), right: Some(right), level: level.to_string(), bayes_factor_log2: bf }
}

/// The waterfall for two events: each piece of evidence with its weight, and the total.
fn compare_events(a: &EventFacts, b: &EventFacts) -> (f64, Vec<Contribution>) {
    use girok_core::vocab::{List, Vocabulary};
    let join = |s: &std::collections::BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
    let mut total = weights::PRIOR;
    let mut out = Vec::new();
    let (level, bf) = if a.victims.is_empty() || b.victims.is_empty() {
        ("missing", 0.0)
    } else if a.victims.intersection(&b.victims).next().is_some() {
        ("same victim", weights::SAME_VICTIM)
    } else {
        ("different victims", weights::OTHER_VICTIMS)
    };
    total += bf;
    out.push(contribution("victims", join(&a.victims), join(&b.victims), level, bf));
    let (level, bf) = match (&a.date, &b.date) {
        (Some(x), Some(y)) if x.earliest.is_some() && y.earliest.is_some() => {
            let precise = |d: &girok_core::UncertainDate| d.span_days().is_some_and(|s| s <= 31);
            if x.overlaps(y) && precise(x) && precise(y) {
                ("same day or month", weights::SAME_DAY_OR_MONTH)
            } else if x.overlaps(y) {
                ("overlapping", weights::OVERLAPPING_DATES)
            } else {
                let gap = match (x.earliest, x.latest, y.earliest, y.latest) {
                    (Some(xe), Some(xl), Some(ye), Some(yl)) => (ye.0 - xl.0).max(xe.0 - yl.0),
                    _ => i32::MAX,
                };
                if gap <= 366 {
                    ("within a year", weights::WITHIN_A_YEAR)
                } else {
                    ("years apart", weights::DATES_APART)
                }
            }
        }
        _ => ("missing", 0.0),
    };
    total += bf;
    out.push(contribution(
        "date",
        a.date.as_ref().map(|d| d.text.clone()).unwrap_or_default(),
        b.date.as_ref().map(|d| d.text.clone()).unwrap_or_default(),
        level,
        bf,
    ));
    let gazetteer = crate::linking::places();
    let resolve = |ids: &[String]| ids.iter().filter_map(|p| gazetteer.0.resolve(p)).collect::<Vec<u32>>();
    let (pa, pb) = (resolve(&a.places), resolve(&b.places));
    let (level, bf) = if a.places.is_empty() || b.places.is_empty() {
        ("missing", 0.0)
    } else if a.places.iter().any(|p| b.places.contains(p)) {
        ("same place", weights::SAME_PLACE)
    } else {
        match gazetteer.0.relate_any(&pa, &pb) {
            girok_linkage::places::Relation::Same => ("same place", weights::SAME_PLACE),
            girok_linkage::places::Relation::SameTown => ("same town, or a facility in it", weights::SAME_TOWN),
            girok_linkage::places::Relation::SameProvince => ("same province", weights::SAME_PROVINCE),
            girok_linkage::places::Relation::Different if pa.is_empty() || pb.is_empty() => ("not in the gazetteer", 0.0),
            girok_linkage::places::Relation::Different => ("different places", weights::OTHER_PLACE),
        }
    };
    total += bf;
    out.push(contribution("place", a.places.join(", "), b.places.join(", "), level, bf));
    let vocab = Vocabulary::builtin();
    let top = |code: &str| vocab.ancestors(List::ActTypes, code).last().map(|t| t.code.clone()).unwrap_or_else(|| code.to_string());
    let (level, bf) = if a.types.is_empty() || b.types.is_empty() {
        ("missing", 0.0)
    } else if a.types.intersection(&b.types).next().is_some() {
        ("same act type", weights::SAME_TYPE)
    } else if a.types.iter().any(|x| b.types.iter().any(|y| top(x) == top(y))) {
        ("related act types", weights::RELATED_TYPE)
    } else {
        ("different act types", weights::OTHER_TYPE)
    };
    total += bf;
    out.push(contribution("act types", join(&a.types), join(&b.types), level, bf));
    (total, out)
}

/// The probability at which event pairs are proposed, unless told otherwise: a shared victim
/// with agreeing dates and place clears it; the same place and year alone do not.
pub const THRESHOLD: f64 = 0.8;

/// Proposes pairs of events, from different sources, that may describe one happening: the
/// same victim (after person merges), overlapping uncertain dates, the same or a nested place,
/// the same or related act types. Pairs at or above `threshold` go to the review queue (kind
/// `event`); accepting one makes the event reported by both sources' organisations.
pub fn propose_duplicate_events(archive: &mut Archive, actor: &Actor, threshold: f64) -> Result<ProposedEvents, DomainError> {
    use std::collections::{BTreeMap, BTreeSet};
    if !matches!(actor.role, Role::Admin | Role::Analyst | Role::Documenter) {
        return Err(DomainError::Forbidden("viewers do not propose merges".into()));
    }
    let ceiling = actor.ceiling();
    // Persons merged by reviewers are one victim.
    let same_as = archive.merges("person")?;
    let canonical = |id: &str| same_as.get(id).cloned().unwrap_or_else(|| id.to_string());
    let mut facts: BTreeMap<String, EventFacts> = BTreeMap::new();
    for r in archive.list_for(Kind::Event, ceiling)? {
        let Record::Event(e) = r else { continue };
        if e.same_as.is_some() {
            continue;
        }
        facts.insert(
            e.id.clone(),
            EventFacts {
                id: e.id.clone(),
                sources: BTreeSet::new(),
                victims: BTreeSet::new(),
                types: BTreeSet::new(),
                places: e.place.into_iter().collect(),
                date: e.date,
            },
        );
    }
    for r in archive.list_for(Kind::Act, ceiling)? {
        let Record::Act(a) = r else { continue };
        let Some(f) = facts.get_mut(&a.event) else { continue };
        f.victims.insert(canonical(&a.victim));
        f.types.insert(a.act_type.clone());
        f.sources.extend(a.source.clone());
        if let Some(p) = a.place {
            if !f.places.contains(&p) {
                f.places.push(p);
            }
        }
        if f.date.is_none() {
            f.date = a.date;
        }
    }
    let events: Vec<EventFacts> = facts.into_values().collect();
    if events.len() < 2 {
        return Err(DomainError::invalid("events", "fewer than two events in the archive; nothing to link"));
    }
    // Candidates: events sharing a victim, or a place in the same year.
    let mut blocks: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        for v in &e.victims {
            blocks.entry(format!("v:{v}")).or_default().push(i);
        }
        if let Some(year) = e.date.as_ref().and_then(|d| d.earliest).map(|d| d.year()) {
            for p in &e.places {
                blocks.entry(format!("p:{p}:{year}")).or_default().push(i);
            }
        }
    }
    let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    for members in blocks.values().filter(|m| m.len() > 1 && m.len() <= 200) {
        for x in 0..members.len() {
            for y in x + 1..members.len() {
                let (a, b) = (members[x].min(members[y]), members[x].max(members[y]));
                // Only events from different sources: one witness telling one story twice is
                // not a second report of it.
                if a != b && events[a].sources.is_disjoint(&events[b].sources) && !events[a].sources.is_empty() && !events[b].sources.is_empty() {
                    pairs.insert((a, b));
                }
            }
        }
    }
    let mut proposals = Vec::new();
    for &(a, b) in &pairs {
        let (weight, detail) = compare_events(&events[a], &events[b]);
        let probability = 1.0 / (1.0 + (-weight * std::f64::consts::LN_2).exp());
        if probability >= threshold {
            proposals.push((events[a].id.clone(), events[b].id.clone(), probability, crate::linking::waterfall(&detail).to_string()));
        }
    }
    let queued = crate::linking::queue(archive, actor, "event", &proposals)?;
    Ok(ProposedEvents { events: events.len(), candidate_pairs: pairs.len(), queued })
}
