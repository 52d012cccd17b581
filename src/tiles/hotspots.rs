//! The `hotspots` layer: the cells of a finished hotspot analysis that meet
//! the buffered tile, with `h3`, `z` (Gi* of the whole range), `p_fdr`,
//! `class` (emerging hot-spot class), `periods_hot` and `count`.
//!
//! Gi* needs the whole study area, so a tile is never analysed on its own:
//! the API computes (or finds in its cache) the analysis of the request's
//! resolution and filters, and this module only draws the cells of that
//! result that fall in the tile. Which cells do is decided from each
//! outline's bounding box in world units (kept with the result, computed on
//! the first tile), then clipped like the hexagon layer.

use super::coord::{BUFFER, EXTENT, TileCoord};
use super::hexagons::{Geometry, cell_feature};
use super::outline::OutlineCache;
use super::{Encoded, Layer, TileError};
use crate::analysis::hotspots::Hotspots;
use crate::index::cells::cell;
use fast_mvt::{MvtLayerBuilder, MvtValueRef};

/// Most features one hotspot tile holds.
pub const MAX_FEATURES: usize = 200_000;

/// Outline bounding boxes `[min_x, min_y, max_x, max_y]` in world units, by
/// position in `h.cells`.
fn boxes<'a>(h: &'a Hotspots, outlines: &OutlineCache) -> &'a [[f64; 4]] {
    h.boxes.get_or_init(|| {
        h.cells
            .iter()
            .map(|c| {
                let Some(ci) = cell(c.cell) else {
                    return [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
                };
                outlines.get(ci).ring.iter().fold(
                    [f64::MAX, f64::MAX, f64::MIN, f64::MIN],
                    |b, p| {
                        [
                            b[0].min(p[0]),
                            b[1].min(p[1]),
                            b[2].max(p[0]),
                            b[3].max(p[1]),
                        ]
                    },
                )
            })
            .collect()
    })
}

/// Draws the result's cells that meet the buffered tile.
/// Cells with fewer than `min_count` appeals are left out, empty ones too
/// (the study area's empty cells ring the cells with appeals, so they would
/// outline where a suppressed one is): the privacy rule for viewers (0
/// keeps every cell).
pub fn tile(
    h: &Hotspots,
    outlines: &OutlineCache,
    tile: TileCoord,
    min_count: u32,
) -> Result<Encoded, TileError> {
    let n = tile.tiles_per_side();
    let b = f64::from(BUFFER) / f64::from(EXTENT);
    let (x0, x1) = (
        (f64::from(tile.x()) - b) / n,
        (f64::from(tile.x()) + 1.0 + b) / n,
    );
    let (y0, y1) = (
        (f64::from(tile.y()) - b) / n,
        (f64::from(tile.y()) + 1.0 + b) / n,
    );
    let mut layer = MvtLayerBuilder::new(Layer::Hotspots.name())?;
    let mut geom = Geometry::default();
    let mut h3 = String::with_capacity(16);
    let mut features = 0;
    for (c, bx) in h.cells.iter().zip(boxes(h, outlines)) {
        // Cells on ±180 are drawn a world east or west too (see `Geometry`).
        let meets_x = [-1.0, 0.0, 1.0]
            .iter()
            .any(|s| bx[0] + s <= x1 && bx[2] + s >= x0);
        if !meets_x || bx[1] > y1 || bx[3] < y0 || c.count < u64::from(min_count) {
            continue;
        }
        let Some(ci) = cell(c.cell) else { continue };
        if !geom.build(&outlines.get(ci), tile) {
            continue;
        }
        if features == MAX_FEATURES {
            return Err(TileError::TooManyFeatures { cap: MAX_FEATURES });
        }
        let mut f = cell_feature(layer, &geom, c.cell, &mut h3)?;
        f.tag_ref("z", MvtValueRef::Double(c.z))?;
        f.tag_ref("p_fdr", MvtValueRef::Double(c.p_fdr))?;
        f.tag_ref("class", MvtValueRef::String(c.class.name()))?;
        f.tag_ref("periods_hot", MvtValueRef::UInt(u64::from(c.periods_hot)))?;
        f.tag_ref("count", MvtValueRef::UInt(c.count))?;
        layer = f.end();
        features += 1;
    }
    Ok(Encoded {
        bytes: layer.encode(),
        features,
    })
}
