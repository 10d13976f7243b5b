//! The conflicts queue on the web: records two replicas changed apart, each shown beside this
//! archive's version field by field, settled by keeping one (then corrected in the edit form
//! if a mix is wanted). Settling is `girok_app::sync::resolve`, as `girok conflicts resolve`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::render::{render, require};
use crate::session::{check_csrf, Authed, Session};
use crate::AppState;
use girok_store::Role;

/// Who sees the queue: those who may settle it.
const EDITORS: [Role; 2] = [Role::Admin, Role::Documenter];

fn views(state: &AppState, session: &Session) -> Result<Vec<serde_json::Value>, AppError> {
    let actor = girok_app::Actor::from_user(&session.user);
    let views = girok_app::sync::conflict_views(&state.reader(), &actor)?;
    Ok(views
        .iter()
        .map(|v| {
            let c = &v.conflict;
            json!({
                "seq": c.seq,
                "record": c.record_id,
                "action": c.action,
                "actor": c.actor,
                "at": c.at,
                "origin": c.origin_name.clone().unwrap_or(c.origin.clone()),
                "changes": crate::edit::changes_json(&v.changes),
            })
        })
        .collect())
}

pub(crate) async fn page(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Html<String>, AppError> {
    require(&session, &EDITORS)?;
    let conflicts = views(&state, &session)?;
    render(&state, "conflicts.html", &session, json!({ "conflicts": conflicts }))
}

pub(crate) async fn api_list(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Json<serde_json::Value>, AppError> {
    require(&session, &EDITORS)?;
    Ok(Json(json!({ "conflicts": views(&state, &session)? })))
}

#[derive(Deserialize)]
pub(crate) struct Take {
    #[serde(default)]
    csrf: String,
    /// `local` (this archive's version) or `remote` (the other's).
    take: String,
}

fn settle(state: &AppState, session: &Session, seq: i64, take: &str) -> Result<(), AppError> {
    let choice = match take {
        "local" => girok_app::sync::Choice::Local,
        "remote" => girok_app::sync::Choice::Remote,
        other => return Err(AppError::BadInput(format!("take must be local or remote, not {other:?}"))),
    };
    Ok(girok_app::sync::resolve(&mut state.archive(), &girok_app::Actor::from_user(&session.user), seq, choice)?)
}

pub(crate) async fn resolve(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(seq): Path<i64>,
    axum::Form(form): axum::Form<Take>,
) -> Result<Response, AppError> {
    require(&session, &EDITORS)?;
    check_csrf(&session, &form.csrf)?;
    settle(&state, &session, seq, &form.take)?;
    Ok(Redirect::to("/conflicts").into_response())
}

/// The same for API clients: `{"take": "remote"}`, the CSRF token in `X-CSRF-Token`.
pub(crate) async fn api_resolve(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(seq): Path<i64>,
    headers: axum::http::HeaderMap,
    Json(form): Json<Take>,
) -> Result<Json<serde_json::Value>, AppError> {
    require(&session, &EDITORS)?;
    check_csrf(&session, crate::session::header_csrf(&headers))?;
    settle(&state, &session, seq, &form.take)?;
    Ok(Json(json!({ "resolved": seq, "took": form.take })))
}
