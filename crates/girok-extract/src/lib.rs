//! Reading evidence of every kind: what a file is by its content (`sniff`), the text of office
//! files, e-books and RTF (`office`, over our own `zip` reader), mail messages and their
//! attachments (`eml`), what images, recordings and videos say about themselves (`media`), and
//! copies for publication without that metadata (`strip`).
//!
//! Pure: bytes in, text and metadata out; no storage, no files, no network. Optical character
//! recognition runs an external program and lives with intake in `girok-store`.

pub mod eml;
pub mod media;
pub mod office;
pub mod sniff;
pub mod strip;
mod zip;

pub use media::{Location, MediaInfo};
pub use sniff::{detect, Detected, Family};
/// Files made in code for tests (here and in other crates, with the `test-files` feature).
#[cfg(any(test, feature = "test-files"))]
pub use zip::write_stored as zip_stored;

/// Why a file's text or metadata could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("malformed file ({0})")]
    Malformed(String),
    #[error("not supported: {0}")]
    Unsupported(String),
}

pub(crate) fn html_to_text(html: &str) -> String {
    girok_core::text::html_to_text(html)
}
