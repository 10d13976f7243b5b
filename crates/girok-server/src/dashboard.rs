//! The dashboard and the figures behind it (also read by the map, the estimation page and
//! briefings): computed for every confidentiality level at once, cached per audit head.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Html;
use girok_core::model::{Kind, Record};
use serde_json::json;

use crate::error::AppError;
use crate::render::{bars, localize, render};
use crate::session::Authed;
use crate::AppState;

/// What the dashboard, the map and the estimation page show for one confidentiality ceiling:
/// computed together because they read the same counts, cached per audit head.
pub(crate) struct Figures {
    /// The dashboard's template context (labels in both languages).
    pub(crate) view: serde_json::Value,
    /// Acts per place, each counted under every enclosing place too (`counts.by_place`, indexed).
    pub(crate) place_counts: std::collections::HashMap<String, u64>,
    /// The places the ceiling allows, by id.
    pub(crate) places: std::collections::HashMap<String, girok_core::model::Place>,
    /// The counts all of the above come from (acts per type for the estimation page; briefings).
    pub(crate) counts: girok_store::ActCounts,
}

/// The figures for one confidentiality ceiling, cached per audit head. A miss computes every
/// level at once: the counting scans serve all levels in one pass (`act_counts_by_level`).
pub(crate) fn dashboard_figures(state: &AppState, ceiling: girok_core::Confidentiality) -> Result<Arc<Figures>, girok_store::StoreError> {
    let a = state.reader();
    let head = a.audit_head_seq()?;
    let key = (head, ceiling as u8);
    // Held while computing, so concurrent first views wait for one computation, not start more.
    let mut cache = state.dashboard_cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(f) = cache.get(&key).cloned() {
        return Ok(f);
    }
    let levels = a.act_counts_by_level()?;
    let counts: Vec<serde_json::Value> = a.counts()?.into_iter().map(|(k, n)| json!({ "kind": k.as_str(), "n": n })).collect();
    let all_places: Vec<girok_core::model::Place> = a
        .list(Kind::Place)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Place(p) => Some(p),
            _ => None,
        })
        .collect();
    // Recent intake from the tail of the audit log, so it costs the same on any archive size.
    let mut recent_docs: Vec<(String, String, girok_core::Confidentiality, String)> = Vec::new();
    for e in a.audit_entries(None, head - 499, head)?.into_iter().rev() {
        let Some(id) = e.record_id.filter(|id| Kind::of_id(id) == Some(Kind::Document)) else { continue };
        if recent_docs.iter().any(|d| d.0 == id) {
            continue;
        }
        // Retired documents are nobody's recent intake.
        if let Ok(girok_store::Versioned { record: r, .. }) = a.get_for(&id, girok_core::Confidentiality::Restricted, false) {
            recent_docs.push((id, r.title(), r.confidentiality(), e.at));
        }
        // Eight that everyone may see means eight for every level.
        if recent_docs.iter().filter(|d| d.2 == girok_core::Confidentiality::Public).count() == 8 {
            break;
        }
    }
    let mut review = std::collections::BTreeMap::new();
    for it in a.review_queue(None)? {
        *review.entry(it.status).or_insert(0u64) += 1;
    }
    let vocab = girok_core::Vocabulary::builtin();
    cache.retain(|(h, _), _| *h == head);
    for (level, c) in levels.into_iter().enumerate() {
        let level_conf = [girok_core::Confidentiality::Public, girok_core::Confidentiality::Internal, girok_core::Confidentiality::Restricted][level];
        let by_type = bars(
            c.by_type
                .iter()
                .take(12)
                .map(|(code, n)| {
                    let term = vocab.get(girok_core::List::ActTypes, code);
                    (json!({ "code": code, "en": term.map(|t| t.en.clone()).unwrap_or_else(|| code.clone()), "ko": term.and_then(|t| t.ko.clone()) }), *n)
                })
                .collect(),
        );
        // Every year between the first and the last, so a gap in the record shows as a gap.
        let by_year = match (c.by_year.first(), c.by_year.last()) {
            (Some(&(first, _)), Some(&(last, _))) => {
                let n: std::collections::HashMap<i32, u64> = c.by_year.iter().copied().collect();
                bars((first..=last).map(|y| (json!({ "year": y }), n.get(&y).copied().unwrap_or(0))).collect())
            }
            _ => json!([]),
        };
        let places: std::collections::HashMap<String, girok_core::model::Place> =
            all_places.iter().filter(|p| p.confidentiality <= level_conf).map(|p| (p.id.clone(), p.clone())).collect();
        let place_rows = |want: fn(girok_core::model::PlaceKind) -> bool, n_max: usize| {
            bars(
                c.by_place
                    .iter()
                    .filter_map(|(id, n)| places.get(id).filter(|p| want(p.kind)).map(|p| (json!({ "id": id, "en": p.name, "ko": p.name_ko }), *n)))
                    .take(n_max)
                    .collect(),
            )
        };
        let by_province = place_rows(|k| k == girok_core::model::PlaceKind::Province, 20);
        let by_facility = place_rows(|k| k.is_facility(), 12);
        let recent: Vec<serde_json::Value> =
            recent_docs.iter().filter(|d| d.2 <= level_conf).take(8).map(|(id, title, _, at)| json!({ "id": id, "title": title, "at": at })).collect();
        let k = c.corroboration;
        let corroboration = json!({ "corroborated": k.corroborated, "single": k.single, "unsourced": k.unsourced });
        let view = json!({
            "counts": counts, "by_type": by_type, "by_year": by_year, "undated": c.unplaced, "by_province": by_province,
            "by_facility": by_facility, "recent": recent, "review": review, "corroboration": corroboration,
        });
        let figures = Figures { view, place_counts: c.by_place.iter().cloned().collect(), places, counts: c };
        cache.insert((head, level_conf as u8), Arc::new(figures));
    }
    Ok(cache.get(&key).cloned().expect("every level was just computed"))
}

pub(crate) async fn dashboard(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Html<String>, AppError> {
    let mut view = dashboard_figures(&state, session.user.role.max_confidentiality())?.view.clone();
    for key in ["by_type", "by_province", "by_facility"] {
        localize(&mut view[key], session.lang);
    }
    render(&state, "dashboard.html", &session, view)
}
