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
    #[error("too many failed logins for this account; try again later")]
    Throttled,
    #[error("internal error")]
    Internal(String),
}

impl From<girok_store::StoreError> for AppError {
    fn from(e: girok_store::StoreError) -> Self {
        match e {
            girok_store::StoreError::NotFound(_) => AppError::NotFound,
            other => AppError::Internal(other.to_string()),
        }
    }
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
            AppError::BadInput(_) => StatusCode::BAD_REQUEST,
            AppError::Throttled => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(detail) => {
                // Logged for the operator; the page says only that something failed.
                eprintln!("girok-server: internal error: {detail}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let message = escape(&self.to_string());
        (status, Html(format!("<!doctype html><meta charset=utf-8><title>Girok</title><p>{message}</p><p><a href=\"/\">Girok</a></p>"))).into_response()
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
