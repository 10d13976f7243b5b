//! Publication: turns counts into a briefing (an HTML page with charts, CSV tables and a
//! manifest of hashes) with small cells suppressed, so that what leaves the archive cannot
//! point at a witness.
//!
//! Pure: no storage, no clock, no files. The caller passes counts and labels already resolved
//! and writes the returned files. Only aggregates ever reach this crate, and published
//! indicator figures with their references: no names of people, no ids.

mod access;
mod cross;
mod law;
pub mod markdown;
mod render;
mod sections;
mod suppress;
mod suppress2;

pub use access::{closed_share, sentence as closed_sentence, Closed};
pub use cross::CrossTable;
pub use law::{words as law_words, LawProvision, LawWords};
pub use render::{
    band_cell, cell_text, estimate_words, number, period, render, render_with, upper_text, words, Band, Briefing, Chart, Estimate, EstimateWords, File,
    MethodEstimate, Outline, Point, Series, Table, Withheld, Words,
};
pub use sections::{words as section_words, Recommendation, Reference, Section, SectionKind, Words as SectionWords};
pub use suppress::{suppress, Cell, Suppressed};
pub use suppress2::{suppress2, Suppressed2};
