//! Why archive operations fail, one type per unit of fallibility.
//!
//! Messages are lowercase, without a trailing period, and name the input at fault (path, record
//! id, row and column) so a field worker can fix it without reading code.

use std::path::PathBuf;

/// Why an archive could not be created or opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("no archive at {path} (create one with `girok init`)")]
    Missing { path: PathBuf },
    #[error("{path} is not a Girok archive (no valid girok-archive.json header)")]
    NotAnArchive { path: PathBuf },
    #[error("{path} already exists and is not empty; choose a new directory")]
    AlreadyExists { path: PathBuf },
    #[error("wrong passphrase or key file for the archive at {path}")]
    BadKey { path: PathBuf },
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    #[error("cannot use key file {path}: {reason}")]
    KeyFile { path: PathBuf, reason: String },
    #[error("key derivation failed: {0}")]
    Kdf(String),
    #[error("the archive at {path} was written by a newer Girok (format v{found}; this build reads up to v{newest}); upgrade Girok, the archive has not been touched")]
    NewerFormat { path: PathBuf, found: u32, newest: u32 },
    #[error("the archive database {path} is damaged or unreadable although the key is right: {detail} (see RECOVERY.md)")]
    Damaged { path: PathBuf, detail: String },
    #[error("cannot read or write {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Why a read or write on an open archive failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no record {0}")]
    NotFound(String),
    #[error("record {id}: {message}")]
    Invalid { id: String, message: String },
    #[error("record {id}: {field} refers to {target}, which is not in the archive")]
    DanglingReference { id: String, field: &'static str, target: String },
    #[error("record {id}: citation span {start}-{end} is outside the document's {len} characters of text")]
    SpanOutOfRange { id: String, start: u64, end: u64, len: u64 },
    #[error("record {id}: citation span {start}-{end} is empty or reversed (a span runs from its start to a later end)")]
    SpanEmpty { id: String, start: u64, end: u64 },
    #[error("record {id} changed since version {base} (it is now at version {current}); reload it and make the edit again")]
    Stale { id: String, base: i64, current: i64 },
    #[error("blob of document {doc}: {detail}")]
    Blob { doc: String, detail: String },
    #[error("database error")]
    Db(#[from] rusqlite::Error),
    #[error("cannot read or write {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Why a file could not be taken in as evidence.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("{path} does not exist")]
    Missing { path: PathBuf },
    #[error("{path} is empty; an empty file is not evidence")]
    Empty { path: PathBuf },
    #[error("{path} is {size} bytes, over the intake limit of {limit} bytes (raise it with --max-size)")]
    TooLarge { path: PathBuf, size: u64, limit: u64 },
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why an import was refused. Nothing is written when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: row {row}{}: {message}", column_text(.column))]
    Row { file: String, row: usize, column: Option<String>, message: String },
    #[error("{file}: {} rows are invalid; first: row {row}{}: {message} (nothing was imported; use --skip-invalid to import the valid rows)", .count, column_text(.column))]
    ManyRows { file: String, count: usize, row: usize, column: Option<String>, message: String },
    #[error("{file}: {message}")]
    File { file: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn column_text(c: &Option<String>) -> String {
    c.as_ref().map(|c| format!(", column {c}")).unwrap_or_default()
}

/// Why an evidence bundle could not be written or verified.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{path} already exists; choose a new bundle directory")]
    Exists { path: PathBuf },
    #[error("{path} is not a Girok evidence bundle: {detail}")]
    NotABundle { path: PathBuf, detail: String },
    #[error("cannot read or write {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a sync bundle could not be written or applied. Nothing is applied when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{path} is not a sync bundle for this archive, or it was altered or damaged: {detail}")]
    Unreadable { path: PathBuf, detail: String },
    #[error("{path} was cut short ({detail}); nothing from it was applied; copy or send it again")]
    Truncated { path: PathBuf, detail: String },
    #[error("{path} is signed by {fingerprint}, which is not paired with this archive; refused")]
    Unpaired { path: PathBuf, fingerprint: String },
    #[error("{path}: its signature does not verify; it was altered or forged; refused")]
    BadSignature { path: PathBuf },
    #[error("{path}: entry {seq} from {origin} does not carry its origin's valid signature; refused")]
    Forged { path: PathBuf, origin: String, seq: i64 },
    #[error("{path}: {detail}")]
    Invalid { path: PathBuf, detail: String },
    #[error("no replica named {0:?}; `girok replica list` shows the paired ones")]
    UnknownReplica(String),
    #[error("pairing card: {0}")]
    Card(String),
    #[error("cannot read or write {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Store(StoreError::Db(e))
    }
}
