//! Creating, correcting, retiring and restoring records, and sealing witness identities,
//! through the JSON API. Each handler only translates: the workflow, its checks and its audit
//! entries are one `girok_app` function, shared with the CLI.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use girok_app::Actor;
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::session::{check_csrf, header_csrf, Authed};
use crate::AppState;

fn actor(session: &crate::Session) -> Actor {
    Actor::from_user(&session.user)
}

/// The version an edit starts from, from `If-Match` (`"12"`, `W/"12"` or `12`, as the ETag gave it).
fn if_match(headers: &HeaderMap) -> Result<i64, AppError> {
    let raw = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()).ok_or(AppError::VersionRequired)?;
    raw.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map_err(|_| AppError::Invalid { field: "If-Match".into(), message: format!("{raw:?} is not a version (use the record's ETag)") })
}

fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

fn saved(status: StatusCode, s: girok_app::Saved) -> Response {
    let location = format!("/api/records/{}", s.id);
    (status, [(header::ETAG, etag(s.version)), (header::LOCATION, location)], Json(json!({ "id": s.id, "version": s.version }))).into_response()
}

/// One record as the reader may see it (admins: retired ones too, marked), with its version as
/// the ETag an edit sends back in If-Match.
pub(crate) async fn api_record(State(state): State<Arc<AppState>>, Authed(session): Authed, Path(id): Path<String>) -> Result<Response, AppError> {
    let v = girok_app::read(&state.reader(), &actor(&session), &id)?;
    let body = serde_json::to_value(&v.record).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut res = (StatusCode::OK, [(header::ETAG, etag(v.version))], Json(body)).into_response();
    if v.retired {
        res.headers_mut().insert("x-girok-retired", axum::http::HeaderValue::from_static("true"));
    }
    Ok(res)
}

/// `POST /api/records`: a new record from its JSON (`"record": KIND`; labels, names and dates as
/// typed).
pub(crate) async fn api_create(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> Result<Response, AppError> {
    check_csrf(&session, header_csrf(&headers))?;
    let s = girok_app::create(&mut state.archive(), &actor(&session), body)?;
    Ok(saved(StatusCode::CREATED, s))
}

#[derive(Deserialize, Default)]
pub(crate) struct Reason {
    #[serde(default)]
    reason: String,
}

/// `PUT /api/records/{id}`: the fields to change (a JSON merge patch), at the version named by
/// If-Match; 412 with what changed when another edit came first.
pub(crate) async fn api_update(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Query(q): Query<Reason>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> Result<Response, AppError> {
    check_csrf(&session, header_csrf(&headers))?;
    let base = if_match(&headers)?;
    let s = girok_app::edit(&mut state.archive(), &actor(&session), &id, base, body, Some(&q.reason))?;
    Ok(saved(StatusCode::OK, s))
}

/// `DELETE /api/records/{id}?reason=…`: retires the record (nothing is deleted).
pub(crate) async fn api_retire(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Query(q): Query<Reason>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    check_csrf(&session, header_csrf(&headers))?;
    let s = girok_app::retire(&mut state.archive(), &actor(&session), &id, &q.reason)?;
    Ok(saved(StatusCode::OK, s))
}

/// `POST /api/records/{id}/restore` with `{"reason": …}`: an admin brings a retired record back.
pub(crate) async fn api_restore(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(q): Json<Reason>,
) -> Result<Response, AppError> {
    check_csrf(&session, header_csrf(&headers))?;
    let s = girok_app::restore(&mut state.archive(), &actor(&session), &id, &q.reason)?;
    Ok(saved(StatusCode::OK, s))
}

#[derive(Deserialize)]
pub(crate) struct IdentityBody {
    legal_name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    notes: String,
}

/// `PUT /api/records/{id}/identity`: seals a witness's identity (identity clearance only; the
/// answer never echoes it).
pub(crate) async fn api_seal_identity(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<IdentityBody>,
) -> Result<Json<serde_json::Value>, AppError> {
    check_csrf(&session, header_csrf(&headers))?;
    let identity = girok_core::model::SealedIdentity { source: id.clone(), legal_name: b.legal_name, contact: b.contact, notes: b.notes };
    girok_app::seal_identity(&mut state.archive(), &actor(&session), &identity)?;
    Ok(Json(json!({ "source": id, "sealed": true })))
}

/// `GET /api/records/{id}/history`: every version with its field-level changes.
pub(crate) async fn api_history(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let versions = girok_app::history(&state.reader(), &actor(&session), &id)?;
    Ok(Json(json!({ "id": id, "versions": versions.iter().map(version_json).collect::<Vec<_>>() })))
}

/// A version for the API and the record page: who, when, what, and each field's change.
pub(crate) fn version_json(v: &girok_app::Version) -> serde_json::Value {
    json!({ "seq": v.seq, "at": v.at, "actor": v.actor, "action": v.action, "reason": v.reason, "changes": changes_json(&v.changes) })
}

/// Field changes as the API and the templates show them (`field`, `before`, `after`; the
/// `change` filter renders a value).
pub(crate) fn changes_json(changes: &[girok_app::FieldChange]) -> Vec<serde_json::Value> {
    changes.iter().map(|c| json!({ "field": c.field, "before": c.before, "after": c.after })).collect()
}
