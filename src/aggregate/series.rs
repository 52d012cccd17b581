//! Per-cell time series: a dense cells × periods matrix of counts, for
//! analyses that need every period of every cell (hotspots over time).

use super::{AggError, Periods, parallel::run_parts, runs::scan_runs};
use crate::index::{Data, Filter, cells::parent_raw};

/// Appeal counts per cell and period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellSeries {
    /// Cells with at least one appeal in the periods, raw bits, ascending.
    pub cells: Vec<u64>,
    /// Number of periods (the row length).
    pub periods: usize,
    /// `counts[i * periods + t]`: appeals of `cells[i]` in period `t`.
    pub counts: Vec<u32>,
}

impl CellSeries {
    /// The row of cell position `i`.
    pub fn row(&self, i: usize) -> &[u32] {
        &self.counts[i * self.periods..(i + 1) * self.periods]
    }

    /// Appends a row, or adds it to the last one when it is the same cell
    /// (a parent cut between two pieces of the scan).
    fn push(&mut self, cell: u64, row: &[u32]) {
        if self.cells.last() == Some(&cell) {
            let start = self.counts.len() - self.periods;
            for (a, b) in self.counts[start..].iter_mut().zip(row) {
                *a += b;
            }
        } else {
            self.cells.push(cell);
            self.counts.extend_from_slice(row);
        }
    }
}

/// Counts appeals passing `filter` per cell at `res` and period; appeals
/// outside the periods' span are ignored. One cell-ordered scan of the base
/// (a run per parent cell, tallied into one dense row: no hashing), then the
/// delta's few rows merged in. At most `cap` cells.
pub fn cell_series(
    data: &Data,
    filter: &Filter,
    res: u8,
    periods: &Periods,
    cap: usize,
) -> Result<CellSeries, AggError> {
    let np = periods.len();
    let ranges = data.base_ranges(filter);
    let parts = run_parts(data, &ranges, res, |piece| {
        series_base(data, piece, filter, res, periods, cap)
    });
    let mut out = CellSeries {
        periods: np,
        ..CellSeries::default()
    };
    for part in parts {
        let part = part?;
        for (i, &c) in part.cells.iter().enumerate() {
            out.push(c, part.row(i));
        }
        if out.cells.len() > cap {
            return Err(AggError::TooManyCells { cap });
        }
    }
    let mut delta: Vec<(u64, u32)> = Vec::new();
    data.delta.visit(filter, |c, i| {
        if let Some(p) = periods.index_of(c.created[i]) {
            delta.push((parent_raw(c.cell[i], res), p));
        }
    });
    if !delta.is_empty() {
        out = merge_delta(out, delta);
    }
    if out.cells.len() > cap {
        return Err(AggError::TooManyCells { cap });
    }
    Ok(out)
}

/// Adds the delta's (cell, period) pairs, keeping cells ascending.
fn merge_delta(base: CellSeries, mut delta: Vec<(u64, u32)>) -> CellSeries {
    delta.sort_unstable();
    let np = base.periods;
    let mut out = CellSeries {
        periods: np,
        cells: Vec::with_capacity(base.cells.len()),
        counts: Vec::with_capacity(base.counts.len()),
    };
    let mut row = vec![0u32; np];
    let mut d = delta.chunk_by(|a, b| a.0 == b.0).peekable();
    let mut b = 0;
    loop {
        let next_base = base.cells.get(b).copied();
        let next_delta = d.peek().map(|g| g[0].0);
        let cell = match (next_base, next_delta) {
            (None, None) => break,
            (Some(x), None) => x,
            (None, Some(y)) => y,
            (Some(x), Some(y)) => x.min(y),
        };
        row.iter_mut().for_each(|v| *v = 0);
        if next_base == Some(cell) {
            row.copy_from_slice(base.row(b));
            b += 1;
        }
        if next_delta == Some(cell)
            && let Some(g) = d.next()
        {
            for &(_, p) in g {
                row[p as usize] += 1;
            }
        }
        out.push(cell, &row);
    }
    out
}

fn series_base(
    data: &Data,
    ranges: &[(usize, usize)],
    filter: &Filter,
    res: u8,
    periods: &Periods,
    cap: usize,
) -> Result<CellSeries, AggError> {
    struct Tally {
        out: CellSeries,
        row: Vec<u32>,
        any: bool,
    }
    let np = periods.len();
    let mut st = Tally {
        out: CellSeries {
            periods: np,
            ..CellSeries::default()
        },
        row: vec![0; np],
        any: false,
    };
    let complete = scan_runs(
        data,
        ranges,
        filter,
        res,
        &mut st,
        |st, c, i| {
            if let Some(p) = periods.index_of(c.created[i]) {
                st.row[p as usize] += 1;
                st.any = true;
            }
        },
        |st, cell| {
            if std::mem::take(&mut st.any) {
                st.out.cells.push(cell);
                st.out.counts.extend_from_slice(&st.row);
                st.row.iter_mut().for_each(|v| *v = 0);
            }
            st.out.cells.len() <= cap
        },
    );
    if complete {
        Ok(st.out)
    } else {
        Err(AggError::TooManyCells { cap })
    }
}
