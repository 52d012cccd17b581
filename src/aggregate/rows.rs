//! `{cell, sector, period_start, count}` rows for analysts and exports.

use super::{AggError, Periods, parallel::run_parts};
use crate::index::{
    Data, Filter,
    cells::{group_key, parent_raw},
};

/// One row of an aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct AggRow {
    /// The cell at the requested resolution, raw bits.
    pub cell: u64,
    /// Period number in the [`Periods`] used.
    pub period: u32,
    /// Sector id.
    pub sector: u8,
    /// Appeals.
    pub count: u32,
}

/// Counts appeals per (cell, period, sector); rows ordered by that key.
/// Appeals outside the periods' span are ignored.
pub fn aggregate_rows(
    data: &Data,
    filter: &Filter,
    res: u8,
    periods: &Periods,
    cap: usize,
) -> Result<Vec<AggRow>, AggError> {
    let ranges = data.base_ranges(filter);
    let parts = run_parts(data, &ranges, res, |piece| {
        rows_base(data, piece, filter, res, periods, cap)
    });
    let mut out: Vec<AggRow> = Vec::new();
    let mut seams = false;
    for part in parts {
        let part = part?;
        seams |= matches!((out.last(), part.first()), (Some(a), Some(b)) if a.cell == b.cell);
        out.extend(part);
        if out.len() > cap {
            return Err(AggError::TooManyCells { cap });
        }
    }
    data.delta.visit(filter, |c, i| {
        if let Some(p) = periods.index_of(c.created[i]) {
            out.push(AggRow {
                cell: parent_raw(c.cell[i], res),
                period: p,
                sector: c.sector[i],
                count: 1,
            });
            seams = true;
        }
    });
    if seams {
        out.sort_unstable_by_key(|r| (r.cell, r.period, r.sector));
        out.dedup_by(|later, first| {
            let same = (later.cell, later.period, later.sector)
                == (first.cell, first.period, first.sector);
            if same {
                first.count += later.count;
            }
            same
        });
    }
    if out.len() > cap {
        return Err(AggError::TooManyCells { cap });
    }
    Ok(out)
}

fn rows_base(
    data: &Data,
    ranges: &[(usize, usize)],
    filter: &Filter,
    res: u8,
    periods: &Periods,
    cap: usize,
) -> Result<Vec<AggRow>, AggError> {
    let mut out: Vec<AggRow> = Vec::new();
    let mut run: Vec<(u32, u8)> = Vec::new();
    let mut run_key = u64::MAX;
    let mut run_cell = 0u64;
    let mut too_many = false;
    let flush = |out: &mut Vec<AggRow>, run: &mut Vec<(u32, u8)>, cell: u64| {
        run.sort_unstable();
        for chunk in run.chunk_by(|a, b| a == b) {
            out.push(AggRow {
                cell,
                period: chunk[0].0,
                sector: chunk[0].1,
                count: chunk.len() as u32,
            });
        }
        run.clear();
    };
    data.scan_base(ranges, filter, |c, i| {
        if too_many {
            return;
        }
        let Some(p) = periods.index_of(c.created[i]) else {
            return;
        };
        let key = group_key(c.cell[i], res);
        if key != run_key {
            flush(&mut out, &mut run, run_cell);
            if out.len() > cap {
                too_many = true;
                return;
            }
            run_key = key;
            run_cell = parent_raw(c.cell[i], res);
        }
        run.push((p, c.sector[i]));
    });
    if too_many {
        return Err(AggError::TooManyCells { cap });
    }
    flush(&mut out, &mut run, run_cell);
    Ok(out)
}
