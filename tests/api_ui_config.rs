//! `GET /api/v1/ui-config`: the front end's base map, zone, data extent and days.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn empty_database_has_no_extent() {
    let app = TestApp::new().await;
    let (s, v) = app.get("/api/v1/ui-config").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["basemap_style"], json!(null));
    assert_eq!(v["timezone"], "Europe/Moscow");
    assert_eq!(
        v["data"],
        json!({"appeals": 0, "bbox": null, "first_day": null, "last_day": null})
    );
}

#[tokio::test]
async fn extent_and_local_days_follow_the_data() {
    let app = TestApp::with_config(hexwatch::api::ApiConfig {
        basemap_style: Some("https://tiles.example.org/style.json".into()),
        ..Default::default()
    })
    .await;
    app.post_points(
        &[
            (55.79, 49.12, "roads", "2025-01-01T00:30:00+03:00"),
            // 22:30 UTC on 31 March is 1 April in Moscow.
            (55.70, 49.25, "housing", "2025-03-31T22:30:00Z"),
            (55.85, 48.98, "roads", "2024-12-31T21:30:00Z"),
        ],
        1,
    )
    .await;
    let (s, v) = app.get("/api/v1/ui-config").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["basemap_style"], "https://tiles.example.org/style.json");
    let d = &v["data"];
    assert_eq!(d["appeals"], 3);
    // 21:30 UTC on 31 December is 00:30 on 1 January in Moscow.
    assert_eq!(d["first_day"], "2025-01-01");
    assert_eq!(d["last_day"], "2025-04-01");
    let b: Vec<f64> = d["bbox"]
        .as_array()
        .expect("bbox")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect();
    let want = [48.98, 55.70, 49.25, 55.85];
    for (got, want) in b.iter().zip(want) {
        assert!((got - want).abs() < 1e-6, "bbox {b:?}");
    }
}

#[tokio::test]
async fn unknown_api_paths_answer_json_404_not_the_page() {
    let app = TestApp::new().await;
    for uri in [
        "/api/v1/no-such-thing",
        "/api/v2/sectors",
        "/api/v1/no/such/path",
    ] {
        let (s, v) = app.get(uri).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}: {v}");
        assert_eq!(common::error_of(&v)["code"], "not_found", "{uri}");
    }
    // Real endpoints under /api still answer.
    let (s, v) = app.get("/api/v1/sectors").await;
    assert_eq!(s, StatusCode::OK, "{v}");
}
