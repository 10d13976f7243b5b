//! The admins' page of replicas and mirrors: each one's fingerprint, its last bundle, what
//! waits for it, and the conflicts queue. Bundles themselves move by `girok sync` and
//! `girok mirror` (the web does not carry them yet).

use std::sync::Arc;

use axum::extract::State;
use axum::response::Html;
use serde_json::json;

use crate::error::AppError;
use crate::render::render;
use crate::session::Authed;
use crate::AppState;

pub(crate) async fn replicas(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Html<String>, AppError> {
    let actor = girok_app::Actor::from_user(&session.user);
    let reader = state.reader();
    // Not an admin: the same 404 as any admin page.
    let (list, _) = girok_app::sync::replicas(&reader, &actor).map_err(|_| AppError::NotFound)?;
    let conflicts = girok_app::sync::conflicts(&reader, &actor)?;
    let fingerprint = reader.fingerprint();
    drop(reader);
    let replicas: Vec<serde_json::Value> = list
        .iter()
        .map(|r| {
            json!({
                "name": r.replica.name,
                "kind": if r.replica.mirror { "mirror" } else { "replica" },
                "fingerprint": r.fingerprint,
                "last_seen": r.replica.last_seen,
                "waiting": r.waiting,
                "accepts": r.replica.accepts.max_level.as_str(),
                "identities": r.replica.accepts.identities,
            })
        })
        .collect();
    let conflicts: Vec<serde_json::Value> = conflicts
        .iter()
        .map(|c| json!({ "seq": c.seq, "record": c.record_id, "action": c.action, "actor": c.actor, "at": c.at, "origin": c.origin_name.clone().unwrap_or(c.origin.clone()) }))
        .collect();
    render(&state, "replicas.html", &session, json!({ "fingerprint": fingerprint, "replicas": replicas, "conflicts": conflicts }))
}
