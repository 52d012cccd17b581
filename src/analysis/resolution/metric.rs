//! What a hexagon shows: its appeal count, or how the administration answers
//! there (median time to resolve, share of deadlines missed, repeat rate),
//! so the map can show where answers are slow, not only where complaints
//! are many.

use super::acc::Acc;
use crate::index::{Data, Filter, cells::cell};
use serde::Serialize;

/// A hexagon metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Appeals in the cell.
    Count,
    /// Kaplan–Meier median time to resolve, hours (open appeals censored).
    MedianHours,
    /// Share of appeals with a deadline that missed it.
    OverdueShare,
    /// Share of appeals repeating an earlier one of the same sector in the
    /// cell at most [`REPEAT_DAYS`] days before (within the queried range).
    RepeatRate,
}

/// The repeat look-back of [`Metric::RepeatRate`], as `/cells` defaults to.
pub const REPEAT_DAYS: i64 = 30;

impl Metric {
    /// All metrics, in wire order.
    pub const ALL: [Metric; 4] = [
        Metric::Count,
        Metric::MedianHours,
        Metric::OverdueShare,
        Metric::RepeatRate,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Count => "count",
            Metric::MedianHours => "median_hours",
            Metric::OverdueShare => "overdue_share",
            Metric::RepeatRate => "repeat_rate",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The metric's value for each of `cells` (raw, at any one resolution);
/// `None` where it is undefined (no deadlines, a median not reached).
/// Reads each cell's own run of the index.
pub fn cell_values(
    data: &Data,
    cells: &[u64],
    filter: &Filter,
    metric: Metric,
    as_of: i64,
) -> Vec<Option<f64>> {
    let mut times: Vec<(u8, i64)> = Vec::new();
    cells
        .iter()
        .map(|&raw| {
            let ci = cell(raw)?;
            match metric {
                Metric::Count => {
                    let mut n = 0u32;
                    data.visit_cell(ci, filter, |_, _| n += 1);
                    Some(f64::from(n))
                }
                Metric::MedianHours | Metric::OverdueShare => {
                    let mut acc = Acc::default();
                    data.visit_cell(ci, filter, |c, i| acc.add(c, i, as_of));
                    let s = acc.summary();
                    match metric {
                        Metric::MedianHours => s.median_hours,
                        _ => s.overdue_share,
                    }
                }
                Metric::RepeatRate => {
                    times.clear();
                    data.visit_cell(ci, filter, |c, i| times.push((c.sector[i], c.created[i])));
                    repeat_share(&mut times)
                }
            }
        })
        .collect()
}

/// Share of (sector, time) pairs with an earlier pair of the same sector at
/// most [`REPEAT_DAYS`] before; sorts the pairs.
fn repeat_share(times: &mut [(u8, i64)]) -> Option<f64> {
    if times.is_empty() {
        return None;
    }
    times.sort_unstable();
    let repeats = times
        .windows(2)
        .filter(|w| w[0].0 == w[1].0 && w[1].1 - w[0].1 <= REPEAT_DAYS * 86_400)
        .count();
    Some(repeats as f64 / times.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_need_the_same_sector_within_the_window() {
        let day = 86_400;
        // Sector 1 at days 0, 10, 50: day 10 repeats day 0, day 50 is 40
        // days on. Sector 2 at day 11 repeats nothing. 1 of 4.
        let mut t = vec![(1, 0), (1, 50 * day), (2, 11 * day), (1, 10 * day)];
        assert_eq!(repeat_share(&mut t), Some(0.25));
        assert_eq!(repeat_share(&mut []), None);
    }

    #[test]
    fn names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
        }
        assert_eq!(Metric::parse("mean"), None);
    }
}
