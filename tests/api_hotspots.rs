//! `/api/v1/hotspots` through the real `app()`: a constructed year whose
//! hottest cell, z-score and class are known by hand, paging, GeoJSON, the
//! study-area cap and parameter errors.

mod common;
mod tiles_common;

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

#[tokio::test]
async fn the_tile_layer_draws_the_cached_analysis() {
    let app = loaded(ApiConfig::default()).await;
    let (_, list) = app
        .get(&format!("/api/v1/hotspots?{YEAR}&limit=1000"))
        .await;
    let by_h3: std::collections::HashMap<&str, &Value> = list["hotspots"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| (c["h3"].as_str().expect("h3"), c))
        .collect();
    // Zoom 11 shows res 9 (the zoom table), the list's default.
    let (x, y) = common::tile_of(55.65, 49.20, 11);
    let uri = format!("/tiles/hotspots/11/{x}/{y}.mvt?{YEAR}");
    let a = tiles_common::get(app.router(), &uri, &[]).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    let t = tiles_common::decode(&a.body);
    assert_eq!(t.layer, "hotspots");
    tiles_common::check_polygons(&t);
    let target = cell9(55.65, 49.20);
    assert!(
        t.features.iter().any(|f| f.props["h3"] == target),
        "target drawn"
    );
    for f in &t.features {
        let c = by_h3[f.props["h3"].as_str()];
        let z: f64 = f.props["z"].parse().expect("z");
        assert!((z - c["z"].as_f64().expect("z")).abs() < 1e-12);
        assert_eq!(f.props["class"], c["class"].as_str().expect("class"));
        assert_eq!(
            f.num("periods_hot"),
            c["periods_hot"].as_u64().expect("hot")
        );
        assert_eq!(f.num("count"), c["count"].as_u64().expect("count"));
    }
    // The target's whole 2-disk (19 cells, ~0.6 km across) lies in this
    // ~13 km tile unless it sits on an edge; at least its flower is drawn.
    let flower = h3o::CellIndex::try_from(u64::from_str_radix(&target, 16).expect("hex"))
        .expect("cell")
        .grid_disk::<Vec<_>>(1);
    for c in flower {
        assert!(
            t.features.iter().any(|f| f.props["h3"] == c.to_string()),
            "{c} missing"
        );
    }
    // A second request is a 304 by ETag.
    let etag = a.header("etag").expect("etag").to_owned();
    let again = tiles_common::get(app.router(), &uri, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    // Other k or alpha: another tile (and ETag).
    let k2 = tiles_common::get(app.router(), &format!("{uri}&k=2"), &[]).await;
    assert_eq!(k2.status, StatusCode::OK);
    assert_ne!(k2.header("etag"), Some(etag.as_str()));
    // A write changes the analysis: one more December appeal at the target.
    app.post_points(
        &[(55.65, 49.20, "roads", "2024-12-20T12:00:00+03:00")],
        10_000,
    )
    .await;
    let after = tiles_common::get(app.router(), &uri, &[("if-none-match", &etag)]).await;
    assert_eq!(after.status, StatusCode::OK);
    let t = tiles_common::decode(&after.body);
    let f = t
        .features
        .iter()
        .find(|f| f.props["h3"] == target)
        .expect("target");
    assert_eq!(f.num("count"), 31);
    // Bad parameters name their field; tiles take no paging.
    let bad = tiles_common::get(app.router(), &format!("{uri}&alpha=2"), &[]).await;
    assert_eq!(
        (bad.status, error_of(&bad.json())["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("alpha"))
    );
    let bad = tiles_common::get(app.router(), &format!("{uri}&limit=5"), &[]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // TileJSON carries the analysis parameters into the tile URLs.
    let tj = tiles_common::get(
        app.router(),
        "/tiles/hotspots.json?res=9&k=2&alpha=0.01&period=quarter",
        &[("host", "h")],
    )
    .await
    .json();
    assert_eq!(
        tj["tiles"][0],
        "http://h/tiles/hotspots/{z}/{x}/{y}.mvt?res=9&period=quarter&k=2&alpha=0.01"
    );
    let fields = &tj["vector_layers"][0]["fields"];
    for k in ["h3", "z", "class", "periods_hot", "p_fdr", "count"] {
        assert!(fields[k].is_string(), "{k}");
    }
}
