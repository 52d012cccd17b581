//! The `fixes` layer: one polygon feature per fix whose area meets the
//! buffered tile — the union of its cells, clipped like the hexagons — with
//! `id`, `title`, `sector`, `done_at` and `verdict` (over the default
//! window). The feature id is the fix id.
//!
//! Outlines are not convex (unions of hexagons, maybe with holes), so they
//! are clipped with a real polygon intersection (`geo`'s boolean ops), not
//! Sutherland–Hodgman. Longitudes are unwrapped ring by ring, so an area on
//! ±180 is drawn on both sides, like the hexagons.

use super::clip::snap;
use super::coord::{BUFFER, EXTENT, TileCoord, world_x, world_y};
use super::{Encoded, Layer, TileError};
use fast_mvt::{MvtGeomType, MvtLayerBuilder, MvtValueRef};
use geo::{BooleanOps, Coord, LineString, MultiPolygon, Polygon, Rect};

/// What a fix feature shows.
#[derive(Debug, Clone)]
pub struct FixFeature<'a> {
    /// Fix id.
    pub id: i64,
    /// Title.
    pub title: &'a str,
    /// Sector code.
    pub sector: &'a str,
    /// RFC 3339 in the region's zone.
    pub done_at: String,
    /// Verdict name.
    pub verdict: &'a str,
}

/// The outline in world Web Mercator units, each ring's longitudes unwrapped.
pub fn project(outline: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let ring = |r: &LineString<f64>| {
        let mut prev: Option<f64> = None;
        LineString::from(
            r.coords()
                .map(|c| {
                    let lon = match prev {
                        Some(p) => c.x + 360.0 * ((p - c.x) / 360.0).round(),
                        None => c.x,
                    };
                    prev = Some(lon);
                    Coord {
                        x: world_x(lon),
                        y: world_y(c.y),
                    }
                })
                .collect::<Vec<_>>(),
        )
    };
    MultiPolygon::new(
        outline
            .0
            .iter()
            .map(|p| Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect()))
            .collect(),
    )
}

/// Encodes the fixes meeting the tile, each with its [`project`]ed outline.
pub fn tile(
    tile: TileCoord,
    fixes: &[(FixFeature<'_>, MultiPolygon<f64>)],
) -> Result<Encoded, TileError> {
    let mut layer = MvtLayerBuilder::new(Layer::Fixes.name())?;
    let mut features = 0;
    let (lo, hi) = (-f64::from(BUFFER), f64::from(EXTENT + BUFFER));
    let square = Rect::new((lo, lo), (hi, hi)).to_polygon();
    let mut ring = Vec::new();
    for (fix, world) in fixes {
        let mut parts: Vec<Vec<Vec<(i32, i32)>>> = Vec::new();
        for shift in shifts_meeting(tile, world) {
            for poly in to_tile(world, tile, shift).intersection(&square) {
                let mut rings = Vec::new();
                let ext: Vec<[f64; 2]> = poly.exterior().coords().map(|c| [c.x, c.y]).collect();
                if !snap(&ext, &mut ring) {
                    continue;
                }
                rings.push(std::mem::take(&mut ring));
                for hole in poly.interiors() {
                    let h: Vec<[f64; 2]> = hole.coords().map(|c| [c.x, c.y]).collect();
                    if snap(&h, &mut ring) {
                        rings.push(std::mem::take(&mut ring));
                    }
                }
                parts.push(rings);
            }
        }
        if parts.is_empty() {
            continue;
        }
        let mut f = layer.feature_of(MvtGeomType::Polygon);
        for rings in &parts {
            for (k, r) in rings.iter().enumerate() {
                f.ring(r.iter().map(|&(x, y)| Coord { x, y }), k == 0)?;
            }
        }
        f.id(u64::try_from(fix.id).ok());
        f.tag_ref("id", MvtValueRef::SInt(fix.id))?;
        f.tag_ref("title", MvtValueRef::String(fix.title))?;
        f.tag_ref("sector", MvtValueRef::String(fix.sector))?;
        f.tag_ref("done_at", MvtValueRef::String(&fix.done_at))?;
        f.tag_ref("verdict", MvtValueRef::String(fix.verdict))?;
        layer = f.end();
        features += 1;
    }
    Ok(Encoded {
        bytes: layer.encode(),
        features,
    })
}

/// The world copies (shifts of −1, 0, +1 worlds) in which the projected
/// outline's box meets the buffered tile: a cheap test before clipping.
pub fn shifts_meeting(tile: TileCoord, world: &MultiPolygon<f64>) -> Vec<f64> {
    use geo::BoundingRect;
    let Some(b) = world.bounding_rect() else {
        return Vec::new();
    };
    let n = tile.tiles_per_side();
    let m = f64::from(BUFFER) / f64::from(EXTENT);
    let (x0, x1) = (
        (f64::from(tile.x()) - m) / n,
        (f64::from(tile.x()) + 1.0 + m) / n,
    );
    let (y0, y1) = (
        (f64::from(tile.y()) - m) / n,
        (f64::from(tile.y()) + 1.0 + m) / n,
    );
    if b.max().y < y0 || b.min().y > y1 {
        return Vec::new();
    }
    [0.0, -1.0, 1.0]
        .into_iter()
        .filter(|s| b.max().x + s >= x0 && b.min().x + s <= x1)
        .collect()
}

/// World units shifted by `shift` worlds, in the tile's units.
fn to_tile(world: &MultiPolygon<f64>, tile: TileCoord, shift: f64) -> MultiPolygon<f64> {
    use geo::MapCoords;
    world.map_coords(|c| {
        let [x, y] = tile.to_tile([c.x + shift, c.y]);
        Coord { x, y }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn clips_a_non_convex_outline_and_keeps_its_hole() {
        // A square ring with a hole around the tile's centre at z 14.
        let (lon, lat) = (49.12, 55.79);
        let d = 0.003;
        let h = 0.001;
        let shape = MultiPolygon::new(vec![polygon!(
            exterior: [(x: lon - d, y: lat - d), (x: lon + d, y: lat - d), (x: lon + d, y: lat + d), (x: lon - d, y: lat + d), (x: lon - d, y: lat - d)],
            interiors: [[(x: lon - h, y: lat - h), (x: lon + h, y: lat - h), (x: lon + h, y: lat + h), (x: lon - h, y: lat + h), (x: lon - h, y: lat - h)]],
        )]);
        let world = project(&shape);
        let n = 2f64.powi(14);
        let t = TileCoord::new(14, (world_x(lon) * n) as u32, (world_y(lat) * n) as u32).unwrap();
        assert_eq!(shifts_meeting(t, &world), vec![0.0]);
        let f = FixFeature {
            id: 7,
            title: "t",
            sector: "roads",
            done_at: "2025-01-01T00:00:00+03:00".into(),
            verdict: "stopped",
        };
        let e = tile(t, &[(f, world.clone())]).unwrap();
        assert_eq!(e.features, 1);
        let far = TileCoord::new(14, 0, 0).unwrap();
        assert!(shifts_meeting(far, &world).is_empty());
        let f2 = FixFeature {
            id: 8,
            title: "t",
            sector: "roads",
            done_at: String::new(),
            verdict: "stopped",
        };
        assert_eq!(tile(far, &[(f2, world)]).unwrap().features, 0);
    }
}
