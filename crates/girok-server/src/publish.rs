//! The briefing for publication in the web application: a form or a saved briefing, and the
//! briefing's files (the page, its CSV tables, its manifest) for analysts and admins. The same
//! workflow (`girok_app::briefing`) and renderer as `girok publish`, so the web and the CLI
//! give byte-identical files.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use girok_app::briefing::BriefingTemplate;
use girok_core::Confidentiality;
use girok_store::Role;
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::render::{render, require};
use crate::session::{Authed, Session};
use crate::AppState;

#[derive(Deserialize, Default)]
pub(crate) struct PublishParams {
    /// A saved briefing to run (its settings, sections and estimates).
    #[serde(default)]
    briefing: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    min_cell: String,
}

/// The template the form asks for: a saved briefing, or one made of the form's settings
/// (public records and a threshold of 5 unless said otherwise, the session's language by
/// default, and never a level above what the reader may see).
fn template(state: &AppState, session: &Session, p: &PublishParams) -> Result<BriefingTemplate, AppError> {
    let actor = girok_app::Actor::from_user(&session.user);
    if !p.briefing.trim().is_empty() {
        return Ok(girok_app::briefing::load(&state.reader(), &actor, p.briefing.trim())?);
    }
    let level = crate::input::level("level", &p.level)?.unwrap_or(Confidentiality::Public);
    if level > session.user.role.max_confidentiality() {
        return Err(AppError::NotFound);
    }
    let lang = match p.lang.trim() {
        "" => session.lang.code().to_string(),
        l @ ("en" | "ko") => l.to_string(),
        l => return Err(AppError::BadInput(format!("lang: unknown {l:?} (en or ko)"))),
    };
    let min_cell = match p.min_cell.trim() {
        "" => 5,
        m => m
            .parse::<u64>()
            .ok()
            .filter(|m| (1..=1000).contains(m))
            .ok_or_else(|| AppError::BadInput(format!("min_cell: {m:?} is not a whole number from 1 to 1000")))?,
    };
    Ok(BriefingTemplate { name: "web".into(), level, lang, min_cell, ..Default::default() })
}

/// The template run, the archive state cited, and the briefing's files.
async fn files(state: &Arc<AppState>, session: &Session, p: &PublishParams) -> Result<(BriefingTemplate, String, Vec<girok_publish::File>), AppError> {
    require(session, &[Role::Admin, Role::Analyst])?;
    let t = template(state, session, p)?;
    // The counts come from the dashboard's cache (per audit head), so the page and each of its
    // files do not each rescan every act.
    let st = state.clone();
    let actor = girok_app::Actor::from_user(&session.user);
    let run = t.clone();
    let briefing = tokio::task::spawn_blocking(move || -> Result<_, AppError> {
        let figures = crate::dashboard::dashboard_figures(&st, run.level)?;
        Ok(girok_app::briefing::build(&st.reader(), &actor, &run, Some(&figures.counts))?)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let files = girok_app::briefing::files(&briefing)?;
    Ok((t, briefing.archive_state, files))
}

pub(crate) async fn page(State(state): State<Arc<AppState>>, Authed(session): Authed, Query(p): Query<PublishParams>) -> Result<Html<String>, AppError> {
    let (t, archive_state, files) = files(&state, &session, &p).await?;
    let query = if p.briefing.trim().is_empty() {
        format!("level={}&lang={}&min_cell={}", t.level.as_str(), t.lang, t.min_cell)
    } else {
        format!("briefing={}", t.name)
    };
    let listed: Vec<serde_json::Value> = files
        .iter()
        .map(|f| json!({ "name": f.name, "bytes": f.bytes.len(), "small": f.withheld.map(|w| w.small), "protecting": f.withheld.map(|w| w.protecting) }))
        .collect();
    let levels: Vec<&str> = [Confidentiality::Public, Confidentiality::Internal, Confidentiality::Restricted]
        .into_iter()
        .filter(|l| *l <= session.user.role.max_confidentiality())
        .map(|l| l.as_str())
        .collect();
    let saved: Vec<serde_json::Value> = girok_app::briefing::list(&state.reader(), &girok_app::Actor::from_user(&session.user))?
        .into_iter()
        .map(|(name, at, by)| json!({ "name": name, "at": at, "by": by }))
        .collect();
    render(
        &state,
        "publish.html",
        &session,
        json!({
            "files": listed, "query": query, "levels": levels, "archive_state": archive_state, "saved": saved,
            "briefing": if p.briefing.trim().is_empty() { None } else { Some(&t.name) },
            "params": { "level": t.level.as_str(), "lang": t.lang, "min_cell": t.min_cell },
        }),
    )
}

/// One file of the briefing: the page shown in the browser, the tables and the manifest as
/// downloads.
pub(crate) async fn file(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(name): Path<String>,
    Query(p): Query<PublishParams>,
) -> Result<Response, AppError> {
    let (_, _, files) = files(&state, &session, &p).await?;
    let f = files.into_iter().find(|f| f.name == name).ok_or(AppError::NotFound)?;
    let (kind, attach) = if name.ends_with(".html") {
        ("text/html; charset=utf-8", false)
    } else if name.ends_with(".csv") {
        ("text/csv; charset=utf-8", true)
    } else if name.ends_with(".pdf") {
        ("application/pdf", true)
    } else {
        ("application/json", true)
    };
    let mut res = ([(header::CONTENT_TYPE, kind)], f.bytes).into_response();
    if attach {
        // The name is one of the renderer's own fixed file names, never user input.
        res.headers_mut().insert(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"").parse().map_err(|_| AppError::NotFound)?);
    }
    Ok(res)
}
