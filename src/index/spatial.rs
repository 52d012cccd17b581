//! Spatial selection on the cell-sorted layout: a bounding box becomes a few
//! contiguous ranges of finest cells (the descendants of a coarse H3 cover of
//! the box), so a city viewport reads only its own slice of the columns.

use super::cells::{descendant_range, merge_ranges};
use crate::domain::{from_fixed, to_fixed};
use geo::{Rect, coord};
use h3o::{
    Resolution,
    geom::{ContainmentMode, TilerBuilder},
};

/// A longitude/latitude box in degrees. `min_lon > max_lon` means the box
/// crosses the antimeridian (e.g. 170,60,-170,70 covers Chukotka).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    /// West edge.
    pub min_lon: f64,
    /// South edge.
    pub min_lat: f64,
    /// East edge.
    pub max_lon: f64,
    /// North edge.
    pub max_lat: f64,
}

/// The same box in the index's fixed-point units, for the scan's hot loop.
#[derive(Debug, Clone, Copy)]
pub struct FixedBox {
    min_lon: i32,
    min_lat: i32,
    max_lon: i32,
    max_lat: i32,
    wraps: bool,
}

impl FixedBox {
    /// True when the point (fixed-point units) lies in the box, edges included.
    #[inline]
    pub fn contains(&self, lat: i32, lon: i32) -> bool {
        if lat < self.min_lat || lat > self.max_lat {
            return false;
        }
        if self.wraps {
            lon >= self.min_lon || lon <= self.max_lon
        } else {
            lon >= self.min_lon && lon <= self.max_lon
        }
    }
}

impl BBox {
    /// Whether the box crosses the antimeridian.
    pub fn wraps(&self) -> bool {
        self.min_lon > self.max_lon
    }

    /// The box in fixed-point units.
    pub fn fixed(&self) -> FixedBox {
        FixedBox {
            min_lon: to_fixed(self.min_lon),
            min_lat: to_fixed(self.min_lat),
            max_lon: to_fixed(self.max_lon),
            max_lat: to_fixed(self.max_lat),
            wraps: self.wraps(),
        }
    }

    /// True when the point (degrees) lies in the box, edges included; exactly the
    /// test the scan applies after rounding to fixed point.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        self.fixed().contains(to_fixed(lat), to_fixed(lon))
    }

    /// The box as one or two plain rectangles (split at ±180).
    pub fn parts(&self) -> Vec<Rect> {
        let rect = |w: f64, e: f64| {
            Rect::new(
                coord! { x: w, y: self.min_lat },
                coord! { x: e, y: self.max_lat },
            )
        };
        if self.wraps() {
            vec![rect(self.min_lon, 180.0), rect(-180.0, self.max_lon)]
        } else {
            vec![rect(self.min_lon, self.max_lon)]
        }
    }

    /// Width in degrees of longitude.
    pub fn width(&self) -> f64 {
        if self.wraps() {
            360.0 - (self.min_lon - self.max_lon)
        } else {
            self.max_lon - self.min_lon
        }
    }
}

/// Largest cover worth computing; beyond it a full scan is as fast.
const MAX_COVER_CELLS: usize = 400;

/// Sorted, disjoint, inclusive ranges of finest cells that contain every point
/// of the box; `None` when the box is so large that scanning everything is cheaper.
pub fn cover_ranges(bbox: &BBox) -> Option<Vec<(u64, u64)>> {
    // A quarter of the globe, half the longitudes, or a polar cap: scan it all.
    // (The tiler's planar polygons misbehave on very wide or polar boxes.)
    if bbox.width() * (bbox.max_lat - bbox.min_lat) > 90.0 * 90.0
        || bbox.width() > 180.0
        || bbox.max_lat > 85.0
        || bbox.min_lat < -85.0
    {
        return None;
    }
    // The tiler asserts on geometry it cannot handle; a failed cover only costs
    // a full scan, never the request.
    std::panic::catch_unwind(|| cover(bbox)).ok().flatten()
}

fn cover(bbox: &BBox) -> Option<Vec<(u64, u64)>> {
    let res = cover_resolution(bbox)?;
    let mut tiler = TilerBuilder::new(res)
        .containment_mode(ContainmentMode::Covers)
        .disable_transmeridian_heuristic()
        .build();
    for part in bbox.parts() {
        // A degenerate box (a line or a point) still selects the cells it touches.
        let part = inflate(part);
        tiler.add(part.to_polygon()).ok()?;
    }
    let mut cells: Vec<_> = tiler.into_coverage().collect();
    // H3 children are not exactly inside their parent: a finest cell near a coarse
    // cell's edge may descend from the neighbour. Their union with the first ring
    // is guaranteed to hold every descendant of a point in the box.
    let ring: Vec<_> = cells
        .iter()
        .flat_map(|c| c.grid_disk::<Vec<_>>(1))
        .collect();
    cells.extend(ring);
    Some(merge_ranges(
        cells.into_iter().map(descendant_range).collect(),
    ))
}

fn inflate(r: Rect) -> Rect {
    const EPS: f64 = 1e-6;
    let (min, max) = (r.min(), r.max());
    Rect::new(
        coord! { x: (min.x - EPS).max(-180.0), y: (min.y - EPS).max(-90.0) },
        coord! { x: (max.x + EPS).min(180.0), y: (max.y + EPS).min(90.0) },
    )
}

/// The finest resolution whose cover of the box stays small.
fn cover_resolution(bbox: &BBox) -> Option<Resolution> {
    let mut best = None;
    for r in 0..=10u8 {
        let res = Resolution::try_from(r).ok()?;
        if estimate_cells(bbox, res) > MAX_COVER_CELLS as f64 {
            break;
        }
        best = Some(res);
    }
    best
}

/// Roughly how many cells of `res` the box spans (equirectangular area over
/// the average cell area; good enough to pick a cover resolution).
fn estimate_cells(bbox: &BBox, res: Resolution) -> f64 {
    let mid = ((bbox.min_lat + bbox.max_lat) / 2.0)
        .to_radians()
        .cos()
        .max(0.01);
    let km2 = bbox.width() * 111.32 * mid * (bbox.max_lat - bbox.min_lat) * 110.57;
    km2 / res.area_km2() + 1.0
}

/// Degrees for a fixed-point box edge, for messages.
pub fn edge_deg(v: i32) -> f64 {
    from_fixed(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cell_of;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn in_ranges(ranges: &[(u64, u64)], c: u64) -> bool {
        ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
    }

    #[test]
    fn cover_holds_every_point_of_the_box() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let boxes = [
            BBox {
                min_lon: 49.0,
                min_lat: 55.7,
                max_lon: 49.3,
                max_lat: 55.9,
            },
            BBox {
                min_lon: 37.3,
                min_lat: 55.5,
                max_lon: 37.9,
                max_lat: 56.0,
            },
            BBox {
                min_lon: 179.5,
                min_lat: 64.0,
                max_lon: -179.5,
                max_lat: 65.0,
            },
            BBox {
                min_lon: -0.01,
                min_lat: -0.01,
                max_lon: 0.01,
                max_lat: 0.01,
            },
        ];
        for b in boxes {
            let ranges = cover_ranges(&b).expect("small box has a cover");
            for _ in 0..5_000 {
                let lat = rng.random_range(b.min_lat..=b.max_lat);
                let lon = if b.wraps() {
                    let x = rng.random_range(b.min_lon..=b.max_lon + 360.0);
                    if x > 180.0 { x - 360.0 } else { x }
                } else {
                    rng.random_range(b.min_lon..=b.max_lon)
                };
                let c = u64::from(cell_of(lat, lon).expect("cell"));
                assert!(in_ranges(&ranges, c), "{lat},{lon} of {b:?}");
            }
        }
    }

    #[test]
    fn wrapping_box_contains_both_sides() {
        let b = BBox {
            min_lon: 179.0,
            min_lat: 60.0,
            max_lon: -179.0,
            max_lat: 70.0,
        };
        assert!(b.contains(65.0, 179.99));
        assert!(b.contains(65.0, -179.99));
        assert!(!b.contains(65.0, 0.0));
        assert!((b.width() - 2.0).abs() < 1e-9);
    }
}
