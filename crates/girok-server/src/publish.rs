//! The briefing for publication in the web application: a form, and the briefing's files
//! (the page, its CSV tables, its manifest) for analysts and admins. The same store function
//! and renderer as `girok publish`, so the web and the CLI give byte-identical files.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use girok_core::Confidentiality;
use girok_store::{BriefingOptions, Role};
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::render::{render, require};
use crate::session::{Authed, Session};
use crate::AppState;

#[derive(Deserialize, Default)]
pub(crate) struct PublishParams {
    #[serde(default)]
    level: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    min_cell: String,
}

/// Reads the form: public records and a threshold of 5 unless said otherwise, the session's
/// language by default, and never a level above what the reader may see.
fn options(session: &Session, p: &PublishParams) -> Result<BriefingOptions, AppError> {
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
    Ok(BriefingOptions { level, lang, min_cell, title: None, indicators: None })
}

/// The settings read, the archive state cited, and the briefing's files.
async fn files(state: &Arc<AppState>, session: &Session, p: &PublishParams) -> Result<(BriefingOptions, String, Vec<girok_publish::File>), AppError> {
    require(session, &[Role::Admin, Role::Analyst])?;
    let o = options(session, p)?;
    // The counts come from the dashboard's cache (per audit head), so the page and each of its
    // files do not each rescan every act.
    let st = state.clone();
    let opts = o.clone();
    let briefing = tokio::task::spawn_blocking(move || -> Result<_, AppError> {
        let figures = crate::dashboard::dashboard_figures(&st, opts.level)?;
        Ok(st.reader().briefing_from(&figures.counts, &opts)?)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let files = girok_publish::render(&briefing);
    Ok((o, briefing.archive_state, files))
}

pub(crate) async fn page(State(state): State<Arc<AppState>>, Authed(session): Authed, Query(p): Query<PublishParams>) -> Result<Html<String>, AppError> {
    let (o, archive_state, files) = files(&state, &session, &p).await?;
    let query = format!("level={}&lang={}&min_cell={}", o.level.as_str(), o.lang, o.min_cell);
    let listed: Vec<serde_json::Value> = files
        .iter()
        .map(|f| json!({ "name": f.name, "bytes": f.bytes.len(), "small": f.withheld.map(|w| w.small), "protecting": f.withheld.map(|w| w.protecting) }))
        .collect();
    let levels: Vec<&str> = [Confidentiality::Public, Confidentiality::Internal, Confidentiality::Restricted]
        .into_iter()
        .filter(|l| *l <= session.user.role.max_confidentiality())
        .map(|l| l.as_str())
        .collect();
    render(
        &state,
        "publish.html",
        &session,
        json!({
            "files": listed, "query": query, "levels": levels, "archive_state": archive_state,
            "params": { "level": o.level.as_str(), "lang": o.lang, "min_cell": o.min_cell },
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
