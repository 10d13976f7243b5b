//! Sessions, login with throttling, logout, and CSRF tokens.
//!
//! Threats: stolen cookies (HttpOnly, SameSite=Strict, Secure on TLS), session fixation (a new
//! session id at every login, whatever cookie came in), password guessing (each account and
//! address pair locks after repeated failures; the account alone is slowed, never locked, so
//! nobody can lock the admin out), cross-site form posts (a per-session token in every form, and
//! a cross-origin login is refused by its Origin), and a session outliving the rights it was
//! opened with (every request re-reads the account; a changed password, role or clearance, or a
//! disabled account, ends it; idle and absolute lifetimes end the rest).

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
    /// What the account was when the session opened (`Archive::session_account`).
    pub(crate) stamp: String,
    pub(crate) created: std::time::Instant,
    pub(crate) last_seen: std::time::Instant,
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
        let mut session = {
            let mut sessions = state.sessions.lock().unwrap_or_else(|e| e.into_inner());
            let now = std::time::Instant::now();
            let session = sessions.get_mut(&token).ok_or(AppError::LoginRequired { api })?;
            if now.duration_since(session.last_seen) >= state.config.session_idle || now.duration_since(session.created) >= state.config.session_max {
                sessions.remove(&token);
                return Err(AppError::LoginRequired { api });
            }
            session.last_seen = now;
            session.clone()
        };
        // The account as it is now, not as it was at login: a demoted, reset or disabled
        // account's open sessions end here, whichever front end changed it.
        let current = state.reader().session_account(&session.user.username)?;
        match current {
            Some((user, stamp)) if stamp == session.stamp => session.user = user,
            _ => {
                state.sessions.lock().unwrap_or_else(|e| e.into_inner()).remove(&token);
                return Err(AppError::LoginRequired { api });
            }
        }
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

/// The address a request came from, as the listener saw it ("unknown" in-process).
pub(crate) fn peer(parts_ext: &axum::http::Extensions) -> String {
    parts_ext.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Failed logins, counted per (account, address) for the lock and per account for the delay.
#[derive(Default)]
pub(crate) struct Failures {
    /// (account, address) → failures and the time of the last one.
    by_source: std::collections::HashMap<(String, String), (u32, std::time::Instant)>,
    /// account → failures from any address, and the time of the last one.
    by_account: std::collections::HashMap<String, (u32, std::time::Instant)>,
}

impl Failures {
    fn fresh(entry: &mut (u32, std::time::Instant), window: u64) -> &mut (u32, std::time::Instant) {
        if entry.1.elapsed().as_secs() >= window {
            *entry = (0, std::time::Instant::now());
        }
        entry
    }

    /// Counts this attempt before the password is checked, so concurrent guesses cannot all
    /// pass a check made before any of them failed. Returns the delay to impose, or refusal.
    fn begin(&mut self, config: &crate::ServerConfig, account: &str, source: &str) -> Result<std::time::Duration, AppError> {
        let window = config.lockout_secs;
        // Threat: memory filled by guesses at endless names from endless addresses. Counts
        // older than the window mean nothing any more.
        if self.by_source.len() + self.by_account.len() > 100_000 {
            self.by_source.retain(|_, e| e.1.elapsed().as_secs() < window);
            self.by_account.retain(|_, e| e.1.elapsed().as_secs() < window);
        }
        let pair = Failures::fresh(self.by_source.entry((account.to_string(), source.to_string())).or_insert((0, std::time::Instant::now())), window);
        if pair.0 >= config.max_failures {
            return Err(AppError::Throttled);
        }
        pair.0 += 1;
        pair.1 = std::time::Instant::now();
        let acct = Failures::fresh(self.by_account.entry(account.to_string()).or_insert((0, std::time::Instant::now())), window);
        acct.0 += 1;
        acct.1 = std::time::Instant::now();
        // Past the limit from many addresses, every further attempt on the account waits: a
        // guesser is slowed to a crawl, the account's owner still gets in.
        let over = acct.0.saturating_sub(config.max_failures);
        Ok(if over > 0 { config.failure_delay * over.min(8) } else { std::time::Duration::ZERO })
    }

    /// A successful login takes back the attempt counted for it, and clears the address's count.
    fn succeeded(&mut self, account: &str, source: &str) {
        self.by_source.remove(&(account.to_string(), source.to_string()));
        if let Some(a) = self.by_account.get_mut(account) {
            a.0 = a.0.saturating_sub(1);
        }
    }

    /// Whether any address is locked out of the account, or the account is being slowed.
    pub(crate) fn locked(&self, config: &crate::ServerConfig, account: &str) -> bool {
        let live = |e: &(u32, std::time::Instant)| e.1.elapsed().as_secs() < config.lockout_secs;
        self.by_source.iter().any(|((a, _), e)| a == account && live(e) && e.0 >= config.max_failures)
            || self.by_account.get(account).is_some_and(|e| live(e) && e.0 > config.max_failures)
    }

    /// An admin's unlock: the account's counts from every address.
    pub(crate) fn clear(&mut self, account: &str) {
        self.by_source.retain(|(a, _), _| a != account);
        self.by_account.remove(account);
    }
}

pub(crate) async fn login(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let source = peer(&extensions);
    let delay = state.failures.lock().unwrap_or_else(|e| e.into_inner()).begin(&state.config, &form.username, &source)?;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let user = {
        let a = state.reader();
        match a.authenticate(&form.username, &form.password)? {
            Some(u) if u.totp => {
                let secret = a.totp_secret(&u.username)?.unwrap_or_default();
                drop(a);
                check_totp(&state, &u.username, &secret, &form.code).then_some(u)
            }
            other => other,
        }
    };
    let stamp = match &user {
        Some(u) => state.reader().session_account(&u.username)?.map(|(_, stamp)| stamp),
        None => None,
    };
    let (Some(user), Some(stamp)) = (user, stamp) else {
        // One message for every failure: which of name, password or code was wrong stays unsaid.
        let page = state
            .templates
            .get_template("login.html")?
            .render(minijinja::context! { error => "wrong name, password or code", lang => crate::i18n::Lang::of_request(&headers).code() })?;
        return Ok((axum::http::StatusCode::UNAUTHORIZED, Html(page)).into_response());
    };
    state.failures.lock().unwrap_or_else(|e| e.into_inner()).succeeded(&form.username, &source);
    // A fresh id at every login: a session id planted before login is worthless after it.
    let token = random_token();
    let now = std::time::Instant::now();
    {
        let mut sessions = state.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let config = &state.config;
        sessions.retain(|_, s| now.duration_since(s.last_seen) < config.session_idle && now.duration_since(s.created) < config.session_max);
        sessions.insert(
            token.clone(),
            Session {
                user,
                csrf: random_token(),
                lang: Default::default(),
                here: String::new(),
                token: token.clone(),
                pending_totp: None,
                stamp,
                created: now,
                last_seen: now,
            },
        );
    }
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    let max_age = state.config.session_max.as_secs();
    let cookie = format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}");
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
    let next = local_path(&p.next).unwrap_or_else(|| "/".to_string());
    let cookie = format!("{}={}; SameSite=Strict; Path=/; Max-Age=31536000", crate::i18n::COOKIE, lang.code());
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response())
}

/// `next` as a path on this origin, percent-encoded for a Location header, or `None`.
///
/// Threat: an open redirect. Browsers parse a Location by the URL standard, which drops tabs and
/// newlines anywhere and reads a backslash as a slash: `/<TAB>/evil.example` and `/\evil.example`
/// both lead off-site. So: one leading slash, then no second slash or backslash, and no control
/// character anywhere.
pub(crate) fn local_path(next: &str) -> Option<String> {
    let rest = next.strip_prefix('/')?;
    if rest.starts_with(['/', '\\']) || next.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    // Non-ASCII (a Korean search term) is percent-encoded: a header value must be visible ASCII.
    let mut out = String::with_capacity(next.len());
    for c in next.chars() {
        if c.is_ascii() && c != ' ' {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    Some(out)
}

/// Threat: login CSRF (a page elsewhere posting the attacker's credentials, so the victim works
/// in the attacker's account) and cross-site posts in general. Browsers send Origin with every
/// POST; one that names another host than the request's own is refused, and so is the opaque
/// `null` origin. Clients that send no Origin (the CLI, scripts) are not browsers and pass.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    // Fetch metadata, where the browser sends it, says it outright.
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("same-origin") => return true,
        Some("cross-site" | "same-site") => return false,
        _ => {}
    }
    let Some(origin) = headers.get(header::ORIGIN) else { return true };
    let (Ok(origin), Some(host)) = (origin.to_str(), headers.get(header::HOST).and_then(|h| h.to_str().ok())) else { return false };
    let authority = origin.split_once("://").map(|(_, a)| a).unwrap_or("");
    !authority.is_empty() && authority.eq_ignore_ascii_case(host)
}
