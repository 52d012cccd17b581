//! The `hexagons` layer: one polygon feature per H3 cell meeting the buffered
//! tile, with `h3`, `count`, the dominant `sector` and `count_<sector>` for
//! each sector present (absent means 0). The feature id is the cell's raw
//! 64-bit index, so map clients can address cells with feature state.

use super::clip::{clip_ring, snap};
use super::coord::{BUFFER, EXTENT, TileCoord};
use super::hexlayer::HexLayer;
use super::outline::{Outline, OutlineCache};
use super::select;
use super::{Encoded, TileError};
use crate::aggregate::CellCount;
use crate::domain::Catalogue;
use crate::index::cells::{cell, parent_raw};
use crate::index::{Data, Filter};
use fast_mvt::{MvtFeatureBuilder, MvtGeomType, MvtLayerBuilder, MvtValueRef};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a hexagon tile shows.
#[derive(Debug, Clone)]
pub struct HexagonQuery {
    /// The tile.
    pub tile: TileCoord,
    /// H3 resolution of the cells.
    pub res: u8,
    /// Sector and time conditions (its `bbox` is ignored).
    pub filter: Filter,
    /// Most cells a tile may hold.
    pub cap: usize,
}

/// Builds the hexagon tile.
pub fn tile(
    data: &Data,
    cat: &Catalogue,
    outlines: &OutlineCache,
    q: &HexagonQuery,
) -> Result<Encoded, TileError> {
    build(data, cat, outlines, q, |_| None)
}

/// Hexagon tiles being built right now, on any thread.
static BUILDING: AtomicUsize = AtomicUsize::new(0);

/// Counts a build in [`BUILDING`] while it lives.
struct Building;

impl Drop for Building {
    fn drop(&mut self) {
        BUILDING.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Builds the hexagon tile, calling `prepare` on the counted cells before
/// they are drawn: it may drop cells, and may return a metric per cell left
/// (the `value` tag).
///
/// A tile that reads many rows while no other tile is being built is built
/// in two halves on rayon's pool — counted, prepared and drawn each on its
/// own, then joined into the bytes one thread writes (see
/// `hexlayer::merge`) — so `prepare` may see the cells in two parts. Under
/// load every core already builds a tile: splitting would only add
/// hand-offs.
pub fn build(
    data: &Data,
    cat: &Catalogue,
    outlines: &OutlineCache,
    q: &HexagonQuery,
    prepare: impl Fn(&mut Vec<CellCount>) -> Option<Vec<Option<f64>>> + Sync,
) -> Result<Encoded, TileError> {
    // Tests split whenever they can, also while other tests build tiles.
    let alone = BUILDING.fetch_add(1, Ordering::Relaxed) == 0 || cfg!(test);
    let _building = Building;
    let plan = select::Plan::new(data, q.tile, q.res);
    let delta = plan.delta(data, q.res, &q.filter);
    let half = |ranges: &[(usize, usize)], delta: &[select::DeltaCell]| {
        let mut counts = select::count_piece(data, &plan, ranges, delta, q.res, &q.filter, q.cap)?;
        let counted = counts.len();
        let values = prepare(&mut counts);
        let layer = draw(&counts, values.as_deref(), cat, outlines, q.tile);
        Ok::<_, TileError>((layer, counted))
    };
    let (layer, next) = match plan.pieces(data, q.res, alone).as_slice() {
        [a, b] => {
            // Recent writes go with the piece holding their cell.
            let cut = b
                .first()
                .map_or(u64::MAX, |&(lo, _)| parent_raw(data.base.cell[lo], q.res));
            let at = delta.partition_point(|d| d.0 < cut);
            let (a, b) = rayon::join(|| half(a, &delta[..at]), || half(b, &delta[at..]));
            let (a, b) = (a?, b?);
            if a.1 + b.1 > q.cap {
                return Err(TileError::TooManyFeatures { cap: q.cap });
            }
            (a.0, Some(b.0))
        }
        pieces => (half(pieces.first().map_or(&[], |p| p), &delta)?.0, None),
    };
    Ok(Encoded {
        bytes: next
            .as_ref()
            .map_or_else(|| layer.encode(), |n| layer.encode_with(n)),
        features: layer.features() + next.as_ref().map_or(0, HexLayer::features),
    })
}

/// Encodes counted cells: clips each outline to the buffered tile (drawing
/// cells that straddle ±180 on both sides) and skips cells that miss it.
/// `values`, when given, holds a metric per counted cell (the `value` tag).
pub fn encode(
    counts: &[CellCount],
    values: Option<&[Option<f64>]>,
    cat: &Catalogue,
    outlines: &OutlineCache,
    tile: TileCoord,
) -> Result<Encoded, TileError> {
    let layer = draw(counts, values, cat, outlines, tile);
    Ok(Encoded {
        bytes: layer.encode(),
        features: layer.features(),
    })
}

/// The layer of [`encode`], before its bytes are assembled.
fn draw(
    counts: &[CellCount],
    values: Option<&[Option<f64>]>,
    cat: &Catalogue,
    outlines: &OutlineCache,
    tile: TileCoord,
) -> HexLayer {
    let mut layer = HexLayer::new(cat);
    let mut geom = Geometry::default();
    for (k, c) in counts.iter().enumerate() {
        let Some(ci) = cell(c.cell) else { continue };
        if outlines.with(ci, |ring, polar| geom.build_ring(ring, polar, tile)) {
            let value = values.and_then(|v| v.get(k).copied().flatten());
            layer.push_with_value(c, value, &geom.parts);
        }
    }
    layer
}

/// Starts a cell's polygon feature: its clipped rings, the raw cell as the
/// feature id and the `h3` property (written through the reused `h3` buffer).
pub fn cell_feature(
    layer: MvtLayerBuilder,
    geom: &Geometry,
    cell: u64,
    h3: &mut String,
) -> Result<MvtFeatureBuilder, TileError> {
    let mut f = layer.feature_of(MvtGeomType::Polygon);
    for part in &geom.parts {
        f.ring(part.iter().map(|&(x, y)| geo::Coord { x, y }), true)?;
    }
    f.id(Some(cell));
    h3.clear();
    let _ = write!(h3, "{cell:x}");
    f.tag_ref("h3", MvtValueRef::String(h3))?;
    Ok(f)
}

/// One cell's rings in a tile, with the buffers reused from cell to cell.
#[derive(Debug, Default)]
pub struct Geometry {
    /// The clipped, snapped parts (exterior rings; hexagons have no holes).
    pub parts: Vec<Vec<(i32, i32)>>,
    moved: Vec<[f64; 2]>,
    clipped: Vec<[f64; 2]>,
    tmp: Vec<[f64; 2]>,
    spare: Vec<Vec<(i32, i32)>>,
}

impl Geometry {
    /// Clips a projected outline to the buffered tile, trying the copies one
    /// world east and west too (cells straddling ±180, and the buffer of the
    /// edge tiles, which reaches across it). False when nothing is left.
    pub fn build(&mut self, outline: &Outline, tile: TileCoord) -> bool {
        self.build_ring(&outline.ring, outline.polar, tile)
    }

    /// [`Geometry::build`] for an outline's parts, as
    /// [`OutlineCache::with`] lends them.
    pub fn build_ring(&mut self, outline: &[[f64; 2]], polar: bool, tile: TileCoord) -> bool {
        self.spare.append(&mut self.parts);
        let n = tile.tiles_per_side();
        let b = f64::from(BUFFER) / f64::from(EXTENT);
        let (lo, hi) = (
            (f64::from(tile.x()) - b) / n,
            (f64::from(tile.x()) + 1.0 + b) / n,
        );
        let (min, max) = outline
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, z), p| (a.min(p[0]), z.max(p[0])));
        let (clip_lo, clip_hi) = (-f64::from(BUFFER), f64::from(EXTENT + BUFFER));
        if polar {
            self.clip_cap(outline, tile, clip_lo, clip_hi);
            return !self.parts.is_empty();
        }
        for shift in [0.0, -1.0, 1.0] {
            if max + shift < lo || min + shift > hi {
                continue;
            }
            self.moved.clear();
            self.moved
                .extend(outline.iter().map(|p| tile.to_tile([p[0] + shift, p[1]])));
            clip_ring(
                &self.moved,
                clip_lo,
                clip_hi,
                &mut self.clipped,
                &mut self.tmp,
            );
            self.keep_clipped();
        }
        !self.parts.is_empty()
    }

    /// Snaps `clipped` and keeps it as a part unless it is degenerate.
    fn keep_clipped(&mut self) {
        let mut ring = self.spare.pop().unwrap_or_default();
        if snap(&self.clipped, &mut ring) {
            self.parts.push(ring);
        } else {
            self.spare.push(ring);
        }
    }

    /// A polar cap is not convex (and runs along the square's edge where its
    /// boundary leaves Web Mercator): clipping it side by side would leave
    /// self-overlapping rings, so it goes through a real polygon intersection,
    /// which may also split it into several parts. It wraps the world, so it
    /// is drawn three worlds wide at once: copies side by side would share
    /// edges (invalid as one multipolygon). Two cells per resolution.
    fn clip_cap(&mut self, outline: &[[f64; 2]], tile: TileCoord, lo: f64, hi: f64) {
        use geo::BooleanOps;
        // The ring is the boundary from x = 0 to x = 1, then two closing
        // vertices along the square's edge.
        let Some(along) = outline.len().checked_sub(2).filter(|&n| n >= 2) else {
            return;
        };
        let edge = outline[along][1];
        let mut ring: Vec<(f64, f64)> = Vec::with_capacity(3 * along + 2);
        for shift in [-1.0, 0.0, 1.0] {
            ring.extend(outline[..along].iter().map(|p| {
                let [x, y] = tile.to_tile([p[0] + shift, p[1]]);
                (x, y)
            }));
        }
        for wx in [2.0, -1.0] {
            let [x, y] = tile.to_tile([wx, edge]);
            ring.push((x, y));
        }
        let cap = geo::Polygon::new(geo::LineString::from(ring), Vec::new());
        let square = geo::Rect::new((lo, lo), (hi, hi)).to_polygon();
        for poly in cap.intersection(&square) {
            self.clipped.clear();
            self.clipped
                .extend(poly.exterior().coords().map(|c| [c.x, c.y]));
            self.keep_clipped();
        }
    }
}
