//! GeoJSON geometry of H3 cells, split at the antimeridian as RFC 7946 asks.

use h3o::{CellIndex, LatLng};
use serde_json::{Value, json};
use std::sync::Arc;

/// Outlines as GeoJSON text, by cell, bounded in bytes: boundaries are the
/// costly part of a hexagon response and the same cells are asked for again
/// and again.
#[derive(Clone)]
pub struct GeometryCache {
    cache: moka::sync::Cache<u64, Arc<str>>,
}

impl std::fmt::Debug for GeometryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeometryCache")
            .field("entries", &self.cache.entry_count())
            .finish()
    }
}

impl GeometryCache {
    /// A cache holding about `max_bytes` of GeoJSON text.
    pub fn new(max_bytes: u64) -> Self {
        let cache = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|_k: &u64, v: &Arc<str>| u32::try_from(v.len() + 48).unwrap_or(u32::MAX))
            .build();
        GeometryCache { cache }
    }

    /// The cell's geometry as GeoJSON text.
    pub fn json(&self, cell: CellIndex) -> Arc<str> {
        self.cache.get_with(u64::from(cell), || {
            Arc::from(cell_geometry(cell).to_string())
        })
    }
}

/// The cell's outline as a GeoJSON Polygon, or a MultiPolygon when it straddles ±180.
pub fn cell_geometry(cell: CellIndex) -> Value {
    if let Some(cap) = polar_cap(cell) {
        return cap;
    }
    multipolygon(&geo::MultiPolygon::from(cell))
}

/// A (multi)polygon as GeoJSON: a Polygon when it has one part, else a
/// MultiPolygon; six decimals.
pub fn multipolygon(mp: &geo::MultiPolygon<f64>) -> Value {
    let rings: Vec<Vec<Vec<[f64; 2]>>> =
        mp.0.iter()
            .map(|poly| {
                std::iter::once(poly.exterior())
                    .chain(poly.interiors())
                    .map(|ring| ring.coords().map(|c| [round6(c.x), round6(c.y)]).collect())
                    .collect()
            })
            .collect();
    match rings.len() {
        1 => json!({ "type": "Polygon", "coordinates": rings[0] }),
        _ => json!({ "type": "MultiPolygon", "coordinates": rings }),
    }
}

/// A cell holding a pole wraps all longitudes: in lon/lat it is the band
/// between its boundary and the pole, closed along ±180 and the pole's latitude.
fn polar_cap(cell: CellIndex) -> Option<Value> {
    let res = cell.resolution();
    let at = |lat: f64| LatLng::new(lat, 0.0).ok().map(|ll| ll.to_cell(res));
    let pole = if at(90.0) == Some(cell) {
        90.0
    } else if at(-90.0) == Some(cell) {
        -90.0
    } else {
        return None;
    };
    let mut verts: Vec<(f64, f64)> = cell
        .boundary()
        .iter()
        .map(|ll| (ll.lng(), ll.lat()))
        .collect();
    verts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (first, last) = (*verts.first()?, *verts.last()?);
    // Latitude where the boundary crosses ±180, between the last and first vertex.
    let span = first.0 + 360.0 - last.0;
    let lat180 = if span > 0.0 {
        last.1 + (first.1 - last.1) * (180.0 - last.0) / span
    } else {
        last.1
    };
    let mut ring: Vec<[f64; 2]> = Vec::with_capacity(verts.len() + 5);
    // Counter-clockwise (RFC 7946): north cap west→east along the boundary, back along the pole;
    // south cap east along the pole, back west along the boundary.
    if pole > 0.0 {
        ring.push([-180.0, lat180]);
        ring.extend(verts.iter().map(|&(x, y)| [x, y]));
        ring.extend([
            [180.0, lat180],
            [180.0, pole],
            [-180.0, pole],
            [-180.0, lat180],
        ]);
    } else {
        ring.extend([[-180.0, pole], [180.0, pole], [180.0, lat180]]);
        ring.extend(verts.iter().rev().map(|&(x, y)| [x, y]));
        ring.extend([[-180.0, lat180], [-180.0, pole]]);
    }
    let ring: Vec<[f64; 2]> = ring
        .into_iter()
        .map(|[x, y]| [round6(x), round6(y)])
        .collect();
    Some(json!({ "type": "Polygon", "coordinates": [ring] }))
}

/// Degrees to six decimals (~0.1 m): beyond any map's need, and it keeps
/// responses small.
pub(super) fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}
