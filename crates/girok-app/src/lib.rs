//! Girok's workflows, written once below the front ends.
//!
//! The web pages, the JSON API and the CLI each translate their input into a call here and the
//! result back into their output; validating, writing in one transaction and auditing happen in
//! these functions only. Each takes the `Actor` doing it, so what a role may do and see is
//! decided here, not by each front end.
//!
//! Deliberately absent: HTTP, argv, terminals, templates (the front ends'), and SQL (the store's).

pub mod accounts;
mod actor;
pub mod briefing;
mod coding;
mod diff;
mod error;
pub mod estimation;
pub mod event_linking;
mod intake;
pub mod linking;
pub mod lists;
pub mod mapping;
mod normalize;
mod records;
pub mod sync;
pub mod translation;

pub use actor::Actor;
pub use coding::{code_passage, Passage};
pub use diff::{diff, FieldChange};
pub use error::DomainError;
pub use intake::{recognise, take_in, Provenance, Received, Recognised, Taken};
pub use normalize::{field_vocabulary, normalize, set_field, typed_name};
pub use records::{create, edit, history, identity, read, restore, retire, seal_identity, template, Saved, Version, ORIGINAL_FIELDS};

#[cfg(test)]
mod tests;
