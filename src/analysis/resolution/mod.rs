//! Resolution performance: how fast appeals are answered and resolved, by
//! group and period (Kaplan–Meier, so open appeals count as censored, not
//! dropped), a ranking of units, and the effect of process changes (log-rank).

mod acc;
mod book;
mod cache;
pub mod effect;
pub mod metric;
mod period_lookup;
mod ranking;
mod table;
mod window;

pub use acc::{Acc, Summary, hours};
pub use book::ChangeBook;
pub use cache::{EffectKey, ResolutionCache, TableKey};
pub use effect::{Effect, Scope, THRESHOLDS, Thresholds, Verdict, effect};
pub use metric::Metric;
pub use ranking::{Ranked, ranking};
pub use table::{GroupBy, Row, table};

/// The time open appeals are censored at by default: the latest creation
/// time in the data (the data's own clock; a wall clock would age appeals
/// of an old import), or 0 for an empty index.
pub fn default_as_of(data: &crate::index::Data) -> i64 {
    data.time_span().map_or(0, |(_, hi)| hi)
}
