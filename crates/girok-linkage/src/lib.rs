//! Record linkage: finding the same victim, perpetrator or event across sources.
//!
//! Pure: no IO, no storage, no terminal. Callers pass a `Dataset` of plain strings and get
//! scored pairs, clusters, explanations and evaluation figures back.

pub mod engine;
pub mod korean;
pub mod strings;

pub use engine::{
    candidates, cluster, evaluate, explain, link, rule_pair_count, BlockKey, Compare, Config, Dataset, Evaluation, FieldSpec, LinkError, Linkage, Mode, Params,
};

#[cfg(test)]
mod tests;
