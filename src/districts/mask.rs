//! Which appeals belong to a district, answered fast.
//!
//! **Cover.** A district is covered with H3 cells at [`cover_res`] (10, or
//! coarser for a district whose parts' boxes would need more than
//! [`MAX_COVER_CELLS`] cells). Each cell is either
//! * *inside*: the cell **and its six neighbours** lie wholly within the
//!   district (h3o's `Covers` tiler says which cells are fully contained).
//!   hexwatch bins an appeal by the res-`r` parent of its res-15 cell
//!   (ARCHITECTURE, decision 1), and descendants stick out of their parent by
//!   a fraction of a cell, never beyond its first ring: so every appeal whose
//!   res-15 cell descends from an inside cell lies in the district's interior
//!   and belongs to it without a test;
//! * *boundary*: every other cell of the cover and its first ring. Appeals
//!   there are tested point-in-polygon ([`Shape::position`]).
//!
//! The base index is sorted by res-15 cell, so both kinds become contiguous
//! row ranges (their descendants' ranges, merged): a district query reads
//! only its own rows and tests only the boundary band's.
//!
//! **Border rule.** A point in a district's interior belongs to it. A point
//! on the boundary of one or more districts (an edge or vertex of an outer
//! ring or a hole) belongs only to the one with the **lowest id** among those
//! whose boundary it lies on. Districts that tile an area therefore split it
//! exactly: every point of the area belongs to exactly one of them.
//! (Overlapping districts both keep the overlap's interior.)

use super::shape::{Position, Shape};
use crate::domain::from_fixed;
use crate::index::BBox;
use crate::index::cells::{descendant_range, merge_ranges};
use geo::BoundingRect;
use h3o::geom::{ContainmentMode, TilerBuilder};
use h3o::{CellIndex, Resolution};
use std::collections::HashSet;
use std::sync::Arc;

/// Finest cover resolution (edge ~66 m).
pub const COVER_RES: u8 = 10;
/// Most cells a cover may span (by the district's box); larger districts are
/// covered at a coarser resolution.
pub const MAX_COVER_CELLS: f64 = 100_000.0;

/// A range of res-15 cells (inclusive) and whether all of it is inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRange {
    /// First raw res-15 index.
    pub lo: u64,
    /// Last raw res-15 index.
    pub hi: u64,
    /// True when every appeal in the range belongs to the district.
    pub inside: bool,
}

impl CellRange {
    /// `(lo, hi)`.
    pub fn bounds(&self) -> (u64, u64) {
        (self.lo, self.hi)
    }
}

/// A district as a filter: its cover and its exact test.
pub struct DistrictMask {
    /// The district's id.
    pub id: i64,
    shape: Arc<Shape>,
    /// Lower-id districts whose box meets this one's: the border rule.
    lower: Vec<Arc<Shape>>,
    /// Sorted, disjoint; `None` when no cover could be made (every row is tested).
    ranges: Option<Vec<CellRange>>,
    res: u8,
    bbox: BBox,
}

impl std::fmt::Debug for DistrictMask {
    // Filters get logged; the geometry and the cover would drown the line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DistrictMask")
            .field("id", &self.id)
            .field("res", &self.res)
            .field("ranges", &self.ranges.as_ref().map(Vec::len))
            .finish()
    }
}

impl DistrictMask {
    /// Builds the mask of district `id`; `lower` holds the shapes of the
    /// districts with lower ids (only those whose box meets this one are kept).
    pub fn new(id: i64, shape: Arc<Shape>, lower: &[Arc<Shape>]) -> DistrictMask {
        let r = shape.bbox();
        let near: Vec<Arc<Shape>> = lower
            .iter()
            .filter(|s| {
                let o = s.bbox();
                o.min().x <= r.max().x
                    && o.max().x >= r.min().x
                    && o.min().y <= r.max().y
                    && o.max().y >= r.min().y
            })
            .cloned()
            .collect();
        // Padded by a fixed-point unit so rounding never drops an edge point.
        const PAD: f64 = 2e-7;
        let bbox = BBox {
            min_lon: (r.min().x - PAD).max(-180.0),
            min_lat: (r.min().y - PAD).max(-90.0),
            max_lon: (r.max().x + PAD).min(180.0),
            max_lat: (r.max().y + PAD).min(90.0),
        };
        let res = cover_res(&shape);
        // The tiler asserts on geometry it cannot handle; without a cover
        // every row is tested, which is slower but still exact.
        let ranges = std::panic::catch_unwind(|| cover(&shape, res))
            .ok()
            .flatten();
        if ranges.is_none() {
            tracing::warn!(
                district = id,
                "no H3 cover for the district; its queries test every appeal"
            );
        }
        DistrictMask {
            id,
            shape,
            lower: near,
            ranges,
            res,
            bbox,
        }
    }

    /// The cover resolution.
    pub fn res(&self) -> u8 {
        self.res
    }

    /// The district's bounding box (padded by a fixed-point unit).
    pub fn bbox(&self) -> BBox {
        self.bbox
    }

    /// The cover as res-15 cell ranges; `None` means "test everything".
    pub fn cell_ranges(&self) -> Option<&[CellRange]> {
        self.ranges.as_deref()
    }

    /// True when the point (degrees) belongs to the district by the border rule.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        match self.shape.position(lon, lat) {
            Position::Inside => true,
            Position::Outside => false,
            Position::OnBoundary => !self
                .lower
                .iter()
                .any(|s| s.position(lon, lat) == Position::OnBoundary),
        }
    }

    /// [`contains`](Self::contains) for the index's fixed-point coordinates.
    #[inline]
    pub fn contains_fixed(&self, lat: i32, lon: i32) -> bool {
        self.contains(from_fixed(lat), from_fixed(lon))
    }

    /// Whether an appeal (res-15 cell, fixed-point position) belongs: inside
    /// cells without a test, boundary cells by the exact test.
    pub fn keeps(&self, cell: u64, lat: i32, lon: i32) -> bool {
        let Some(ranges) = &self.ranges else {
            return self.contains_fixed(lat, lon);
        };
        let k = ranges.partition_point(|r| r.hi < cell);
        match ranges.get(k) {
            Some(r) if r.lo <= cell => r.inside || self.contains_fixed(lat, lon),
            _ => false,
        }
    }

    /// True when every cell from `first` to `last` lies in one inside range,
    /// so the rows between them need no test.
    pub fn inside_span(&self, first: u64, last: u64) -> bool {
        let Some(ranges) = &self.ranges else {
            return false;
        };
        let k = ranges.partition_point(|r| r.hi < first);
        ranges
            .get(k)
            .is_some_and(|r| r.inside && r.lo <= first && last <= r.hi)
    }
}

/// The finest resolution up to [`COVER_RES`] whose cover of the district's
/// parts (by their boxes, so a district split at ±180 is not taken for one
/// spanning the globe) stays under [`MAX_COVER_CELLS`] cells.
pub fn cover_res(shape: &Shape) -> u8 {
    let km2: f64 = shape
        .geometry()
        .iter()
        .filter_map(|p| p.bounding_rect())
        .map(|r| {
            let mid = ((r.min().y + r.max().y) / 2.0).to_radians().cos().max(0.01);
            (r.max().x - r.min().x) * 111.32 * mid * (r.max().y - r.min().y) * 110.57
        })
        .sum();
    (0..=COVER_RES)
        .rev()
        .find(|&r| Resolution::try_from(r).is_ok_and(|res| km2 / res.area_km2() <= MAX_COVER_CELLS))
        .unwrap_or(0)
}

/// Inside and boundary ranges of the district's cover at `res`.
fn cover(shape: &Shape, res: u8) -> Option<Vec<CellRange>> {
    let resolution = Resolution::try_from(res).ok()?;
    let mut tiler = TilerBuilder::new(resolution)
        .containment_mode(ContainmentMode::Covers)
        .disable_transmeridian_heuristic()
        .build();
    for p in shape.geometry() {
        tiler.add(p.clone()).ok()?;
    }
    let mut all: HashSet<CellIndex> = HashSet::new();
    let mut full: HashSet<CellIndex> = HashSet::new();
    for c in tiler.into_annotated_coverage() {
        all.insert(c.cell);
        if c.is_fully_contained {
            full.insert(c.cell);
        }
    }
    let inside: HashSet<CellIndex> = full
        .iter()
        .copied()
        .filter(|c| c.grid_disk::<Vec<_>>(1).iter().all(|n| full.contains(n)))
        .collect();
    // Every cell of the cover plus its first ring: a point's res-15 cell may
    // descend from a neighbour of the cell the point lies in.
    let mut boundary: HashSet<CellIndex> = HashSet::with_capacity(all.len() * 2);
    for c in &all {
        for n in c.grid_disk::<Vec<_>>(1) {
            if !inside.contains(&n) {
                boundary.insert(n);
            }
        }
    }
    let tag = |cells: &HashSet<CellIndex>, inside: bool| {
        merge_ranges(cells.iter().map(|&c| descendant_range(c)).collect())
            .into_iter()
            .map(move |(lo, hi)| CellRange { lo, hi, inside })
    };
    let mut ranges: Vec<CellRange> = tag(&inside, true).chain(tag(&boundary, false)).collect();
    ranges.sort_unstable_by_key(|r| r.lo);
    Some(ranges)
}

/// The parts of the sorted, disjoint `ranges` that fall in the sorted,
/// disjoint, inclusive `within` ranges, keeping each part's kind.
pub fn intersect(ranges: &[CellRange], within: &[(u64, u64)]) -> Vec<CellRange> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < ranges.len() && j < within.len() {
        let (a, b) = (ranges[i], within[j]);
        let lo = a.lo.max(b.0);
        let hi = a.hi.min(b.1);
        if lo <= hi {
            out.push(CellRange {
                lo,
                hi,
                inside: a.inside,
            });
        }
        if a.hi < b.1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}
