//! One cell in detail: counts by sector, a time series, how fast its appeals
//! were resolved and how often a complaint repeats one made shortly before.

use super::stats::quantile::median_p90;
use crate::aggregate::{Period, Periods};
use crate::index::{Data, Filter, UNRESOLVED};
use h3o::CellIndex;

/// What to compute for a cell.
#[derive(Debug, Clone)]
pub struct CellQuery {
    /// The cell, at any resolution.
    pub cell: CellIndex,
    /// Sectors and time range (a `bbox` is ignored).
    pub filter: Filter,
    /// Step of the time series.
    pub period: Period,
    /// Zone the periods are aligned in.
    pub tz: chrono_tz::Tz,
    /// An appeal repeats when the same sector was complained of in the same
    /// cell at most this many days before it.
    pub repeat_days: u32,
}

/// The figures of one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellDetail {
    /// Appeals in the range.
    pub count: u32,
    /// Appeals per sector id, by id, no zeros.
    pub by_sector: Vec<(u8, u32)>,
    /// The periods of the series.
    pub periods: Periods,
    /// Per period: appeals per sector id, by id, no zeros.
    pub series: Vec<Vec<(u8, u32)>>,
    /// Appeals with a resolution time.
    pub resolved: u32,
    /// Median hours from creation to resolution, over the resolved ones.
    pub median_hours: Option<f64>,
    /// 90th percentile of the same.
    pub p90_hours: Option<f64>,
    /// Appeals that repeat an earlier one (see [`CellQuery::repeat_days`]).
    pub repeats: u32,
}

impl CellDetail {
    /// Repeats as a share of all appeals; `None` without appeals.
    pub fn repeat_share(&self) -> Option<f64> {
        (self.count > 0).then(|| f64::from(self.repeats) / f64::from(self.count))
    }
}

/// Why a cell cannot be described.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CellError {
    /// The series would need more periods than allowed.
    #[error("too many periods in the range; choose a longer period")]
    TooManyPeriods,
}

/// Computes the figures of `q.cell` over the index.
///
/// The repeat check looks `repeat_days` back from each appeal even past the
/// range's start, so the first appeals of a range are judged like the rest.
pub fn describe(data: &Data, q: &CellQuery) -> Result<CellDetail, CellError> {
    let (from, to) = data.time_range(&q.filter);
    let periods = Periods::covering(q.period, q.tz, from, to).ok_or(CellError::TooManyPeriods)?;
    let lookback = i64::from(q.repeat_days) * 86_400;
    let wide = Filter {
        from: Some(from.saturating_sub(lookback)),
        to: Some(to),
        ..q.filter.clone()
    };
    // (sector, created, seconds to resolve) of every appeal, lookback included.
    let mut rows: Vec<(u8, i64, u32)> = Vec::new();
    data.visit_cell(q.cell, &wide, |c, i| {
        rows.push((c.sector[i], c.created[i], c.resolve[i]));
    });
    rows.sort_unstable();

    let mut by_sector = [0u32; 256];
    let mut series = vec![[0u32; 256]; periods.len()];
    let mut hours = Vec::new();
    let mut repeats = 0;
    let mut count = 0;
    for (k, &(sector, t, resolve)) in rows.iter().enumerate() {
        if t < from {
            continue;
        }
        count += 1;
        by_sector[usize::from(sector)] += 1;
        if let Some(p) = periods.index_of(t) {
            series[p as usize][usize::from(sector)] += 1;
        }
        if resolve != UNRESOLVED {
            hours.push(f64::from(resolve) / 3600.0);
        }
        // Sorted by (sector, time): the previous row is the latest earlier
        // appeal of the same sector, if it is of that sector at all.
        if k > 0 && rows[k - 1].0 == sector && rows[k - 1].1 >= t - lookback {
            repeats += 1;
        }
    }
    let nonzero = |a: &[u32; 256]| -> Vec<(u8, u32)> {
        (0..=255u8)
            .zip(a.iter().copied())
            .filter(|&(_, n)| n > 0)
            .collect()
    };
    let resolved = hours.len() as u32;
    let (median_hours, p90_hours) = median_p90(&mut hours).unzip();
    Ok(CellDetail {
        count,
        by_sector: nonzero(&by_sector),
        series: series.iter().map(nonzero).collect(),
        periods,
        resolved,
        median_hours,
        p90_hours,
        repeats,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Status, cell_of};
    use crate::store::IndexRow;

    const DAY: i64 = 86_400;
    // 2025-01-01T00:00:00+03:00
    const T0: i64 = 1_735_678_800;

    fn row(id: i64, sector: u8, days: i64, resolve_h: Option<i64>) -> IndexRow {
        let (lat, lon) = (55.79, 49.12);
        let created_at = T0 + days * DAY;
        IndexRow {
            id,
            cell: u64::from(cell_of(lat, lon).expect("cell")),
            lat,
            lon,
            created_at,
            sector,
            status: Status::New,
            resolved_at: resolve_h.map(|h| created_at + h * 3600),
            source: "vk".to_owned(),
            responsible: 0,
            due_at: None,
            first_response_at: None,
        }
    }

    #[test]
    fn counts_series_resolution_and_repeats() {
        // Sector 2 on days 0, 10, 50, 55; sector 3 on day 5 and 40.
        // Repeats within 30 days: day 10 (after day 0) and day 55 (after 50) → 2 of 6.
        // Resolution hours: 10, 20, 30, 40 → median 25, p90 at h = 3·0.9 = 2.7:
        // 30 + 0.7·10 = 37.
        let rows = vec![
            row(1, 2, 0, Some(10)),
            row(2, 2, 10, Some(20)),
            row(3, 2, 50, Some(30)),
            row(4, 2, 55, None),
            row(5, 3, 5, Some(40)),
            row(6, 3, 40, None),
        ];
        let data = Data::from_rows(rows.clone(), 1);
        let cell = CellIndex::try_from(rows[0].cell)
            .unwrap()
            .parent(h3o::Resolution::Nine)
            .unwrap();
        let q = CellQuery {
            cell,
            filter: Filter {
                from: Some(T0),
                to: Some(T0 + 90 * DAY),
                ..Filter::default()
            },
            period: Period::Month,
            tz: chrono_tz::Europe::Moscow,
            repeat_days: 30,
        };
        let d = describe(&data, &q).unwrap();
        assert_eq!(d.count, 6);
        assert_eq!(d.by_sector, vec![(2, 4), (3, 2)]);
        // January: days 0, 5, 10; February (days 31–58): 40, 50, 55; March: none.
        assert_eq!(d.periods.len(), 3);
        assert_eq!(d.series[0], vec![(2, 2), (3, 1)]);
        assert_eq!(d.series[1], vec![(2, 2), (3, 1)]);
        assert_eq!(d.series[2], vec![]);
        assert_eq!(d.resolved, 4);
        assert_eq!(d.median_hours, Some(25.0));
        assert!((d.p90_hours.unwrap() - 37.0).abs() < 1e-9);
        assert_eq!(d.repeats, 2);
        assert!((d.repeat_share().unwrap() - 2.0 / 6.0).abs() < 1e-12);

        // Starting the range on day 10: the day-0 appeal is outside but still
        // makes day 10 a repeat.
        let later = CellQuery {
            filter: Filter {
                from: Some(T0 + 10 * DAY),
                ..q.filter.clone()
            },
            ..q.clone()
        };
        let d = describe(&data, &later).unwrap();
        assert_eq!((d.count, d.repeats), (4, 2));

        // A neighbouring cell sees nothing; the delta is read as well as the base.
        let mut data = data;
        data.apply(&[row(7, 2, 56, None)], 2);
        let d = describe(&data, &q).unwrap();
        assert_eq!((d.count, d.repeats), (7, 3));
        let other = cell.grid_disk::<Vec<_>>(1)[1];
        let d = describe(&data, &CellQuery { cell: other, ..q }).unwrap();
        assert_eq!(d.count, 0);
        assert_eq!(d.repeat_share(), None);
    }
}
