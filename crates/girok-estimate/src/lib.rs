//! Multiple systems estimation: how many victims no list recorded, with honest uncertainty.
//!
//! Pure: no IO, no storage, no clock; randomness only from a caller-given seed. Callers pass a
//! capture-pattern `Table`; nothing here knows about records, archives or terminals.

pub mod dga;
pub mod diagnostics;
pub mod heterogeneity;
pub mod lcmcr;
mod linalg;
pub mod loglinear;
pub mod sensitivity;
pub mod simulate;
pub mod strata;
pub mod summary;
pub mod table;

pub use table::{Table, TableError};

#[cfg(test)]
pub(crate) mod testdata {
    /// Reads a table from the shared reference data (../shared/data/mse beside the repository).
    pub(crate) fn table(name: &str) -> crate::Table {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mse");
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (the shared MSE data must sit beside the repository)", path.display()));
        crate::Table::parse_csv(name, &text).unwrap()
    }
}
