//! Districts over HTTP: upload, list, read, summary with hand-computed
//! numbers, the `district=` filter on hexagons, aggregate and tiles, refusal
//! of invalid GeoJSON, and districts surviving a restart.

mod common;
mod tiles_common;

use axum::http::StatusCode;
use common::{TestApp, error_of};
use serde_json::{Value, json};

fn square(w: f64, s: f64, e: f64, n: f64) -> Value {
    json!([[w, s], [e, s], [e, n], [w, n], [w, s]])
}

/// A = 49.0–49.1 E × 55.7–55.8 N, B its eastern neighbour (sharing the
/// 49.1 meridian), D two parts: a square with a hole, and a small square.
fn three_districts() -> Value {
    json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "A", "code": "a-1"},
         "geometry": {"type": "Polygon", "coordinates": [square(49.0, 55.7, 49.1, 55.8)]}},
        {"type": "Feature", "properties": {"name": "B"},
         "geometry": {"type": "Polygon", "coordinates": [square(49.1, 55.7, 49.2, 55.8)]}},
        {"type": "Feature", "properties": {"name": "D"},
         "geometry": {"type": "MultiPolygon", "coordinates": [
            [square(49.4, 55.7, 49.6, 55.9), square(49.45, 55.75, 49.55, 55.85)],
            [square(49.7, 55.7, 49.8, 55.8)]]}},
    ]})
}

async fn post_districts(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    app.json(
        "POST",
        "/api/v1/districts",
        "application/geo+json",
        serde_json::to_vec(body).expect("json"),
    )
    .await
}

/// An appeal, resolved after `hours` when given.
fn appeal(id: usize, sector: &str, lat: f64, lon: f64, created: &str, hours: Option<i64>) -> Value {
    let mut a = common::appeal(id, sector, lat, lon, created);
    if let Some(h) = hours {
        let t = chrono::DateTime::parse_from_rfc3339(created).expect("time")
            + chrono::Duration::hours(h);
        a["status"] = json!("resolved");
        a["resolved_at"] = json!(t.to_rfc3339());
    }
    a
}

/// The hand-placed appeals; the comments say whose they are.
fn appeals() -> Vec<Value> {
    vec![
        // A, October 2025 (Moscow time): three resolved after 2, 4 and 10 hours.
        appeal(
            1,
            "roads",
            55.75,
            49.05,
            "2025-10-05T10:00:00+03:00",
            Some(2),
        ),
        appeal(
            2,
            "roads",
            55.72,
            49.02,
            "2025-10-10T10:00:00+03:00",
            Some(4),
        ),
        appeal(
            3,
            "housing",
            55.78,
            49.08,
            "2025-10-20T10:00:00+03:00",
            Some(10),
        ),
        appeal(
            4,
            "housing",
            55.76,
            49.03,
            "2025-10-25T10:00:00+03:00",
            None,
        ),
        // On the A|B border: A (lower id).
        appeal(5, "roads", 55.75, 49.1, "2025-10-15T10:00:00+03:00", None),
        // A, the previous 31 days (from 2025-08-31), and once before them.
        appeal(6, "roads", 55.74, 49.06, "2025-09-15T10:00:00+03:00", None),
        appeal(7, "roads", 55.73, 49.04, "2025-09-01T10:00:00+03:00", None),
        appeal(8, "roads", 55.74, 49.06, "2025-08-01T10:00:00+03:00", None),
        // B: one now, one in the previous period.
        appeal(
            9,
            "housing",
            55.75,
            49.15,
            "2025-10-07T10:00:00+03:00",
            None,
        ),
        appeal(
            10,
            "housing",
            55.71,
            49.19,
            "2025-09-20T10:00:00+03:00",
            None,
        ),
        // D: in its hole (nobody's), on the hole's edge (D's), in its second part.
        appeal(11, "roads", 55.8, 49.5, "2025-10-08T10:00:00+03:00", None),
        appeal(12, "roads", 55.75, 49.5, "2025-10-08T10:00:00+03:00", None),
        appeal(13, "roads", 55.75, 49.75, "2025-10-09T10:00:00+03:00", None),
        appeal(
            14,
            "ecology",
            55.72,
            49.72,
            "2025-10-11T10:00:00+03:00",
            None,
        ),
        // Outside every district.
        appeal(15, "roads", 55.75, 49.3, "2025-10-12T10:00:00+03:00", None),
    ]
}

async fn setup() -> TestApp {
    let app = TestApp::new().await;
    let (s, v) = post_districts(&app, &three_districts()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        v,
        json!({"created": [{"id": 1, "name": "A"}, {"id": 2, "name": "B"}, {"id": 3, "name": "D"}]})
    );
    let (s, v) = app.post_json("/api/v1/appeals", &json!(appeals())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["accepted"], 15);
    app
}

fn hexagon_total(v: &Value) -> u64 {
    v["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["count"].as_u64().expect("count"))
        .sum()
}

#[tokio::test]
async fn districts_are_listed_and_read_as_geojson() {
    let app = setup().await;
    let (s, v) = app.get("/api/v1/districts").await;
    assert_eq!(s, StatusCode::OK);
    let list = v["districts"].as_array().expect("list");
    assert_eq!(list.len(), 3);
    assert_eq!(list[0]["name"], "A");
    assert_eq!(list[0]["code"], "a-1");
    assert_eq!(list[0]["bbox"], json!([49.0, 55.7, 49.1, 55.8]));
    // 0.1° of longitude at 55.75° N is ~6.27 km, 0.1° of latitude ~11.13 km.
    let a = list[0]["area_km2"].as_f64().expect("area");
    assert!((a - 69.8).abs() < 0.7, "{a}");
    let (s, v) = app.get("/api/v1/districts?format=geojson").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["type"], "FeatureCollection");
    assert_eq!(v["features"][2]["properties"]["name"], "D");
    assert_eq!(v["features"][2]["geometry"]["type"], "MultiPolygon");
    let (s, v) = app.get("/api/v1/districts/1").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["type"], "Feature");
    assert_eq!(v["id"], 1);
    assert_eq!(v["geometry"]["type"], "Polygon");
    let (s, v) = app.get("/api/v1/districts/99").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&v)["field"], "id");
}

#[tokio::test]
async fn summary_counts_by_hand() {
    let app = setup().await;
    let (s, v) = app
        .get("/api/v1/districts/1/summary?from=2025-10-01&to=2025-11-01")
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["from"], "2025-10-01T00:00:00+03:00");
    assert_eq!(v["to"], "2025-11-01T00:00:00+03:00");
    // The previous period has the same 31 days: from 2025-08-31.
    assert_eq!(v["previous_from"], "2025-08-31T00:00:00+03:00");
    // Appeals 1–5 now (5 on the A|B border), 6 and 7 before; 8 is older still.
    assert_eq!(v["count"], 5);
    assert_eq!(v["previous_count"], 2);
    assert_eq!(v["change"], 1.5);
    assert_eq!(
        v["by_sector"],
        json!([
            {"sector": "housing", "count": 2, "previous": 0, "change": null},
            {"sector": "roads", "count": 3, "previous": 2, "change": 0.5},
        ])
    );
    // Sorted hours 2, 4, 10: the median is 4; p90 at h = 2·0.9 = 1.8 is
    // 4 + 0.8·(10 − 4) = 8.8 (Hyndman & Fan type 7).
    assert_eq!(
        v["resolve_hours"],
        json!({"resolved": 3, "median": 4.0, "p90": 8.8})
    );
    assert_eq!(v["hotspots"], json!([]));
    assert_eq!(v["fixes"], json!([]));

    let (_, b) = app
        .get("/api/v1/districts/2/summary?from=2025-10-01&to=2025-11-01")
        .await;
    assert_eq!(
        (b["count"].as_u64(), b["previous_count"].as_u64()),
        (Some(1), Some(1))
    );
    let (_, d) = app
        .get("/api/v1/districts/3/summary?from=2025-10-01&to=2025-11-01")
        .await;
    // The hole's edge and the second part; not the hole itself.
    assert_eq!(d["count"], 3);

    // Default: the last 90 days of data, up to the midnight after the newest
    // appeal (2025-10-25): 2025-07-28 to 2025-10-26, all eight of A's.
    let (_, v) = app.get("/api/v1/districts/1/summary").await;
    assert_eq!(v["from"], "2025-07-28T00:00:00+03:00");
    assert_eq!(v["to"], "2025-10-26T00:00:00+03:00");
    assert_eq!(v["count"], 8);
    assert_eq!(v["previous_count"], 0);

    let (s, v) = app
        .get("/api/v1/districts/1/summary?from=2025-11-01&to=2025-10-01")
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&v)["field"], "to");
}

#[tokio::test]
async fn district_filter_on_hexagons_aggregate_and_tiles() {
    let app = setup().await;
    for (id, want) in [(1, 8), (2, 2), (3, 3)] {
        let (s, v) = app
            .get(&format!("/api/v1/hexagons?res=9&district={id}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(hexagon_total(&v), want, "district {id}");
        let (s, v) = app
            .get(&format!(
                "/api/v1/aggregate?res=7&period=month&district={id}"
            ))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let sum: u64 = v
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["count"].as_u64().expect("count"))
            .sum();
        assert_eq!(sum, want, "district {id}");
    }
    // With a box too, both apply: A's appeals at or west of 49.05 E are 1, 2, 4 and 7.
    let (_, v) = app
        .get("/api/v1/hexagons?res=9&district=1&bbox=49.0,55.7,49.05,55.8")
        .await;
    assert_eq!(hexagon_total(&v), 4);
    // Sector and time filters combine with it: roads in October = 1, 2, 5.
    let (_, v) = app
        .get("/api/v1/hexagons?res=9&district=1&sector=roads&from=2025-10-01&to=2025-11-01")
        .await;
    assert_eq!(hexagon_total(&v), 3);

    let (s, v) = app.get("/api/v1/hexagons?district=42").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&v)["field"], "district");
    let (s, v) = app.get("/api/v1/aggregate?district=A").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&v)["field"], "district");

    // One z 3 tile holds every test appeal: its cells add up to the district's appeals.
    let tile = "/tiles/hexagons/3/5/2.mvt";
    let all = tiles_common::get(app.router(), tile, &[]).await;
    assert_eq!(all.status, StatusCode::OK);
    let total: u64 = tiles_common::decode(&all.body)
        .features
        .iter()
        .map(|f| f.num("count"))
        .sum();
    assert_eq!(total, 15);
    let one = tiles_common::get(app.router(), &format!("{tile}?district=1"), &[]).await;
    assert_eq!(one.status, StatusCode::OK);
    let total: u64 = tiles_common::decode(&one.body)
        .features
        .iter()
        .map(|f| f.num("count"))
        .sum();
    assert_eq!(total, 8);
    assert_ne!(
        all.header("etag"),
        one.header("etag"),
        "the district is in the ETag"
    );
    let bad = tiles_common::get(app.router(), &format!("{tile}?district=9"), &[]).await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);

    // Adding a district is a write: the data version, and so the ETag, moves.
    let before = all.header("etag").map(str::to_owned);
    let extra = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "E"},
         "geometry": {"type": "Polygon", "coordinates": [square(48.0, 55.0, 48.1, 55.1)]}}]});
    let (s, v) = post_districts(&app, &extra).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["created"][0]["id"], 4);
    let after = tiles_common::get(app.router(), tile, &[]).await;
    assert_ne!(before.as_deref(), after.header("etag"));
}

#[tokio::test]
async fn invalid_geojson_is_refused_and_nothing_is_written() {
    let app = setup().await;
    let body = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "fine"},
         "geometry": {"type": "Polygon", "coordinates": [square(48.0, 55.0, 48.1, 55.1)]}},
        {"type": "Feature", "properties": {"name": "open ring"},
         "geometry": {"type": "Polygon", "coordinates": [[[48.0, 55.0], [48.1, 55.0], [48.1, 55.1], [48.0, 55.1]]]}},
        {"type": "Feature", "properties": {},
         "geometry": {"type": "Polygon", "coordinates": [square(48.0, 55.0, 48.1, 55.1)]}},
    ]});
    let (s, v) = post_districts(&app, &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let e = error_of(&v);
    assert_eq!(e["field"], "geometry.coordinates[0]");
    let msg = e["message"].as_str().expect("message");
    assert!(
        msg.contains("feature 1") && msg.contains("not closed"),
        "{msg}"
    );
    assert!(msg.contains("nothing was written"), "{msg}");
    assert_eq!(v["rejected"][0]["index"], 1);
    assert_eq!(v["rejected"][1]["index"], 2);
    assert_eq!(v["rejected"][1]["field"], "properties.name");
    let (_, list) = app.get("/api/v1/districts").await;
    assert_eq!(list["districts"].as_array().map(Vec::len), Some(3));

    let (s, v) = app
        .json(
            "POST",
            "/api/v1/districts",
            "application/geo+json",
            b"{\"type\":\"Point\"}".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&v)["field"], "type");
    let (s, _) = app
        .json("POST", "/api/v1/districts", "text/csv", b"a,b".to_vec())
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn districts_survive_a_restart() {
    let app = setup().await;
    let (_, before) = app
        .get("/api/v1/districts/3/summary?from=2025-10-01&to=2025-11-01")
        .await;
    app.state.engine.store.close().await;
    let again = app.reopened().await;
    let (_, list) = again.get("/api/v1/districts").await;
    assert_eq!(list["districts"].as_array().map(Vec::len), Some(3));
    let (_, after) = again
        .get("/api/v1/districts/3/summary?from=2025-10-01&to=2025-11-01")
        .await;
    assert_eq!(before, after);
    assert_eq!(after["count"], 3);
    let (_, v) = again.get("/api/v1/hexagons?res=9&district=1").await;
    assert_eq!(hexagon_total(&v), 8);
}
