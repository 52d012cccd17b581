//! Per-cell counts with a breakdown by sector.

use super::{AggError, parallel::run_parts, runs::scan_runs};
use crate::index::{Data, Filter, cells::parent_raw};
use std::collections::HashMap;

/// Appeals in one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellCount {
    /// The cell at the requested resolution, raw bits.
    pub cell: u64,
    /// All appeals in the cell.
    pub total: u32,
    /// (sector id, count), ordered by sector id, no zeros.
    pub by_sector: Vec<(u8, u32)>,
}

impl CellCount {
    fn new(cell: u64) -> Self {
        CellCount {
            cell,
            total: 0,
            by_sector: Vec::new(),
        }
    }

    fn add(&mut self, sector: u8, n: u32) {
        self.total += n;
        match self.by_sector.binary_search_by_key(&sector, |&(s, _)| s) {
            Ok(i) => self.by_sector[i].1 += n,
            Err(i) => self.by_sector.insert(i, (sector, n)),
        }
    }

    fn absorb(&mut self, other: CellCount) {
        for (s, n) in other.by_sector {
            self.add(s, n);
        }
    }

    /// The sector with the most appeals (lowest id on ties).
    pub fn dominant(&self) -> Option<u8> {
        self.by_sector
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|&(s, _)| s)
    }
}

/// Counts appeals passing `filter` per cell at resolution `res`, ordered by cell.
pub fn count_cells(
    data: &Data,
    filter: &Filter,
    res: u8,
    cap: usize,
) -> Result<Vec<CellCount>, AggError> {
    let ranges = data.base_ranges(filter);
    let parts = run_parts(data, &ranges, res, |piece| {
        count_base(data, piece, filter, res, cap)
    });
    let mut out: Vec<CellCount> = Vec::new();
    for part in parts {
        let mut part = part?.into_iter();
        // Pieces are cut at parent boundaries, but a parent may span two cover ranges.
        if let (Some(last), Some(first)) = (out.last_mut(), part.as_slice().first())
            && last.cell == first.cell
            && let Some(first) = part.next()
        {
            last.absorb(first);
        }
        out.extend(part);
        if out.len() > cap {
            return Err(AggError::TooManyCells { cap });
        }
    }
    let mut delta: HashMap<u64, CellCount> = HashMap::new();
    data.delta.visit(filter, |c, i| {
        let p = parent_raw(c.cell[i], res);
        delta
            .entry(p)
            .or_insert_with(|| CellCount::new(p))
            .add(c.sector[i], 1);
    });
    for (cell, d) in delta {
        match out.binary_search_by_key(&cell, |c| c.cell) {
            Ok(i) => out[i].absorb(d),
            Err(i) => out.insert(i, d),
        }
    }
    if out.len() > cap {
        return Err(AggError::TooManyCells { cap });
    }
    Ok(out)
}

/// Counts the base rows of `ranges`: rows come in cell order, so each parent
/// is one run and sectors are tallied in a fixed array, no hashing.
fn count_base(
    data: &Data,
    ranges: &[(usize, usize)],
    filter: &Filter,
    res: u8,
    cap: usize,
) -> Result<Vec<CellCount>, AggError> {
    struct Tally {
        out: Vec<CellCount>,
        tally: [u32; 256],
        // Sectors seen in this run: only they are read and reset at its end.
        touched: Vec<u8>,
    }
    let mut st = Tally {
        out: Vec::new(),
        tally: [0; 256],
        touched: Vec::with_capacity(16),
    };
    let complete = scan_runs(
        data,
        ranges,
        filter,
        res,
        &mut st,
        |st, c, i| {
            let s = usize::from(c.sector[i]);
            if st.tally[s] == 0 {
                st.touched.push(c.sector[i]);
            }
            st.tally[s] += 1;
        },
        |st, cell| {
            let mut c = CellCount::new(cell);
            st.touched.sort_unstable();
            for &s in &st.touched {
                let n = std::mem::take(&mut st.tally[usize::from(s)]);
                c.total += n;
                c.by_sector.push((s, n));
            }
            st.touched.clear();
            st.out.push(c);
            st.out.len() <= cap
        },
    );
    if complete {
        Ok(st.out)
    } else {
        Err(AggError::TooManyCells { cap })
    }
}
