//! The `change` layer: one polygon per H3 cell with appeals in either of two
//! periods, with `h3`, `a`, `b`, `diff` (b − a) and `ratio` (b / a, absent
//! when a = 0), for a map of where complaints rose or fell.

use super::hexagons::{Geometry, cell_feature};
use super::outline::OutlineCache;
use super::{Encoded, Layer, TileCoord, TileError, select};
use crate::analysis::change::{ChangeRow, join};
use crate::index::{Data, Filter, cells::cell};
use fast_mvt::{MvtLayerBuilder, MvtValueRef};

/// What a change tile shows.
#[derive(Debug, Clone)]
pub struct ChangeQuery {
    /// The tile.
    pub tile: TileCoord,
    /// H3 resolution of the cells.
    pub res: u8,
    /// Sector and district conditions (its time bounds are replaced).
    pub filter: Filter,
    /// Period A, `[from, to)`.
    pub a: (i64, i64),
    /// Period B, `[from, to)`.
    pub b: (i64, i64),
    /// Most cells a tile may hold.
    pub cap: usize,
    /// Cells where either count is below this (and not 0) are left out:
    /// the privacy rule for viewers (0: keep every cell).
    pub min_count: u32,
}

/// Builds the change tile: whole-cell counts in both periods (as the
/// hexagon layer counts them), joined by cell.
pub fn tile(data: &Data, outlines: &OutlineCache, q: &ChangeQuery) -> Result<Encoded, TileError> {
    let within = |(from, to): (i64, i64)| Filter {
        from: Some(from),
        to: Some(to),
        ..q.filter.clone()
    };
    let a = select::count(data, q.tile, q.res, &within(q.a), q.cap)?;
    let b = select::count(data, q.tile, q.res, &within(q.b), q.cap)?;
    let mut rows = join(
        a.iter().map(|c| (c.cell, c.total)),
        b.iter().map(|c| (c.cell, c.total)),
    );
    let shows = |n: u32| n == 0 || n >= q.min_count;
    rows.retain(|r| shows(r.a) && shows(r.b));
    encode(&rows, outlines, q.tile)
}

fn encode(
    rows: &[ChangeRow],
    outlines: &OutlineCache,
    tile: TileCoord,
) -> Result<Encoded, TileError> {
    let mut layer = MvtLayerBuilder::new(Layer::Change.name())?;
    let mut geom = Geometry::default();
    let mut h3 = String::with_capacity(16);
    let mut features = 0;
    for r in rows {
        let Some(ci) = cell(r.cell) else { continue };
        if !geom.build(&outlines.get(ci), tile) {
            continue;
        }
        let mut f = cell_feature(layer, &geom, r.cell, &mut h3)?;
        f.tag_ref("a", MvtValueRef::UInt(u64::from(r.a)))?;
        f.tag_ref("b", MvtValueRef::UInt(u64::from(r.b)))?;
        f.tag_ref("diff", MvtValueRef::SInt(r.diff()))?;
        if let Some(x) = r.ratio() {
            f.tag_ref("ratio", MvtValueRef::Double(x))?;
        }
        layer = f.end();
        features += 1;
    }
    Ok(Encoded {
        bytes: layer.encode(),
        features,
    })
}
