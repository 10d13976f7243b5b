//! Record linkage: finding the same victim, perpetrator or event across sources.
//!
//! Pure: no IO, no storage, no terminal. Callers pass a `Dataset` of plain strings and get
//! scored pairs, clusters, explanations and evaluation figures back.

pub mod engine;
pub mod infer;
pub mod korean;
pub mod places;
pub mod strings;
mod training;

pub use engine::{
    candidates, cluster, evaluate, explain, explain_pairs, link, rule_pair_count, BlockKey, Compare, Config, Dataset, Evaluation, FieldSpec, LinkError,
    Linkage, Mode, Params, Places, ALTERNATIVE,
};
pub use infer::{infer, Inferred};

#[cfg(test)]
mod tests;
