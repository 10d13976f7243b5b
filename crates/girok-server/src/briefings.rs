//! Saved briefings in the web application: the list, the editor (the template as TOML, and a
//! form to add a recommendation), saving, and the API twins. Checking and saving are
//! `girok_app::briefing`'s; this translates forms and JSON.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use girok_app::briefing::{self, BriefingTemplate, RecommendationSpec, SectionSpec};
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::render::{render, require};
use crate::session::{check_csrf, Authed, Session};
use crate::AppState;

fn actor(session: &Session) -> girok_app::Actor {
    girok_app::Actor::from_user(&session.user)
}

/// A new template's starting text: the section kinds, a reference, a recommendation.
fn skeleton(name: &str) -> BriefingTemplate {
    BriefingTemplate {
        name: name.to_string(),
        title: Some("Briefing title".into()),
        lang: "en".into(),
        level: girok_core::Confidentiality::Public,
        min_cell: 5,
        sections: vec![
            SectionSpec {
                heading: "Findings".into(),
                kind: "narrative".into(),
                text: "What the evidence shows. Cite a record by its id in double square brackets.".into(),
                recommendations: vec![],
            },
            SectionSpec { heading: "Recommendations".into(), kind: "recommendations".into(), text: String::new(), recommendations: vec![] },
        ],
        ..Default::default()
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct NameParams {
    #[serde(default)]
    name: String,
}

/// The "new briefing" form: to the editor of that name (checked there).
pub(crate) async fn open_named(Authed(session): Authed, Query(p): Query<NameParams>) -> Result<Response, AppError> {
    require(&session, &[girok_store::Role::Admin, girok_store::Role::Analyst])?;
    let name = p.name.trim();
    if !girok_store::valid_briefing_name(name) {
        return Err(AppError::Invalid { field: "name".into(), message: format!("{name:?}: use 1 to 64 lowercase letters, digits and dashes") });
    }
    Ok(Redirect::to(&format!("/publish/briefings/{name}")).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct EditorParams {
    #[serde(default)]
    saved: Option<u8>,
}

fn editor(state: &AppState, session: &Session, name: &str, text: &str, error: Option<String>, saved: bool) -> Result<Html<String>, AppError> {
    render(state, "briefing_edit.html", session, json!({ "name": name, "text": text, "error": error, "saved": saved }))
}

pub(crate) async fn edit_page(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(name): Path<String>,
    Query(p): Query<EditorParams>,
) -> Result<Html<String>, AppError> {
    require(&session, &[girok_store::Role::Admin, girok_store::Role::Analyst])?;
    if !girok_store::valid_briefing_name(&name) {
        return Err(AppError::Invalid { field: "name".into(), message: format!("{name:?}: use 1 to 64 lowercase letters, digits and dashes") });
    }
    let t = match briefing::load(&state.reader(), &actor(&session), &name) {
        Ok(t) => t,
        Err(girok_app::DomainError::NotFound(_)) => skeleton(&name),
        Err(e) => return Err(e.into()),
    };
    editor(&state, &session, &name, &t.to_toml(), None, p.saved.is_some())
}

#[derive(Deserialize)]
pub(crate) struct SaveForm {
    #[serde(default)]
    csrf: String,
    toml: String,
}

/// Saves the edited text; a refusal shows the editor again with the text as typed and why.
pub(crate) async fn save(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(name): Path<String>,
    Form(form): Form<SaveForm>,
) -> Result<Response, AppError> {
    require(&session, &[girok_store::Role::Admin, girok_store::Role::Analyst])?;
    check_csrf(&session, &form.csrf)?;
    let result = BriefingTemplate::from_toml(&form.toml).and_then(|t| {
        if t.name != name {
            return Err(girok_app::DomainError::Invalid {
                field: "name".into(),
                message: format!("the text names {:?}; this is the editor of {name:?}", t.name),
                suggestions: vec![],
            });
        }
        briefing::save(&mut state.archive(), &actor(&session), &t)
    });
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/publish/briefings/{name}?saved=1")).into_response()),
        Err(girok_app::DomainError::Invalid { field, message, .. }) => {
            Ok(editor(&state, &session, &name, &form.toml, Some(format!("{field}: {message}")), false)?.into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(crate) struct RecommendationForm {
    #[serde(default)]
    csrf: String,
    to: String,
    what: String,
    #[serde(default)]
    when: String,
}

/// Adds a recommendation to the saved briefing's last recommendations section (made if none).
pub(crate) async fn add_recommendation(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(name): Path<String>,
    Form(form): Form<RecommendationForm>,
) -> Result<Response, AppError> {
    require(&session, &[girok_store::Role::Admin, girok_store::Role::Analyst])?;
    check_csrf(&session, &form.csrf)?;
    let who = actor(&session);
    let mut t = match briefing::load(&state.reader(), &who, &name) {
        Ok(t) => t,
        Err(girok_app::DomainError::NotFound(_)) => skeleton(&name),
        Err(e) => return Err(e.into()),
    };
    let r = RecommendationSpec { to: form.to.trim().to_string(), what: form.what.trim().to_string(), when: form.when.trim().to_string() };
    match t.sections.iter_mut().rev().find(|s| s.kind == "recommendations") {
        Some(s) => s.recommendations.push(r),
        None => {
            t.sections.push(SectionSpec { heading: "Recommendations".into(), kind: "recommendations".into(), text: String::new(), recommendations: vec![r] })
        }
    }
    match briefing::save(&mut state.archive(), &who, &t) {
        Ok(()) => Ok(Redirect::to(&format!("/publish/briefings/{name}?saved=1")).into_response()),
        Err(girok_app::DomainError::Invalid { field, message, .. }) => {
            Ok(editor(&state, &session, &name, &t.to_toml(), Some(format!("{field}: {message}")), false)?.into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /api/briefings`: the saved briefings.
pub(crate) async fn api_list(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Json<serde_json::Value>, AppError> {
    require(&session, &[girok_store::Role::Admin, girok_store::Role::Analyst])?;
    let all = briefing::list(&state.reader(), &actor(&session))?;
    Ok(Json(json!(all.into_iter().map(|(name, at, by)| json!({ "name": name, "saved_at": at, "saved_by": by })).collect::<Vec<_>>())))
}

/// `GET /api/briefings/{name}`: the template.
pub(crate) async fn api_get(State(state): State<Arc<AppState>>, Authed(session): Authed, Path(name): Path<String>) -> Result<Json<BriefingTemplate>, AppError> {
    require(&session, &[girok_store::Role::Admin, girok_store::Role::Analyst])?;
    Ok(Json(briefing::load(&state.reader(), &actor(&session), &name)?))
}

/// `PUT /api/briefings/{name}`: saves a new version (JSON template, CSRF in `X-CSRF-Token`).
pub(crate) async fn api_put(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(name): Path<String>,
    headers: axum::http::HeaderMap,
    Json(t): Json<BriefingTemplate>,
) -> Result<Json<serde_json::Value>, AppError> {
    require(&session, &[girok_store::Role::Admin, girok_store::Role::Analyst])?;
    check_csrf(&session, crate::session::header_csrf(&headers))?;
    if t.name != name {
        return Err(AppError::Invalid { field: "name".into(), message: format!("the body names {:?}, the address {name:?}", t.name) });
    }
    briefing::save(&mut state.archive(), &actor(&session), &t)?;
    Ok(Json(json!({ "saved": name })))
}
