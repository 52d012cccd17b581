//! Counting a fix's appeals: those of its sector whose res-15 cell's parent at
//! the area resolution is one of a set of cells, in the window before the fix
//! date and the window after it.
//!
//! Windows are clipped to the data's time span (the oldest to the newest
//! appeal of any sector): a window reaching past the newest appeal would
//! otherwise count days nobody could have complained in as quiet ones. The
//! clipped windows may differ in length; rates are per 30 days of each
//! window's observed length and the rate test weighs the two lengths.

use crate::index::cells::{descendant_range, merge_ranges, parent_raw};
use crate::index::{Columns, Data};
use h3o::{CellIndex, Resolution};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The before window `[before_from, done_at)` and the after window
/// `[done_at, after_to)`, Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// Start of the before window.
    pub before_from: i64,
    /// The fix date: end of before, start of after.
    pub done_at: i64,
    /// End of the after window (exclusive).
    pub after_to: i64,
}

impl Windows {
    /// `window_days` either side of `done_at`, clipped to the data's time
    /// span (`None`: no data, both windows empty).
    pub fn new(done_at: i64, window_days: u32, span: Option<(i64, i64)>) -> Windows {
        let w = i64::from(window_days) * DAY;
        let (first, last) = span.unwrap_or((done_at, done_at - 1));
        Windows {
            before_from: (done_at - w).max(first).min(done_at),
            done_at,
            // The newest appeal itself is observed: the span ends just after it.
            after_to: (done_at + w).min(last + 1).max(done_at),
        }
    }

    /// Observed days before the fix.
    pub fn days_before(&self) -> f64 {
        (self.done_at - self.before_from) as f64 / DAY as f64
    }

    /// Observed days after the fix.
    pub fn days_after(&self) -> f64 {
        (self.after_to - self.done_at) as f64 / DAY as f64
    }
}

/// Appeals before and after.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// In the before window.
    pub before: u64,
    /// In the after window.
    pub after: u64,
}

impl Counts {
    /// Counts one appeal made at `t` in the window it falls in.
    pub fn add(&mut self, w: &Windows, t: i64) {
        if t >= w.before_from && t < w.done_at {
            self.before += 1;
        } else if t >= w.done_at && t < w.after_to {
            self.after += 1;
        }
    }
}

/// Counts the appeals of `sector` in `cells` (raw, ascending, at `res`).
/// The base is read through each cell's descendant range (binary searches,
/// no scan); the small delta of recent writes is scanned.
pub fn count(data: &Data, cells: &[u64], res: Resolution, sector: u8, w: &Windows) -> Counts {
    let mut n = Counts::default();
    if w.before_from >= w.after_to {
        return n;
    }
    let ranges = merge_ranges(
        cells
            .iter()
            .filter_map(|&c| CellIndex::try_from(c).ok())
            .map(descendant_range)
            .collect(),
    );
    let base = &data.base;
    for (lo, hi) in ranges {
        let start = base.cell.partition_point(|&c| c < lo);
        let end = start + base.cell[start..].partition_point(|&c| c <= hi);
        tally(base, start..end, sector, w, &mut n);
    }
    let delta = data.delta.columns();
    let res = res as u8;
    for i in 0..delta.len() {
        if delta.sector[i] == sector && cells.binary_search(&parent_raw(delta.cell[i], res)).is_ok()
        {
            n.add(w, delta.created[i]);
        }
    }
    n
}

fn tally(c: &Columns, rows: std::ops::Range<usize>, sector: u8, w: &Windows, n: &mut Counts) {
    for i in rows {
        if c.sector[i] == sector {
            n.add(w, c.created[i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Status, cell_of};
    use crate::store::IndexRow;

    fn row(id: i64, lat: f64, lon: f64, t: i64, sector: u8) -> IndexRow {
        IndexRow {
            id,
            cell: u64::from(cell_of(lat, lon).unwrap()),
            lat,
            lon,
            created_at: t,
            sector,
            status: Status::New,
            resolved_at: None,
            source: "vk".into(),
            responsible: 0,
            due_at: None,
            first_response_at: None,
        }
    }

    #[test]
    fn windows_are_clipped_to_the_data() {
        let d = 1_000 * DAY;
        let w = Windows::new(d, 90, Some((d - 200 * DAY, d + 200 * DAY)));
        assert_eq!((w.days_before(), w.days_after()), (90.0, 90.0));
        let w = Windows::new(d, 90, Some((d - 30 * DAY, d + 10 * DAY)));
        assert_eq!(w.days_before(), 30.0);
        assert_eq!(w.after_to, d + 10 * DAY + 1, "the newest appeal is inside");
        let w = Windows::new(d, 90, Some((d + DAY, d + 9 * DAY)));
        assert_eq!(w.days_before(), 0.0, "the data starts after the fix");
        let w = Windows::new(d, 90, Some((d - 9 * DAY, d - DAY)));
        assert_eq!(w.days_after(), 0.0, "nothing after the fix yet");
        let w = Windows::new(d, 90, None);
        assert_eq!((w.days_before(), w.days_after()), (0.0, 0.0));
    }

    #[test]
    fn counts_by_parent_sector_and_window_in_base_and_delta() {
        let (lat, lon) = (55.79, 49.12);
        let area = vec![u64::from(
            cell_of(lat, lon).unwrap().parent(Resolution::Ten).unwrap(),
        )];
        let d = 1_000 * DAY;
        let far = (55.80, 49.14);
        let rows = vec![
            row(1, lat, lon, d - 10 * DAY, 2),
            row(2, lat, lon, d - 100 * DAY, 2), // before the window
            row(3, lat, lon, d, 2),             // at the fix date: after
            row(4, lat, lon, d + 5 * DAY, 3),   // another sector
            row(5, far.0, far.1, d + 5 * DAY, 2), // elsewhere
            row(6, lat, lon, d + 89 * DAY, 2),
        ];
        let mut data = Data::from_rows(rows, 1);
        let w = Windows::new(d, 90, Some((d - 200 * DAY, d + 200 * DAY)));
        let n = count(&data, &area, Resolution::Ten, 2, &w);
        assert_eq!(
            n,
            Counts {
                before: 1,
                after: 2
            }
        );
        // A recent write lands in the delta and counts the same way.
        data.apply(&[row(7, lat, lon, d - DAY, 2)], 2);
        assert_eq!(data.delta.len(), 1);
        let n = count(&data, &area, Resolution::Ten, 2, &w);
        assert_eq!(
            n,
            Counts {
                before: 2,
                after: 2
            }
        );
    }
}
