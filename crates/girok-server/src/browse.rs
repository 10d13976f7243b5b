//! Record lists with filters, the map, the estimation page, and their JSON API twins.
//!
//! Each page and its `/api/` twin share one function that checks the role and builds the data,
//! so the two cannot disagree about what a role may see.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use girok_core::model::{Kind, PlaceKind, Record};
use girok_store::{ListQuery, ListSort, Role};
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::input;
use crate::render::{pick, render, require};
use crate::session::{Authed, Session};
use crate::AppState;

const PAGE: u64 = 50;

#[derive(Deserialize, Default)]
pub(crate) struct ListParams {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    act_type: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: u64,
}

/// One page of a list, as the role may see it.
fn list_data(state: &AppState, session: &Session, p: &ListParams) -> Result<serde_json::Value, AppError> {
    let kind = match p.kind.trim() {
        "" => Kind::Act,
        k => Kind::parse(k).ok_or_else(|| AppError::BadInput(format!("kind: unknown kind {k:?}")))?,
    };
    let a = state.reader();
    let mut q = ListQuery::new(kind, session.user.role.max_confidentiality());
    q.title = input::nonempty(&p.title);
    q.act_type = input::term(girok_core::List::ActTypes, "act type", &p.act_type)?;
    q.place = input::place(&a, &p.place)?;
    q.years = match (input::year("from", &p.from)?, input::year("to", &p.to)?) {
        (None, None) => None,
        (f, t) => Some((f.unwrap_or(1000), t.unwrap_or(9999))),
    };
    q.source = input::nonempty(&p.source);
    q.sort = ListSort::parse(p.sort.trim()).ok_or_else(|| AppError::BadInput(format!("sort: unknown order {:?}", p.sort)))?;
    q.limit = PAGE;
    q.offset = p.page.saturating_mul(PAGE);
    let page = a.list_page(&q)?;
    let rows: Vec<serde_json::Value> = page
        .records
        .iter()
        .map(|r| {
            let date = match r {
                Record::Act(x) => x.date.as_ref().map(|d| d.text.clone()),
                Record::Event(x) => x.date.as_ref().map(|d| d.text.clone()),
                _ => None,
            };
            json!({ "id": r.id(), "kind": r.kind().as_str(), "title": r.title(), "date": date, "confidentiality": r.confidentiality().as_str() })
        })
        .collect();
    let pages = page.total.div_ceil(PAGE);
    Ok(json!({
        "kind": kind.as_str(), "total": page.total, "page": p.page, "pages": pages,
        "has_prev": p.page > 0, "has_next": p.page + 1 < pages, "records": rows,
    }))
}

pub(crate) async fn records(State(state): State<Arc<AppState>>, Authed(session): Authed, Query(p): Query<ListParams>) -> Result<Html<String>, AppError> {
    let mut data = list_data(&state, &session, &p)?;
    data["params"] = json!({ "title": p.title, "act_type": p.act_type, "place": p.place, "from": p.from, "to": p.to, "source": p.source, "sort": p.sort });
    // Links to the neighbouring pages keep every filter.
    let base: String = [
        ("kind", data["kind"].as_str().unwrap_or("act")),
        ("title", &p.title),
        ("act_type", &p.act_type),
        ("place", &p.place),
        ("from", &p.from),
        ("to", &p.to),
        ("source", &p.source),
        ("sort", &p.sort),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", girok_core::text::percent_encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    data["prev_url"] = json!(format!("/records?{base}&page={}", p.page.saturating_sub(1)));
    data["next_url"] = json!(format!("/records?{base}&page={}", p.page + 1));
    data["kinds"] = json!(Kind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>());
    render(&state, "records.html", &session, data)
}

pub(crate) async fn api_records(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Query(p): Query<ListParams>,
) -> Result<Json<serde_json::Value>, AppError> {
    Ok(Json(list_data(&state, &session, &p)?))
}

/// One record as JSON, with the same visibility rule as its page.
/// Provinces (act counts, for shading) and facilities (position, counts) as the role may see them.
fn map_data(state: &AppState, session: &Session) -> Result<serde_json::Value, AppError> {
    let figures = crate::dashboard::dashboard_figures(state, session.user.role.max_confidentiality())?;
    let n = |id: &str| figures.place_counts.get(id).copied().unwrap_or(0);
    let provinces: serde_json::Map<String, serde_json::Value> = figures
        .places
        .values()
        .filter(|p| p.kind == PlaceKind::Province)
        .map(|p| (p.id.clone(), json!({ "n": n(&p.id), "name": pick(session.lang, &p.name, p.name_ko.as_deref()) })))
        .collect();
    let mut facilities: Vec<serde_json::Value> = figures
        .places
        .values()
        .filter(|p| p.kind.is_facility())
        .map(|p| {
            let pos = place_position(&p.id, |id| figures.places.get(id).cloned());
            json!({
                "id": p.id, "name": pick(session.lang, &p.name, p.name_ko.as_deref()), "kind": p.kind.as_str(), "n": n(&p.id),
                "lat": pos.map(|x| x.0), "lon": pos.map(|x| x.1), "approximate": pos.map(|x| !x.2).unwrap_or(true),
            })
        })
        .collect();
    facilities.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    Ok(json!({ "provinces": provinces, "facilities": facilities }))
}

/// Where to draw a place: its own coordinates, else those of the nearest enclosing place that
/// has them (a province at the centre of its outline); the flag is true when the position is the
/// place's own. The page says "approximate" otherwise, rather than inventing a position.
pub(crate) fn place_position(place_id: &str, place: impl Fn(&str) -> Option<girok_core::model::Place>) -> Option<(f64, f64, bool)> {
    let mut id = place_id.to_string();
    let mut exact = true;
    for _ in 0..8 {
        if let Some(&(lat, lon)) = province_centres().get(id.as_str()) {
            return Some((lat, lon, false));
        }
        let p = place(&id)?;
        if let (Some(lat), Some(lon)) = (p.lat, p.lon) {
            return Some((lat, lon, exact));
        }
        exact = false;
        id = p.parent?;
    }
    None
}

/// Centre (area-weighted centroid of the largest polygon) of each province outline shipped
/// with the map, by gazetteer id.
fn province_centres() -> &'static std::collections::HashMap<String, (f64, f64)> {
    static CENTRES: std::sync::OnceLock<std::collections::HashMap<String, (f64, f64)>> = std::sync::OnceLock::new();
    CENTRES.get_or_init(|| {
        let mut out = std::collections::HashMap::new();
        for f in girok_core::gazetteer::province_outlines() {
            let Some(id) = &f.id else { continue };
            let mut best: Option<(f64, f64, f64)> = None; // (area, lat, lon)
            for ring in f.polygons.iter().filter_map(|p| p.first()) {
                let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
                for w in ring.windows(2) {
                    let cross = w[0].0 * w[1].1 - w[1].0 * w[0].1;
                    a += cross;
                    cx += (w[0].0 + w[1].0) * cross;
                    cy += (w[0].1 + w[1].1) * cross;
                }
                if a.abs() > 1e-12 && best.is_none_or(|b| a.abs() > b.0) {
                    best = Some((a.abs(), cy / (3.0 * a), cx / (3.0 * a)));
                }
            }
            if let Some((_, lat, lon)) = best {
                out.insert(id.to_string(), (lat, lon));
            }
        }
        out
    })
}

pub(crate) async fn map(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Html<String>, AppError> {
    let data = map_data(&state, &session)?;
    // The facility table doubles as the map's text alternative (and works without scripts).
    let mut rows: Vec<serde_json::Value> =
        data["facilities"].as_array().cloned().unwrap_or_default().into_iter().filter(|f| f["n"].as_u64() > Some(0)).collect();
    rows.sort_by_key(|f| std::cmp::Reverse(f["n"].as_u64()));
    render(&state, "map.html", &session, json!({ "facilities": rows }))
}

pub(crate) async fn api_map(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Json<serde_json::Value>, AppError> {
    Ok(Json(map_data(&state, &session)?))
}

#[derive(Deserialize, Default)]
pub(crate) struct EstimateParams {
    #[serde(default)]
    act_type: String,
    #[serde(default)]
    stratify: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    seed: Option<u64>,
    /// Organisations forming the lists, separated by `|` (empty: all).
    #[serde(default)]
    lists: String,
}

/// Runs the estimate asked for; `None` when no act type was chosen yet.
async fn estimate_data(state: &Arc<AppState>, session: &Session, p: &EstimateParams) -> Result<Option<serde_json::Value>, AppError> {
    use girok_app::estimation::{self, Method};
    require(session, &[Role::Admin, Role::Analyst])?;
    let Some(code) = input::term(girok_core::List::ActTypes, "act type", &p.act_type)? else { return Ok(None) };
    let stratify = girok_store::Stratify::parse(p.stratify.trim()).ok_or_else(|| AppError::BadInput(format!("stratify: unknown {:?}", p.stratify)))?;
    let methods: Vec<Method> = match p.method.trim() {
        "" => vec![Method::Loglinear],
        "compare" => Method::ALL.to_vec(),
        other => vec![Method::parse(other).ok_or_else(|| AppError::BadInput(format!("method: unknown {other:?}")))?],
    };
    let q = girok_store::CaptureQuery {
        act_type: code,
        from_year: input::year("from", &p.from)?,
        to_year: input::year("to", &p.to)?,
        stratify,
        max_confidentiality: session.user.role.max_confidentiality(),
        organisations: match p.lists.trim() {
            "" => None,
            l => Some(l.split('|').map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect()),
        },
    };
    let strata = estimation::strata(&state.reader(), &girok_app::Actor::from_user(&session.user), q)?;
    let options = estimation::Options { seed: p.seed.unwrap_or(1), stratified_by: p.stratify.trim().replace('-', " "), ..Default::default() };
    // The samplers take seconds: off the async threads, so other pages stay responsive.
    let tables: Vec<(String, girok_estimate::Table)> = strata.usable.iter().map(|(name, _, t)| (name.clone(), t.clone())).collect();
    let results = tokio::task::spawn_blocking(move || estimation::run(&tables, &methods, &options)).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let mut results: Vec<serde_json::Value> = results
        .into_iter()
        .map(|r| {
            let mut v = match &r.total {
                Some(s) => json!({
                    "method": s.method, "estimate": s.estimate.round() as i64, "lower": s.lower.round() as i64, "upper": s.upper.map(|u| u.round() as i64),
                    "observed": s.observed, "model": s.model, "warnings": s.warnings,
                    "band": r.band.as_ref().map(|b| json!({ "psi": b.psi, "lower": b.lower.round() as i64, "upper": b.upper.map(|u| u.round() as i64) })),
                    "lower_bound": r.wording.as_ref().is_some_and(|w| w.lower_bound),
                    "wording": r.wording.as_ref().map(|w| w.text.clone()),
                    "stratification": r.stratification,
                }),
                None => json!({ "method": r.method.as_str(), "estimate": null, "warnings": [] }),
            };
            if !r.errors.is_empty() {
                v["errors"] = json!(r.errors.iter().map(|(name, e)| format!("{name}: {e}")).collect::<Vec<_>>());
            }
            v
        })
        .collect();
    // One horizontal scale for the chart: every method's interval on the same axis.
    let max = results.iter().filter_map(|r| r["band"]["upper"].as_f64().or(r["upper"].as_f64()).or(r["estimate"].as_f64())).fold(1.0f64, f64::max) * 1.1;
    for r in &mut results {
        let pct = |x: Option<f64>| x.map(|x| (x / max * 100.0).clamp(0.0, 100.0));
        r["x_band_upper"] = json!(pct(r["band"]["upper"].as_f64()));
        r["x_observed"] = json!(pct(r["observed"].as_f64()));
        r["x_estimate"] = json!(pct(r["estimate"].as_f64()));
        r["x_lower"] = json!(pct(r["lower"].as_f64()));
        r["x_upper"] = json!(pct(r["upper"].as_f64()).unwrap_or(100.0));
    }
    let strata_json: Vec<serde_json::Value> =
        strata.usable.iter().map(|(name, lists, t)| json!({ "name": name, "lists": lists, "observed": t.observed() })).collect();
    Ok(Some(json!({ "results": results, "strata": strata_json, "skipped": strata.skipped })))
}

pub(crate) async fn estimate(State(state): State<Arc<AppState>>, Authed(session): Authed, Query(p): Query<EstimateParams>) -> Result<Html<String>, AppError> {
    let result = estimate_data(&state, &session, &p).await?;
    let vocab = girok_core::Vocabulary::builtin();
    let act_types: Vec<serde_json::Value> = {
        let figures = crate::dashboard::dashboard_figures(&state, session.user.role.max_confidentiality())?;
        figures.counts.by_type.iter().map(|(code, n)| json!({ "code": code, "n": n, "label": vocab.get(girok_core::List::ActTypes, code).map(|t| pick(session.lang, &t.en, t.ko.as_deref())).unwrap_or_else(|| code.clone()) })).collect()
    };
    let organisations: Vec<serde_json::Value> = {
        let chosen: Vec<&str> = p.lists.split('|').map(str::trim).filter(|o| !o.is_empty()).collect();
        let all = state.reader().organisations(session.user.role.max_confidentiality())?;
        all.into_iter().map(|o| json!({ "selected": chosen.is_empty() || chosen.contains(&o.as_str()), "name": o })).collect()
    };
    render(
        &state,
        "estimate.html",
        &session,
        json!({
            "result": result, "act_types": act_types, "organisations": organisations, "stratify_names": girok_store::Stratify::NAMES,
            "params": { "act_type": p.act_type, "stratify": p.stratify, "method": p.method, "from": p.from, "to": p.to },
        }),
    )
}

pub(crate) async fn api_estimate(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Query(p): Query<EstimateParams>,
) -> Result<Json<serde_json::Value>, AppError> {
    match estimate_data(&state, &session, &p).await? {
        Some(v) => Ok(Json(v)),
        None => Err(AppError::BadInput("act_type: required".into())),
    }
}

/// The API description. Behind login like every other route: it is harmless, but one rule for all
/// routes is easier to keep than exceptions.
pub(crate) async fn openapi(Authed(_): Authed) -> impl IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], include_str!("static/openapi.json"))
}

/// Static assets shipped inside the binary (works offline; no CDN).
pub(crate) async fn asset(Path(name): Path<String>) -> Result<Response, AppError> {
    let (body, mime): (&'static [u8], &str) = match name.as_str() {
        "code.js" => (include_bytes!("static/code.js"), "application/javascript; charset=utf-8"),
        "map.js" => (include_bytes!("static/map.js"), "application/javascript; charset=utf-8"),
        "intake.js" => (include_bytes!("static/intake.js"), "application/javascript; charset=utf-8"),
        "estimate.js" => (include_bytes!("static/estimate.js"), "application/javascript; charset=utf-8"),
        "dprk-provinces.geojson" => (girok_core::gazetteer::PROVINCE_OUTLINES.as_bytes(), "application/geo+json"),
        "leaflet.js" => (include_bytes!("static/vendor/leaflet/leaflet.js"), "application/javascript; charset=utf-8"),
        "leaflet.css" => (include_bytes!("static/vendor/leaflet/leaflet.css"), "text/css; charset=utf-8"),
        _ => return Err(AppError::NotFound),
    };
    Ok(([(axum::http::header::CONTENT_TYPE, mime), (axum::http::header::CACHE_CONTROL, "public, max-age=3600")], body).into_response())
}
