//! Accounts and review decisions: who may create, reset, disable and unlock accounts, and who
//! may decide a proposed merge. The web pages, the API and the CLI call these.

use girok_store::{Archive, ReviewDecision, ReviewItem, Role};

use crate::actor::Actor;
use crate::error::DomainError;

fn require_admin(actor: &Actor) -> Result<(), DomainError> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(DomainError::Forbidden("only an admin manages accounts".into()))
    }
}

/// Creates an account or resets its password, role and clearance. Its open sessions end at
/// their next request (the server compares the account with what it was at login).
pub fn set_user(archive: &mut Archive, actor: &Actor, username: &str, password: &str, role: Role, identity_clearance: bool) -> Result<(), DomainError> {
    require_admin(actor)?;
    Ok(archive.write(&actor.username, |w| w.set_user(username, password, role, identity_clearance))?)
}

/// What an admin does to another account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Disable,
    Enable,
    /// Clears a lost second factor.
    ResetTotp,
    /// Records the lifting of a login lock (the counts themselves live in the server's memory).
    Unlock,
}

pub fn set_access(archive: &mut Archive, actor: &Actor, username: &str, access: Access) -> Result<(), DomainError> {
    require_admin(actor)?;
    if username == actor.username && access == Access::Disable {
        return Err(DomainError::invalid("username", "an admin cannot disable their own account"));
    }
    Ok(archive.write(&actor.username, |w| match access {
        Access::Disable => w.set_disabled(username, true),
        Access::Enable => w.set_disabled(username, false),
        Access::ResetTotp => w.set_totp(username, None),
        Access::Unlock => w.note("unlock_account", None, serde_json::json!({ "username": username })),
    })?)
}

/// Sets or clears one's own second factor (the caller checked a current code).
pub fn set_own_totp(archive: &mut Archive, actor: &Actor, secret: Option<&[u8]>) -> Result<(), DomainError> {
    Ok(archive.write(&actor.username, |w| w.set_totp(&actor.username, secret))?)
}

/// Accepts, rejects or undoes a proposed merge. Viewers may not; nobody may decide a pair one of
/// whose records they cannot see.
pub fn decide_review(archive: &mut Archive, actor: &Actor, review: i64, decision: ReviewDecision) -> Result<ReviewItem, DomainError> {
    if actor.role == Role::Viewer {
        return Err(DomainError::Forbidden("viewers do not decide merges".into()));
    }
    let item = archive.review_queue(None)?.into_iter().find(|i| i.id == review).ok_or_else(|| DomainError::NotFound(format!("review {review}")))?;
    for id in [&item.left, &item.right] {
        archive.get_for(id, actor.ceiling(), false)?;
    }
    Ok(archive.write(&actor.username, |w| w.decide_review(review, decision))?)
}
