//! `{cell, sector, period_start, count}` rows for analysts and exports.

use super::{AggError, Periods, parallel::run_parts, runs::scan_runs};
use crate::index::{Data, Filter, cells::parent_raw};

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
    struct Runs {
        out: Vec<AggRow>,
        // (period, sector) of each row in the current run.
        run: Vec<(u32, u8)>,
    }
    let mut st = Runs {
        out: Vec::new(),
        run: Vec::new(),
    };
    let complete = scan_runs(
        data,
        ranges,
        filter,
        res,
        &mut st,
        |st, c, i| {
            if let Some(p) = periods.index_of(c.created[i]) {
                st.run.push((p, c.sector[i]));
            }
        },
        |st, cell| {
            st.run.sort_unstable();
            for chunk in st.run.chunk_by(|a, b| a == b) {
                let (period, sector) = chunk[0];
                st.out.push(AggRow {
                    cell,
                    period,
                    sector,
                    count: chunk.len() as u32,
                });
            }
            st.run.clear();
            st.out.len() <= cap
        },
    );
    if complete {
        Ok(st.out)
    } else {
        Err(AggError::TooManyCells { cap })
    }
}
