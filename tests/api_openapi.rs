//! The OpenAPI document against the route table and the router; `/metrics`
//! in the Prometheus text format; request ids in answers.

mod common;

use axum::http::StatusCode;
use common::{TestApp, auth_config};
use hexwatch::api::openapi::documented;
use hexwatch::api::routes::{Need, ROUTES};
use hexwatch::auth::Role;
use serde_json::Value;

#[tokio::test]
async fn the_document_lists_every_route_with_its_role_and_nothing_else() {
    let app = TestApp::with_config(auth_config(false)).await;
    // Public even with auth on.
    let (s, _, b) = app
        .call("GET", "/api/v1/openapi.json", None, "", Vec::new())
        .await;
    assert_eq!(s, StatusCode::OK);
    let doc: Value = serde_json::from_slice(&b).expect("json");
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    let mut in_doc = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("item") {
            in_doc += 1;
            let r = ROUTES
                .iter()
                .find(|r| r.path == path && r.method.eq_ignore_ascii_case(method))
                .unwrap_or_else(|| panic!("{method} {path} is documented but not a route"));
            let role = op["x-hexwatch-role"].as_str().expect("role");
            match r.need {
                Need::Public => {
                    assert_eq!(role, "public");
                    assert!(op.get("security").is_none(), "{path}");
                }
                Need::Role(need) => {
                    assert_eq!(role, need.name());
                    assert!(op["security"][0].get("bearer").is_some(), "{path}");
                    assert!(op["responses"].get("403").is_some(), "{path}");
                }
            }
            let params: Vec<&str> = op["parameters"]
                .as_array()
                .map(|a| a.iter().filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            for p in &params {
                assert!(path.contains(&format!("{{{p}}}")), "{path} documents {p}");
            }
            assert_eq!(params.len(), path.matches('{').count(), "{path}");
        }
    }
    let routes: Vec<_> = ROUTES.iter().filter(|r| documented(r)).collect();
    assert_eq!(in_doc, routes.len());
    for r in routes {
        assert!(
            paths
                .get(r.path)
                .and_then(|i| i.get(r.method.to_ascii_lowercase()))
                .is_some(),
            "{} {} is missing from the document",
            r.method,
            r.path
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn metrics_count_requests_tiles_and_ingest() {
    let app = TestApp::with_config(auth_config(false)).await;
    let op = app.token(Role::Operator, &[]).await;
    let viewer = app.token(Role::Viewer, &[]).await;
    let batch = serde_json::json!([common::appeal(
        1,
        "roads",
        55.79,
        49.12,
        "2026-01-01T10:00:00+03:00"
    )]);
    let (s, _, _) = app
        .call(
            "POST",
            "/api/v1/appeals",
            Some(&op),
            "application/json",
            batch.to_string().into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    for _ in 0..2 {
        let (s, _, _) = app
            .call(
                "GET",
                "/tiles/hexagons/12/2607/1272.mvt",
                Some(&op),
                "",
                Vec::new(),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, _, _) = app
        .call("GET", "/metrics", Some(&viewer), "", Vec::new())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, h, b) = app.call("GET", "/metrics", Some(&op), "", Vec::new()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        h["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/plain")
    );
    let text = String::from_utf8(b).expect("utf8");
    let value = |name: &str| -> f64 {
        text.lines()
            .filter(|l| l.starts_with(name))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    };
    // Metrics are process-wide and tests run in parallel: at least ours.
    assert!(value("hexwatch_tile_cache_hits_total") >= 1.0, "{text}");
    assert!(value("hexwatch_tile_cache_misses_total") >= 1.0);
    assert!(value("hexwatch_ingested_appeals_total") >= 1.0);
    assert!(value("hexwatch_index_appeals") >= 1.0);
    assert!(
        text.contains("route=\"/tiles/{layer}/{z}/{x}/{y}\""),
        "{text}"
    );
    assert!(text.contains("status=\"403\""));
    assert!(text.contains("hexwatch_http_request_duration_seconds_bucket"));
    // Every answer names its request id.
    let (_, h, _) = app.call("GET", "/health", None, "", Vec::new()).await;
    assert_eq!(h["x-request-id"].len(), 36);
}
