//! Sessions, login with throttling, logout, and CSRF tokens.
//!
//! Threats: stolen cookies (HttpOnly, SameSite=Strict, Secure on TLS), session fixation (a new
//! session id at every login, whatever cookie came in), password guessing (accounts lock after
//! repeated failures), cross-site form posts (a per-session token in every form).

use std::sync::Arc;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use girok_store::User;
use serde::Deserialize;

use crate::error::AppError;
use crate::AppState;

pub(crate) const COOKIE: &str = "girok_session";

/// A logged-in user's session.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    /// Interface language of the current request (from its cookie or headers, not stored).
    pub lang: crate::i18n::Lang,
    /// Path and query of the current request, percent-encoded, for "switch language and come back".
    pub here: String,
    /// The session id (the cookie), to update this session's entry.
    pub(crate) token: String,
    /// A second-factor secret being set up, until the user confirms it with a code.
    pub(crate) pending_totp: Option<Vec<u8>>,
}

fn random_token() -> String {
    let mut b = [0u8; 32];
    getrandom::getrandom(&mut b).expect("the operating system's random source is available");
    hex::encode(b)
}

/// The value of the first cookie called `name` the request carries.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// The session of the request, or a login-required error. API routes answer 401 instead of
/// redirecting.
pub(crate) struct Authed(pub(crate) Session);

impl FromRequestParts<Arc<AppState>> for Authed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let api = parts.uri.path().starts_with("/api/");
        let token = cookie(&parts.headers, COOKIE).ok_or(AppError::LoginRequired { api })?;
        let sessions = state.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let mut session = sessions.get(&token).cloned().ok_or(AppError::LoginRequired { api })?;
        session.token = token;
        session.lang = crate::i18n::Lang::of_request(&parts.headers);
        session.here = girok_core::text::percent_encode(parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"));
        Ok(Authed(session))
    }
}

/// The CSRF token an API client sends in the `X-CSRF-Token` header (empty when absent).
pub(crate) fn header_csrf(headers: &HeaderMap) -> &str {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Who is logged in, and the CSRF token API clients send back on every change.
pub(crate) async fn api_session(Authed(session): Authed) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "user": session.user.username, "role": session.user.role.as_str(),
        "identity_clearance": session.user.identity_clearance, "csrf": session.csrf,
    }))
}

/// Checks a submitted CSRF token against the session's, in constant time.
pub(crate) fn check_csrf(session: &Session, submitted: &str) -> Result<(), AppError> {
    let (a, b) = (session.csrf.as_bytes(), submitted.as_bytes());
    if a.len() != b.len() || a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) != 0 {
        return Err(AppError::BadCsrf);
    }
    Ok(())
}

pub(crate) async fn login_form(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Html<String>, AppError> {
    let lang = crate::i18n::Lang::of_request(&headers).code();
    Ok(Html(state.templates.get_template("login.html")?.render(minijinja::context! { error => "", lang => lang })?))
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    username: String,
    password: String,
    /// The second-factor code, for accounts that have one.
    #[serde(default)]
    code: String,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Checks a TOTP code for `username` and refuses a code already used (a code seen over someone's
/// shoulder, or replayed from a log, is worthless once used).
pub(crate) fn check_totp(state: &AppState, username: &str, secret: &[u8], code: &str) -> bool {
    let Some(step) = girok_store::totp::verify(secret, code, unix_now()) else { return false };
    let mut last = state.totp_steps.lock().unwrap_or_else(|e| e.into_inner());
    match last.get(username) {
        Some(&used) if step <= used => false,
        _ => {
            last.insert(username.to_string(), step);
            true
        }
    }
}

pub(crate) async fn login(State(state): State<Arc<AppState>>, headers: HeaderMap, Form(form): Form<LoginForm>) -> Result<Response, AppError> {
    {
        let failures = state.failures.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((n, since)) = failures.get(&form.username) {
            if *n >= state.config.max_failures && since.elapsed().as_secs() < state.config.lockout_secs {
                return Err(AppError::Throttled);
            }
        }
    }
    let user = {
        let a = state.archive();
        match a.authenticate(&form.username, &form.password)? {
            Some(u) if u.totp => {
                let secret = a.totp_secret(&u.username)?.unwrap_or_default();
                drop(a);
                check_totp(&state, &u.username, &secret, &form.code).then_some(u)
            }
            other => other,
        }
    };
    let Some(user) = user else {
        let mut failures = state.failures.lock().unwrap_or_else(|e| e.into_inner());
        let entry = failures.entry(form.username.clone()).or_insert((0, std::time::Instant::now()));
        if entry.1.elapsed().as_secs() >= state.config.lockout_secs {
            *entry = (0, std::time::Instant::now());
        }
        entry.0 += 1;
        entry.1 = std::time::Instant::now();
        // One message for every failure: which of name, password or code was wrong stays unsaid.
        let page = state
            .templates
            .get_template("login.html")?
            .render(minijinja::context! { error => "wrong name, password or code", lang => crate::i18n::Lang::of_request(&headers).code() })?;
        return Ok((axum::http::StatusCode::UNAUTHORIZED, Html(page)).into_response());
    };
    state.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(&form.username);
    // A fresh id at every login: a session id planted before login is worthless after it.
    let token = random_token();
    state
        .sessions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(token.clone(), Session { user, csrf: random_token(), lang: Default::default(), here: String::new(), token: token.clone(), pending_totp: None });
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/{secure}");
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf: String,
}

pub(crate) async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Authed(session): Authed,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    if let Some(token) = cookie(&headers, COOKIE) {
        state.sessions.lock().unwrap_or_else(|e| e.into_inner()).remove(&token);
    }
    let cookie = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct LangParams {
    l: String,
    #[serde(default)]
    next: String,
}

/// Switches the interface language (a preference cookie, not a change to the archive, so no CSRF
/// token), then returns to the page the user was on. Only local paths are followed: an open
/// redirect would let a phishing link borrow Girok's address.
pub(crate) async fn set_lang(axum::extract::Query(p): axum::extract::Query<LangParams>) -> Result<Response, AppError> {
    let lang = crate::i18n::Lang::parse(&p.l).ok_or_else(|| AppError::BadInput(format!("unknown language {:?}; use en or ko", p.l)))?;
    let next = if p.next.starts_with('/') && !p.next.starts_with("//") && !p.next.contains('\\') { p.next.as_str() } else { "/" };
    let cookie = format!("{}={}; SameSite=Strict; Path=/; Max-Age=31536000", crate::i18n::COOKIE, lang.code());
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(next)).into_response())
}
