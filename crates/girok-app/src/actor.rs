//! Who is acting: an account of the web application, or the holder of the archive's key.

use girok_core::Confidentiality;
use girok_store::{Role, User};

/// The person a workflow acts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    pub role: Role,
    pub identity_clearance: bool,
}

impl Actor {
    /// A web account.
    pub fn from_user(user: &User) -> Actor {
        Actor { username: user.username.clone(), role: user.role, identity_clearance: user.identity_clearance }
    }

    /// Whoever runs the CLI on an archive: they hold its key, so they may do anything an admin
    /// with identity clearance may (the key opens every table anyway).
    pub fn key_holder(name: &str) -> Actor {
        Actor { username: name.to_string(), role: Role::Admin, identity_clearance: true }
    }

    /// The most confidential level this actor may read or write.
    pub fn ceiling(&self) -> Confidentiality {
        self.role.max_confidentiality()
    }

    /// May create and correct records.
    pub fn can_edit(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Documenter)
    }
}
