//! Fixes through the real `app()`: create, list, get, 404; every bad field
//! named; a fix survives a restart; the fixes tile follows the data version;
//! a hand-computed effect; the planted fixes of `hexwatch generate` get the
//! verdicts the truth file expects.

mod common;
mod fixes_common;
mod tiles_common;

use axum::http::StatusCode;
use common::{TestApp, error_of};
use h3o::{CellIndex, LatLng, Resolution};
use serde_json::{Value, json};

/// 2025-06-01T00:00:00+03:00, the fix date of the constructed data.
const D: i64 = 1_748_725_200;
const DAY: i64 = 86_400;

fn rfc(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .expect("time")
        .to_rfc3339()
}

fn cell10(lat: f64, lon: f64) -> CellIndex {
    LatLng::new(lat, lon).expect("ll").to_cell(Resolution::Ten)
}

/// A cell two steps from `c`: in the control ring, not in the area.
fn ring_cell(c: CellIndex) -> CellIndex {
    let near: Vec<CellIndex> = c.grid_disk(1);
    c.grid_disk::<Vec<CellIndex>>(2)
        .into_iter()
        .find(|n| !near.contains(n))
        .expect("ring 2")
}

fn centre(c: CellIndex) -> (f64, f64) {
    let ll = LatLng::from(c);
    (ll.lat(), ll.lng())
}

/// Two areas (one cell each) and their rings, sector roads:
/// * A: 20 appeals in the 20 days before D, 1 after; its ring 10 before, 10 after;
/// * B: 20 before, 8 after; its ring 10 and 10.
///
/// Two housing appeals at D ± 100 days set the data's time span.
async fn constructed() -> (TestApp, CellIndex, CellIndex) {
    let app = TestApp::new().await;
    let a = cell10(55.79, 49.12);
    let b = cell10(55.75, 49.20);
    let mut pts: Vec<(f64, f64, &str, String)> = Vec::new();
    for (cell, after) in [(a, 1), (b, 8)] {
        let (lat, lon) = centre(cell);
        for k in 1..=20 {
            pts.push((lat, lon, "roads", rfc(D - k * DAY + DAY / 2)));
        }
        for k in 0..after {
            pts.push((lat, lon, "roads", rfc(D + 10 * DAY + k * DAY)));
        }
        let (rlat, rlon) = centre(ring_cell(cell));
        for k in 1..=10 {
            pts.push((rlat, rlon, "roads", rfc(D - 3 * k * DAY)));
            pts.push((rlat, rlon, "roads", rfc(D + 3 * k * DAY - 60)));
        }
    }
    pts.push((55.70, 49.00, "housing", rfc(D - 100 * DAY)));
    pts.push((55.70, 49.00, "housing", rfc(D + 100 * DAY)));
    app.post_points(&pts, 0).await;
    (app, a, b)
}

async fn post_cells(app: &TestApp, title: &str, cell: CellIndex) -> Value {
    let (s, v) = app
        .post_json(
            "/api/v1/fixes",
            &json!({"title": title, "sector": "roads", "done_at": "2025-06-01", "cells": [cell.to_string()]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64()
        .is_some_and(|a| (a - b).abs() <= 1e-12 + 1e-9 * b.abs())
}

#[tokio::test]
async fn create_list_get_and_404() {
    let app = TestApp::new().await;
    let body = json!({"title": "Ямочный ремонт ул. Гагарина", "sector": "roads",
                      "done_at": "2025-06-01T10:00:00+03:00", "lat": 55.826, "lon": 49.076, "radius_m": 150});
    let (s, v) = app.post_json("/api/v1/fixes", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["id"], 1);
    assert_eq!(v["sector"], "roads");
    assert_eq!(v["done_at"], "2025-06-01T10:00:00+03:00");
    assert_eq!(
        v["area"],
        json!({"kind": "circle", "lat": 55.826, "lon": 49.076, "radius_m": 150.0})
    );
    assert_eq!(v["center"], json!([49.076, 55.826]));
    assert_eq!(v["res"], 10);
    let cells = v["cells"].as_array().expect("cells");
    assert!((3..=8).contains(&cells.len()), "{cells:?}");
    let own = cell10(55.826, 49.076).to_string();
    assert!(cells.iter().any(|c| c == own.as_str()));
    assert_eq!(v["verdict"], "insufficient_data", "no appeals at all");

    let (s, list) = app.get("/api/v1/fixes").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["fixes"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["fixes"][0], v);
    let (s, one) = app.get("/api/v1/fixes/1").await;
    assert_eq!((s, &one), (StatusCode::OK, &v));

    let (s, geo) = app.get("/api/v1/fixes?format=geojson").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(geo["type"], "FeatureCollection");
    let f = &geo["features"][0];
    assert_eq!(f["geometry"]["type"], "Polygon");
    assert_eq!(f["properties"]["title"], "Ямочный ремонт ул. Гагарина");
    let ring = f["geometry"]["coordinates"][0].as_array().expect("ring");
    assert_eq!(ring.first(), ring.last(), "closed");

    for uri in ["/api/v1/fixes/2", "/api/v1/fixes/2/effect"] {
        let (s, e) = app.get(uri).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(error_of(&e)["field"], "id");
    }
    let (s, e) = app.get("/api/v1/fixes/one").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&e)["field"], "id");
}

#[tokio::test]
async fn every_bad_input_names_its_field() {
    let app = TestApp::new().await;
    let ok = json!({"title": "t", "sector": "roads", "done_at": "2025-06-01",
                    "lat": 55.8, "lon": 49.1, "radius_m": 100});
    let with = |k: &str, v: Value| {
        let mut o = ok.clone();
        o[k] = v;
        o
    };
    let without = |keys: &[&str]| {
        let mut o = ok.clone();
        for k in keys {
            o.as_object_mut().expect("object").remove(*k);
        }
        o
    };
    let area_only = |k: &str, v: Value| {
        let mut o = without(&["lat", "lon", "radius_m"]);
        o[k] = v;
        o
    };
    let open_ring = json!({"type": "Polygon", "coordinates": [[[49.0, 55.0], [49.1, 55.0], [49.1, 55.1], [49.0, 55.1]]]});
    let cases = [
        (with("sector", json!("parks")), "sector"),
        (without(&["sector"]), "sector"),
        (with("done_at", json!("1 June 2025")), "done_at"),
        (with("done_at", json!("2025-06-01T10:00:00")), "done_at"),
        (without(&["title"]), "title"),
        (with("radius_m", json!(5)), "radius_m"),
        (with("radius_m", json!(5_001)), "radius_m"),
        (without(&["radius_m"]), "radius_m"),
        (with("lon", json!(200)), "lon"),
        (with("cells", json!(["8a1f1d48a9b7fff"])), "area"),
        (without(&["lat", "lon", "radius_m"]), "area"),
        (area_only("geometry", open_ring), "geometry.coordinates[0]"),
        (
            area_only("geometry", json!({"type": "LineString", "coordinates": []})),
            "geometry.type",
        ),
        (
            area_only(
                "cells",
                json!([cell10(55.8, 49.1).to_string(), "not-a-cell"]),
            ),
            "cells[1]",
        ),
        (with("radius", json!(100)), "radius"),
    ];
    for (body, field) in cases {
        let (s, v) = app.post_json("/api/v1/fixes", &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {v}");
        assert_eq!(error_of(&v)["field"], field, "{body} → {v}");
        assert_eq!(error_of(&v)["code"], "invalid_fix");
    }
    let (s, v) = app
        .raw(
            "POST",
            "/api/v1/fixes",
            "application/json",
            b"{\"title\":".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let v: Value = serde_json::from_slice(&v).expect("json");
    assert_eq!(error_of(&v)["field"], "body");
    let (_, list) = app.get("/api/v1/fixes").await;
    assert_eq!(list["fixes"], json!([]), "nothing was stored");

    post_cells(&app, "t", cell10(55.8, 49.1)).await;
    for w in ["0", "731", "abc", "-3"] {
        let (s, v) = app
            .get(&format!("/api/v1/fixes/1/effect?window_days={w}"))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{w}");
        assert_eq!(error_of(&v)["field"], "window_days");
    }
    let (s, v) = app.get("/api/v1/fixes?format=xml").await;
    assert_eq!(
        (s, error_of(&v)["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("format"))
    );
}

#[tokio::test]
async fn a_fix_survives_a_restart() {
    let app = TestApp::new().await;
    let (lat, lon) = (55.79, 49.12);
    let d = 0.003;
    let square = json!({"type": "Polygon", "coordinates": [[
        [lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]
    ]]});
    let (s, before) = app
        .post_json(
            "/api/v1/fixes",
            &json!({"title": "Новый маршрут вывоза", "sector": "ecology", "done_at": "2025-03-01", "geometry": square}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{before}");
    assert_eq!(before["area"]["kind"], "polygon");
    app.state.engine.store.close().await;

    let again = app.reopened().await;
    let (s, after) = again.get("/api/v1/fixes/1").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(after, before);
    let (s, next) = again
        .post_json(
            "/api/v1/fixes",
            &json!({"title": "b", "sector": "ecology", "done_at": "2025-03-01", "lat": lat, "lon": lon, "radius_m": 50}),
        )
        .await;
    assert_eq!((s, &next["id"]), (StatusCode::CREATED, &json!(2)));
}

#[tokio::test]
async fn the_fixes_tile_changes_with_a_new_fix() {
    let (app, a, _) = constructed().await;
    let (lat, lon) = centre(a);
    let z = 15u32;
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n) as u32;
    let y = ((1.0 - lat.to_radians().tan().asinh() / std::f64::consts::PI) / 2.0 * n) as u32;
    let uri = format!("/tiles/fixes/{z}/{x}/{y}.mvt");
    let first = tiles_common::get(app.router(), &uri, &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(tiles_common::decode(&first.body).features.len(), 0);
    let tag = first.header("etag").expect("etag").to_owned();

    post_cells(&app, "Ремонт", a).await;
    let second = tiles_common::get(app.router(), &uri, &[("if-none-match", &tag)]).await;
    assert_eq!(second.status, StatusCode::OK, "a new fix is a new version");
    assert_ne!(second.header("etag"), Some(tag.as_str()));
    let t = tiles_common::decode(&second.body);
    assert_eq!((t.layer.as_str(), t.features.len()), ("fixes", 1));
    let f = &t.features[0];
    assert_eq!(f.id, Some(1));
    assert_eq!(f.props["id"], "1");
    assert_eq!(f.props["title"], "Ремонт");
    assert_eq!(f.props["sector"], "roads");
    assert_eq!(f.props["done_at"], "2025-06-01T00:00:00+03:00");
    assert_eq!(f.props["verdict"], "stopped");
    tiles_common::check_polygons(&t);
}

#[tokio::test]
async fn a_hand_computed_effect() {
    let (app, a, b) = constructed().await;
    post_cells(&app, "A", a).await;
    post_cells(&app, "B", b).await;

    let (s, e) = app.get("/api/v1/fixes/1/effect").await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["window_days"], 90);
    assert_eq!(e["windows"]["before"]["days"], 90.0);
    assert_eq!(e["windows"]["after"]["days"], 90.0);
    assert_eq!(e["windows"]["after"]["from"], "2025-06-01T00:00:00+03:00");
    // Area: 20 before, 1 after over 90 days each: 20/90·30 and 1/90·30 per 30 days.
    assert_eq!(
        (e["area"]["before"].clone(), e["area"]["after"].clone()),
        (json!(20), json!(1))
    );
    assert!(close(&e["area"]["rate_before"], 20.0 / 3.0));
    assert!(close(&e["area"]["rate_after"], 1.0 / 3.0));
    assert!(close(&e["area"]["change"], -0.95));
    // Given n = 21 and equal windows, after ~ Binomial(21, 1/2):
    // p = 2 · (C(21,0) + C(21,1)) / 2^21 = 44 / 2 097 152.
    assert!(close(&e["test"]["p"], 44.0 / 2_097_152.0), "{}", e["test"]);
    assert!(close(&e["test"]["expected_after"], 10.5));
    assert!(close(&e["test"]["p_if_none_after"], 2.0 / 2_097_152.0));
    // Ring steady: 10 and 10, change 0, p = 1; relative = (1/20)/(10/10).
    assert_eq!(
        (e["ring"]["before"].clone(), e["ring"]["after"].clone()),
        (json!(10), json!(10))
    );
    assert!(close(&e["ring"]["change"], 0.0) && close(&e["ring"]["p"], 1.0));
    assert!(close(&e["relative_to_ring"], 0.05));
    // P(X ≥ 10 | n = 20, 1/2) = (2^20 + C(20,10)) / 2 / 2^20 = 616 666 / 1 048 576.
    assert!(close(&e["displacement"]["p"], 616_666.0 / 1_048_576.0));
    assert_eq!(e["displacement"]["ring_rose"], false);
    assert!(close(&e["displacement"]["absorbed"], 0.0));
    assert_eq!(e["district"], Value::Null);
    assert_eq!(e["verdict"], "stopped");
    assert_eq!(e["thresholds"]["stopped_max_ratio"], 0.1);
    assert_eq!(e["thresholds"]["ring_k"], json!([1, 4]));

    // B: 20 before, 8 after: p = 2 · Σ_{i≤8} C(28,i) / 2^28 = 9 582 646 / 268 435 456,
    // after/before = 0.4, relative to the steady ring 0.4 ≤ 0.7: reduced.
    let (_, e) = app.get("/api/v1/fixes/2/effect").await;
    assert!(
        close(&e["test"]["p"], 9_582_646.0 / 268_435_456.0),
        "{}",
        e["test"]
    );
    assert!(close(&e["relative_to_ring"], 0.4));
    assert_eq!(e["verdict"], "reduced");

    // 120 days each side run past the data (D − 100 d to D + 100 d): both
    // windows are clipped, the after one ends just after the newest appeal.
    let (_, e) = app.get("/api/v1/fixes/1/effect?window_days=120").await;
    assert_eq!(e["windows"]["before"]["days"], 100.0);
    assert!(close(
        &e["windows"]["after"]["days"],
        100.0 + 1.0 / 86_400.0
    ));
    assert!(close(&e["area"]["rate_before"], 6.0));
    // One day each side: 1 appeal in the area, too few to judge.
    let (_, e) = app.get("/api/v1/fixes/1/effect?window_days=1").await;
    assert_eq!(
        (e["area"]["before"].clone(), e["area"]["after"].clone()),
        (json!(1), json!(0))
    );
    assert_eq!(e["verdict"], "insufficient_data");
}

/// Appeals of the planted city: 150 000 over one year puts the planted
/// rates at 2.25× the demo's, enough for every planted verdict to be
/// decided by the data rather than by luck (see `planted_sweep`).
const PLANTED_APPEALS: usize = 150_000;

async fn check_planted(seed: u64) {
    let app = TestApp::new().await;
    let truth = fixes_common::planted(&app, PLANTED_APPEALS, 1, seed).await;
    let fixes = fixes_common::planted_fixes(&truth);
    assert_eq!(fixes.len(), 4);
    for p in fixes {
        let id = fixes_common::post_planted(&app, p).await;
        let e = fixes_common::effect(&app, id).await;
        let got: hexwatch::generate::Verdict =
            serde_json::from_value(e["verdict"].clone()).expect("verdict");
        let expected = p.expected_verdict.expect("expected");
        use hexwatch::generate::{PlantedKind, Verdict};
        let ok = match p.kind {
            // Acceptable: stopped or reduced.
            PlantedKind::WorkingFix => p.acceptable_verdicts.contains(&got),
            // The truth also accepts stopped/reduced; the ring catches the move.
            PlantedKind::DisplacedFix => got == Verdict::Displaced,
            _ => got == expected,
        };
        assert!(ok, "seed {seed}, {}: {got:?} ({e})", p.id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planted_fixes_get_their_verdicts() {
    check_planted(1).await;
}

/// Several seeds (slow in debug builds: `cargo test --test api_fixes -- --ignored`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn planted_sweep() {
    for seed in [2, 3, 4, 5, 42] {
        check_planted(seed).await;
    }
}
