//! A district's summary: appeals in a period against the previous period of
//! the same length, by sector, and how long resolving them took.
//!
//! One scan of the district's rows (its cover ranges) over both periods.
//! Resolve times are those of the period's appeals that have `resolved_at`,
//! in hours; median and 90th percentile follow Hyndman & Fan (1996)
//! definition 7 (`analysis::stats::quantile`).

use super::DistrictMask;
use crate::analysis::stats::quantile::median_p90;
use crate::index::{Data, Filter, UNRESOLVED};
use std::sync::Arc;

/// Counts of one sector.
#[derive(Debug, Clone, PartialEq)]
pub struct SectorChange {
    /// Sector id.
    pub sector: u8,
    /// Appeals in the period.
    pub count: u64,
    /// Appeals in the previous period.
    pub previous: u64,
}

impl SectorChange {
    /// `(count − previous) / previous`; `None` when there was nothing before.
    pub fn change(&self) -> Option<f64> {
        (self.previous > 0)
            .then(|| (self.count as f64 - self.previous as f64) / self.previous as f64)
    }
}

/// The numbers of a district summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Appeals created in `[from, to)`.
    pub count: u64,
    /// Appeals created in `[from − (to − from), from)`.
    pub previous_count: u64,
    /// Per sector with any appeal in either period, by sector id.
    pub by_sector: Vec<SectorChange>,
    /// Appeals of the period with a resolution time.
    pub resolved: u64,
    /// Median hours to resolve.
    pub median_hours: Option<f64>,
    /// 90th percentile of hours to resolve.
    pub p90_hours: Option<f64>,
}

/// Summarises the appeals of `mask`'s district over `[from, to)` (Unix
/// seconds, `from < to`) and the period of the same length before it.
pub fn summarize(data: &Data, mask: &Arc<DistrictMask>, from: i64, to: i64) -> Summary {
    let filter = Filter {
        district: Some(mask.clone()),
        from: Some(from - (to - from)),
        to: Some(to),
        ..Filter::default()
    };
    let mut now = [0u64; 256];
    let mut before = [0u64; 256];
    let mut hours: Vec<f64> = Vec::new();
    data.visit(&filter, |c, i, _| {
        let s = usize::from(c.sector[i]);
        if c.created[i] >= from {
            now[s] += 1;
            if c.resolve[i] != UNRESOLVED {
                hours.push(f64::from(c.resolve[i]) / 3600.0);
            }
        } else {
            before[s] += 1;
        }
    });
    let by_sector: Vec<SectorChange> = (0..256)
        .filter(|&s| now[s] + before[s] > 0)
        .map(|s| SectorChange {
            sector: s as u8,
            count: now[s],
            previous: before[s],
        })
        .collect();
    let (median_hours, p90_hours) = match median_p90(&mut hours) {
        Some((m, p)) => (Some(m), Some(p)),
        None => (None, None),
    };
    Summary {
        count: now.iter().sum(),
        previous_count: before.iter().sum(),
        by_sector,
        resolved: hours.len() as u64,
        median_hours,
        p90_hours,
    }
}
