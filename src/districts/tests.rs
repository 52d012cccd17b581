//! District tests: upload validation, the exact test against geo, the border
//! rule on hand-placed points, and the H3 cover against brute force.

use super::*;
use crate::domain::{cell_of, to_fixed};
use crate::index::{Data, Filter};
use geo::{CoordinatePosition, coordinate_position::CoordPos};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

fn fc(features: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"type": "FeatureCollection", "features": features})).unwrap()
}

fn feature(name: &str, geometry: Value) -> Value {
    json!({"type": "Feature", "properties": {"name": name}, "geometry": geometry})
}

fn square(w: f64, s: f64, e: f64, n: f64) -> Vec<[f64; 2]> {
    vec![[w, s], [e, s], [e, n], [w, n], [w, s]]
}

fn poly(rings: Vec<Vec<[f64; 2]>>) -> Value {
    json!({"type": "Polygon", "coordinates": rings})
}

/// The one problem of a one-feature upload that must fail: (index, field, message).
fn problem(body: &[u8]) -> (usize, String, String) {
    match parse_collection(body) {
        Err(ParseError::Features(e)) => (
            e[0].index,
            e[0].field.clone().unwrap_or_default(),
            e[0].message.clone(),
        ),
        other => panic!("expected feature errors, got {other:?}"),
    }
}

#[test]
fn uploads_are_validated_per_feature_and_field() {
    let good = feature("ok", poly(vec![square(49.0, 55.7, 49.1, 55.8)]));
    let bad = |name: &str, g: Value| fc(vec![good.clone(), feature(name, g)]);
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (
            fc(vec![
                good.clone(),
                json!({"type": "Feature", "properties": {}, "geometry": poly(vec![square(49.0, 55.7, 49.1, 55.8)])}),
            ]),
            "properties.name",
            "name",
        ),
        (
            bad(
                "l",
                json!({"type": "LineString", "coordinates": [[49.0, 55.7], [49.1, 55.8]]}),
            ),
            "geometry.type",
            "LineString",
        ),
        (
            bad(
                "3",
                poly(vec![vec![[49.0, 55.7], [49.1, 55.7], [49.0, 55.7]]]),
            ),
            "geometry.coordinates[0]",
            "at least 4 positions",
        ),
        (
            bad(
                "open",
                poly(vec![vec![
                    [49.0, 55.7],
                    [49.1, 55.7],
                    [49.1, 55.8],
                    [49.0, 55.8],
                ]]),
            ),
            "geometry.coordinates[0]",
            "not closed",
        ),
        (
            bad("far", poly(vec![square(179.0, 55.7, 181.0, 55.8)])),
            "geometry.coordinates[0]",
            "longitude 181",
        ),
        (
            bad("lat", poly(vec![square(49.0, 89.0, 49.1, 91.0)])),
            "geometry.coordinates[0]",
            "latitude 91",
        ),
        (
            bad("empty", json!({"type": "MultiPolygon", "coordinates": []})),
            "geometry.coordinates",
            "empty",
        ),
        (
            // A bow tie: the ring crosses itself at (49.05, 55.75).
            bad(
                "bow",
                poly(vec![vec![
                    [49.0, 55.7],
                    [49.1, 55.8],
                    [49.1, 55.7],
                    [49.0, 55.8],
                    [49.0, 55.7],
                ]]),
            ),
            "geometry.coordinates[0]",
            "self-intersection",
        ),
        (
            // A hole outside its shell.
            bad(
                "hole",
                poly(vec![
                    square(49.0, 55.7, 49.1, 55.8),
                    square(49.2, 55.7, 49.3, 55.8),
                ]),
            ),
            "geometry.coordinates[1]",
            "not contained",
        ),
        (
            // Two parts of one MultiPolygon overlapping.
            bad(
                "overlap",
                json!({"type": "MultiPolygon", "coordinates": [
                [square(49.0, 55.7, 49.1, 55.8)], [square(49.05, 55.75, 49.2, 55.9)]]}),
            ),
            "geometry.coordinates",
            "overlap",
        ),
    ];
    for (body, field, words) in cases {
        let (index, f, msg) = problem(&body);
        assert_eq!(index, 1, "{msg}");
        assert_eq!(f, field, "{msg}");
        assert!(msg.contains(words), "{msg:?} lacks {words:?}");
        assert!(msg.starts_with("feature 1:"), "{msg}");
    }
    match parse_collection(br#"{"type":"Feature","geometry":null}"#) {
        Err(ParseError::Body { field, .. }) => assert_eq!(field, "type"),
        other => panic!("{other:?}"),
    }
    match parse_collection(br#"{"type":"FeatureCollection","features":[]}"#) {
        Err(ParseError::Body { field, .. }) => assert_eq!(field, "features"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn holes_and_parts_are_kept_and_rings_oriented() {
    // The exterior is given clockwise and the hole counter-clockwise: both flip.
    let mut outer = square(49.0, 55.7, 49.2, 55.9);
    outer.reverse();
    let body = fc(vec![feature(
        "d",
        json!({"type": "MultiPolygon", "coordinates": [
            [outer, square(49.05, 55.75, 49.15, 55.85)],
            [square(49.3, 55.7, 49.4, 55.8)]]}),
    )]);
    let d = parse_collection(&body).expect("valid");
    let g = &d[0].geometry;
    assert_eq!(g.0.len(), 2);
    assert_eq!(g.0[0].interiors().len(), 1);
    use geo::Winding;
    assert!(g.0[0].exterior().is_ccw());
    assert!(g.0[0].interiors()[0].is_cw());
    let shape = Shape::new(g.clone()).expect("shape");
    assert_eq!(shape.position(49.1, 55.8), Position::Outside, "in the hole");
    assert_eq!(
        shape.position(49.1, 55.75),
        Position::OnBoundary,
        "hole edge"
    );
    assert_eq!(shape.position(49.02, 55.8), Position::Inside);
    assert_eq!(
        shape.position(49.35, 55.75),
        Position::Inside,
        "second part"
    );
    assert_eq!(
        shape.position(49.25, 55.75),
        Position::Outside,
        "between parts"
    );
}

#[test]
fn banded_test_agrees_with_geo_coordinate_position() {
    let body = crate::districts::demo::kazan_geojson();
    let parsed = parse_collection(body.as_bytes()).expect("demo districts are valid");
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for d in &parsed {
        let shape = Shape::new(d.geometry.clone()).expect("shape");
        let r = shape.bbox();
        for _ in 0..3_000 {
            let x = rng.random_range(r.min().x - 0.01..r.max().x + 0.01);
            let y = rng.random_range(r.min().y - 0.01..r.max().y + 0.01);
            let want = match d.geometry.coordinate_position(&geo::Coord { x, y }) {
                CoordPos::Inside => Position::Inside,
                CoordPos::OnBoundary => Position::OnBoundary,
                CoordPos::Outside => Position::Outside,
            };
            assert_eq!(shape.position(x, y), want, "{x},{y} in {}", d.name);
        }
        // Every vertex is on the boundary.
        for c in geo::CoordsIter::coords_iter(&d.geometry) {
            assert_eq!(shape.position(c.x, c.y), Position::OnBoundary);
        }
    }
}

mod membership;
