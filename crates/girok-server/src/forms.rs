//! The pages' forms for keeping the record: a new record of any kind, correcting one field by
//! field, changing its level with a reason, retiring and restoring it, sealing a witness's
//! identity. Each handler translates the form and calls one `girok_app` workflow, the same the
//! API and the CLI call.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use girok_app::Actor;
use girok_core::model::Kind;
use serde_json::{json, Value};

use crate::error::AppError;
use crate::render::render;
use crate::session::{check_csrf, Authed, Session};
use crate::AppState;

/// Fields a form never offers: identity, kind, provenance flags and the original file's own
/// description (which never changes).
fn offered(key: &str) -> bool {
    !matches!(key, "record" | "id" | "synthetic" | "same_as") && !girok_app::ORIGINAL_FIELDS.contains(&key)
}

/// How a form shows stored values: vocabulary codes as labels in the reader's language, place
/// ids as place names. What it shows is what `normalize` reads back.
pub(crate) struct Shown<'a> {
    pub(crate) archive: &'a girok_store::Archive,
    pub(crate) lang: crate::i18n::Lang,
    pub(crate) kind: Kind,
}

impl Shown<'_> {
    /// A field's value as the form shows it: a date as typed, names as
    /// `hangul:김철수|mr:Kim Ch'ŏl-su`, a term by its label, a place by its name, lists as JSON.
    fn text(&self, key: &str, v: &Value) -> String {
        if let (Some(list), Some(code)) = (girok_app::field_vocabulary(key), v.as_str()) {
            if let Some(t) = girok_core::Vocabulary::builtin().get(list, code) {
                return crate::render::pick(self.lang, &t.en, t.ko.as_deref());
            }
        }
        let is_place = matches!(key, "place" | "origin") || (key == "parent" && self.kind == Kind::Place);
        if let (true, Some(id)) = (is_place, v.as_str()) {
            if let Ok(girok_core::model::Record::Place(p)) = self.archive.get(id) {
                return p.name;
            }
        }
        field_text(v)
    }

    /// The form's rows: each offered field with its current text, whether it is long, and the
    /// list of terms it offers.
    pub(crate) fn fields(&self, record: &Value) -> Vec<Value> {
        record
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(k, _)| offered(k))
                    .map(|(k, v)| {
                        let text = self.text(k, v);
                        let long = matches!(k.as_str(), "description" | "notes" | "relationships" | "values" | "perpetrators" | "citations" | "links")
                            || text.len() > 60;
                        let list = (k == "act_type").then_some("act-types");
                        json!({ "name": k, "value": text, "long": long, "list": list })
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The fields a form changed, as set on `record`: only those whose text differs from what
    /// the form showed.
    fn apply(&self, record: &mut Value, form: &HashMap<String, String>) -> Result<Value, AppError> {
        let before = record.clone();
        for (key, text) in form.iter().filter_map(|(k, v)| k.strip_prefix("f.").map(|k| (k, v))) {
            if !offered(key) {
                continue;
            }
            let shown = before.get(key).map(|v| self.text(key, v)).unwrap_or_default();
            if shown.replace("\r\n", "\n") != text.replace("\r\n", "\n") {
                girok_app::set_field(record, key, text).map_err(AppError::from)?;
            }
        }
        let mut patch = serde_json::Map::new();
        if let (Value::Object(b), Value::Object(a)) = (&before, &*record) {
            for (k, v) in a {
                if b.get(k) != Some(v) {
                    patch.insert(k.clone(), v.clone());
                }
            }
        }
        Ok(Value::Object(patch))
    }
}

/// A value in the form `set_field` and `normalize` read back.
fn field_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Object(o) if o.contains_key("text") && o.contains_key("precision") => o["text"].as_str().unwrap_or("").to_string(),
        Value::Array(items) if !items.is_empty() => match serde_json::from_value::<Vec<girok_core::model::Name>>(v.clone()) {
            // Names, as they are typed.
            Ok(names) => names.iter().map(girok_app::typed_name).collect::<Vec<_>>().join("|"),
            Err(_) => v.to_string(),
        },
        other => other.to_string(),
    }
}

/// The act types a form offers, labelled in the reader's language.
pub(crate) fn act_type_choices(lang: crate::i18n::Lang) -> Vec<Value> {
    girok_core::Vocabulary::builtin()
        .terms(girok_core::List::ActTypes)
        .map(|t| json!({ "value": crate::render::pick(lang, &t.en, t.ko.as_deref()), "code": t.code }))
        .collect()
}

fn actor(session: &Session) -> Actor {
    Actor::from_user(&session.user)
}

#[derive(serde::Deserialize)]
pub(crate) struct NewQuery {
    #[serde(default)]
    kind: String,
}

/// `GET /records/new?kind=…`: an empty form for a record of that kind.
pub(crate) async fn new_form(State(state): State<Arc<AppState>>, Authed(session): Authed, Query(q): Query<NewQuery>) -> Result<Html<String>, AppError> {
    if !actor(&session).can_edit() {
        return Err(AppError::NotFound);
    }
    let kinds = ["event", "act", "person", "source", "place", "indicator", "provision"];
    let kind = Kind::parse(&q.kind).filter(|k| *k != Kind::Document);
    let fields = match kind {
        Some(k) => Shown { archive: &state.reader(), lang: session.lang, kind: k }.fields(&girok_app::template(k)?),
        None => Vec::new(),
    };
    let choices = act_type_choices(session.lang);
    render(&state, "new.html", &session, json!({ "kind": kind.map(|k| k.as_str()), "kinds": kinds, "fields": fields, "error": null, "act_types": choices }))
}

/// `POST /records/new`: creates the record and shows it; a refusal shows the form again with
/// what was typed and the field at fault.
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&session, form.get("csrf").map(String::as_str).unwrap_or(""))?;
    let kind = form
        .get("kind")
        .and_then(|k| Kind::parse(k))
        .filter(|k| *k != Kind::Document)
        .ok_or_else(|| AppError::Invalid { field: "kind".into(), message: "choose a kind of record".into() })?;
    // The template's defaults (a source is a witness, restricted), overridden by what was typed;
    // fields left empty are not given.
    let mut input = girok_app::template(kind)?;
    Shown { archive: &state.reader(), lang: session.lang, kind }.apply(&mut input, &form)?;
    if let Value::Object(m) = &mut input {
        m.retain(|_, v| !(v.is_null() || v.as_str() == Some("") || v.as_array().is_some_and(|a| a.is_empty())));
    }
    let res = girok_app::create(&mut state.archive(), &actor(&session), input);
    match res {
        Ok(saved) => Ok(Redirect::to(&format!("/records/{}", saved.id)).into_response()),
        Err(e @ girok_app::DomainError::Invalid { .. }) => {
            // Shown again as typed, with the message; nothing was written.
            let mut shown = girok_app::template(kind)?;
            for (k, v) in form.iter().filter_map(|(k, v)| k.strip_prefix("f.").map(|k| (k, v))) {
                if shown.get(k).is_some() {
                    shown[k] = json!(v);
                }
            }
            let fields = Shown { archive: &state.reader(), lang: session.lang, kind }.fields(&shown);
            let error = json!({ "field": e.field(), "message": e.to_string() });
            let choices = act_type_choices(session.lang);
            let page =
                render(&state, "new.html", &session, json!({ "kind": kind.as_str(), "kinds": [], "fields": fields, "error": error, "act_types": choices }))?;
            Ok((axum::http::StatusCode::BAD_REQUEST, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /records/{id}/edit`: the changed fields, at the version the form was made from.
pub(crate) async fn edit(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&session, form.get("csrf").map(String::as_str).unwrap_or(""))?;
    let base: i64 = form.get("version").and_then(|v| v.parse().ok()).ok_or(AppError::VersionRequired)?;
    let who = actor(&session);
    let current = girok_app::read(&state.reader(), &who, &id)?;
    let mut record = serde_json::to_value(&current.record).map_err(|e| AppError::Internal(e.to_string()))?;
    let changes = Shown { archive: &state.reader(), lang: session.lang, kind: current.record.kind() }.apply(&mut record, &form)?;
    girok_app::edit(&mut state.archive(), &who, &id, base, changes, form.get("reason").map(String::as_str))?;
    Ok(Redirect::to(&format!("/records/{id}")).into_response())
}

/// `POST /records/{id}/retire` and `/restore`, with a reason.
pub(crate) async fn retire(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    set_retired(&state, &session, &id, &form, true)
}

pub(crate) async fn restore(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    set_retired(&state, &session, &id, &form, false)
}

fn set_retired(state: &AppState, session: &Session, id: &str, form: &HashMap<String, String>, retired: bool) -> Result<Response, AppError> {
    check_csrf(session, form.get("csrf").map(String::as_str).unwrap_or(""))?;
    let reason = form.get("reason").map(String::as_str).unwrap_or("");
    if retired {
        girok_app::retire(&mut state.archive(), &actor(session), id, reason)?;
    } else {
        girok_app::restore(&mut state.archive(), &actor(session), id, reason)?;
    }
    Ok(Redirect::to(&format!("/records/{id}")).into_response())
}

/// `POST /records/{id}/ocr`: an editor has a scan's or photograph's text recognised now. The
/// outcome (text, or why there is none) is on the document page that follows.
pub(crate) async fn ocr(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&session, form.get("csrf").map(String::as_str).unwrap_or(""))?;
    girok_app::recognise(&mut state.archive(), &actor(&session), Some(vec![id.clone()]), &mut |_, _, _| {})?;
    Ok(Redirect::to(&format!("/records/{id}")).into_response())
}

/// `POST /records/{id}/seal`: a cleared editor seals a witness's identity. The page that
/// follows does not show it; viewing it is a separate, audited request.
pub(crate) async fn seal(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&session, form.get("csrf").map(String::as_str).unwrap_or(""))?;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let identity = girok_core::model::SealedIdentity { source: id.clone(), legal_name: get("legal_name"), contact: get("contact"), notes: get("notes") };
    girok_app::seal_identity(&mut state.archive(), &actor(&session), &identity)?;
    Ok(Redirect::to(&format!("/records/{id}")).into_response())
}
