//! Web accounts: roles, password checks, second factors, and the stamp a session is tied to.
//!
//! Threats: password guessing (Argon2id, and unknown names cost a hash too, so timing says
//! nothing), a changed account keeping its old sessions (the stamp), secrets in the log (the
//! audit log keeps fingerprints of the hash and secret, never their value).

use rusqlite::{params, OptionalExtension};

use crate::archive::{sha256_hex, Archive, Writer};
use crate::error::StoreError;
use crate::keys::random_bytes;

/// What an account may do. Ordered by power only for display; checks are explicit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Documenter,
    Analyst,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Documenter, Role::Analyst, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Documenter => "documenter",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The most confidential records this role may see.
    pub fn max_confidentiality(self) -> girok_core::Confidentiality {
        match self {
            Role::Viewer => girok_core::Confidentiality::Internal,
            _ => girok_core::Confidentiality::Restricted,
        }
    }
}

/// An account of the web application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub username: String,
    pub role: Role,
    pub identity_clearance: bool,
    pub disabled: bool,
    /// A second factor (TOTP) is set: logging in needs a code too.
    pub totp: bool,
}

impl Writer<'_> {
    /// Creates or replaces an account. The password is hashed with Argon2id; the audit log
    /// records who was given which role, never the hash.
    pub fn set_user(&mut self, username: &str, password: &str, role: Role, identity_clearance: bool) -> Result<(), StoreError> {
        use argon2::password_hash::{PasswordHasher, SaltString};
        if username.trim().is_empty() || password.chars().count() < 12 {
            return Err(StoreError::Invalid { id: username.to_string(), message: "accounts need a name and a password of at least 12 characters".into() });
        }
        let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|e| StoreError::Invalid { id: username.to_string(), message: e.to_string() })?;
        let hash = argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| StoreError::Invalid { id: username.to_string(), message: e.to_string() })?
            .to_string();
        self.tx.execute(
            // A reset keeps the second factor: losing a password is not losing the phone.
            "INSERT INTO users(username, password_hash, role, identity_clearance, disabled) VALUES (?1, ?2, ?3, ?4, 0) \
             ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role, \
             identity_clearance = excluded.identity_clearance, disabled = 0",
            params![username, hash, role.as_str(), identity_clearance],
        )?;
        // The hash of the (salted Argon2id) hash lets `verify` notice a password swapped in the
        // table; it gives a guesser nothing the stored hash would not.
        self.append_audit(
            "set_user",
            None,
            Some(
                serde_json::json!({"username": username, "role": role.as_str(), "identity_clearance": identity_clearance, "password_sha256": sha256_hex(hash.as_bytes())})
                    .to_string(),
            ),
        )?;
        Ok(())
    }

    /// Sets or clears an account's second factor. The audit log records that it changed, never
    /// the secret.
    pub fn set_totp(&mut self, username: &str, secret: Option<&[u8]>) -> Result<(), StoreError> {
        let stored = secret.map(hex::encode);
        let n = self.tx.execute("UPDATE users SET totp_secret = ?2 WHERE username = ?1", params![username, stored])?;
        if n == 0 {
            return Err(StoreError::NotFound(username.to_string()));
        }
        let fingerprint = stored.as_deref().map(|s| sha256_hex(s.as_bytes()));
        self.append_audit(
            "set_totp",
            None,
            Some(serde_json::json!({"username": username, "enabled": secret.is_some(), "totp_sha256": fingerprint}).to_string()),
        )
    }

    /// Disables or re-enables an account without deleting it (its actions stay attributed).
    pub fn set_disabled(&mut self, username: &str, disabled: bool) -> Result<(), StoreError> {
        let n = self.tx.execute("UPDATE users SET disabled = ?2 WHERE username = ?1", params![username, disabled])?;
        if n == 0 {
            return Err(StoreError::NotFound(username.to_string()));
        }
        self.append_audit("set_user_disabled", None, Some(serde_json::json!({"username": username, "disabled": disabled}).to_string()))
    }
}

impl Archive {
    /// Checks a password; `None` for an unknown, disabled or wrongly authenticated account.
    /// Unknown accounts cost a hash too, so timing does not reveal which names exist.
    pub fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>, StoreError> {
        use argon2::password_hash::{PasswordHash, PasswordVerifier};
        let row: Option<(String, String, bool, bool, bool)> = self
            .conn
            .query_row("SELECT password_hash, role, identity_clearance, disabled, totp_secret IS NOT NULL FROM users WHERE username = ?1", [username], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Jq5mEZ8Jx7m0m5h7w3mQyq9Bz3y0cXq3iC2cQ0a1bE";
        let (hash, role, clearance, disabled, totp) = row.clone().unwrap_or((DUMMY.to_string(), "viewer".into(), false, true, false));
        let ok = PasswordHash::new(&hash).map(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false);
        if !ok || disabled || row.is_none() {
            return Ok(None);
        }
        Ok(Role::parse(&role).map(|role| User { username: username.to_string(), role, identity_clearance: clearance, disabled, totp }))
    }

    /// An enabled account as it is now, with a stamp of what a session depends on (password,
    /// role, identity clearance): a session opened under another stamp must end. `None` for an
    /// unknown or disabled account.
    pub fn session_account(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        let row: Option<(String, String, bool, bool, bool)> = self
            .conn
            .prepare_cached("SELECT password_hash, role, identity_clearance, disabled, totp_secret IS NOT NULL FROM users WHERE username = ?1")?
            .query_row([username], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .optional()?;
        let Some((hash, role, identity_clearance, disabled, totp)) = row else { return Ok(None) };
        let Some(role_parsed) = Role::parse(&role) else { return Ok(None) };
        if disabled {
            return Ok(None);
        }
        let stamp = sha256_hex(format!("{}\u{0}{role}\u{0}{identity_clearance}", hash).as_bytes());
        Ok(Some((User { username: username.to_string(), role: role_parsed, identity_clearance, disabled, totp }, stamp)))
    }

    /// The TOTP secret of an account, if it has a second factor.
    pub fn totp_secret(&self, username: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let hex_secret: Option<Option<String>> =
            self.conn.query_row("SELECT totp_secret FROM users WHERE username = ?1", [username], |r| r.get(0)).optional()?;
        Ok(hex_secret.flatten().and_then(|h| hex::decode(h).ok()))
    }

    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT username, role, identity_clearance, disabled, totp_secret IS NOT NULL FROM users ORDER BY username")?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?, r.get::<_, bool>(3)?, r.get::<_, bool>(4)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (username, role, identity_clearance, disabled, totp) = row?;
            if let Some(role) = Role::parse(&role) {
                out.push(User { username, role, identity_clearance, disabled, totp });
            }
        }
        Ok(out)
    }
}
