//! One's own account (the second factor) and an admin's "reset access" actions.
//!
//! Threats: a stolen password alone opening the archive (TOTP), a lost phone locking a user out
//! for good (an admin clears the factor), a departed or compromised account (an admin disables
//! it and its open sessions end at once).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use girok_store::Role;
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::render::{render, require};
use crate::session::{check_csrf, check_totp, Authed, Session};
use crate::AppState;

fn account_page(state: &AppState, session: &Session, message: &str) -> Result<Html<String>, AppError> {
    let enabled = state.reader().totp_secret(&session.user.username)?.is_some();
    let pending = session.pending_totp.as_ref().map(|s| {
        let uri = girok_store::totp::otpauth_uri("Girok", &session.user.username, s);
        json!({ "secret": girok_store::totp::base32(s), "qr": qr_svg(&uri), "uri": uri })
    });
    render(state, "account.html", session, json!({ "totp": enabled, "pending": pending, "message": message }))
}

/// The `otpauth://` address as an SVG QR code for authenticator apps, drawn on the server (no
/// script, no image from elsewhere). It holds only the address, so nothing in it is user HTML.
fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => {
            let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build();
            // Inline in HTML: no XML declaration.
            svg.find("<svg").map(|i| svg[i..].to_string()).unwrap_or_default()
        }
        Err(_) => String::new(),
    }
}

pub(crate) async fn page(State(state): State<Arc<AppState>>, Authed(session): Authed) -> Result<Html<String>, AppError> {
    account_page(&state, &session, "")
}

#[derive(Deserialize)]
pub(crate) struct TotpForm {
    #[serde(default)]
    csrf: String,
    /// `start`, `confirm` or `disable`.
    action: String,
    #[serde(default)]
    code: String,
}

fn set_pending(state: &AppState, session: &mut Session, secret: Option<Vec<u8>>) {
    session.pending_totp = secret.clone();
    if let Some(s) = state.sessions.lock().unwrap_or_else(|e| e.into_inner()).get_mut(&session.token) {
        s.pending_totp = secret;
    }
}

/// Sets up or removes one's own second factor. Both directions need a valid current code, so a
/// hijacked session cannot silently remove the factor or plant its own.
pub(crate) async fn totp(State(state): State<Arc<AppState>>, Authed(mut session): Authed, Form(form): Form<TotpForm>) -> Result<Html<String>, AppError> {
    check_csrf(&session, &form.csrf)?;
    let user = session.user.username.clone();
    match form.action.as_str() {
        "start" => {
            set_pending(&state, &mut session, Some(girok_store::totp::new_secret()));
            account_page(&state, &session, "")
        }
        "confirm" => {
            let Some(secret) = session.pending_totp.clone() else { return Err(AppError::BadInput("no second factor is being set up; start again".into())) };
            if !check_totp(&state, &user, &secret, &form.code) {
                return Err(AppError::BadInput("code: that is not the current code of the new secret; check the phone's clock and try again".into()));
            }
            girok_app::accounts::set_own_totp(&mut state.archive(), &girok_app::Actor::from_user(&session.user), Some(&secret))?;
            set_pending(&state, &mut session, None);
            account_page(&state, &session, "The second factor is on: logging in now needs a code.")
        }
        "disable" => {
            let secret = state.reader().totp_secret(&user)?.ok_or_else(|| AppError::BadInput("no second factor is set".into()))?;
            if !check_totp(&state, &user, &secret, &form.code) {
                return Err(AppError::BadInput("code: wrong or already used".into()));
            }
            girok_app::accounts::set_own_totp(&mut state.archive(), &girok_app::Actor::from_user(&session.user), None)?;
            account_page(&state, &session, "The second factor is off.")
        }
        other => Err(AppError::BadInput(format!("action: unknown {other:?}"))),
    }
}

#[derive(Deserialize)]
pub(crate) struct AccessForm {
    #[serde(default)]
    csrf: String,
    /// `disable`, `enable`, `reset-totp` or `unlock`.
    action: String,
}

/// An admin disables or re-enables an account, or clears its second factor. Disabling ends the
/// account's open sessions at once, not at their next login.
pub(crate) async fn admin_access(
    State(state): State<Arc<AppState>>,
    Authed(session): Authed,
    Path(name): Path<String>,
    Form(form): Form<AccessForm>,
) -> Result<Response, AppError> {
    require(&session, &[Role::Admin])?;
    check_csrf(&session, &form.csrf)?;
    use girok_app::accounts::Access;
    let access = match form.action.as_str() {
        "disable" => Access::Disable,
        "enable" => Access::Enable,
        "reset-totp" => Access::ResetTotp,
        "unlock" => Access::Unlock,
        other => return Err(AppError::BadInput(format!("action: unknown {other:?}"))),
    };
    girok_app::accounts::set_access(&mut state.archive(), &girok_app::Actor::from_user(&session.user), &name, access)?;
    if access == Access::Unlock {
        // Failed logins are counted in memory, not in the archive; the unlock itself is audited.
        state.failures.lock().unwrap_or_else(|e| e.into_inner()).clear(&name);
    }
    if form.action == "disable" {
        state.sessions.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, s| s.user.username != name);
    }
    Ok(Redirect::to("/admin/users").into_response())
}
