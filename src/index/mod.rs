//! The in-memory appeal index.
//!
//! The bulk of the appeals sits in a *base*: [`Columns`] sorted by finest H3
//! cell, so a coarser cell's appeals are one contiguous run and a bounding box
//! is a few ranges ([`spatial`]). New writes land in a small *delta* with an
//! rstar R-tree; when the delta grows past a fraction of the base they are
//! merged into a new base. Snapshots of the base ([`snapshot`]) make a cold
//! start a file read instead of a database scan.

pub mod cells;
mod columns;
mod delta;
mod extent;
mod filter;
mod merge;
pub mod snapshot;
pub mod spatial;
mod split;

pub use columns::{BYTES_PER_ROW, Columns, NO_TIME, UNRESOLVED};
pub use delta::Delta;
pub use filter::{Filter, FilterKey};
pub use spatial::BBox;

use crate::districts::mask::{CellRange, intersect};
use crate::store::IndexRow;
use cells::row_ranges;
use h3o::CellIndex;
use parking_lot::RwLock;
use std::collections::HashMap;

/// Merge the delta once it is this large or a sixteenth of the base.
const MERGE_MIN: usize = 65_536;

/// Where a visited row lives: the cell-sorted base or the unsorted delta.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The sorted base: rows arrive in cell order.
    Base,
    /// Recent writes: rows arrive in any order.
    Delta,
}

/// The index's contents at one moment; readers hold a read lock on it.
#[derive(Debug, Default)]
pub struct Data {
    /// Sorted by (cell, id).
    pub base: Columns,
    /// Recent writes, in arrival order.
    pub delta: Delta,
    /// Source names; `Columns::source` holds positions in this list.
    pub sources: Vec<String>,
    source_ids: HashMap<String, u16>,
    /// The change sequence number of the latest applied write.
    pub seq: u64,
    /// Bulk loading: skip the delta's R-tree and merges until it ends.
    bulk: bool,
    /// The earliest and latest creation time, computed on first use after
    /// a write (a full pass: ~4 ms at 10 M appeals).
    span: std::sync::OnceLock<Option<(i64, i64)>>,
}

impl Data {
    /// Number of appeals.
    pub fn len(&self) -> usize {
        self.base.len() + self.delta.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f(columns, row, part)` for every appeal passing `filter`: first the
    /// base in cell order, then the delta (in no particular order).
    pub fn visit(&self, filter: &Filter, mut f: impl FnMut(&Columns, usize, Part)) {
        let ranges = self.base_ranges(filter);
        self.scan_base(&ranges, filter, |c, i| f(c, i, Part::Base));
        self.delta.visit(filter, |c, i| f(c, i, Part::Delta));
    }

    /// Ascending, disjoint row ranges of the base that hold every appeal of the
    /// filter's box and district (all rows when there is neither, or the box
    /// is huge). A district's inside and boundary cells give separate ranges.
    pub fn base_ranges(&self, filter: &Filter) -> Vec<(usize, usize)> {
        let cells = &self.base.cell;
        let boxed = filter.bbox.as_ref().and_then(spatial::cover_ranges);
        let district = filter.district.as_ref().and_then(|d| d.cell_ranges());
        let ranges: Vec<(u64, u64)> = match (district, boxed) {
            (Some(d), Some(b)) => intersect(d, &b).iter().map(CellRange::bounds).collect(),
            (Some(d), None) => d.iter().map(CellRange::bounds).collect(),
            (None, Some(b)) => b,
            (None, None) => return vec![(0, cells.len())],
        };
        row_ranges(cells, ranges)
    }

    /// Calls `f` for the base rows of `ranges` that pass the filter, in order.
    pub fn scan_base(
        &self,
        ranges: &[(usize, usize)],
        filter: &Filter,
        mut f: impl FnMut(&Columns, usize),
    ) {
        // Rows go through in blocks: first a branch-free pass over the sector
        // byte picks candidates (a random sector mix defeats the branch
        // predictor), then only those rows read their time, place and cell.
        const BLOCK: usize = 1024;
        let base = &self.base;
        let fixed = filter.bbox.map(|b| b.fixed());
        let mut picked = [0u32; BLOCK];
        for &(lo, hi) in ranges {
            if lo >= hi {
                continue;
            }
            // Rows of a district's inside cells belong without a point test.
            let district = filter
                .district
                .as_deref()
                .filter(|d| !d.inside_span(base.cell[lo], base.cell[hi - 1]));
            let mut start = lo;
            while start < hi {
                let end = (start + BLOCK).min(hi);
                let n = match &filter.sectors {
                    Some(set) => {
                        let mut n = 0;
                        for (i, &s) in base.sector[start..end].iter().enumerate() {
                            picked[n] = i as u32;
                            n += ((set[usize::from(s >> 6)] >> (s & 63)) & 1) as usize;
                        }
                        n
                    }
                    None => {
                        for (k, p) in picked[..end - start].iter_mut().enumerate() {
                            *p = k as u32;
                        }
                        end - start
                    }
                };
                for &k in &picked[..n] {
                    let i = start + k as usize;
                    if !filter.time_ok(base.created[i]) {
                        continue;
                    }
                    if fixed.is_some_and(|b| !b.contains(base.lat[i], base.lon[i])) {
                        continue;
                    }
                    if district.is_some_and(|d| !d.contains_fixed(base.lat[i], base.lon[i])) {
                        continue;
                    }
                    f(base, i);
                }
                start = end;
            }
        }
    }

    /// Calls `f` for every appeal passing `filter` (its `bbox` is ignored)
    /// whose finest cell descends from `cell`: one binary-searched run of the
    /// base, then the delta's rows near the cell.
    pub fn visit_cell(&self, cell: CellIndex, filter: &Filter, mut f: impl FnMut(&Columns, usize)) {
        let (lo, hi) = cells::descendant_range(cell);
        let base = &self.base.cell;
        let range = (
            base.partition_point(|&c| c < lo),
            base.partition_point(|&c| c <= hi),
        );
        let plain = Filter {
            bbox: None,
            ..filter.clone()
        };
        self.scan_base(&[range], &plain, &mut f);
        let near = Filter {
            bbox: cells::disk_bbox(cell),
            ..plain
        };
        let (res, raw) = (cells::res_u8(cell.resolution()), u64::from(cell));
        self.delta.visit(&near, |c, i| {
            if cells::parent_raw(c.cell[i], res) == raw {
                f(c, i);
            }
        });
    }

    /// The time range a query covers: its own bounds, or the data's span
    /// (end exclusive) where it has none.
    pub fn time_range(&self, filter: &Filter) -> (i64, i64) {
        match (filter.from, filter.to) {
            (Some(f), Some(t)) => (f, t),
            (f, t) => {
                let (lo, hi) = self.time_span().unwrap_or((0, 1));
                (f.unwrap_or(lo), t.unwrap_or(hi + 1))
            }
        }
    }

    fn source_id(&mut self, name: &str) -> u16 {
        // A deployment has a handful of channels: comparing a few short
        // names beats hashing one per row.
        if self.sources.len() <= 8 {
            if let Some(i) = self.sources.iter().position(|s| s == name) {
                return i as u16;
            }
        } else if let Some(&id) = self.source_ids.get(name) {
            return id;
        }
        // More than 65 535 channels is not a real deployment; fold the rest into the last.
        let id = u16::try_from(self.sources.len()).unwrap_or(u16::MAX);
        if usize::from(id) == self.sources.len() {
            self.sources.push(name.to_owned());
            self.source_ids.insert(name.to_owned(), id);
        }
        id
    }

    /// Applies committed rows: updates appeals already present, adds the rest.
    pub fn apply(&mut self, rows: &[IndexRow], seq: u64) {
        if !rows.is_empty() {
            self.span.take();
        }
        for row in rows {
            if let Some(i) = self.find_in_base(row.cell, row.id) {
                self.base.set_state(i, row);
            } else if !self.delta.update(row) {
                let src = self.source_id(&row.source);
                self.delta.push(row, src, !self.bulk);
            }
        }
        self.seq = self.seq.max(seq);
        if !self.bulk && self.delta.len() >= MERGE_MIN.max(self.base.len() / 16) {
            self.compact();
        }
    }

    /// Appends the rows of a full load to an empty index in bulk mode (ids
    /// distinct, none held yet), without looking each one up first.
    pub fn append_fresh(&mut self, rows: &[IndexRow], seq: u64) {
        debug_assert!(self.bulk && self.base.is_empty());
        self.span.take();
        for row in rows {
            let src = self.source_id(&row.source);
            self.delta.push_unmapped(row, src);
        }
        self.seq = self.seq.max(seq);
    }

    /// Starts or ends a bulk load. A bulk load appends writes without
    /// maintaining the R-tree or merging; ending it sorts everything once.
    pub fn set_bulk(&mut self, on: bool) {
        self.bulk = on;
        if !on {
            self.compact();
        }
    }

    /// Moves the delta into the sorted base.
    pub fn compact(&mut self) {
        if self.delta.is_empty() {
            return;
        }
        self.base = self.base.merged_with(self.delta.columns());
        self.delta = Delta::default();
    }

    fn find_in_base(&self, cell: u64, id: i64) -> Option<usize> {
        let lo = self.base.cell.partition_point(|&c| c < cell);
        (lo..self.base.len())
            .take_while(|&i| self.base.cell[i] == cell)
            .find(|&i| self.base.id[i] == id)
    }

    /// Builds the index from rows in any order.
    pub fn from_rows(rows: Vec<IndexRow>, seq: u64) -> Data {
        let mut data = Data::default();
        data.set_bulk(true);
        data.apply(&rows, seq);
        data.set_bulk(false);
        data
    }

    /// Restores the source dictionary of a snapshot.
    pub fn with_sources(mut self, sources: Vec<String>) -> Data {
        self.source_ids = sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u16))
            .collect();
        self.sources = sources;
        self
    }

    /// The earliest and latest creation time, if any appeal exists.
    pub fn time_span(&self) -> Option<(i64, i64)> {
        *self.span.get_or_init(|| {
            let all = self
                .base
                .created
                .iter()
                .chain(self.delta.columns().created.iter());
            all.fold(None, |acc, &t| match acc {
                None => Some((t, t)),
                Some((lo, hi)) => Some((lo.min(t), hi.max(t))),
            })
        })
    }

    /// Heap bytes of the columns (base and delta).
    pub fn heap_bytes(&self) -> usize {
        self.base.heap_bytes() + self.delta.heap_bytes()
    }
}

/// The shared, concurrently readable index.
#[derive(Debug, Default)]
pub struct Index {
    data: RwLock<Data>,
}

impl Index {
    /// Wraps loaded data.
    pub fn new(data: Data) -> Self {
        Index {
            data: RwLock::new(data),
        }
    }

    /// Read access for queries; keep it short and never across an `.await`.
    pub fn read(&self) -> parking_lot::RwLockReadGuard<'_, Data> {
        self.data.read()
    }

    /// Applies committed rows.
    pub fn apply(&self, rows: &[IndexRow], seq: u64) {
        self.data.write().apply(rows, seq);
    }

    /// Merges the delta into the base.
    pub fn compact(&self) {
        self.data.write().compact();
    }

    /// Starts or ends a bulk load (see [`Data::set_bulk`]).
    pub fn set_bulk(&self, on: bool) {
        self.data.write().set_bulk(on);
    }

    /// Number of appeals.
    pub fn len(&self) -> usize {
        self.data.read().len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The change sequence number of the latest applied write.
    pub fn seq(&self) -> u64 {
        self.data.read().seq
    }

    /// The change sequence number, or `None` when a writer holds or awaits the
    /// lock: lets an async handler read it without blocking its thread.
    pub fn try_seq(&self) -> Option<u64> {
        self.data.try_read().map(|d| d.seq)
    }
}

#[cfg(test)]
pub(crate) mod testdata;
#[cfg(test)]
mod tests;
