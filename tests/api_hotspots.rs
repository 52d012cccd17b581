//! `/api/v1/hotspots` through the real `app()`: a constructed year whose
//! hottest cell, z-score and class are known by hand, paging, GeoJSON, the
//! study-area cap and parameter errors.

mod common;

use axum::http::StatusCode;
use common::{TestApp, error_of};
use h3o::{LatLng, Resolution};
use hexwatch::api::ApiConfig;
use serde_json::Value;

/// Twenty background spots ~2 km apart with one `ecology` appeal in each
/// month of 2024 (Moscow time), and a `roads` spot with 30 appeals in
/// December only.
fn points() -> Vec<(f64, f64, &'static str, String)> {
    let mut out = Vec::new();
    for spot in 0..20 {
        for m in 1..=12 {
            out.push((
                55.60 + 0.02 * f64::from(spot),
                49.10,
                "ecology",
                format!("2024-{m:02}-02T10:00:00+03:00"),
            ));
        }
    }
    for h in 0..30 {
        out.push((
            55.65,
            49.20,
            "roads",
            format!("2024-12-{:02}T12:00:00+03:00", 1 + h % 28),
        ));
    }
    out
}

fn cell9(lat: f64, lon: f64) -> String {
    LatLng::new(lat, lon)
        .expect("ll")
        .to_cell(Resolution::Fifteen)
        .parent(Resolution::Nine)
        .expect("parent")
        .to_string()
}

async fn loaded(cfg: ApiConfig) -> TestApp {
    let app = TestApp::with_config(cfg).await;
    app.post_points(&points(), 0).await;
    app
}

const YEAR: &str = "from=2024-01-01&to=2025-01-01";

#[tokio::test]
async fn the_december_spot_ranks_first_with_its_hand_computed_z() {
    let app = loaded(ApiConfig::default()).await;
    let (s, v) = app.get(&format!("/api/v1/hotspots?{YEAR}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // 21 occupied res-9 cells, each with the 18 empty cells of its 2-disk.
    assert_eq!(v["cells_tested"], 21 * 19);
    assert_eq!(v["total"], 21 * 19);
    assert_eq!((v["res"].as_u64(), v["k"].as_u64()), (Some(9), Some(1)));
    assert_eq!(v["periods"], 12);
    assert_eq!(v["period"], "month");
    let list = v["hotspots"].as_array().expect("list");
    assert_eq!(list.len(), 50);
    let top = &list[0];
    assert_eq!(top["h3"], cell9(55.65, 49.20));
    assert_eq!(top["count"], 30);
    // n = 399, Σx = 270, Σx² = 20·12² + 30² = 3780; X̄ = 0.676692,
    // S = √(3780/399 − X̄²) = 3.002628; the flower around the spot holds 30
    // (W = 7): z = (30 − 7·X̄) / (S·√((399·7 − 49)/398)) = 3.204318.
    let z = top["z"].as_f64().expect("z");
    assert!((z - 3.204_318_3).abs() < 1e-6, "{z}");
    assert!((top["p"].as_f64().expect("p") - 0.001_353_83).abs() < 1e-8);
    // Hot in December alone, never before: "new".
    assert_eq!(top["class"], "new");
    assert_eq!(top["periods_hot"], 1);
    assert!(top["trend"]["tau"].is_f64() && top["trend"]["p"].is_f64());
    // Its six empty petals share the sum and z; they follow it.
    for c in &list[1..7] {
        assert!((c["z"].as_f64().expect("z") - z).abs() < 1e-9);
        assert_eq!(c["count"], 0);
    }
    let zs: Vec<f64> = list.iter().map(|c| c["z"].as_f64().expect("z")).collect();
    assert!(zs.windows(2).all(|w| w[0] >= w[1]), "ranked by z");
    // Background spots are even all year: no class.
    let (_, all) = app
        .get(&format!("/api/v1/hotspots?{YEAR}&limit=1000"))
        .await;
    let spot = cell9(55.60, 49.10);
    let bg = all["hotspots"]
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["h3"] == spot.as_str())
        .expect("background spot");
    assert_eq!(
        (bg["count"].as_u64(), bg["class"].as_str()),
        (Some(12), Some("none"))
    );
}

#[tokio::test]
async fn pages_geojson_and_sector_filter() {
    let app = loaded(ApiConfig::default()).await;
    let (_, all) = app.get(&format!("/api/v1/hotspots?{YEAR}&limit=10")).await;
    let (s, page) = app
        .get(&format!("/api/v1/hotspots?{YEAR}&limit=3&offset=2"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        page["hotspots"].as_array().expect("page")[..],
        all["hotspots"].as_array().expect("all")[2..5]
    );
    let (s, g) = app
        .get(&format!("/api/v1/hotspots?{YEAR}&limit=2&format=geojson"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(g["type"], "FeatureCollection");
    let f = &g["features"][0];
    assert_eq!(f["geometry"]["type"], "Polygon");
    assert_eq!(f["properties"], all["hotspots"][0]);
    assert_eq!(g["features"].as_array().map(Vec::len), Some(2));
    // Only the roads spot: one occupied cell and its 2-disk. The centre and
    // petals hold 30 in their flowers: n = 19, X̄ = 30/19, S = √(900/19 − X̄²)
    // = 6.699… ; z = (30 − 7·30/19) / (S·√((133 − 49)/18)) = 1.309.
    let (_, r) = app
        .get(&format!("/api/v1/hotspots?{YEAR}&sector=roads"))
        .await;
    assert_eq!(r["cells_tested"], 19);
    let mean = 30.0 / 19.0;
    let s_dev = (900.0f64 / 19.0 - mean * mean).sqrt();
    let want = (30.0 - 7.0 * mean) / (s_dev * (84.0f64 / 18.0).sqrt());
    assert!((want - 1.309).abs() < 1e-3);
    assert!((r["hotspots"][0]["z"].as_f64().expect("z") - want).abs() < 1e-9);
    assert_eq!(r["hotspots"][0]["h3"], cell9(55.65, 49.20));
}

#[tokio::test]
async fn bad_parameters_name_their_field() {
    let app = loaded(ApiConfig::default()).await;
    for (q, field) in [
        ("k=0", "k"),
        ("k=6", "k"),
        ("alpha=1", "alpha"),
        ("alpha=x", "alpha"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("offset=-1", "offset"),
        ("format=csv", "format"),
        ("period=decade", "period"),
        ("res=16", "res"),
        ("sector=nope", "sector"),
        ("bbox=1,2,3", "bbox"),
        ("from=2024-01-01&to=2000-01-01&", "to"),
        ("period=day&from=2000-01-01&to=2024-01-01", "period"),
    ] {
        let (s, v) = app.get(&format!("/api/v1/hotspots?{q}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}: {v}");
        assert_eq!(error_of(&v)["field"], field, "{q}: {v}");
    }
}

#[tokio::test]
async fn a_study_area_over_the_cap_asks_for_a_coarser_res() {
    let app = loaded(ApiConfig {
        max_cells: 300,
        ..ApiConfig::default()
    })
    .await;
    let (s, v) = app.get(&format!("/api/v1/hotspots?{YEAR}")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let e = error_of(&v);
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("too_many_cells"), Some("res"))
    );
    assert!(
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("coarser res")),
        "{v}"
    );
    // A coarser resolution fits.
    let (s, v): (StatusCode, Value) = app.get(&format!("/api/v1/hotspots?{YEAR}&res=6")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}
