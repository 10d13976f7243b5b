//! The Girok archive: encrypted records and evidence, a hash-chained audit log, and search.
//!
//! One archive is one directory: `girok-archive.json` (plaintext header, no secrets),
//! `girok.db` (SQLCipher: records, derived indexes, full-text index, audit log, archive keys)
//! and `blobs/` (original files, each an `age` file). RECOVERY.md shows how to get every
//! record and file back with the stock `sqlcipher`, `argon2` and `age` tools.

mod accounts;
mod archive;
mod briefing;
mod briefing_templates;
mod browse;
mod bundle;
mod capture_index;
mod captures;
mod copies;
mod derived;
mod edit;
mod error;
mod intake;
mod interchange;
mod keys;
mod merges;
pub mod ocr;
mod replicas;
mod review;
mod schema;
mod search;
mod sync;
mod sync_entry;
mod sync_wire;
mod synthetic;
pub mod totp;
mod verify;

pub use accounts::{Role, User};
pub use archive::{new_id, now_rfc3339, Archive, AuditEntry, CreateOptions, Writer};
pub use briefing::BriefingOptions;
pub use briefing_templates::valid_briefing_name;
pub use browse::{ActCounts, Corroboration, ListPage, ListQuery, ListSort, Reference, LEVELS};
pub use bundle::{verify_bundle, BundleCheck, BundleFile, Manifest};
pub use captures::{CaptureQuery, CaptureTable, Stratify, MAX_CAPTURE_LISTS};
pub use edit::{Versioned, RETIRED_LEVEL};
pub use error::{BundleError, ImportError, IntakeError, OpenError, StoreError, SyncError};
pub use intake::{extract_text, IntakeMeta, IntakeOutcome, Spool, Spooled, DEFAULT_MAX_SIZE};
pub use interchange::{csv_columns, Format, ImportOptions, ImportReport};
pub use keys::{write_new_key_file, KdfParams, KeySource};
pub use replicas::{fingerprint, Card, Replica, SyncPolicy};
pub use review::{ReviewDecision, ReviewItem};
pub use schema::CURRENT_VERSION;
pub use search::{make_snippet, Hit, SearchQuery, Snippet};
pub use sync::{ApplyReport, Conflict, ExportReport, Resolution};
pub use sync_entry::Synced;
pub use sync_wire::file_sha256;
pub use synthetic::Loaded;
pub use verify::{Problem, Progress, VerifyReport};
