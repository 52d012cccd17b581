//! Recent writes: appended columns plus an rstar R-tree over their points, and
//! an id map so a status change finds its row. During bulk loads rows are
//! appended without the tree; the untreed tail is scanned linearly.

use super::{Columns, Filter};
use crate::domain::{from_fixed, to_fixed};
use crate::store::IndexRow;
use rstar::{AABB, RTree, primitives::GeomWithData};

type Point = GeomWithData<[f64; 2], u32>;

/// The unsorted tail of the index.
#[derive(Debug, Default)]
pub struct Delta {
    cols: Columns,
    // foldhash: ids are ours, not an attacker's, and this map is hit per write.
    by_id: std::collections::HashMap<i64, u32, foldhash::fast::RandomState>,
    /// Rows `0..mapped` are in `by_id` (a full load appends without it).
    mapped: usize,
    tree: RTree<Point>,
    /// Rows `0..treed` are in the tree.
    treed: usize,
}

impl Delta {
    /// Number of appeals.
    pub fn len(&self) -> usize {
        self.cols.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.cols.is_empty()
    }

    /// The columns, in arrival order.
    pub fn columns(&self) -> &Columns {
        &self.cols
    }

    /// Appends a new appeal; `with_tree` also indexes it in the R-tree (skipped
    /// by bulk loads, which compact into the sorted base at the end).
    pub fn push(&mut self, row: &IndexRow, source: u16, with_tree: bool) {
        let i = self.cols.len() as u32;
        self.cols.push(row, source);
        if self.mapped == i as usize {
            self.by_id.insert(row.id, i);
            self.mapped += 1;
        }
        if with_tree && self.treed == i as usize {
            // The tree stores the same rounded coordinates the scan compares.
            let lon = from_fixed(to_fixed(row.lon));
            let lat = from_fixed(to_fixed(row.lat));
            self.tree.insert(Point::new([lon, lat], i));
            self.treed += 1;
        }
    }

    /// Appends a row of a full load, whose ids are all new and distinct:
    /// neither tree nor id map (a tenth of a cold start went to the map,
    /// which the compaction at the load's end throws away).
    pub fn push_unmapped(&mut self, row: &IndexRow, source: u16) {
        self.cols.push(row, source);
    }

    /// Updates the state of an appeal held here; false if it is not here.
    pub fn update(&mut self, row: &IndexRow) -> bool {
        while self.mapped < self.cols.len() {
            self.by_id
                .insert(self.cols.id[self.mapped], self.mapped as u32);
            self.mapped += 1;
        }
        match self.by_id.get(&row.id) {
            Some(&i) => {
                self.cols.set_state(i as usize, row);
                true
            }
            None => false,
        }
    }

    /// Calls `f` for every row passing the filter.
    pub fn visit(&self, filter: &Filter, mut f: impl FnMut(&Columns, usize)) {
        let c = &self.cols;
        // A district without a box is looked up by its own box; `keeps`
        // then applies the district's exact test.
        match filter
            .bbox
            .or_else(|| filter.district.as_ref().map(|d| d.bbox()))
        {
            Some(b) => {
                let lat = (b.min_lat, b.max_lat);
                let parts: Vec<(f64, f64)> = if b.wraps() {
                    vec![(b.min_lon, 180.0), (-180.0, b.max_lon)]
                } else {
                    vec![(b.min_lon, b.max_lon)]
                };
                let fixed = b.fixed();
                for (w, e) in parts {
                    let env =
                        AABB::from_corners([w - 1e-7, lat.0 - 1e-7], [e + 1e-7, lat.1 + 1e-7]);
                    for p in self.tree.locate_in_envelope_intersecting(&env) {
                        let i = p.data as usize;
                        // The envelope is padded; the exact test decides, and a
                        // point on ±180 matches only one of the two parts.
                        if fixed.contains(c.lat[i], c.lon[i]) && filter.keeps(c, i) {
                            f(c, i);
                        }
                    }
                    if !b.wraps() {
                        break;
                    }
                }
                for i in self.treed..c.len() {
                    if fixed.contains(c.lat[i], c.lon[i]) && filter.keeps(c, i) {
                        f(c, i);
                    }
                }
            }
            None => {
                for i in 0..c.len() {
                    if filter.keeps(c, i) {
                        f(c, i);
                    }
                }
            }
        }
    }

    /// Heap bytes of the columns and the tree (estimated).
    pub fn heap_bytes(&self) -> usize {
        self.cols.heap_bytes() + self.by_id.capacity() * 16 + self.tree.size() * 40
    }
}
