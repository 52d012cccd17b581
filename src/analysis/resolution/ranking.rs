//! The ranking: districts or responsible units ordered by how slowly they
//! answer, so a head of region sees the slow ones first.

use super::acc::Summary;
use super::table::{GroupBy, table};
use crate::aggregate::{Period, Periods};
use crate::districts::Districts;
use crate::index::{Data, Filter};

/// One ranked unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// 1-based rank (1 = slowest).
    pub rank: usize,
    /// District id or responsible unit id.
    pub key: i64,
    /// The unit's figures over the whole range.
    pub summary: Summary,
}

/// Units of `group` over `[from, to)` (the filter's own range is replaced),
/// slowest first: by median time to first response, then by median time to
/// resolve, both descending, a median not reached (still open beyond half)
/// counting as slowest; ties by key.
pub fn ranking(
    data: &Data,
    filter: &Filter,
    group: GroupBy,
    (from, to): (i64, i64),
    districts: &Districts,
    as_of: i64,
) -> Vec<Ranked> {
    let periods = Periods {
        period: Period::Year,
        tz: chrono_tz::UTC,
        starts: vec![from, to],
    };
    let f = Filter {
        from: Some(from),
        to: Some(to),
        ..filter.clone()
    };
    let mut rows = table(data, &f, group, &periods, districts, as_of);
    let slow = |m: Option<f64>| m.unwrap_or(f64::INFINITY);
    rows.sort_by(|a, b| {
        let (x, y) = (&a.summary, &b.summary);
        slow(y.median_first_response_hours)
            .total_cmp(&slow(x.median_first_response_hours))
            .then(slow(y.median_hours).total_cmp(&slow(x.median_hours)))
            .then(a.key.cmp(&b.key))
    });
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| Ranked {
            rank: i + 1,
            key: r.key,
            summary: r.summary,
        })
        .collect()
}
