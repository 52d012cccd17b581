//! Aggregation through the real `app()` and one real socket: hexagon counts
//! against a direct tally, filters, periods, caps and parameter errors.

mod common;

use axum::http::StatusCode;
use common::{TestApp, appeal, error_of};
use h3o::{LatLng, Resolution};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// 3 000 fixed points around Kazan with sectors and times spread over 2024–2025.
fn points() -> Vec<(f64, f64, &'static str, String)> {
    let sectors = ["roads", "housing", "ecology"];
    (0..3_000)
        .map(|i| {
            let f = i as f64;
            let lat = 55.70 + ((f * 0.618_034) % 1.0) * 0.2;
            let lon = 49.00 + ((f * 0.414_214) % 1.0) * 0.3;
            let day = (i * 7) % 700;
            let t = chrono::DateTime::from_timestamp(
                1_704_067_200 + day as i64 * 86_400 + (i as i64 % 86_400),
                0,
            )
            .expect("time")
            .to_rfc3339();
            (lat, lon, sectors[i % 3], t)
        })
        .collect()
}

async fn loaded() -> TestApp {
    let app = TestApp::new().await;
    app.post_points(&points(), 0).await;
    app
}

fn tally(
    res: Resolution,
    keep: impl Fn(f64, f64, &str, i64) -> bool,
) -> BTreeMap<String, (u64, BTreeMap<String, u64>)> {
    let mut out: BTreeMap<String, (u64, BTreeMap<String, u64>)> = BTreeMap::new();
    for (lat, lon, s, t) in points() {
        let ts = chrono::DateTime::parse_from_rfc3339(&t)
            .expect("t")
            .timestamp();
        if !keep(lat, lon, s, ts) {
            continue;
        }
        let c = LatLng::new(lat, lon)
            .expect("ll")
            .to_cell(Resolution::Fifteen)
            .parent(res)
            .expect("parent");
        let e = out.entry(c.to_string()).or_default();
        e.0 += 1;
        *e.1.entry(s.to_owned()).or_default() += 1;
    }
    out
}

fn from_features(v: &Value) -> BTreeMap<String, (u64, BTreeMap<String, u64>)> {
    v["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            let p = &f["properties"];
            let by: BTreeMap<String, u64> = p["by_sector"]
                .as_object()
                .expect("by_sector")
                .iter()
                .map(|(k, n)| (k.clone(), n.as_u64().expect("n")))
                .collect();
            (
                p["h3"].as_str().expect("h3").to_owned(),
                (p["count"].as_u64().expect("count"), by),
            )
        })
        .collect()
}

#[tokio::test]
async fn hexagon_counts_equal_a_direct_tally() {
    let app = loaded().await;
    for r in [5u8, 7, 9] {
        let (s, v) = app.get(&format!("/api/v1/hexagons?res={r}")).await;
        assert_eq!(s, StatusCode::OK);
        let res = Resolution::try_from(r).expect("res");
        assert_eq!(from_features(&v), tally(res, |_, _, _, _| true), "res {r}");
    }
    // Filters: a box, two sectors, and a time range given as a date and a time.
    let uri = "/api/v1/hexagons?res=8&bbox=49.05,55.72,49.2,55.85&sector=roads,ecology&from=2024-06-01&to=2025-01-01T00:00:00%2B03:00";
    let (s, v) = app.get(uri).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let from = 1_717_189_200; // 2024-06-01T00:00+03:00
    let to = 1_735_678_800; // 2025-01-01T00:00+03:00
    let want = tally(Resolution::Eight, |lat, lon, s, t| {
        (49.05..=49.2).contains(&lon)
            && (55.72..=55.85).contains(&lat)
            && s != "housing"
            && t >= from
            && t < to
    });
    assert!(!want.is_empty());
    assert_eq!(from_features(&v), want);
}

#[tokio::test]
async fn dominant_sector_and_geometry() {
    let app = loaded().await;
    let (_, v) = app.get("/api/v1/hexagons?res=6").await;
    for f in v["features"].as_array().expect("features") {
        let p = &f["properties"];
        let by = p["by_sector"].as_object().expect("by");
        let max = by.values().filter_map(Value::as_u64).max().expect("max");
        assert_eq!(
            by[p["sector"].as_str().expect("sector")].as_u64(),
            Some(max)
        );
        assert_eq!(f["geometry"]["type"], "Polygon");
        let ring = f["geometry"]["coordinates"][0].as_array().expect("ring");
        assert_eq!(ring.len(), 7, "a closed hexagon");
        assert_eq!(ring[0], ring[6]);
    }
}

#[tokio::test]
async fn aggregate_rows_by_month_match_and_csv_agrees() {
    let app = loaded().await;
    let (s, v) = app
        .get("/api/v1/aggregate?res=6&period=month&sector=roads")
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let rows = v.as_array().expect("rows");
    let total: u64 = rows
        .iter()
        .map(|r| r["count"].as_u64().expect("count"))
        .sum();
    assert_eq!(total, 1_000);
    assert!(rows.iter().all(|r| r["sector"] == "roads"));
    assert!(rows.iter().all(|r| {
        r["period_start"]
            .as_str()
            .is_some_and(|p| p.ends_with("-01T00:00:00+03:00"))
    }));
    let (s, csv) = app
        .raw(
            "GET",
            "/api/v1/aggregate?res=6&period=month&sector=roads&format=csv",
            "",
            Vec::new(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(csv).expect("utf8");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("h3,sector,period_start,count"));
    assert_eq!(lines.count(), rows.len());
}

#[tokio::test]
async fn late_evening_utc_counts_for_the_next_moscow_day() {
    let app = TestApp::new().await;
    let batch = json!([
        appeal(1, "roads", 55.79, 49.12, "2025-03-01T23:30:00Z"),
        appeal(2, "roads", 55.79, 49.12, "2025-03-01T20:59:59Z"),
    ]);
    app.post_json("/api/v1/appeals", &batch).await;
    let (_, v) = app
        .get("/api/v1/aggregate?res=5&period=day&from=2025-03-01&to=2025-03-03")
        .await;
    let days: Vec<(&str, u64)> = v
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["period_start"].as_str().expect("p"),
                r["count"].as_u64().expect("n"),
            )
        })
        .collect();
    assert_eq!(
        days,
        [
            ("2025-03-01T00:00:00+03:00", 1),
            ("2025-03-02T00:00:00+03:00", 1)
        ]
    );
}

#[tokio::test]
async fn bad_parameters_name_the_parameter() {
    let app = loaded().await;
    let cases = [
        ("/api/v1/hexagons?res=16", "res"),
        ("/api/v1/hexagons?res=abc", "res"),
        ("/api/v1/hexagons?bbox=1,2,3", "bbox"),
        ("/api/v1/hexagons?bbox=1,2,3,95", "bbox"),
        ("/api/v1/hexagons?bbox=1,50,3,40", "bbox"),
        ("/api/v1/hexagons?bbox=a,b,c,d", "bbox"),
        ("/api/v1/hexagons?sector=bogus", "sector"),
        ("/api/v1/hexagons?from=2025-13-01", "from"),
        ("/api/v1/hexagons?from=2025-02-01&to=2025-01-01", "to"),
        ("/api/v1/aggregate?period=decade", "period"),
        ("/api/v1/aggregate?format=xml", "format"),
        (
            "/api/v1/aggregate?period=day&from=1990-01-01&to=2025-01-01",
            "period",
        ),
    ];
    for (uri, field) in cases {
        let (s, v) = app.get(uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(error_of(&v)["field"], field, "{uri}: {v}");
    }
}

#[tokio::test]
async fn the_cell_cap_refuses_oversized_answers() {
    let cfg = hexwatch::api::ApiConfig {
        max_cells: 50,
        ..Default::default()
    };
    let app = TestApp::with_config(cfg).await;
    app.post_points(&points(), 0).await;
    let (s, v) = app.get("/api/v1/hexagons?res=9").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&v)["code"], "too_many_cells");
    assert!(
        error_of(&v)["message"]
            .as_str()
            .is_some_and(|m| m.contains("50"))
    );
    let (s, _) = app.get("/api/v1/hexagons?res=5").await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn serves_over_a_real_socket() {
    let app = loaded().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(hexwatch::api::run(listener, app.state.clone(), async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let health: Value = client
        .get(format!("http://{addr}/health"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(health, json!({"status": "ok", "appeals": 3000}));
    let resp = client
        .post(format!("http://{addr}/api/v1/appeals"))
        .json(&json!([appeal(
            99_999,
            "roads",
            55.8,
            49.1,
            "2025-01-01T00:00:00Z"
        )]))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 200);
    let sectors: Value = client
        .get(format!("http://{addr}/api/v1/sectors"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(sectors.as_array().map(Vec::len), Some(11));
    assert_eq!(sectors[1]["code"], "roads");
    assert_eq!(sectors[1]["name_ru"], "Дорожное хозяйство");
    let _ = stop.send(());
    server.await.expect("join").expect("serve");
}

#[tokio::test]
async fn malformed_query_strings_get_the_json_error_shape() {
    let app = TestApp::new().await;
    for uri in [
        "/api/v1/hexagons?res=5&res=6",
        "/api/v1/aggregate?period=day&period=month",
        "/api/v1/appeals?partial=true&partial=false",
    ] {
        let method = if uri.contains("appeals") {
            "POST"
        } else {
            "GET"
        };
        let (s, v) = app
            .json(method, uri, "application/json", b"[]".to_vec())
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(error_of(&v)["field"], "query", "{uri}: {v}");
    }
}
