//! A record's period by a table of days instead of a binary search: rows
//! arrive in cell order, so their times are random and a binary search over
//! the boundaries mispredicts at every level (most of a table scan's time
//! per row went there).

use crate::aggregate::Periods;

/// Beyond this many days the table is not built (a binary search instead).
const MAX_DAYS: usize = 1 << 20;

/// Day length of the table's steps, seconds.
const DAY: i64 = 86_400;

/// The period holding an instant, by its day.
#[derive(Debug, Clone)]
pub struct PeriodLookup<'a> {
    starts: &'a [i64],
    /// Period holding the first instant of each day from `starts[0]`.
    first: Vec<u32>,
}

impl<'a> PeriodLookup<'a> {
    /// The lookup for `periods`.
    pub fn new(periods: &'a Periods) -> Self {
        let starts = periods.starts.as_slice();
        let first = match (starts.first(), starts.last()) {
            (Some(&lo), Some(&hi)) if starts.len() > 1 => {
                let days = usize::try_from((hi - lo) / DAY + 1).unwrap_or(usize::MAX);
                if days > MAX_DAYS {
                    Vec::new()
                } else {
                    (0..days as i64)
                        .map(|d| (starts.partition_point(|&s| s <= lo + d * DAY) - 1) as u32)
                        .collect()
                }
            }
            _ => Vec::new(),
        };
        PeriodLookup { starts, first }
    }

    /// Number of periods.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// The index of the period holding `t`, as [`Periods::index_of`].
    #[inline]
    pub fn index_of(&self, t: i64) -> Option<u32> {
        let n = self.starts.len();
        if n < 2 || t < self.starts[0] || t >= self.starts[n - 1] {
            return None;
        }
        let Some(&p) = self.first.get(((t - self.starts[0]) / DAY) as usize) else {
            let i = self.starts.partition_point(|&s| s <= t);
            return Some((i - 1) as u32);
        };
        // A day may hold a boundary (a period starts at local midnight, and
        // the table's days are counted from the first start): step over it.
        let mut p = p as usize;
        while self.starts[p + 1] <= t {
            p += 1;
        }
        Some(p as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Period;

    #[test]
    fn agrees_with_the_binary_search() {
        // Days across a DST change (Berlin), weeks, months and years.
        let (lo, hi) = (1_711_000_000, 1_712_500_000);
        for (period, tz) in [
            (Period::Day, chrono_tz::Europe::Berlin),
            (Period::Week, chrono_tz::Europe::Moscow),
            (Period::Month, chrono_tz::America::New_York),
            (Period::Year, chrono_tz::UTC),
        ] {
            let p = Periods::covering(period, tz, lo, hi).expect("periods");
            let l = PeriodLookup::new(&p);
            let first = p.starts[0];
            let last = *p.starts.last().expect("starts");
            for t in (first - 7_200..last + 7_200).step_by(1_799) {
                assert_eq!(l.index_of(t), p.index_of(t), "{period:?} {t}");
            }
            for &s in &p.starts {
                for t in [s - 1, s, s + 1] {
                    assert_eq!(l.index_of(t), p.index_of(t), "{period:?} {t}");
                }
            }
        }
    }
}
