//! H3 binning of the index by sector and period: per-cell counts for the map
//! and `{cell, sector, period}` rows for analysts. Coarse cells are parents of
//! the stored finest cells, so binning is a scan, not a geometry computation.

mod cells;
pub(crate) mod parallel;
pub mod periods;
mod rows;
mod runs;
mod series;

pub use cells::{CellCount, count_cells};
pub use periods::{Period, Periods};
pub use rows::{AggRow, aggregate_rows};
pub use series::{CellSeries, cell_series};

#[cfg(test)]
mod tests;

/// Errors of an aggregation.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AggError {
    /// More groups than the configured cap.
    #[error(
        "the result has more than {cap} cells; choose a coarser res, a smaller bbox or fewer periods"
    )]
    TooManyCells {
        /// The cap that was hit.
        cap: usize,
    },
}
