//! Girok's domain: records, vocabularies, uncertain dates, rights mapping and the gazetteer.
//!
//! Pure data and computation. This crate does no IO, reads no clock and knows nothing of
//! storage, HTTP or terminals; everything that persists goes through `girok-store`.

pub mod date;
pub mod gazetteer;
pub mod model;
pub mod rights;
pub mod text;
pub mod vocab;

pub use date::{Day, UncertainDate};
pub use model::{Confidentiality, Kind, Record};
pub use vocab::{List, Vocabulary};
