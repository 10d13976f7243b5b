//! Pages and the JSON API: dashboard, search, record view, audit log, accounts.
//!
//! View data is built here as plain template context (serde JSON), never by serializing core
//! types straight to the wire, so what a page shows is decided in one place per page.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use girok_core::model::{Kind, Record};
use girok_store::{Role, SearchQuery};
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::session::{check_csrf, Authed, Session};
use crate::AppState;

pub(crate) fn templates() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    // Names end in .html so minijinja escapes every value inserted into them.
    for (name, src) in [
        ("layout.html", include_str!("templates/layout.html")),
        ("login.html", include_str!("templates/login.html")),
        ("dashboard.html", include_str!("templates/dashboard.html")),
        ("search.html", include_str!("templates/search.html")),
        ("record.html", include_str!("templates/record.html")),
        ("audit.html", include_str!("templates/audit.html")),
        ("users.html", include_str!("templates/users.html")),
        ("intake.html", include_str!("templates/intake.html")),
        ("review.html", include_str!("templates/review.html")),
    ] {
        env.add_template(name, src).expect("templates shipped with girok-server parse");
    }
    env
}

fn render(state: &AppState, name: &str, session: &Session, ctx: serde_json::Value) -> Result<Html<String>, AppError> {
    let mut ctx = ctx;
    ctx["user"] = json!({ "name": session.user.username, "role": session.user.role.as_str(), "admin": session.user.role == Role::Admin });
    ctx["csrf"] = json!(session.csrf);
    Ok(Html(state.templates.get_template(name)?.render(ctx)?))
}

/// Dashboard figures for one confidentiality ceiling, cached per audit head.
pub(crate) fn dashboard_figures(state: &AppState, ceiling: girok_core::Confidentiality) -> Result<serde_json::Value, girok_store::StoreError> {
    let a = state.reader();
    let head = a.audit_head_seq()?;
    let key = (head, ceiling as u8);
    if let Some(v) = state.dashboard_cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned() {
        return Ok(v);
    }
    let counts: Vec<serde_json::Value> = a.counts()?.into_iter().map(|(k, n)| json!({ "kind": k.as_str(), "n": n })).collect();
    let by_type: Vec<(String, u64)> = a
        .act_type_counts(ceiling)?
        .into_iter()
        .map(|(code, n)| (girok_core::Vocabulary::builtin().get(girok_core::List::ActTypes, &code).map(|t| t.en.clone()).unwrap_or(code), n))
        .collect();
    let max = by_type.first().map(|x| x.1).unwrap_or(1).max(1);
    let rows: Vec<serde_json::Value> = by_type.into_iter().take(12).map(|(t, n)| json!({ "label": t, "n": n, "pct": n * 100 / max })).collect();
    let v = json!({ "counts": counts, "by_type": rows });
    let mut cache = state.dashboard_cache.lock().unwrap_or_else(|e| e.into_inner());
    cache.retain(|(h, _), _| *h == head);
    cache.insert(key, v.clone());
    Ok(v)
}

pub(crate) async fn dashboard(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Html<String>, AppError> {
    let figures = dashboard_figures(&state, session.user.role.max_confidentiality())?;
    render(&state, "dashboard.html", &session, figures)
}

#[derive(Deserialize, Default)]
pub(crate) struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    act_type: String,
    #[serde(default)]
    place: String,
}

fn run_search(state: &AppState, session: &Session, p: &SearchParams) -> Result<Vec<girok_store::Hit>, AppError> {
    let a = state.reader();
    let act_type = match p.act_type.trim() {
        "" => None,
        t => Some(girok_core::Vocabulary::builtin().resolve(girok_core::List::ActTypes, t).map_err(|e| AppError::BadInput(e.to_string()))?.code.clone()),
    };
    let place = match p.place.trim() {
        "" => None,
        pl => Some(a.resolve_place(pl).map_err(|e| AppError::BadInput(e.to_string()))?),
    };
    let q = SearchQuery { text: p.q.clone(), act_type, place, max_confidentiality: session.user.role.max_confidentiality(), limit: 20, ..Default::default() };
    Ok(a.search(&q)?)
}

fn hit_json(h: &girok_store::Hit) -> serde_json::Value {
    json!({ "id": h.id, "kind": h.kind, "title": h.title, "score": h.score, "snippet": h.snippet.text })
}

pub(crate) async fn search(State(state): State<Arc<AppState>>, Authed(session): Authed, Query(p): Query<SearchParams>) -> Result<Html<String>, AppError> {
    let hits = if p.q.trim().is_empty() && p.act_type.is_empty() && p.place.is_empty() { Vec::new() } else { run_search(&state, &session, &p)? };
    let hits: Vec<serde_json::Value> = hits
        .iter()
        .map(|h| {
            // The snippet goes to the template as segments, so marks become <mark> and every
            // character of testimony text is escaped.
            let mut segments = Vec::new();
            let mut pos = 0;
            for &(s, e) in &h.snippet.marks {
                segments.push(json!({ "text": &h.snippet.text[pos..s], "mark": false }));
                segments.push(json!({ "text": &h.snippet.text[s..e], "mark": true }));
                pos = e;
            }
            segments.push(json!({ "text": &h.snippet.text[pos..], "mark": false }));
            let mut v = hit_json(h);
            v["segments"] = json!(segments);
            v
        })
        .collect();
    render(&state, "search.html", &session, json!({ "q": p.q, "act_type": p.act_type, "place": p.place, "hits": hits }))
}

pub(crate) async fn api_search(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Query(p): Query<SearchParams>,
) -> Result<Json<serde_json::Value>, AppError> {
    let hits: Vec<serde_json::Value> = run_search(&state, &session, &p)?.iter().map(hit_json).collect();
    Ok(Json(json!({ "hits": hits })))
}

pub(crate) async fn record(State(state): State<Arc<AppState>>, Authed(session): Authed, Path(id): Path<String>) -> Result<Html<String>, AppError> {
    let ceiling = session.user.role.max_confidentiality();
    let (rec, segments, history) = {
        let a = state.reader();
        let rec = a.get(&id)?;
        // Threat: a role reading what it may not by guessing ids. Same answer as "no such record".
        if rec.confidentiality() > ceiling {
            return Err(AppError::NotFound);
        }
        let segments = if rec.kind() == Kind::Document {
            match a.document_text(&id)? {
                Some(text) => {
                    let cites: Vec<(String, (u64, u64))> = a
                        .citations_of(&id)?
                        .into_iter()
                        .filter_map(|(rid, span)| {
                            let visible = a.get(&rid).map(|r| r.confidentiality() <= ceiling).unwrap_or(false);
                            span.filter(|_| visible).map(|s| (rid, s))
                        })
                        .collect();
                    Some(passages(&text, &cites))
                }
                None => None,
            }
        } else {
            None
        };
        let history: Vec<serde_json::Value> =
            a.history(&id)?.into_iter().map(|e| json!({ "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action })).collect();
        (rec, segments, history)
    };
    let body = serde_json::to_string_pretty(&rec).map_err(|e| AppError::Internal(e.to_string()))?;
    let can_code = rec.kind() == Kind::Document && matches!(session.user.role, Role::Admin | Role::Documenter);
    render(
        &state,
        "record.html",
        &session,
        json!({ "id": rec.id(), "kind": rec.kind().as_str(), "title": rec.title(), "confidentiality": rec.confidentiality().as_str(), "body": body, "segments": segments, "history": history, "can_code": can_code }),
    )
}

/// Splits a document's text into plain and cited segments (character offsets), so the page can
/// mark every coded passage and link it to the act or event that cites it.
fn passages(text: &str, cites: &[(String, (u64, u64))]) -> Vec<serde_json::Value> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut pos = 0usize;
    for (rid, (a, b)) in cites {
        let (a, b) = ((*a as usize).min(chars.len()), (*b as usize).min(chars.len()));
        if a < pos || b <= a {
            continue; // overlapping citations are shown once
        }
        out.push(json!({ "text": chars[pos..a].iter().collect::<String>(), "cite": null }));
        out.push(json!({ "text": chars[a..b].iter().collect::<String>(), "cite": rid }));
        pos = b;
    }
    out.push(json!({ "text": chars[pos..].iter().collect::<String>(), "cite": null }));
    out
}

pub(crate) async fn code_js() -> impl IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/javascript; charset=utf-8")], include_str!("static/code.js"))
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    csrf: String,
    start: u64,
    end: u64,
    act_type: String,
    victim: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    description: String,
}

/// Codes a selected passage of a document as an event with one act, citing the passage.
pub(crate) async fn code_passage(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(doc_id): Path<String>,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    require(&session, &[Role::Admin, Role::Documenter])?;
    check_csrf(&session, &form.csrf)?;
    let vocab = girok_core::Vocabulary::builtin();
    let act_type = vocab.resolve(girok_core::List::ActTypes, &form.act_type).map_err(|e| AppError::BadInput(e.to_string()))?.code.clone();
    let date = match form.date.trim() {
        "" => None,
        d => Some(girok_core::UncertainDate::parse(d).map_err(|e| AppError::BadInput(format!("date: {e}")))?),
    };
    let actor = session.user.username.clone();
    let mut a = state.archive();
    if a.get(&doc_id)?.kind() != Kind::Document {
        return Err(AppError::NotFound);
    }
    let place = match form.place.trim() {
        "" => None,
        p => Some(a.resolve_place(p).map_err(|e| AppError::BadInput(e.to_string()))?),
    };
    let citation = girok_core::model::Citation { document: doc_id.clone(), span: Some((form.start, form.end)) };
    a.write(&actor, |w| {
        let victim = if w.exists(form.victim.trim())? && girok_core::Kind::of_id(form.victim.trim()) == Some(Kind::Person) {
            form.victim.trim().to_string()
        } else {
            w.put(Record::Person(girok_core::model::Person {
                id: String::new(),
                names: vec![girok_core::model::Name { text: form.victim.trim().to_string(), script: girok_core::model::Script::guess(&form.victim) }],
                sex: None,
                birth: None,
                origin: None,
                relationships: vec![],
                notes: String::new(),
                confidentiality: girok_core::Confidentiality::Restricted,
                synthetic: false,
                same_as: None,
            }))?
        };
        let label = vocab.get(girok_core::List::ActTypes, &act_type).map(|t| t.en.clone()).unwrap_or_default();
        let event = w.put(Record::Event(girok_core::model::Event {
            id: String::new(),
            title: label,
            description: form.description.clone(),
            place: place.clone(),
            date: date.clone(),
            follows: None,
            citations: vec![citation.clone()],
            confidentiality: girok_core::Confidentiality::Internal,
            synthetic: false,
        }))?;
        w.put(Record::Act(girok_core::model::Act {
            id: String::new(),
            event,
            victim,
            act_type: act_type.clone(),
            place,
            date,
            perpetrators: vec![],
            source: None,
            connection: None,
            reliability: None,
            description: form.description.clone(),
            citations: vec![citation],
            confidentiality: girok_core::Confidentiality::Internal,
            synthetic: false,
        }))
    })
    .map_err(|e| AppError::BadInput(e.to_string()))?;
    Ok(Redirect::to(&format!("/records/{doc_id}")).into_response())
}

pub(crate) async fn audit(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Html<String>, AppError> {
    require(&session, &[Role::Admin])?;
    let entries: Vec<serde_json::Value> = {
        let a = state.reader();
        // Only the tail is shown: reading a million-entry log to drop all but 200 would not scale.
        let head = a.audit_head_seq()?;
        a.audit_entries(None, head - 199, head)?
            .into_iter()
            .rev()
            .map(|e| json!({ "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "record": e.record_id, "hash": &e.hash[..16] }))
            .collect()
    };
    render(&state, "audit.html", &session, json!({ "entries": entries }))
}

pub(crate) async fn users(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Html<String>, AppError> {
    require(&session, &[Role::Admin])?;
    let users: Vec<serde_json::Value> =
        state.reader().users()?.into_iter().map(|u| json!({ "name": u.username, "role": u.role.as_str(), "clearance": u.identity_clearance })).collect();
    render(&state, "users.html", &session, json!({ "users": users, "error": "" }))
}

#[derive(Deserialize)]
pub(crate) struct NewUser {
    #[serde(default)]
    csrf: String,
    username: String,
    password: String,
    role: String,
    #[serde(default)]
    clearance: Option<String>,
}

pub(crate) async fn add_user(State(state): State<Arc<AppState>>, Authed(session): Authed, Form(form): Form<NewUser>) -> Result<Response, AppError> {
    require(&session, &[Role::Admin])?;
    check_csrf(&session, &form.csrf)?;
    let role = Role::parse(&form.role).ok_or_else(|| AppError::BadInput(format!("unknown role {:?}", form.role)))?;
    let actor = session.user.username.clone();
    state
        .archive()
        .write(&actor, |w| w.set_user(&form.username, &form.password, role, form.clearance.is_some()))
        .map_err(|e| AppError::BadInput(e.to_string()))?;
    Ok(Redirect::to("/admin/users").into_response())
}

/// A page for other roles does not exist: 404, so its existence is not revealed.
fn require(session: &Session, roles: &[Role]) -> Result<(), AppError> {
    if roles.contains(&session.user.role) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub(crate) async fn intake_form(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Html<String>, AppError> {
    require(&session, &[Role::Admin, Role::Documenter])?;
    render(&state, "intake.html", &session, json!({ "results": [] }))
}

/// Takes uploaded files in as evidence: same hashing, encryption and duplicate check as
/// `girok add`; the bytes never touch disk unencrypted, and the file name is reduced to its
/// last component (path traversal).
pub(crate) async fn intake(State(state): State<Arc<AppState>>, Authed(session): Authed, mut form: axum::extract::Multipart) -> Result<Html<String>, AppError> {
    require(&session, &[Role::Admin, Role::Documenter])?;
    let mut csrf = String::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| AppError::BadInput(format!("upload: {e}")))? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|e| AppError::BadInput(e.to_string()))?,
            Some("files") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(|e| AppError::BadInput(format!("upload of {name}: {e}")))?;
                files.push((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    check_csrf(&session, &csrf)?;
    let actor = session.user.username.clone();
    let mut results = Vec::new();
    {
        let mut a = state.archive();
        for (name, bytes) in &files {
            let meta = girok_store::IntakeMeta { received_by: actor.clone(), confidentiality: girok_core::Confidentiality::Restricted, ..Default::default() };
            let mut outcome = None;
            a.write(&actor, |w| {
                outcome = Some(w.add_bytes(name, bytes, &meta));
                Ok(())
            })?;
            results.push(match outcome.expect("set in the closure") {
                Ok(girok_store::IntakeOutcome::Added { id, text_chars, .. }) => json!({ "name": name, "status": "added", "id": id, "chars": text_chars }),
                Ok(girok_store::IntakeOutcome::Duplicate { existing }) => json!({ "name": name, "status": "duplicate", "id": existing }),
                Err(e) => json!({ "name": name, "status": "refused", "error": e.to_string() }),
            });
        }
    }
    render(&state, "intake.html", &session, json!({ "results": results }))
}

pub(crate) async fn review(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Html<String>, AppError> {
    require(&session, &[Role::Admin, Role::Analyst, Role::Documenter])?;
    let items: Vec<serde_json::Value> = {
        let a = state.reader();
        let ceiling = session.user.role.max_confidentiality();
        a.review_queue(None)?
            .into_iter()
            .filter_map(|it| {
                let (l, r) = (a.get(&it.left).ok()?, a.get(&it.right).ok()?);
                (l.confidentiality() <= ceiling && r.confidentiality() <= ceiling).then(|| {
                    let detail: serde_json::Value = serde_json::from_str(&it.detail).unwrap_or(json!([]));
                    json!({ "id": it.id, "status": it.status, "score": format!("{:.3}", it.score), "left": l.title(), "left_id": it.left, "right": r.title(), "right_id": it.right, "detail": detail })
                })
            })
            .take(200)
            .collect()
    };
    render(&state, "review.html", &session, json!({ "items": items }))
}

#[derive(Deserialize)]
pub(crate) struct Decision {
    #[serde(default)]
    csrf: String,
    decision: String,
}

pub(crate) async fn review_decide(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(id): Path<i64>,
    Form(form): Form<Decision>,
) -> Result<Response, AppError> {
    require(&session, &[Role::Admin, Role::Analyst, Role::Documenter])?;
    check_csrf(&session, &form.csrf)?;
    let decision = match form.decision.as_str() {
        "accept" => girok_store::ReviewDecision::Accept,
        "reject" => girok_store::ReviewDecision::Reject,
        "undo" => girok_store::ReviewDecision::Undo,
        other => return Err(AppError::BadInput(format!("unknown decision {other:?}"))),
    };
    let actor = session.user.username.clone();
    state.archive().write(&actor, |w| w.decide_review(id, decision)).map_err(|e| match e {
        girok_store::StoreError::NotFound(_) => AppError::NotFound,
        other => AppError::BadInput(other.to_string()),
    })?;
    Ok(Redirect::to("/review").into_response())
}
