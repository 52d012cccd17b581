//! A fix area drawn as a GeoJSON Polygon or MultiPolygon (RFC 7946 §3.1.6–7):
//! checked position by position so an error names the ring or position at
//! fault (`geometry.coordinates[0][3]`), then checked as geometry (`geo`'s
//! OGC validity: no self-intersections, holes inside their exterior).

use super::area::FieldError;
use geo::{Coord, LineString, MultiPolygon, Polygon, Validation};
use serde_json::Value;

/// Most positions a drawn area may have (a hand-drawn or imported outline;
/// far more than any street block needs).
pub const MAX_POSITIONS: usize = 100_000;

/// Parses and validates a GeoJSON Polygon or MultiPolygon object.
pub fn parse(geometry: &Value) -> Result<MultiPolygon<f64>, FieldError> {
    let bad = |field: String, message: String| FieldError { field, message };
    let obj = geometry.as_object().ok_or_else(|| {
        bad(
            "geometry".into(),
            "must be a GeoJSON Polygon or MultiPolygon object".into(),
        )
    })?;
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = obj
        .get("coordinates")
        .ok_or_else(|| bad("geometry.coordinates".into(), "is missing".into()))?;
    let field = "geometry.coordinates";
    let polygons: Vec<(String, &Value)> = match kind {
        "Polygon" => vec![(field.to_owned(), coords)],
        "MultiPolygon" => array(coords, field)?
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("{field}[{i}]"), p))
            .collect(),
        other => {
            return Err(bad(
                "geometry.type".into(),
                format!("{other:?} is not Polygon or MultiPolygon"),
            ));
        }
    };
    if polygons.is_empty() {
        return Err(bad(field.into(), "holds no polygon".into()));
    }
    let mut positions = 0usize;
    let mut out = Vec::with_capacity(polygons.len());
    for (pfield, p) in polygons {
        let rings = array(p, &pfield)?;
        if rings.is_empty() {
            return Err(bad(pfield, "a polygon needs an exterior ring".into()));
        }
        let mut parsed: Vec<LineString<f64>> = Vec::with_capacity(rings.len());
        for (r, ring) in rings.iter().enumerate() {
            let rfield = format!("{pfield}[{r}]");
            let ring = parse_ring(ring, &rfield)?;
            positions += ring.0.len();
            if positions > MAX_POSITIONS {
                return Err(bad(
                    "geometry".into(),
                    format!("more than {MAX_POSITIONS} positions; simplify the outline"),
                ));
            }
            parsed.push(ring);
        }
        let exterior = parsed.remove(0);
        let polygon = Polygon::new(exterior, parsed);
        if let Err(e) = polygon.check_validation() {
            return Err(bad(pfield, format!("is not a valid polygon: {e}")));
        }
        out.push(polygon);
    }
    Ok(MultiPolygon::new(out))
}

fn array<'a>(v: &'a Value, field: &str) -> Result<&'a Vec<Value>, FieldError> {
    v.as_array().ok_or_else(|| FieldError {
        field: field.to_owned(),
        message: "must be an array".into(),
    })
}

/// A linear ring: ≥ 4 positions, closed, each `[lon, lat]` (an altitude is
/// allowed and ignored) within range.
fn parse_ring(ring: &Value, field: &str) -> Result<LineString<f64>, FieldError> {
    let bad = |field: String, message: String| FieldError { field, message };
    let positions = array(ring, field)?;
    if positions.len() < 4 {
        return Err(bad(
            field.to_owned(),
            format!(
                "a linear ring needs at least 4 positions (first = last), got {}",
                positions.len()
            ),
        ));
    }
    let mut coords = Vec::with_capacity(positions.len());
    for (i, pos) in positions.iter().enumerate() {
        let pfield = format!("{field}[{i}]");
        let nums: Vec<f64> = array(pos, &pfield)?
            .iter()
            .map(Value::as_f64)
            .collect::<Option<_>>()
            .ok_or_else(|| bad(pfield.clone(), "a position holds numbers only".into()))?;
        let (lon, lat) = match nums[..] {
            [lon, lat] | [lon, lat, _] => (lon, lat),
            _ => {
                return Err(bad(
                    pfield,
                    "a position is [longitude, latitude] (optionally an altitude)".into(),
                ));
            }
        };
        if !(-180.0..=180.0).contains(&lon) {
            return Err(bad(
                pfield,
                format!("longitude {lon} is outside [-180, 180]"),
            ));
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(bad(pfield, format!("latitude {lat} is outside [-90, 90]")));
        }
        coords.push(Coord { x: lon, y: lat });
    }
    if coords.first() != coords.last() {
        return Err(bad(
            field.to_owned(),
            "a linear ring must be closed: its last position repeats the first".into(),
        ));
    }
    Ok(LineString::new(coords))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(v: Value) -> FieldError {
        parse(&v).expect_err("invalid")
    }

    #[test]
    fn accepts_polygons_with_holes_and_multipolygons() {
        let sq = |x: f64, y: f64, s: f64| {
            json!([[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]])
        };
        let p = parse(&json!({"type": "Polygon", "coordinates": [sq(49.0, 55.0, 0.01), sq(49.003, 55.003, 0.002)]}))
            .unwrap();
        assert_eq!((p.0.len(), p.0[0].interiors().len()), (1, 1));
        let m = parse(&json!({"type": "MultiPolygon", "coordinates": [[sq(49.0, 55.0, 0.01)], [sq(49.1, 55.0, 0.01)]]}))
            .unwrap();
        assert_eq!(m.0.len(), 2);
    }

    #[test]
    fn errors_name_the_part_at_fault() {
        let e = err(json!({"type": "Point", "coordinates": [49.0, 55.0]}));
        assert_eq!(e.field, "geometry.type");
        let e = err(json!({"type": "Polygon"}));
        assert_eq!(e.field, "geometry.coordinates");
        let e = err(
            json!({"type": "Polygon", "coordinates": [[[49.0, 55.0], [49.1, 55.0], [49.0, 55.0]]]}),
        );
        assert_eq!(e.field, "geometry.coordinates[0]");
        assert!(e.message.contains("at least 4"), "{}", e.message);
        let e = err(
            json!({"type": "Polygon", "coordinates": [[[49.0, 55.0], [49.1, 55.0], [49.1, 55.1], [49.0, 55.1]]]}),
        );
        assert!(e.message.contains("closed"), "{}", e.message);
        let e = err(
            json!({"type": "Polygon", "coordinates": [[[49.0, 55.0], [49.1, 95.0], [49.1, 55.1], [49.0, 55.0]]]}),
        );
        assert_eq!(e.field, "geometry.coordinates[0][1]");
        let e = err(
            json!({"type": "MultiPolygon", "coordinates": [[[[49.0, 55.0], [249.1, 55.0], [49.1, 55.1], [49.0, 55.0]]]]}),
        );
        assert_eq!(e.field, "geometry.coordinates[0][0][1]");
        let e = err(
            json!({"type": "Polygon", "coordinates": [[[49.0, 55.0], ["x", 55.0], [49.1, 55.1], [49.0, 55.0]]]}),
        );
        assert_eq!(e.field, "geometry.coordinates[0][1]");
        let e = err(json!({"type": "MultiPolygon", "coordinates": []}));
        assert_eq!(e.field, "geometry.coordinates");
        // A bow tie crosses itself.
        let e = err(
            json!({"type": "Polygon", "coordinates": [[[49.0, 55.0], [49.1, 55.1], [49.1, 55.0], [49.0, 55.1], [49.0, 55.0]]]}),
        );
        assert_eq!(e.field, "geometry.coordinates");
        assert!(e.message.contains("self-intersection"), "{}", e.message);
        let e = err(json!("Polygon"));
        assert_eq!(e.field, "geometry");
    }
}
