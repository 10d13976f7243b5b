//! Pages and their JSON twins: search, record and document pages with passage coding, the
//! audit log, accounts, intake and the review queue. Shared rendering lives in `render`, the
//! dashboard's figures in `dashboard`.
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
use crate::input;
use crate::render::{pick, render, require};
use crate::session::{check_csrf, Authed, Session};
use crate::AppState;

#[derive(Deserialize, Default)]
pub(crate) struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    act_type: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    source: String,
    /// The most confidential level to include (never above the role's own ceiling).
    #[serde(default)]
    confidentiality: String,
}

impl SearchParams {
    fn is_empty(&self) -> bool {
        [&self.q, &self.act_type, &self.place, &self.kind, &self.from, &self.to, &self.source].iter().all(|s| s.trim().is_empty())
    }
}

fn run_search(state: &AppState, session: &Session, p: &SearchParams) -> Result<Vec<girok_store::Hit>, AppError> {
    let a = state.reader();
    let act_type = input::term(girok_core::List::ActTypes, "act type", &p.act_type)?;
    let place = input::place(&a, &p.place)?;
    let kinds = match p.kind.trim() {
        "" => Vec::new(),
        k => vec![Kind::parse(k).ok_or_else(|| AppError::BadInput(format!("kind: unknown kind {k:?}")))?],
    };
    let ceiling = session.user.role.max_confidentiality();
    let max_confidentiality = input::level("confidentiality", &p.confidentiality)?.map_or(ceiling, |c| c.min(ceiling));
    let q = SearchQuery {
        text: p.q.clone(),
        kinds,
        act_type,
        place,
        from: input::year_day("from", &p.from, 1, 1)?,
        to: input::year_day("to", &p.to, 12, 31)?,
        source: input::nonempty(&p.source),
        max_confidentiality,
        limit: 20,
        ..Default::default()
    };
    Ok(a.search(&q)?)
}

fn hit_json(h: &girok_store::Hit) -> serde_json::Value {
    json!({ "id": h.id, "kind": h.kind, "title": h.title, "score": h.score, "snippet": h.snippet.text })
}

pub(crate) async fn search(State(state): State<Arc<AppState>>, Authed(session): Authed, Query(p): Query<SearchParams>) -> Result<Html<String>, AppError> {
    let hits = if p.is_empty() { Vec::new() } else { run_search(&state, &session, &p)? };
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
    let params = json!({ "q": p.q, "act_type": p.act_type, "place": p.place, "kind": p.kind, "from": p.from, "to": p.to, "source": p.source, "confidentiality": p.confidentiality });
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    render(&state, "search.html", &session, json!({ "p": params, "q": p.q, "hits": hits, "searched": !p.is_empty(), "kinds": kinds }))
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
    record_page(&state, &session, &id, None)
}

/// Shows a witness's sealed identity to an account with identity clearance, once, on request:
/// the request is a logged action (who looked at whose identity, never the identity itself), and
/// the page is not cached by the browser.
pub(crate) async fn reveal_identity(
    State(state): State<Arc<AppState>>,
    Authed(mut session): Authed,
    Path(id): Path<String>,
    Form(form): Form<crate::session::CsrfForm>,
) -> Result<Response, AppError> {
    // The language switch returns to the record's page: this address answers only POST.
    session.here = girok_core::text::percent_encode(&format!("/records/{id}"));
    // Threat: anyone but a cleared user learning who a witness is. Same 404 as "no such page".
    if !session.user.identity_clearance {
        return Err(AppError::NotFound);
    }
    check_csrf(&session, &form.csrf)?;
    let identity = girok_app::identity(&mut state.archive(), &girok_app::Actor::from_user(&session.user), &id)?.ok_or(AppError::NotFound)?;
    let shown = json!({ "legal_name": identity.legal_name, "contact": identity.contact, "notes": identity.notes });
    let page = record_page(&state, &session, &id, Some(shown))?;
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], page).into_response())
}

fn record_page(state: &AppState, session: &Session, id: &str, identity: Option<serde_json::Value>) -> Result<Html<String>, AppError> {
    let id = id.to_string();
    let ceiling = session.user.role.max_confidentiality();
    let actor = girok_app::Actor::from_user(&session.user);
    let (rec, version, retired, segments, history, linked, organisations) = {
        let a = state.reader();
        // Threat: a role reading what it may not by guessing ids. Same answer as "no such record"
        // (the read takes the reader's ceiling; retired records only for admins).
        let girok_store::Versioned { record: rec, version, retired } = girok_app::read(&a, &actor, &id)?;
        let segments = if rec.kind() == Kind::Document {
            match a.document_text(&id)? {
                Some(text) => {
                    let cites: Vec<(String, (u64, u64))> = a
                        .citations_of(&id)?
                        .into_iter()
                        .filter_map(|(rid, span)| {
                            let visible = a.get_for(&rid, ceiling, false).is_ok();
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
        let history: Vec<serde_json::Value> = girok_app::history(&a, &actor, &id)?.iter().map(crate::edit::version_json).collect();
        // Every record this one names (event, victim, place, source, cited documents …), and
        // every record naming it, as far as the role may see them.
        let mut linked = Vec::new();
        for (field, target) in rec.references() {
            if let Ok(girok_store::Versioned { record: r, .. }) = a.get_for(target, ceiling, false) {
                if target != rec.id() {
                    linked.push(json!({ "field": field, "id": r.id(), "kind": r.kind().as_str(), "title": r.title() }));
                }
            }
        }
        let (back, back_total) = a.referenced_by(&id, ceiling, 100)?;
        let back: Vec<serde_json::Value> =
            back.into_iter().map(|r| json!({ "field": r.field, "id": r.id, "kind": r.kind.as_str(), "title": r.title })).collect();
        let linked = json!({ "to": linked, "from": back, "from_total": back_total });
        let organisations = if rec.kind() == Kind::Event { Some(a.event_organisations(&id, ceiling)?) } else { None };
        (rec, version, retired, segments, history, linked, organisations)
    };
    let body = serde_json::to_string_pretty(&rec).map_err(|e| AppError::Internal(e.to_string()))?;
    let can_code = rec.kind() == Kind::Document && matches!(session.user.role, Role::Admin | Role::Documenter);
    let coding = if can_code { Some(coding_choices(state, session)?) } else { None };
    // Whether to offer the "show identity" button: the account is cleared and one is sealed.
    let can_reveal = rec.kind() == Kind::Source && session.user.identity_clearance && state.reader().sealed_identity(&id)?.is_some();
    let position = if rec.kind() == Kind::Place {
        let a = state.reader();
        let place = |pid: &str| match a.get(pid) {
            Ok(Record::Place(p)) => Some(p),
            _ => None,
        };
        crate::browse::place_position(&id, place).map(|(lat, lon, exact)| json!({ "lat": lat, "lon": lon, "approximate": !exact }))
    } else {
        None
    };
    // Editors correct any record they may see; the form is made from this version.
    let can_edit = actor.can_edit() && !retired;
    let fields = if can_edit {
        let shown = crate::forms::Shown { archive: &state.reader(), lang: session.lang, kind: rec.kind() };
        shown.fields(&serde_json::to_value(&rec).map_err(|e| AppError::Internal(e.to_string()))?)
    } else {
        Vec::new()
    };
    let can_seal = can_edit && rec.kind() == Kind::Source && actor.identity_clearance;
    // What intake read of a file and could not: its metadata, a scan waiting for OCR, a
    // format stored but not read; the GPS position only for restricted readers.
    let document = match &rec {
        Record::Document(d) => {
            let location = state.reader().document_location(&id, ceiling)?;
            let say = |key: &str| crate::i18n::message(session.lang, key).to_string();
            let origin = match &d.text_origin {
                Some(girok_core::model::TextOrigin::Ocr { engine, confidence, pages }) => format!("OCR · {engine} · {confidence:.0}% · {pages} p."),
                Some(girok_core::model::TextOrigin::File) => say("doc.origin_file"),
                Some(girok_core::model::TextOrigin::OcrPending) => say("doc.origin_pending"),
                Some(girok_core::model::TextOrigin::OcrFailed { .. }) => say("doc.origin_failed"),
                None => String::new(),
            };
            let can_ocr =
                can_edit && matches!(d.text_origin, Some(girok_core::model::TextOrigin::OcrPending) | Some(girok_core::model::TextOrigin::OcrFailed { .. }));
            Some(json!({
                "notice": d.notice,
                "no_text": d.text_chars == 0,
                "origin": origin,
                "media": d.media,
                "location": location.map(|l| format!("{:.5}, {:.5}", l.lat, l.lon)),
                "location_hidden": location.is_none() && d.media.as_ref().is_some_and(|m| m.has_location),
                "can_ocr": can_ocr,
            }))
        }
        _ => None,
    };
    let act_types = if can_edit && rec.kind() == Kind::Act { crate::forms::act_type_choices(session.lang) } else { Vec::new() };
    let edit = json!({ "can": can_edit, "version": version, "fields": fields, "act_types": act_types, "retired": retired, "can_restore": retired && session.user.role == Role::Admin, "can_seal": can_seal });
    // A translation beside its original (or an original beside its first translation), and
    // for a coded fact citing a translation, the passage of the original it renders.
    let (translation, originals) = {
        let a = state.reader();
        let text_of = |id: &str| a.document_text(id).ok().flatten().unwrap_or_default();
        let translation = match &rec {
            Record::Document(d) => {
                let other = match &d.translation_of {
                    Some(t) => a.get_for(&t.original, ceiling, false).ok().map(|v| ("original", v.record)),
                    None => a
                        .referenced_by(&id, ceiling, 100)?
                        .0
                        .into_iter()
                        .find(|r| r.field == "translation_of")
                        .and_then(|r| a.get_for(&r.id, ceiling, false).ok())
                        .map(|v| ("translation", v.record)),
                };
                other.and_then(|(role, r)| match r {
                    Record::Document(o) => Some(json!({
                        "role": role, "id": o.id, "title": o.title, "language": o.language, "text": text_of(&o.id),
                        "translator": d.translation_of.as_ref().and_then(|t| t.translator.clone()).or(o.translation_of.as_ref().and_then(|t| t.translator.clone())),
                    })),
                    _ => None,
                })
            }
            _ => None,
        };
        let citations: &[girok_core::model::Citation] = match &rec {
            Record::Act(x) => &x.citations,
            Record::Event(x) => &x.citations,
            _ => &[],
        };
        let mut originals = Vec::new();
        for c in citations {
            if let Ok(Some(o)) = girok_app::translation::original_passage(&a, &actor, c) {
                let (s, e) = o.span.unwrap_or((0, 0));
                let quote: String = text_of(&o.document).chars().skip(s as usize).take((e - s) as usize).collect();
                originals.push(json!({ "translation": c.to_cell(), "original": o.to_cell(), "document": o.document, "quote": quote }));
            }
        }
        (translation, originals)
    };
    render(
        state,
        "record.html",
        session,
        json!({ "id": rec.id(), "kind": rec.kind().as_str(), "title": rec.title(), "confidentiality": rec.confidentiality().as_str(), "body": body, "segments": segments, "history": history, "can_code": can_code, "linked": linked, "is_place": rec.kind() == Kind::Place, "organisations": organisations, "coding": coding, "can_reveal": can_reveal, "identity": identity, "position": position, "edit": edit, "document": document, "translation": translation, "originals": originals }),
    )
}

/// The sources the reader may see, as choices for a form (provenance is chosen, not typed).
fn visible_sources(state: &AppState, session: &Session) -> Result<Vec<serde_json::Value>, AppError> {
    let ceiling = session.user.role.max_confidentiality();
    Ok(state.reader().list_for(Kind::Source, ceiling)?.into_iter().map(|r| json!({ "id": r.id(), "title": r.title() })).collect())
}

/// The vocabularies and sources the coding form offers, labelled in the session's language.
fn coding_choices(state: &AppState, session: &Session) -> Result<serde_json::Value, AppError> {
    let vocab = girok_core::Vocabulary::builtin();
    let terms = |list: girok_core::List| -> Vec<serde_json::Value> {
        vocab.terms(list).map(|t| json!({ "code": t.code, "label": pick(session.lang, &t.en, t.ko.as_deref()), "en": t.en })).collect()
    };
    let sources = visible_sources(state, session)?;
    Ok(json!({
        "act_types": terms(girok_core::List::ActTypes),
        "connections": terms(girok_core::List::SourceConnection),
        "reliabilities": terms(girok_core::List::Reliability),
        "degrees": terms(girok_core::List::Involvement),
        "sources": sources,
    }))
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
    #[serde(default)]
    source: String,
    #[serde(default)]
    connection: String,
    #[serde(default)]
    reliability: String,
    /// A person id, or a name for a new (restricted) person record.
    #[serde(default)]
    perpetrator: String,
    #[serde(default)]
    degree: String,
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
    code(&state, &session, &doc_id, &form)?;
    Ok(Redirect::to(&format!("/records/{doc_id}")).into_response())
}

/// The same for API clients: a JSON body, the CSRF token in the `X-CSRF-Token` header.
pub(crate) async fn api_code_passage(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(doc_id): Path<String>,
    headers: axum::http::HeaderMap,
    Json(form): Json<CodeForm>,
) -> Result<Json<serde_json::Value>, AppError> {
    require(&session, &[Role::Admin, Role::Documenter])?;
    check_csrf(&session, crate::session::header_csrf(&headers))?;
    let (event, act) = code(&state, &session, &doc_id, &form)?;
    Ok(Json(json!({ "event": event, "act": act })))
}

/// Codes a passage of `doc_id` as an event with one act citing it; returns their ids.
fn code(state: &AppState, session: &Session, doc_id: &str, form: &CodeForm) -> Result<(String, String), AppError> {
    let passage = girok_app::Passage {
        start: form.start,
        end: form.end,
        act_type: form.act_type.clone(),
        victim: form.victim.clone(),
        place: form.place.clone(),
        date: form.date.clone(),
        description: form.description.clone(),
        source: form.source.clone(),
        connection: form.connection.clone(),
        reliability: form.reliability.clone(),
        perpetrator: form.perpetrator.clone(),
        degree: form.degree.clone(),
    };
    Ok(girok_app::code_passage(&mut state.archive(), &girok_app::Actor::from_user(&session.user), doc_id, &passage)?)
}

#[derive(Deserialize, Default)]
pub(crate) struct AuditFilter {
    #[serde(default)]
    record: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
}

pub(crate) async fn audit(State(state): State<Arc<AppState>>, Authed(session): Authed, Query(f): Query<AuditFilter>) -> Result<Html<String>, AppError> {
    require(&session, &[Role::Admin])?;
    let entries: Vec<serde_json::Value> = {
        let a = state.reader();
        // A record's whole history comes from the index; otherwise only the tail is read:
        // reading a million-entry log to show 200 lines would not scale.
        let head = a.audit_head_seq()?;
        let rows = match f.record.trim() {
            "" => a.audit_entries(None, head - 1999, head)?,
            id => a.history(id)?,
        };
        rows.into_iter()
            .rev()
            .filter(|e| (f.actor.is_empty() || e.actor == f.actor.trim()) && (f.action.is_empty() || e.action.contains(f.action.trim())))
            .take(200)
            .map(|e| json!({ "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "record": e.record_id, "hash": &e.hash[..16] }))
            .collect()
    };
    render(
        &state,
        "audit.html",
        &session,
        json!({ "entries": entries, "verified": null, "filters": { "record": f.record, "actor": f.actor, "action": f.action } }),
    )
}

/// Admins check the whole archive from the browser: chain, records, encrypted files.
pub(crate) async fn audit_verify(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Form(form): Form<crate::session::CsrfForm>,
) -> Result<Html<String>, AppError> {
    require(&session, &[Role::Admin])?;
    check_csrf(&session, &form.csrf)?;
    let st = state.clone();
    let report = tokio::task::spawn_blocking(move || st.reader().verify(&mut |_, _| {})).await.map_err(|e| AppError::Internal(e.to_string()))??;
    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    let verified = json!({ "ok": report.ok(), "entries": report.entries, "records": report.records, "blobs": report.blobs, "head": report.head_hash, "problems": problems, "warnings": report.warnings });
    render(&state, "audit.html", &session, json!({ "entries": [], "verified": verified }))
}

pub(crate) async fn users(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Html<String>, AppError> {
    require(&session, &[Role::Admin])?;
    let accounts = state.reader().users()?;
    let failures = state.failures.lock().unwrap_or_else(|e| e.into_inner());
    let users: Vec<serde_json::Value> = accounts
        .into_iter()
        .map(|u| {
            let locked = failures.locked(&state.config, &u.username);
            json!({ "name": u.username, "path": girok_core::text::percent_encode(&u.username), "role": u.role.as_str(), "clearance": u.identity_clearance, "disabled": u.disabled, "totp": u.totp, "locked": locked })
        })
        .collect();
    drop(failures);
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
    make_user(&state, &session, &form.username, &form.password, &form.role, form.clearance.is_some())?;
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Deserialize)]
pub(crate) struct ApiNewUser {
    username: String,
    password: String,
    role: String,
    #[serde(default)]
    identity_clearance: bool,
}

/// The same for API clients: a JSON body, the CSRF token in `X-CSRF-Token`.
pub(crate) async fn api_add_user(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    headers: axum::http::HeaderMap,
    Json(form): Json<ApiNewUser>,
) -> Result<Json<serde_json::Value>, AppError> {
    require(&session, &[Role::Admin])?;
    check_csrf(&session, crate::session::header_csrf(&headers))?;
    let role = make_user(&state, &session, &form.username, &form.password, &form.role, form.identity_clearance)?;
    Ok(Json(json!({ "username": form.username, "role": role.as_str(), "identity_clearance": form.identity_clearance })))
}

/// Creates or resets an account for the form and its API twin.
fn make_user(state: &AppState, session: &Session, username: &str, password: &str, role: &str, clearance: bool) -> Result<Role, AppError> {
    let role = Role::parse(role).ok_or_else(|| AppError::BadInput(format!("role: unknown role {role:?}")))?;
    girok_app::accounts::set_user(&mut state.archive(), &girok_app::Actor::from_user(&session.user), username, password, role, clearance)?;
    Ok(role)
}

/// Accounts as JSON for admins (never a hash or a second-factor secret).
pub(crate) async fn api_users(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Json<serde_json::Value>, AppError> {
    require(&session, &[Role::Admin])?;
    let users: Vec<serde_json::Value> = state
        .reader()
        .users()?
        .into_iter()
        .map(|u| json!({ "username": u.username, "role": u.role.as_str(), "identity_clearance": u.identity_clearance, "disabled": u.disabled, "totp": u.totp }))
        .collect();
    Ok(Json(json!({ "users": users })))
}

/// The intake form's results and the sources a documenter can attribute an upload to.
fn intake_context(state: &AppState, session: &Session, results: Vec<serde_json::Value>) -> Result<serde_json::Value, AppError> {
    let sources = visible_sources(state, session)?;
    Ok(json!({ "results": results, "sources": sources }))
}

pub(crate) async fn intake_form(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Html<String>, AppError> {
    require(&session, &[Role::Admin, Role::Documenter])?;
    let ctx = intake_context(&state, &session, Vec::new())?;
    render(&state, "intake.html", &session, ctx)
}

/// Takes uploaded files in as evidence: same hashing, encryption and duplicate check as
/// `girok add`; the bytes never touch disk unencrypted, and the file name is reduced to its
/// last component (path traversal). Provenance (source, language, confidentiality) applies to
/// every file of the upload.
pub(crate) async fn intake(State(state): State<Arc<AppState>>, Authed(session): Authed, mut form: axum::extract::Multipart) -> Result<Html<String>, AppError> {
    require(&session, &[Role::Admin, Role::Documenter])?;
    let _slot = state.upload_slots.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    let (mut csrf, mut provenance) = (String::new(), Provenance::default());
    let mut files: Vec<Result<girok_store::Spooled, (String, String)>> = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(|e| AppError::BadInput(format!("upload: {e}")))? {
        match field.name().map(str::to_string).as_deref() {
            Some("files") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                let mut spool = state.reader().spool(&name, state.config.max_upload as u64).map_err(|e| AppError::Internal(format!("{e:#}")))?;
                let mut refused = None;
                while let Some(chunk) = field.chunk().await.map_err(|e| AppError::BadInput(format!("upload of {name}: {e}")))? {
                    if refused.is_none() {
                        if let Err(e) = spool.write(&chunk) {
                            refused = Some(e.to_string());
                        }
                    }
                }
                match (refused, spool.finish()) {
                    (Some(why), _) => files.push(Err((name, why))),
                    (None, Ok(spooled)) => files.push(Ok(spooled)),
                    // A form sent with no file chosen has one empty, nameless part.
                    (None, Err(girok_store::IntakeError::Empty { .. })) if name.is_empty() => {}
                    (None, Err(e)) => files.push(Err((name, e.to_string()))),
                }
            }
            Some(name @ ("csrf" | "source" | "language" | "confidentiality")) => {
                let value = field.text().await.map_err(|e| AppError::BadInput(format!("{name}: {e}")))?;
                match name {
                    "csrf" => csrf = value,
                    "source" => provenance.source = value,
                    "language" => provenance.language = value,
                    _ => provenance.confidentiality = value,
                }
            }
            _ => {}
        }
    }
    check_csrf(&session, &csrf)?;
    let results = take_in(&state, &session, &provenance, files)?;
    let ctx = intake_context(&state, &session, results)?;
    render(&state, "intake.html", &session, ctx)
}

/// Where uploaded files come from, as typed: a source id, a language, a confidentiality level
/// (restricted when empty).
#[derive(Deserialize, Default)]
pub(crate) struct Provenance {
    #[serde(default)]
    source: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    confidentiality: String,
}

#[derive(Deserialize)]
pub(crate) struct ApiUpload {
    name: String,
    #[serde(flatten)]
    provenance: Provenance,
}

/// One file for API clients: the body is the file's bytes, provenance in the query string.
pub(crate) async fn api_intake(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Query(q): Query<ApiUpload>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Json<serde_json::Value>, AppError> {
    require(&session, &[Role::Admin, Role::Documenter])?;
    check_csrf(&session, crate::session::header_csrf(&headers))?;
    let _slot = state.upload_slots.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    let mut spool = state.reader().spool(&q.name, state.config.max_upload as u64).map_err(|e| AppError::Internal(format!("{e:#}")))?;
    let mut body = body;
    while let Some(frame) = http_body_util::BodyExt::frame(&mut body).await {
        let frame = frame.map_err(|e| AppError::BadInput(format!("upload of {}: {e}", q.name)))?;
        if let Ok(chunk) = frame.into_data() {
            spool.write(&chunk).map_err(|e| AppError::BadInput(e.to_string()))?;
        }
    }
    let file = spool.finish().map_err(|e| (q.name.clone(), e.to_string()));
    let mut results = take_in(&state, &session, &q.provenance, vec![file])?;
    Ok(Json(results.pop().unwrap_or_default()))
}

/// Takes received files in as evidence with their provenance; one result per file: added,
/// duplicate (with the existing id) or refused. Each file is its own transaction.
fn take_in(
    state: &AppState,
    session: &Session,
    provenance: &Provenance,
    files: Vec<Result<girok_store::Spooled, (String, String)>>,
) -> Result<Vec<serde_json::Value>, AppError> {
    let provenance = girok_app::Provenance {
        source: input::nonempty(&provenance.source),
        language: input::nonempty(&provenance.language),
        confidentiality: input::level("confidentiality", &provenance.confidentiality)?,
        ..Default::default()
    };
    let files = files
        .into_iter()
        .map(|f| match f {
            Ok(s) => girok_app::Received::Spooled(s),
            Err((name, why)) => girok_app::Received::Refused { name, why },
        })
        .collect();
    let taken = girok_app::take_in(&mut state.archive(), &girok_app::Actor::from_user(&session.user), &provenance, files, &mut |_| {})?;
    Ok(taken
        .into_iter()
        .map(|t| match t.result {
            Ok(girok_store::IntakeOutcome::Added { id, text_chars, warning, attachments, .. }) => {
                json!({ "name": t.name, "status": "added", "id": id, "chars": text_chars, "note": warning, "attachments": attachments })
            }
            Ok(girok_store::IntakeOutcome::Duplicate { existing }) => json!({ "name": t.name, "status": "duplicate", "id": existing }),
            Err(e) => json!({ "name": t.name, "status": "refused", "error": e }),
        })
        .collect())
}

pub(crate) async fn review(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Html<String>, AppError> {
    require(&session, &[Role::Admin, Role::Analyst, Role::Documenter])?;
    let items: Vec<serde_json::Value> = {
        let a = state.reader();
        let ceiling = session.user.role.max_confidentiality();
        a.review_queue(None)?
            .into_iter()
            .filter_map(|it| {
                let (l, r) = (a.get_for(&it.left, ceiling, false).ok()?.record, a.get_for(&it.right, ceiling, false).ok()?.record);
                Some({
                    let detail: serde_json::Value = serde_json::from_str(&it.detail).unwrap_or(json!([]));
                    json!({ "id": it.id, "kind": it.kind, "status": it.status, "score": format!("{:.3}", it.score), "left": l.title(), "left_id": it.left, "right": r.title(), "right_id": it.right, "detail": detail })
                })
            })
            .take(200)
            .collect()
    };
    render(&state, "review.html", &session, json!({ "items": items }))
}

#[derive(Deserialize)]
pub(crate) struct Propose {
    #[serde(default)]
    csrf: String,
    /// `persons` or `events`.
    what: String,
}

/// Runs linkage over the archive and queues what it proposes (the workflows are girok-app's).
fn propose(state: &AppState, session: &Session, what: &str) -> Result<serde_json::Value, AppError> {
    let actor = girok_app::Actor::from_user(&session.user);
    let mut a = state.archive();
    Ok(match what {
        "persons" => {
            let p = girok_app::linking::propose_duplicate_persons(&mut a, &actor, girok_app::linking::PERSON_THRESHOLD)?;
            json!({ "what": "persons", "compared": p.compared, "candidate_pairs": p.candidate_pairs, "queued": p.queued })
        }
        "events" => {
            let p = girok_app::event_linking::propose_duplicate_events(&mut a, &actor, girok_app::event_linking::THRESHOLD)?;
            json!({ "what": "events", "compared": p.events, "candidate_pairs": p.candidate_pairs, "queued": p.queued })
        }
        other => return Err(AppError::BadInput(format!("nothing to propose for {other:?} (persons or events)"))),
    })
}

/// The review page's "find duplicates" buttons, for analysts, documenters and admins.
pub(crate) async fn review_propose(State(state): State<Arc<AppState>>, Authed(session): Authed, Form(form): Form<Propose>) -> Result<Response, AppError> {
    require(&session, &[Role::Admin, Role::Analyst, Role::Documenter])?;
    check_csrf(&session, &form.csrf)?;
    propose(&state, &session, &form.what)?;
    Ok(Redirect::to("/review").into_response())
}

/// The same for API clients: `{"what": "events"}`, the CSRF token in `X-CSRF-Token`.
pub(crate) async fn api_review_propose(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    headers: axum::http::HeaderMap,
    Json(form): Json<Propose>,
) -> Result<Json<serde_json::Value>, AppError> {
    require(&session, &[Role::Admin, Role::Analyst, Role::Documenter])?;
    check_csrf(&session, crate::session::header_csrf(&headers))?;
    Ok(Json(propose(&state, &session, &form.what)?))
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
    decide(&state, &session, id, &form.decision)?;
    Ok(Redirect::to("/review").into_response())
}

/// The same for API clients: `{"decision": "accept"}`, the CSRF token in `X-CSRF-Token`.
pub(crate) async fn api_review_decide(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Json(form): Json<Decision>,
) -> Result<Json<serde_json::Value>, AppError> {
    require(&session, &[Role::Admin, Role::Analyst, Role::Documenter])?;
    check_csrf(&session, crate::session::header_csrf(&headers))?;
    let item = decide(&state, &session, id, &form.decision)?;
    Ok(Json(json!({ "id": item.id, "status": item.status })))
}

fn decide(state: &AppState, session: &Session, id: i64, decision: &str) -> Result<girok_store::ReviewItem, AppError> {
    let decision = match decision {
        "accept" => girok_store::ReviewDecision::Accept,
        "reject" => girok_store::ReviewDecision::Reject,
        "undo" => girok_store::ReviewDecision::Undo,
        other => return Err(AppError::BadInput(format!("unknown decision {other:?}"))),
    };
    Ok(girok_app::accounts::decide_review(&mut state.archive(), &girok_app::Actor::from_user(&session.user), id, decision)?)
}
