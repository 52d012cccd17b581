//! Binning against a direct tally with h3o's `parent`, single- and multi-threaded.

use super::parallel::ROWS_PER_THREAD;
use super::*;
use crate::index::{BBox, Data, Filter};
use crate::store::IndexRow;
use h3o::{CellIndex, Resolution};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

fn rows(n: usize) -> Vec<IndexRow> {
    crate::index::testdata::rows_in(n, 11, 3, 4)
}

fn tally(rows: &[IndexRow], f: &Filter, res: u8) -> BTreeMap<u64, BTreeMap<u8, u32>> {
    let r = Resolution::try_from(res).expect("res");
    let mut out: BTreeMap<u64, BTreeMap<u8, u32>> = BTreeMap::new();
    for row in rows {
        if f.bbox.is_some_and(|b| !b.contains(row.lat, row.lon))
            || f.from.is_some_and(|t| row.created_at < t)
            || f.to.is_some_and(|t| row.created_at >= t)
        {
            continue;
        }
        let p = CellIndex::try_from(row.cell)
            .expect("cell")
            .parent(r)
            .expect("parent");
        *out.entry(u64::from(p))
            .or_default()
            .entry(row.sector)
            .or_default() += 1;
    }
    out
}

/// Quarters over the test rows' time span (2020-05 to 2024-03).
fn quarters() -> Periods {
    Periods::covering(
        Period::Quarter,
        chrono_tz::Europe::Moscow,
        1_590_000_000,
        1_710_000_000,
    )
    .expect("p")
}

fn as_map(counts: &[CellCount]) -> BTreeMap<u64, BTreeMap<u8, u32>> {
    counts
        .iter()
        .map(|c| (c.cell, c.by_sector.iter().copied().collect()))
        .collect()
}

#[test]
fn counts_match_a_direct_tally_on_one_and_many_threads() {
    let all = rows(30_000);
    let mut data = Data::from_rows(all[..27_000].to_vec(), 1);
    data.apply(&all[27_000..], 2);
    let filters = [
        Filter::default(),
        Filter {
            bbox: Some(crate::index::testdata::KAZAN_BOX),
            ..Filter::default()
        },
        Filter {
            bbox: Some(BBox {
                min_lon: 179.0,
                min_lat: 64.2,
                max_lon: -179.0,
                max_lat: 65.8,
            }),
            from: Some(1_650_000_000),
            ..Filter::default()
        },
    ];
    for per_thread in [usize::MAX, 1_000] {
        ROWS_PER_THREAD.store(per_thread, Ordering::Relaxed);
        for f in &filters {
            for res in [0u8, 3, 5, 7, 9] {
                let got = count_cells(&data, f, res, usize::MAX).expect("counts");
                assert!(
                    got.windows(2).all(|w| w[0].cell < w[1].cell),
                    "sorted and unique"
                );
                assert!(
                    got.iter()
                        .all(|c| c.total == c.by_sector.iter().map(|s| s.1).sum::<u32>())
                );
                assert_eq!(
                    as_map(&got),
                    tally(&all, f, res),
                    "res {res} {f:?} per_thread {per_thread}"
                );
            }
        }
    }
    ROWS_PER_THREAD.store(400_000, Ordering::Relaxed);
}

#[test]
fn rows_sum_to_the_cell_counts_and_respect_the_cap() {
    let all = rows(9_000);
    let data = Data::from_rows(all, 1);
    ROWS_PER_THREAD.store(500, Ordering::Relaxed);
    let f = Filter::default();
    let periods = quarters();
    let rows = aggregate_rows(&data, &f, 4, &periods, usize::MAX).expect("rows");
    assert!(
        rows.windows(2)
            .all(|w| (w[0].cell, w[0].period, w[0].sector) < (w[1].cell, w[1].period, w[1].sector))
    );
    let mut per_cell: BTreeMap<u64, BTreeMap<u8, u32>> = BTreeMap::new();
    for r in &rows {
        *per_cell
            .entry(r.cell)
            .or_default()
            .entry(r.sector)
            .or_default() += r.count;
    }
    assert_eq!(
        per_cell,
        as_map(&count_cells(&data, &f, 4, usize::MAX).expect("counts"))
    );
    let n_cells = per_cell.len();
    assert_eq!(
        count_cells(&data, &f, 4, n_cells - 1),
        Err(AggError::TooManyCells { cap: n_cells - 1 })
    );
    assert!(aggregate_rows(&data, &f, 9, &periods, 100).is_err());
    ROWS_PER_THREAD.store(400_000, Ordering::Relaxed);
}

#[test]
fn series_match_the_rows_summed_over_sectors() {
    let all = rows(12_000);
    let mut data = Data::from_rows(all[..10_000].to_vec(), 1);
    data.apply(&all[10_000..], 2);
    ROWS_PER_THREAD.store(1_000, Ordering::Relaxed);
    let periods = quarters();
    for res in [3u8, 6, 9] {
        let f = Filter::default();
        let s = cell_series(&data, &f, res, &periods, usize::MAX).expect("series");
        assert!(s.cells.windows(2).all(|w| w[0] < w[1]), "sorted, unique");
        let mut want: BTreeMap<(u64, u32), u32> = BTreeMap::new();
        for r in aggregate_rows(&data, &f, res, &periods, usize::MAX).expect("rows") {
            *want.entry((r.cell, r.period)).or_default() += r.count;
        }
        let mut got: BTreeMap<(u64, u32), u32> = BTreeMap::new();
        for (i, &c) in s.cells.iter().enumerate() {
            assert!(s.row(i).iter().any(|&n| n > 0), "no empty rows");
            for (t, &n) in s.row(i).iter().enumerate() {
                if n > 0 {
                    got.insert((c, t as u32), n);
                }
            }
        }
        assert_eq!(got, want, "res {res}");
        let n = s.cells.len();
        assert_eq!(
            cell_series(&data, &f, res, &periods, n - 1),
            Err(AggError::TooManyCells { cap: n - 1 })
        );
    }
    ROWS_PER_THREAD.store(400_000, Ordering::Relaxed);
}
