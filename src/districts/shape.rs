//! A district's geometry prepared for point queries: the oriented
//! multipolygon plus its edges bucketed into horizontal bands, so a point
//! test reads only the edges of its band instead of every edge.
//!
//! The test is the winding number with robust orientation predicates (the
//! same arithmetic as geo's `coordinate_position`), so "exactly on an edge or
//! a vertex" is decided exactly for the given coordinates.

use geo::kernels::{Kernel, Orientation};
use geo::{BoundingRect, Coord, GeoNum, LinesIter, MultiPolygon, Rect};

/// Where a point lies relative to a district.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// In the interior.
    Inside,
    /// On an edge or a vertex of any ring (outer or hole).
    OnBoundary,
    /// Outside, including inside a hole.
    Outside,
}

/// Most bands; a band holds the edges whose latitude span meets it.
const MAX_BANDS: usize = 4096;

/// An oriented multipolygon with a banded edge index.
#[derive(Debug, Clone)]
pub struct Shape {
    geometry: MultiPolygon<f64>,
    bbox: Rect<f64>,
    edges: Vec<(Coord<f64>, Coord<f64>)>,
    band_h: f64,
    bands: usize,
    /// Edge ids of band `b` are `ids[starts[b]..starts[b + 1]]`.
    starts: Vec<u32>,
    ids: Vec<u32>,
}

impl Shape {
    /// Prepares a non-empty multipolygon whose rings are oriented (exteriors
    /// counter-clockwise, holes clockwise) and whose parts do not overlap.
    pub fn new(geometry: MultiPolygon<f64>) -> Option<Shape> {
        let bbox = geometry.bounding_rect()?;
        let edges: Vec<(Coord<f64>, Coord<f64>)> = geometry
            .lines_iter()
            .map(|l| (l.start, l.end))
            .filter(|(a, b)| a != b)
            .collect();
        let bands = (edges.len() / 2).clamp(1, MAX_BANDS);
        let height = bbox.max().y - bbox.min().y;
        let band_h = if height > 0.0 {
            height / bands as f64
        } else {
            1.0
        };
        let mut shape = Shape {
            geometry,
            bbox,
            edges,
            band_h,
            bands,
            starts: Vec::new(),
            ids: Vec::new(),
        };
        // Counting sort of (band, edge) pairs into one flat list.
        let mut counts = vec![0u32; bands + 1];
        for e in &shape.edges {
            let (lo, hi) = shape.band_span(e);
            for b in lo..=hi {
                counts[b + 1] += 1;
            }
        }
        for b in 0..bands {
            counts[b + 1] += counts[b];
        }
        let mut fill = counts.clone();
        let mut ids = vec![0u32; counts[bands] as usize];
        for (k, e) in shape.edges.iter().enumerate() {
            let (lo, hi) = shape.band_span(e);
            for slot in &mut fill[lo..=hi] {
                ids[*slot as usize] = k as u32;
                *slot += 1;
            }
        }
        shape.starts = counts;
        shape.ids = ids;
        Some(shape)
    }

    /// The geometry.
    pub fn geometry(&self) -> &MultiPolygon<f64> {
        &self.geometry
    }

    /// The bounding box.
    pub fn bbox(&self) -> Rect<f64> {
        self.bbox
    }

    fn band(&self, y: f64) -> usize {
        // Monotone in y (IEEE subtraction and division round monotonically),
        // so a point between an edge's end latitudes lands between its bands.
        let b = ((y - self.bbox.min().y) / self.band_h).floor();
        let last = self.bands - 1;
        if b <= 0.0 { 0 } else { (b as usize).min(last) }
    }

    fn band_span(&self, (a, b): &(Coord<f64>, Coord<f64>)) -> (usize, usize) {
        let (lo, hi) = if a.y <= b.y { (a.y, b.y) } else { (b.y, a.y) };
        (self.band(lo), self.band(hi))
    }

    /// Where `(x, y)` = (lon, lat) lies.
    pub fn position(&self, x: f64, y: f64) -> Position {
        let (min, max) = (self.bbox.min(), self.bbox.max());
        if !(x >= min.x && x <= max.x && y >= min.y && y <= max.y) {
            return Position::Outside;
        }
        let p = Coord { x, y };
        let b = self.band(y);
        let (s, e) = (self.starts[b] as usize, self.starts[b + 1] as usize);
        let mut winding = 0i32;
        for &k in &self.ids[s..e] {
            let (a, c) = self.edges[k as usize];
            // Winding number as in geo's `coord_pos_relative_to_ring`: upward
            // edges count when the point is left of them, downward when right.
            if a.y <= y {
                if c.y >= y {
                    let o = <f64 as GeoNum>::Ker::orient2d(a, c, p);
                    if o == Orientation::CounterClockwise && c.y != y {
                        winding += 1;
                    } else if o == Orientation::Collinear && between(x, a.x, c.x) {
                        return Position::OnBoundary;
                    }
                }
            } else if c.y <= y {
                let o = <f64 as GeoNum>::Ker::orient2d(a, c, p);
                if o == Orientation::Clockwise {
                    winding -= 1;
                } else if o == Orientation::Collinear && between(x, a.x, c.x) {
                    return Position::OnBoundary;
                }
            }
        }
        if winding != 0 {
            Position::Inside
        } else {
            Position::Outside
        }
    }
}

fn between(x: f64, a: f64, b: f64) -> bool {
    (a.min(b)..=a.max(b)).contains(&x)
}
