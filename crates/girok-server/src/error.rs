//! The one place HTTP status codes are chosen. Internal details never reach the page.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

/// Why a request failed, as the user may be told.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not logged in: pages redirect to the login form, the API answers 401.
    #[error("not logged in")]
    LoginRequired { api: bool },
    /// Missing, or not visible to this role: the same answer, so nothing leaks.
    #[error("not found")]
    NotFound,
    #[error("the form expired or was not sent from Girok; reload the page and try again")]
    BadCsrf,
    #[error("{0}")]
    BadInput(String),
    /// Bad input in one named field.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// An edit made against a version that is no longer current; `changes` says what changed.
    #[error("{message}")]
    Stale { message: String, changes: serde_json::Value },
    /// A change to an existing record must name the version it starts from.
    #[error("say which version the edit starts from: send If-Match with the record's ETag")]
    VersionRequired,
    #[error("too many failed logins for this account; try again later")]
    Throttled,
    /// A sync peer that is not paired: said plainly, since the peer proved its key.
    #[error("{0}")]
    Refused(String),
    #[error("internal error")]
    Internal(String),
}

impl From<girok_store::StoreError> for AppError {
    fn from(e: girok_store::StoreError) -> Self {
        match e {
            girok_store::StoreError::NotFound(_) => AppError::NotFound,
            other => AppError::Internal(chain(&other)),
        }
    }
}

/// An error with every cause under it, for the operator's log.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cur = c.source();
    }
    out
}

impl From<girok_app::DomainError> for AppError {
    fn from(e: girok_app::DomainError) -> Self {
        use girok_app::DomainError as D;
        match e {
            // What a role may not do is, like what it may not see, a 404.
            D::NotFound(_) | D::Forbidden(_) => AppError::NotFound,
            D::Invalid { ref field, .. } => {
                let field = field.clone();
                let message = e.to_string();
                let message = message.strip_prefix(&format!("{field}: ")).map(str::to_string).unwrap_or(message);
                AppError::Invalid { field, message }
            }
            D::Stale { ref changes, .. } => {
                let changes = crate::edit::changes_json(changes).into();
                AppError::Stale { message: e.to_string(), changes }
            }
            D::Store(inner) => AppError::from(inner),
            D::Import(inner) => AppError::Invalid { field: "file".into(), message: inner.to_string() },
            D::Sync(inner) => AppError::Invalid { field: "bundle".into(), message: inner.to_string() },
        }
    }
}

/// What an error response said, kept on the response so `/api/` routes can answer in JSON.
#[derive(Clone, Debug)]
pub(crate) struct ErrorInfo {
    pub(crate) message: String,
    pub(crate) field: Option<String>,
    pub(crate) changes: Option<serde_json::Value>,
}

impl From<minijinja::Error> for AppError {
    fn from(e: minijinja::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::LoginRequired { api: false } => return Redirect::to("/login").into_response(),
            AppError::LoginRequired { api: true } => StatusCode::UNAUTHORIZED,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadCsrf => StatusCode::FORBIDDEN,
            AppError::BadInput(_) | AppError::Invalid { .. } => StatusCode::BAD_REQUEST,
            AppError::Stale { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::VersionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::Throttled => StatusCode::TOO_MANY_REQUESTS,
            AppError::Refused(_) => StatusCode::FORBIDDEN,
            AppError::Internal(detail) => {
                // Logged for the operator; the page says only that something failed.
                eprintln!("girok-server: internal error: {detail}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let info = ErrorInfo {
            message: self.to_string(),
            field: match &self {
                AppError::Invalid { field, .. } => Some(field.clone()),
                _ => None,
            },
            changes: match &self {
                AppError::Stale { changes, .. } => Some(changes.clone()),
                _ => None,
            },
        };
        let message = escape(&info.message);
        let mut res =
            (status, Html(format!("<!doctype html><meta charset=utf-8><title>Girok</title><p>{message}</p><p><a href=\"/\">Girok</a></p>"))).into_response();
        res.extensions_mut().insert(info);
        res
    }
}

/// On `/api/`, every error is JSON: `{"error": message, "field": …, "changes": […]}`, whether it
/// came from a handler or from axum rejecting the request (a malformed body, a missing field).
pub(crate) async fn api_json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let info = match parts.extensions.remove::<ErrorInfo>() {
        Some(info) => info,
        None => {
            // A rejection by an extractor: its plain-text message.
            let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
            ErrorInfo { message: String::from_utf8_lossy(&bytes).trim().to_string(), field: None, changes: None }
        }
    };
    let mut v = serde_json::json!({ "error": info.message });
    if let Some(f) = info.field {
        v["field"] = serde_json::json!(f);
    }
    if let Some(c) = info.changes {
        v["changes"] = c;
    }
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    Response::from_parts(parts, axum::body::Body::from(v.to_string()))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
