//! Why a workflow refused or failed, in terms a front end can show: the field at fault, what
//! to type instead, what changed meanwhile.

use crate::diff::FieldChange;

/// A workflow's refusal or failure.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// No such record, or one the actor may not see (the same answer, so nothing leaks).
    #[error("no record {0}")]
    NotFound(String),
    /// The actor's role may not do this. Front ends answer it like `NotFound` where the
    /// existence of the action is itself worth hiding.
    #[error("{0}")]
    Forbidden(String),
    /// Bad input, naming the field; `suggestions` lists what the user may have meant.
    #[error("{field}: {message}{}", suggest(.suggestions))]
    Invalid { field: String, message: String, suggestions: Vec<String> },
    /// The record changed after the version the edit started from.
    #[error("record {id} changed since version {base} (now version {current}): {}; reload it and make the edit again", changed(.changes))]
    Stale { id: String, base: i64, current: i64, changes: Vec<FieldChange> },
    #[error(transparent)]
    Store(girok_store::StoreError),
    /// An import refused, naming the row and column.
    #[error(transparent)]
    Import(girok_store::ImportError),
    /// A sync bundle, pairing card or replica refused, naming the file or replica.
    #[error(transparent)]
    Sync(girok_store::SyncError),
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(" (did you mean: {}?)", s.join(", "))
    }
}

fn changed(c: &[FieldChange]) -> String {
    if c.is_empty() {
        "its history changed".into()
    } else {
        c.iter().map(|c| c.field.clone()).collect::<Vec<_>>().join(", ") + " changed"
    }
}

impl DomainError {
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> DomainError {
        DomainError::Invalid { field: field.to_string(), message: message.into(), suggestions: Vec::new() }
    }

    /// The field at fault, for front ends that mark it.
    pub fn field(&self) -> Option<&str> {
        match self {
            DomainError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl From<girok_store::SyncError> for DomainError {
    fn from(e: girok_store::SyncError) -> Self {
        match e {
            girok_store::SyncError::Store(s) => s.into(),
            other => DomainError::Sync(other),
        }
    }
}

impl From<girok_store::StoreError> for DomainError {
    fn from(e: girok_store::StoreError) -> Self {
        use girok_store::StoreError as S;
        match e {
            S::NotFound(id) => DomainError::NotFound(id),
            // The store's messages start with the field they concern ("names: …").
            S::Invalid { message, .. } => match message.split_once(": ") {
                Some((field, rest)) if !field.contains(' ') => DomainError::invalid(field, rest),
                _ => DomainError::invalid("record", message),
            },
            S::DanglingReference { field, target, .. } => DomainError::invalid(field, format!("{target} is not in the archive")),
            e @ (S::SpanOutOfRange { .. } | S::SpanEmpty { .. }) => DomainError::invalid("citations", e.to_string()),
            S::Stale { id, base, current } => DomainError::Stale { id, base, current, changes: Vec::new() },
            other => DomainError::Store(other),
        }
    }
}
