//! Ingest through the real `app()`: idempotency, updates, all-or-nothing,
//! partial batches, every validation rule, CSV quirks, body limits.

mod common;

use axum::http::StatusCode;
use common::{TestApp, appeal, error_of};
use serde_json::{Value, json};

const T: &str = "2025-03-01T09:30:00+03:00";

async fn count(app: &TestApp) -> u64 {
    app.state.engine.store.count().await.expect("count")
}

#[tokio::test]
async fn resending_is_idempotent_and_status_changes_update() {
    let app = TestApp::new().await;
    let batch = json!([
        appeal(1, "roads", 55.79, 49.12, T),
        appeal(2, "housing", 55.8, 49.1, T)
    ]);
    let (s, v) = app.post_json("/api/v1/appeals", &batch).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v,
        json!({"accepted": 2, "updated": 0, "duplicates": 0, "rejected": []})
    );

    let (_, v) = app.post_json("/api/v1/appeals", &batch).await;
    assert_eq!(
        v,
        json!({"accepted": 0, "updated": 0, "duplicates": 2, "rejected": []})
    );

    let mut changed = appeal(1, "roads", 55.79, 49.12, T);
    changed["status"] = json!("resolved");
    changed["resolved_at"] = json!("2025-03-04T12:00:00+03:00");
    let (_, v) = app.post_json("/api/v1/appeals", &json!([changed])).await;
    assert_eq!(v["updated"], 1);
    assert_eq!(count(&app).await, 2);
    assert_eq!(
        app.get("/health").await.1,
        json!({"status": "ok", "appeals": 2})
    );

    // The index carries the new state: one resolved appeal.
    let data = app.state.engine.index.read();
    let mut resolved = 0;
    data.visit(&Default::default(), |c, i, _| {
        if c.status_of(i) == hexwatch::domain::Status::Resolved {
            resolved += 1;
            assert_eq!(c.resolved_at(i), Some(1_741_078_800));
        }
    });
    assert_eq!(resolved, 1);
}

#[tokio::test]
async fn a_batch_repeating_one_appeal_stores_it_once_with_its_last_state() {
    let app = TestApp::new().await;
    let mut second = appeal(7, "roads", 55.79, 49.12, T);
    second["status"] = json!("in_progress");
    let batch = json!([
        appeal(7, "roads", 55.79, 49.12, T),
        second,
        appeal(7, "roads", 55.79, 49.12, T)
    ]);
    let (_, v) = app.post_json("/api/v1/appeals", &batch).await;
    assert_eq!(
        v,
        json!({"accepted": 1, "updated": 2, "duplicates": 0, "rejected": []})
    );
    assert_eq!(count(&app).await, 1);
}

#[tokio::test]
async fn one_bad_record_rejects_the_batch_and_writes_nothing() {
    let app = TestApp::new().await;
    let mut bad = appeal(2, "bogus", 95.0, 49.1, T);
    bad["created_at"] = json!("2025-03-01 09:30");
    let batch = json!([
        appeal(1, "roads", 55.79, 49.12, T),
        bad,
        appeal(3, "roads", 55.0, 49.0, T)
    ]);
    let (s, v) = app.post_json("/api/v1/appeals", &batch).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(error_of(&v)["code"], "invalid_records");
    let rejected = v["rejected"].as_array().expect("rejected list");
    let fields: Vec<&str> = rejected
        .iter()
        .map(|e| e["field"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(fields, ["sector", "lat", "created_at"]);
    assert!(rejected.iter().all(|e| e["index"] == 1));
    assert_eq!(count(&app).await, 0);
    assert_eq!(app.state.engine.index.len(), 0);

    let (s, v) = app.post_json("/api/v1/appeals?partial=true", &batch).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["accepted"], 2);
    assert_eq!(v["rejected"].as_array().map(Vec::len), Some(3));
    assert_eq!(count(&app).await, 2);
}

#[tokio::test]
async fn every_validation_rule_names_its_field() {
    let app = TestApp::new().await;
    let base = appeal(1, "roads", 55.79, 49.12, T);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("source", Value::Null, "required"),
        ("external_id", Value::Null, "required"),
        ("sector", Value::Null, "required"),
        ("sector", json!("space"), "unknown sector"),
        ("lat", Value::Null, "required"),
        ("lat", json!(90.0001), "outside"),
        ("lat", json!("NaN"), "finite"),
        ("lon", json!(-180.5), "outside"),
        ("lon", json!("Infinity"), "finite"),
        ("lon", json!([1]), "number"),
        ("created_at", json!("yesterday"), "RFC 3339"),
        ("created_at", json!("2025-03-01T09:30:00"), "offset"),
        (
            "resolved_at",
            json!("2025-02-01T00:00:00Z"),
            "before created_at",
        ),
        ("status", json!("done"), "unknown status"),
        ("category", json!("x".repeat(257)), "longer than"),
        ("text", json!("я".repeat(10_001)), "longer than"),
    ];
    for (field, value, needle) in cases {
        let mut rec = base.clone();
        rec[field] = value;
        let (s, v) = app.post_json("/api/v1/appeals", &json!([rec])).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {v}");
        let first = &v["rejected"][0];
        assert_eq!(first["field"], field, "{v}");
        assert!(
            first["message"].as_str().unwrap_or("").contains(needle),
            "{field}: {v}"
        );
    }
    assert_eq!(count(&app).await, 0);
}

#[tokio::test]
async fn csv_with_bom_crlf_and_quotes_and_line_numbers() {
    let app = TestApp::new().await;
    let csv = "\u{feff}source,external_id,sector,lat,lon,created_at,address\r\n\
               vk,1,roads,55.79,49.12,2025-03-01T09:30:00+03:00,\"Казань, ул. \"\"Баумана\"\", 1\"\r\n\
               vk,2,roads,55.80,49.13,2025-03-01T09:31:00+03:00,\r\n\
               vk,3,roads,555,49.13,2025-03-01T09:31:00+03:00,\r\n";
    let (s, v) = app
        .json(
            "POST",
            "/api/v1/appeals",
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["rejected"][0]["line"], 4);
    assert_eq!(v["rejected"][0]["field"], "lat");
    let (s, v) = app
        .json(
            "POST",
            "/api/v1/appeals?partial=true",
            "text/csv; charset=utf-8",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["accepted"], 2);
}

#[tokio::test]
async fn geojson_and_ndjson_bodies() {
    let app = TestApp::new().await;
    let fc = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [179.99, 65.0]},
         "properties": {"source": "gosuslugi", "external_id": "a", "sector": "ecology", "created_at": T}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-179.99, 65.0]},
         "properties": {"source": "gosuslugi", "external_id": "b", "sector": "ecology", "created_at": T}}
    ]});
    let (s, v) = app
        .json(
            "POST",
            "/api/v1/appeals",
            "application/geo+json",
            serde_json::to_vec(&fc).expect("json"),
        )
        .await;
    assert_eq!(
        (s, v["accepted"].clone()),
        (StatusCode::OK, json!(2)),
        "{v}"
    );
    let nd = format!(
        "{}\n\n{}\n",
        appeal(10, "roads", 55.0, 49.0, T),
        appeal(11, "roads", 55.0, 49.0, T)
    );
    let (s, v) = app
        .json(
            "POST",
            "/api/v1/appeals",
            "application/x-ndjson",
            nd.into_bytes(),
        )
        .await;
    assert_eq!(
        (s, v["accepted"].clone()),
        (StatusCode::OK, json!(2)),
        "{v}"
    );
}

#[tokio::test]
async fn malformed_bodies_and_wrong_types_are_refused_clearly() {
    let app = TestApp::new().await;
    let (s, v) = app
        .json(
            "POST",
            "/api/v1/appeals",
            "application/json",
            b"[{\"source\":".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&v)["code"], "malformed_body");
    let (s, v) = app
        .json(
            "POST",
            "/api/v1/appeals",
            "application/json",
            b"{\"a\":1}".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = app
        .json(
            "POST",
            "/api/v1/appeals",
            "application/xml",
            b"<a/>".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(error_of(&v)["field"], "Content-Type");
    let (s, v) = app
        .post_json("/api/v1/appeals?partial=maybe", &json!([]))
        .await;
    assert_eq!(
        (s, error_of(&v)["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("partial"))
    );
    assert_eq!(count(&app).await, 0);
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_and_nothing_is_written() {
    let cfg = hexwatch::api::ApiConfig {
        max_body_bytes: 2_000,
        ..Default::default()
    };
    let app = TestApp::with_config(cfg).await;
    let batch: Vec<Value> = (0..50).map(|i| appeal(i, "roads", 55.0, 49.0, T)).collect();
    let (s, v) = app.post_json("/api/v1/appeals", &json!(batch)).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(error_of(&v)["code"], "body_too_large");
    assert_eq!(count(&app).await, 0);
}

#[tokio::test]
async fn writes_survive_a_restart_through_the_snapshot_and_the_database() {
    let app = TestApp::new().await;
    let batch: Vec<Value> = (0..100)
        .map(|i| appeal(i, "roads", 55.0 + i as f64 * 1e-3, 49.0, T))
        .collect();
    app.post_json("/api/v1/appeals", &json!(batch)).await;
    app.state.engine.save_snapshot().await;
    // Written after the snapshot: must come back from the database on restart.
    let more: Vec<Value> = (100..130)
        .map(|i| appeal(i, "housing", 55.0, 49.0 + i as f64 * 1e-3, T))
        .collect();
    app.post_json("/api/v1/appeals", &json!(more)).await;
    let mut changed = appeal(5, "roads", 55.005, 49.0, T);
    changed["status"] = json!("rejected");
    changed["resolved_at"] = json!(T);
    app.post_json("/api/v1/appeals", &json!([changed])).await;
    let url = app.db_url();
    let before = {
        let d = app.state.engine.index.read();
        let mut rows = Vec::new();
        d.visit(&Default::default(), |c, i, _| {
            rows.push((c.id[i], c.cell[i], c.status[i], c.resolve[i]))
        });
        rows.sort_unstable();
        rows
    };
    app.state.engine.store.close().await;
    let reopened = hexwatch::engine::Engine::open(&url).await.expect("reopen");
    let d = reopened.index.read();
    let mut after = Vec::new();
    d.visit(&Default::default(), |c, i, _| {
        after.push((c.id[i], c.cell[i], c.status[i], c.resolve[i]))
    });
    after.sort_unstable();
    assert_eq!(after.len(), 130);
    assert_eq!(after, before);
}

#[tokio::test]
async fn a_batch_mixing_new_stored_and_changed_appeals() {
    let app = TestApp::new().await;
    app.post_json(
        "/api/v1/appeals",
        &json!([
            appeal(1, "roads", 55.79, 49.12, T),
            appeal(2, "roads", 55.8, 49.1, T)
        ]),
    )
    .await;
    let mut two = appeal(2, "roads", 55.8, 49.1, T);
    two["status"] = json!("in_progress");
    let batch = json!([
        appeal(3, "roads", 55.7, 49.0, T),
        two,
        appeal(1, "roads", 55.79, 49.12, T),
        appeal(4, "roads", 55.6, 49.0, T)
    ]);
    let (s, v) = app.post_json("/api/v1/appeals", &batch).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        v,
        json!({"accepted": 2, "updated": 1, "duplicates": 1, "rejected": []})
    );
    assert_eq!(count(&app).await, 4);
    let data = app.state.engine.index.read();
    let mut states = Vec::new();
    data.visit(&Default::default(), |c, i, _| {
        states.push((c.id[i], c.status_of(i)))
    });
    states.sort_unstable_by_key(|s| s.0);
    use hexwatch::domain::Status::{InProgress, New};
    assert_eq!(
        states.iter().map(|s| s.1).collect::<Vec<_>>(),
        [New, InProgress, New, New]
    );
}
