//! GeoJSON geometry of H3 cells, split at the antimeridian as RFC 7946 asks.

use h3o::CellIndex;
use serde_json::{Value, json};

/// The cell's outline as a GeoJSON Polygon, or a MultiPolygon when it straddles ±180.
pub fn cell_geometry(cell: CellIndex) -> Value {
    let mp = geo::MultiPolygon::from(cell);
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

/// Six decimals (~0.1 m) is beyond any map's need and keeps responses small.
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}
