//! What a hexagon tile reads ([`Plan`]): its read box, the base rows that
//! may hold appeals in it, how to cut them for two threads, and the recent
//! writes in the box.

use super::skip::Skip;
use super::{LINEAR_ROWS, base_rows, read_box};
use crate::index::cells::{group_key, parent_raw};
use crate::index::spatial::FixedBox;
use crate::index::{BBox, Data, Filter};
use crate::tiles::coord::TileCoord;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Rows a tile reads from which its work is split over two threads: below
/// it, handing half to another thread (tens of µs on this VM) costs more
/// than it saves. Tests lower it so small data sets take the two-thread path too.
pub(crate) static PARALLEL_ROWS: AtomicUsize = AtomicUsize::new(8_192);

/// Sample rows [`Plan::pieces`] looks at to cut a tile's rows in two.
const CUT_SAMPLES: usize = 128;

/// What a hexagon tile reads: its read box and the base rows that may hold
/// appeals in it.
#[derive(Debug)]
pub struct Plan {
    bbox: Option<BBox>,
    pub(super) inside: Option<FixedBox>,
    pub(super) skip: Option<Skip>,
    pub(super) ranges: Vec<(usize, usize)>,
}

/// Recent writes (the delta) of one cell in a read box: the cell and its
/// counts by sector.
pub type DeltaCell = (u64, Box<[u32; 256]>);

impl Plan {
    /// The read box of `tile` at `res` and its base rows.
    pub fn new(data: &Data, tile: TileCoord, res: u8) -> Self {
        let bbox = read_box(tile, res);
        Plan {
            ranges: base_rows(data, bbox.as_ref()),
            inside: bbox.map(|b| b.fixed()),
            skip: bbox.as_ref().and_then(Skip::new),
            bbox,
        }
    }

    /// The rows in one piece, or (when `split`) cut in two at a cell
    /// boundary of `res` if there are enough for two threads: pieces in
    /// cell order.
    ///
    /// The rows read are mostly outside the read box (the cover is coarse),
    /// and a tile's cells may all lie in one half of them: the cut goes at
    /// the weighted median of evenly spaced sample rows that fall in the
    /// box, so the two halves draw about as many cells.
    pub fn pieces(&self, data: &Data, res: u8, split: bool) -> Vec<Vec<(usize, usize)>> {
        let rows: usize = self.ranges.iter().map(|(a, b)| b - a).sum();
        if !split || rows < PARALLEL_ROWS.load(Ordering::Relaxed) {
            return vec![self.ranges.clone()];
        }
        let Some(inside) = &self.inside else {
            return data.split_ranges(&self.ranges, res, 2);
        };
        let base = &data.base;
        let cells = &base.cell;
        // (offset, weight): a sample lands in a cell as often as the cell has
        // rows, so each counts 1 / its cell's rows (looked for a little way).
        let mut hits: Vec<(usize, f64)> = Vec::with_capacity(CUT_SAMPLES);
        let mut sample = (0..CUT_SAMPLES)
            .map(|j| (2 * j + 1) * rows / (2 * CUT_SAMPLES))
            .peekable();
        let mut offset = 0;
        for &(lo, hi) in &self.ranges {
            while let Some(t) = sample.next_if(|&t| t < offset + hi - lo) {
                let row = lo + (t - offset);
                if inside.contains(base.lat[row], base.lon[row]) {
                    let key = group_key(cells[row], res);
                    let same = |&i: &usize| group_key(cells[i], res) == key;
                    let back = (lo..row).rev().take(LINEAR_ROWS).take_while(same).count();
                    let ahead = (row + 1..hi).take(LINEAR_ROWS).take_while(same).count();
                    hits.push((t, 1.0 / (1 + back + ahead) as f64));
                }
            }
            offset += hi - lo;
        }
        let half = hits.iter().map(|h| h.1).sum::<f64>() / 2.0;
        let mut seen = 0.0;
        let cut = hits.iter().find(|h| {
            seen += h.1;
            seen >= half
        });
        match cut {
            Some(&(cut, _)) if hits.len() >= 2 => data.cut_ranges(&self.ranges, res, &[cut]),
            _ => vec![self.ranges.clone()],
        }
    }

    /// The appeals of recent writes in the read box passing `filter` (its
    /// `bbox` is ignored), by cell at `res`, ordered by cell.
    pub fn delta(&self, data: &Data, res: u8, filter: &Filter) -> Vec<DeltaCell> {
        let mut delta: HashMap<u64, Box<[u32; 256]>> = HashMap::new();
        let delta_filter = Filter {
            bbox: self.bbox,
            ..filter.clone()
        };
        data.delta.visit(&delta_filter, |cols, i| {
            delta
                .entry(parent_raw(cols.cell[i], res))
                .or_insert_with(|| Box::new([0; 256]))[usize::from(cols.sector[i])] += 1;
        });
        let mut out: Vec<DeltaCell> = delta.into_iter().collect();
        out.sort_unstable_by_key(|d| d.0);
        out
    }
}
