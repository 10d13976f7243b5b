//! The sync transport's server side: `girok serve --sync-listen` answers paired archives over
//! TLS (see `sync_tls`), on its own port, with no session, cookie or password.
//!
//! Routes (JSON errors, like every `/api/` route):
//! - `GET  /api/sync/v1/hello`: who this archive is, and whether the caller is paired.
//! - `GET  /api/sync/v1/uploads/{sha}`: how many bytes of an upload arrived (to resume).
//! - `PUT  /api/sync/v1/uploads/{sha}?offset=N`: the next piece of a bundle.
//! - `POST /api/sync/v1/uploads/{sha}/apply`: checks the whole file's SHA-256, applies it.
//! - `POST /api/sync/v1/bundle?resume=SHA`: a bundle for the caller (the same one again to
//!   resume a cut download), its SHA-256 and size.
//! - `GET  /api/sync/v1/bundle/{sha}?offset=N&len=M`: a piece of it.
//!
//! Files in transit sit under the archive's `sync-transfer/`, named by the peer's key and the
//! bundle's hash; they are bundles, encrypted to their receiver, so nothing readable is there.
//! An upload is applied only whole and only if its hash matches, so a cut transfer applies
//! nothing and resumes where it stopped.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::AppError;
use crate::AppState;

/// The largest piece a client sends or asks for at once.
pub(crate) const MAX_PIECE: usize = 16 << 20;

/// The authenticated key (hex) of the archive on the other end of this TLS connection.
#[derive(Clone)]
pub(crate) struct Peer(pub(crate) String);

pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/api/sync/v1/hello", get(hello))
        .route("/api/sync/v1/uploads/{sha}", get(upload_state).put(upload_piece))
        .route("/api/sync/v1/uploads/{sha}/apply", post(apply))
        .route("/api/sync/v1/bundle", post(make_bundle))
        .route("/api/sync/v1/bundle/{sha}", get(bundle_piece))
        .layer(DefaultBodyLimit::max(MAX_PIECE + 4096))
        .layer(axum::middleware::from_fn(crate::error::api_json_errors))
        .with_state(state)
}

fn refused(e: girok_app::DomainError) -> AppError {
    match e {
        girok_app::DomainError::Forbidden(m) => AppError::Refused(m),
        other => other.into(),
    }
}

/// The pairing of the caller, checked on every request: a pairing withdrawn while a
/// connection is open stops it at the next request.
fn paired(state: &AppState, peer: &Peer) -> Result<girok_store::Replica, AppError> {
    state.with_archive(|a| girok_app::sync::transport_peer(a, &peer.0)).map_err(refused)
}

fn checked_sha(sha: &str) -> Result<&str, AppError> {
    if sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        Ok(sha)
    } else {
        Err(AppError::Invalid { field: "sha".into(), message: "a bundle is named by its SHA-256, 64 lowercase hex digits".into() })
    }
}

fn transfer_dir(state: &AppState, sub: &str) -> Result<PathBuf, AppError> {
    let dir = state.with_archive(|a| a.dir().join("sync-transfer").join(sub));
    std::fs::create_dir_all(&dir).map_err(|e| AppError::Internal(format!("creating {}: {e}", dir.display())))?;
    Ok(dir)
}

fn upload_path(state: &AppState, peer: &Peer, sha: &str) -> Result<PathBuf, AppError> {
    Ok(transfer_dir(state, "in")?.join(format!("{}-{sha}.part", &peer.0[..16])))
}

fn io(path: &std::path::Path, e: std::io::Error) -> AppError {
    AppError::Internal(format!("{}: {e}", path.display()))
}

async fn hello(State(state): State<Arc<AppState>>, Extension(peer): Extension<Peer>) -> Result<Json<Value>, AppError> {
    let replica = paired(&state, &peer)?;
    let me = state.with_archive(|a| a.fingerprint());
    Ok(Json(json!({ "archive": me, "you_are": replica.name })))
}

async fn upload_state(State(state): State<Arc<AppState>>, Extension(peer): Extension<Peer>, Path(sha): Path<String>) -> Result<Json<Value>, AppError> {
    paired(&state, &peer)?;
    let path = upload_path(&state, &peer, checked_sha(&sha)?)?;
    let received = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok(Json(json!({ "received": received })))
}

#[derive(Deserialize)]
struct Offset {
    offset: u64,
}

/// Writes a piece at `offset`, which must be where the file ends now (or earlier, to rewrite
/// a piece whose answer was lost); anything after it is dropped first.
async fn upload_piece(
    State(state): State<Arc<AppState>>,
    Extension(peer): Extension<Peer>,
    Path(sha): Path<String>,
    Query(q): Query<Offset>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, AppError> {
    paired(&state, &peer)?;
    let path = upload_path(&state, &peer, checked_sha(&sha)?)?;
    let have = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    if q.offset > have {
        return Err(AppError::Invalid { field: "offset".into(), message: format!("{} bytes arrived so far; send from there, not from {}", have, q.offset) });
    }
    let mut f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| io(&path, e))?;
    f.set_len(q.offset).map_err(|e| io(&path, e))?;
    f.seek(SeekFrom::Start(q.offset)).map_err(|e| io(&path, e))?;
    f.write_all(&body).map_err(|e| io(&path, e))?;
    f.sync_data().map_err(|e| io(&path, e))?;
    Ok(Json(json!({ "received": q.offset + body.len() as u64 })))
}

async fn apply(State(state): State<Arc<AppState>>, Extension(peer): Extension<Peer>, Path(sha): Path<String>) -> Result<Json<Value>, AppError> {
    paired(&state, &peer)?;
    let sha = checked_sha(&sha)?.to_string();
    let path = upload_path(&state, &peer, &sha)?;
    let state2 = state.clone();
    let report = tokio::task::spawn_blocking(move || -> Result<girok_store::ApplyReport, AppError> {
        let got = girok_store::file_sha256(&path).map_err(|e| AppError::Invalid { field: "bundle".into(), message: e.to_string() })?;
        if got != sha {
            return Err(AppError::Invalid {
                field: "bundle".into(),
                message: "the upload is not complete (or was altered): its SHA-256 differs; resume it".into(),
            });
        }
        let report = {
            let mut a = state2.archive();
            girok_app::sync::apply_from_peer(&mut a, &peer.0, &path).map_err(refused)?
        };
        let _ = std::fs::remove_file(&path);
        Ok(report)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(Json(serde_json::to_value(report).expect("a report serializes")))
}

#[derive(Deserialize)]
struct Resume {
    resume: Option<String>,
}

async fn make_bundle(State(state): State<Arc<AppState>>, Extension(peer): Extension<Peer>, Query(q): Query<Resume>) -> Result<Json<Value>, AppError> {
    paired(&state, &peer)?;
    let dir = transfer_dir(&state, "out")?;
    let prefix = format!("{}-", &peer.0[..16]);
    if let Some(sha) = q.resume.as_deref() {
        let path = dir.join(format!("{prefix}{}.girok-sync", checked_sha(sha)?));
        if let Ok(m) = std::fs::metadata(&path) {
            return Ok(Json(json!({ "sha256": sha, "size": m.len(), "resumed": true })));
        }
    }
    // One bundle waits per peer: a new one replaces the last.
    for e in std::fs::read_dir(&dir).map_err(|e| io(&dir, e))?.flatten() {
        if e.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let fresh = dir.join(format!("{prefix}new.girok-sync"));
    let _ = std::fs::remove_file(&fresh);
    let state2 = state.clone();
    let peer2 = peer.clone();
    let (report, sha, size) = tokio::task::spawn_blocking(move || -> Result<_, AppError> {
        let report = {
            let mut a = state2.archive();
            girok_app::sync::export_for_peer(&mut a, &peer2.0, &fresh).map_err(refused)?
        };
        let sha = girok_store::file_sha256(&fresh).map_err(|e| AppError::Internal(e.to_string()))?;
        let named = fresh.with_file_name(format!("{prefix}{sha}.girok-sync"));
        std::fs::rename(&fresh, &named).map_err(|e| io(&named, e))?;
        let size = std::fs::metadata(&named).map_err(|e| io(&named, e))?.len();
        Ok((report, sha, size))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(Json(json!({ "sha256": sha, "size": size, "resumed": false, "changes": report.changes, "blobs": report.blobs })))
}

#[derive(Deserialize)]
struct Piece {
    offset: u64,
    len: usize,
}

async fn bundle_piece(
    State(state): State<Arc<AppState>>,
    Extension(peer): Extension<Peer>,
    Path(sha): Path<String>,
    Query(q): Query<Piece>,
) -> Result<axum::body::Bytes, AppError> {
    paired(&state, &peer)?;
    let path = transfer_dir(&state, "out")?.join(format!("{}-{}.girok-sync", &peer.0[..16], checked_sha(&sha)?));
    let mut f = std::fs::File::open(&path).map_err(|_| AppError::NotFound)?;
    f.seek(SeekFrom::Start(q.offset)).map_err(|e| io(&path, e))?;
    let mut buf = Vec::with_capacity(q.len.min(MAX_PIECE));
    f.take(q.len.min(MAX_PIECE) as u64).read_to_end(&mut buf).map_err(|e| io(&path, e))?;
    Ok(buf.into())
}

/// Serves the sync routes over TLS on an already bound listener.
pub async fn serve_sync_listener(state: Arc<AppState>, listener: std::net::TcpListener) -> std::io::Result<()> {
    let pkcs8 = state.with_archive(|a| a.transport_key_pkcs8());
    let config = crate::sync_tls::server_config(&pkcs8).map_err(std::io::Error::other)?;
    drop(pkcs8);
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let header_timeout = state.config.header_timeout;
    let max = state.config.max_connections;
    let app = router(state);
    crate::accept_loop(listener, max, "sync ", move |stream, _| {
        let (acceptor, app) = (acceptor.clone(), app.clone());
        async move {
            // A handshake must finish as quickly as a request's headers arrive.
            let Ok(Ok(tls)) = tokio::time::timeout(header_timeout, acceptor.accept(stream)).await else { return };
            let key = tls.get_ref().1.peer_certificates().and_then(|c| c.first()).and_then(|c| crate::sync_tls::ed25519_key(c));
            let Some(key) = key else { return };
            crate::serve_connection(tls, app, header_timeout, Peer(hex::encode(key))).await;
        }
    })
    .await
}
