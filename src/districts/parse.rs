//! District upload: a GeoJSON FeatureCollection of Polygon or MultiPolygon
//! features, each with `properties.name`. Everything is checked before
//! anything is kept; every problem names its feature and field.
//!
//! Checks, per feature: it is a Feature with a non-empty `properties.name`
//! (and an optional string or integer `properties.code`); the geometry is a
//! Polygon or MultiPolygon (parsed with the `geojson` crate); it has at least
//! one part and each part at least one ring; every ring has at least four
//! positions and ends where it starts; every position is a finite
//! `[lon, lat]` within [-180, 180] × [-90, 90]; and the result is valid in the
//! OGC Simple Features sense (`geo::Validation`): no self-intersecting ring,
//! holes inside their shell and not crossing it or each other, parts of a
//! MultiPolygon not overlapping. Holes and multipart shapes are kept.

use crate::ingest::{Position, RecordError};
use geo::orient::{Direction, Orient};
use geo::validation::{InvalidMultiPolygon, InvalidPolygon, RingRole};
use geo::{Coord, LineString, MultiPolygon, Polygon, RemoveRepeatedPoints, Validation};
use geojson::GeometryValue;
use serde_json::{Value, json};

/// Longest district name kept.
const MAX_NAME_CHARS: usize = 200;

/// One valid district of an upload.
#[derive(Debug, Clone)]
pub struct ParsedDistrict {
    /// `properties.name`, trimmed.
    pub name: String,
    /// `properties.code`, if any.
    pub code: Option<String>,
    /// The geometry with exteriors counter-clockwise and holes clockwise
    /// (RFC 7946's right-hand rule) and repeated points removed.
    pub geometry: MultiPolygon<f64>,
    /// The same geometry as GeoJSON text (a Polygon stays a Polygon).
    pub geojson: String,
}

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseError {
    /// The body as a whole is wrong (not JSON, not a FeatureCollection, …).
    Body {
        /// The member at fault.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Some features are invalid: the first problem of each, in feature order.
    Features(Vec<RecordError>),
}

/// Parses and validates an upload: all districts or an error.
pub fn parse_collection(body: &[u8]) -> Result<Vec<ParsedDistrict>, ParseError> {
    let body_err = |field, message: String| ParseError::Body { field, message };
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| body_err("body", format!("body is not valid JSON: {e}")))?;
    if value.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(body_err(
            "type",
            "body must be a GeoJSON FeatureCollection (\"type\": \"FeatureCollection\")".into(),
        ));
    }
    let Some(features) = value.get("features").and_then(Value::as_array) else {
        return Err(body_err(
            "features",
            "the FeatureCollection has no \"features\" array".into(),
        ));
    };
    if features.is_empty() {
        return Err(body_err(
            "features",
            "the FeatureCollection holds no features".into(),
        ));
    }
    let mut out = Vec::with_capacity(features.len());
    let mut errors = Vec::new();
    for (index, f) in features.iter().enumerate() {
        match parse_feature(f) {
            Ok(d) => out.push(d),
            Err((field, message)) => errors.push(RecordError::new(
                Position { index, line: None },
                Some(&field),
                format!("feature {index}: {message}"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ParseError::Features(errors))
    }
}

type FieldError = (String, String);

fn parse_feature(f: &Value) -> Result<ParsedDistrict, FieldError> {
    let err = |field: &str, message: String| (field.to_owned(), message);
    if f.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err(err("type", "is not a GeoJSON Feature".into()));
    }
    let props = f.get("properties").and_then(Value::as_object);
    let name = props
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| err("properties.name", "needs a non-empty string name".into()))?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(err(
            "properties.name",
            format!("is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    let code = match props.and_then(|p| p.get("code")) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        Some(_) => {
            return Err(err(
                "properties.code",
                "must be a string or an integer".into(),
            ));
        }
    };
    let geometry = parse_geometry(f.get("geometry"))?;
    Ok(ParsedDistrict {
        name: name.to_owned(),
        code,
        geojson: geometry_json(&geometry.0, geometry.1),
        geometry: geometry.0,
    })
}

/// Parses a stored or uploaded geometry value; the flag tells whether it was
/// a MultiPolygon.
pub fn parse_geometry(g: Option<&Value>) -> Result<(MultiPolygon<f64>, bool), FieldError> {
    let err = |field: &str, message: String| (field.to_owned(), message);
    let Some(g) = g.filter(|g| !g.is_null()) else {
        return Err(err("geometry", "has no geometry".into()));
    };
    let kind = g.get("type").and_then(Value::as_str).unwrap_or("");
    if kind != "Polygon" && kind != "MultiPolygon" {
        return Err(err(
            "geometry.type",
            format!("must be Polygon or MultiPolygon, not {kind:?}"),
        ));
    }
    let geom: geojson::Geometry = serde_json::from_value(g.clone())
        .map_err(|e| err("geometry.coordinates", format!("is malformed: {e}")))?;
    let (parts, multi) = match geom.value {
        GeometryValue::Polygon { coordinates } => (vec![coordinates], false),
        GeometryValue::MultiPolygon { coordinates } => (coordinates, true),
        _ => {
            return Err(err(
                "geometry.type",
                "must be Polygon or MultiPolygon".into(),
            ));
        }
    };
    if parts.is_empty() {
        return Err(err("geometry.coordinates", "is empty".into()));
    }
    let mut polygons = Vec::with_capacity(parts.len());
    for (p, rings) in parts.iter().enumerate() {
        let at = |r: Option<usize>| match (multi, r) {
            (true, Some(r)) => format!("geometry.coordinates[{p}][{r}]"),
            (true, None) => format!("geometry.coordinates[{p}]"),
            (false, Some(r)) => format!("geometry.coordinates[{r}]"),
            (false, None) => "geometry.coordinates".to_owned(),
        };
        if rings.is_empty() {
            return Err((at(None), "has no rings".into()));
        }
        let mut lines = Vec::with_capacity(rings.len());
        for (r, ring) in rings.iter().enumerate() {
            lines.push(ring_of(ring).map_err(|m| (at(Some(r)), m))?);
        }
        let exterior = lines.remove(0);
        let poly = Polygon::new(exterior, lines).remove_repeated_points();
        poly.check_validation()
            .map_err(|e| polygon_error(&e, &|r| at(Some(r))))?;
        polygons.push(poly.orient(Direction::Default));
    }
    let mp = MultiPolygon(polygons);
    if let Err(e) = mp.check_validation() {
        return Err(match e {
            InvalidMultiPolygon::InvalidPolygon(i, pe) => {
                polygon_error(&pe, &|r| format!("geometry.coordinates[{}][{r}]", i.0))
            }
            other => ("geometry.coordinates".into(), other.to_string()),
        });
    }
    Ok((mp, multi))
}

fn ring_of(ring: &[geojson::Position]) -> Result<LineString<f64>, String> {
    if ring.len() < 4 {
        return Err(format!(
            "a ring needs at least 4 positions (first = last), has {}",
            ring.len()
        ));
    }
    let mut coords = Vec::with_capacity(ring.len());
    for (k, pos) in ring.iter().enumerate() {
        let s = pos.as_slice();
        let (Some(&lon), Some(&lat)) = (s.first(), s.get(1)) else {
            return Err(format!("position {k} needs [lon, lat]"));
        };
        if !lon.is_finite() || !lat.is_finite() {
            return Err(format!("position {k} is not finite"));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(format!(
                "position {k}: longitude {lon} is outside [-180, 180]"
            ));
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(format!("position {k}: latitude {lat} is outside [-90, 90]"));
        }
        coords.push(Coord { x: lon, y: lat });
    }
    if coords.first() != coords.last() {
        return Err("the ring is not closed: its last position differs from its first".into());
    }
    Ok(LineString(coords))
}

fn polygon_error(e: &InvalidPolygon, at: &dyn Fn(usize) -> String) -> FieldError {
    let ring = |role: &RingRole| match role {
        RingRole::Exterior => 0,
        RingRole::Interior(i) => i + 1,
    };
    let field = match e {
        InvalidPolygon::TooFewPointsInRing(r)
        | InvalidPolygon::SelfIntersection(r)
        | InvalidPolygon::NonFiniteCoord(r, _)
        | InvalidPolygon::InteriorRingNotContainedInExteriorRing(r) => at(ring(r)),
        InvalidPolygon::IntersectingRingsOnALine(_, r)
        | InvalidPolygon::IntersectingRingsOnAnArea(_, r) => at(ring(r)),
    };
    (field, e.to_string())
}

/// GeoJSON text of a geometry: a MultiPolygon, or a Polygon when `multi` is
/// false and there is one part.
pub fn geometry_json(mp: &MultiPolygon<f64>, multi: bool) -> String {
    let ring = |l: &LineString<f64>| -> Value { l.0.iter().map(|c| json!([c.x, c.y])).collect() };
    let poly = |p: &Polygon<f64>| -> Value {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(ring)
            .collect()
    };
    let v = if !multi && mp.0.len() == 1 {
        json!({"type": "Polygon", "coordinates": poly(&mp.0[0])})
    } else {
        json!({"type": "MultiPolygon", "coordinates": mp.0.iter().map(poly).collect::<Vec<_>>()})
    };
    v.to_string()
}
