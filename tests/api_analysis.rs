//! Cell details and the change between two periods through the real `app()`:
//! hand-computed counts, series, resolution times, repeats and differences.

mod common;

use axum::http::StatusCode;
use common::{TestApp, error_of};
use h3o::{LatLng, Resolution};
use serde_json::{Value, json};

const HERE: (f64, f64) = (55.7903, 49.1347);
const THERE: (f64, f64) = (55.8304, 49.0661);

fn record(id: u32, at: (f64, f64), sector: &str, created: &str, resolved: Option<&str>) -> Value {
    let mut r = json!({
        "source": "vk",
        "external_id": id.to_string(),
        "sector": sector,
        "lat": at.0,
        "lon": at.1,
        "created_at": created,
    });
    if let Some(t) = resolved {
        r["status"] = json!("resolved");
        r["resolved_at"] = json!(t);
    }
    r
}

fn cell9(at: (f64, f64)) -> String {
    LatLng::new(at.0, at.1)
        .unwrap()
        .to_cell(Resolution::Fifteen)
        .parent(Resolution::Nine)
        .unwrap()
        .to_string()
}

async fn loaded() -> TestApp {
    let app = TestApp::new().await;
    let batch = json!([
        record(
            1,
            HERE,
            "roads",
            "2025-01-01T10:00:00+03:00",
            Some("2025-01-02T10:00:00+03:00")
        ),
        record(
            2,
            HERE,
            "housing",
            "2025-01-06T10:00:00+03:00",
            Some("2025-01-08T10:00:00+03:00")
        ),
        record(3, HERE, "roads", "2025-01-11T10:00:00+03:00", None),
        record(4, HERE, "roads", "2025-02-20T10:00:00+03:00", None),
        record(5, THERE, "roads", "2025-01-12T10:00:00+03:00", None),
        record(6, THERE, "roads", "2025-02-12T10:00:00+03:00", None),
        record(7, THERE, "roads", "2025-02-13T10:00:00+03:00", None),
    ]);
    let (s, v) = app.post_json("/api/v1/appeals", &batch).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    app
}

#[tokio::test]
async fn a_cell_has_its_counts_series_resolution_and_repeats() {
    let app = loaded().await;
    let h3 = cell9(HERE);
    let (s, v) = app
        .get(&format!("/api/v1/cells/{h3}?from=2025-01-01&to=2025-04-01"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["h3"], h3);
    assert_eq!(v["res"], 9);
    assert_eq!(v["count"], 4);
    assert_eq!(v["by_sector"], json!({"roads": 3, "housing": 1}));
    // Months Jan (3 appeals), Feb (1), Mar (0), starting at Moscow midnight.
    let series = v["series"].as_array().unwrap();
    let counts: Vec<u64> = series
        .iter()
        .map(|p| p["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [3, 1, 0]);
    assert_eq!(series[0]["period_start"], "2025-01-01T00:00:00+03:00");
    assert_eq!(series[0]["by_sector"], json!({"roads": 2, "housing": 1}));
    // Resolved after 24 h and 48 h: median 36, p90 = 24 + 0.9·24 = 45.6.
    assert_eq!(v["resolve_hours"]["resolved"], 2);
    assert_eq!(v["resolve_hours"]["median"], 36.0);
    assert!((v["resolve_hours"]["p90"].as_f64().unwrap() - 45.6).abs() < 1e-9);
    // Roads on Jan 1, Jan 11 (10 days later: a repeat), Feb 20 (40 days: not).
    assert_eq!(
        v["repeat"],
        json!({"days": 30, "repeats": 1, "share": 0.25})
    );
    // With a 45-day window Feb 20 repeats Jan 11 as well.
    let (_, v) = app
        .get(&format!(
            "/api/v1/cells/{h3}?from=2025-01-01&to=2025-04-01&repeat_days=45&sector=roads"
        ))
        .await;
    assert_eq!(v["count"], 3);
    assert_eq!(v["repeat"]["repeats"], 2);
}

#[tokio::test]
async fn bad_cell_requests_name_the_parameter() {
    let app = loaded().await;
    let h3 = cell9(HERE);
    for (uri, field) in [
        ("/api/v1/cells/zzz".to_owned(), "h3"),
        ("/api/v1/cells/8ffffffffffffff".to_owned(), "h3"),
        (format!("/api/v1/cells/{h3}?repeat_days=0"), "repeat_days"),
        (format!("/api/v1/cells/{h3}?repeat_days=x"), "repeat_days"),
        (format!("/api/v1/cells/{h3}?bbox=1,2,3,4"), "bbox"),
        (format!("/api/v1/cells/{h3}?sector=nope"), "sector"),
        (format!("/api/v1/cells/{h3}?period=decade"), "period"),
        (
            format!("/api/v1/cells/{h3}?from=2025-02-01&to=2025-01-01"),
            "to",
        ),
    ] {
        let (s, v) = app.get(&uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(error_of(&v)["field"], field, "{uri}");
    }
}

#[tokio::test]
async fn change_compares_two_periods_per_cell() {
    let app = loaded().await;
    let uri =
        "/api/v1/change?res=9&from_a=2025-01-01&to_a=2025-02-01&from_b=2025-02-01&to_b=2025-03-01";
    let (s, v) = app.get(uri).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut cells: Vec<(String, u64, u64, i64, Option<f64>)> = v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["h3"].as_str().unwrap().to_owned(),
                c["a"].as_u64().unwrap(),
                c["b"].as_u64().unwrap(),
                c["diff"].as_i64().unwrap(),
                c["ratio"].as_f64(),
            )
        })
        .collect();
    cells.sort_by(|x, y| x.0.cmp(&y.0));
    // HERE: 3 in January, 1 in February; THERE: 1 then 2.
    let mut want = vec![
        (cell9(HERE), 3, 1, -2, Some(0.3333)),
        (cell9(THERE), 1, 2, 1, Some(2.0)),
    ];
    want.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(cells, want);

    let (_, g) = app
        .get(&format!("{uri}&format=geojson&sector=housing"))
        .await;
    assert_eq!(g["type"], "FeatureCollection");
    let f = &g["features"][0];
    assert_eq!(g["features"].as_array().unwrap().len(), 1);
    assert_eq!(f["properties"]["h3"], cell9(HERE));
    assert_eq!(
        (f["properties"]["a"].clone(), f["properties"]["b"].clone()),
        (json!(1), json!(0))
    );
    assert_eq!(f["properties"]["ratio"].as_f64(), Some(0.0));
    assert_eq!(f["geometry"]["type"], "Polygon");

    for (q, field) in [
        (
            "res=9&to_a=2025-02-01&from_b=2025-02-01&to_b=2025-03-01",
            "from_a",
        ),
        (
            "from_a=2025-01-01&to_a=2025-02-01&from_b=2025-03-01&to_b=2025-02-01",
            "to_b",
        ),
        (
            "from_a=2025-01-01&to_a=x&from_b=2025-02-01&to_b=2025-03-01",
            "to_a",
        ),
        (
            "from=2025-01-01&from_a=2025-01-01&to_a=2025-02-01&from_b=2025-02-01&to_b=2025-03-01",
            "from",
        ),
        (
            "format=csv&from_a=2025-01-01&to_a=2025-02-01&from_b=2025-02-01&to_b=2025-03-01",
            "format",
        ),
    ] {
        let (s, v) = app.get(&format!("/api/v1/change?{q}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}: {v}");
        assert_eq!(error_of(&v)["field"], field, "{q}");
    }
}

#[tokio::test]
async fn district_summary_and_cells_show_hotspots_and_fixes() {
    let app = TestApp::new().await;
    let (lat, lon) = HERE;
    let square = |d: f64| {
        json!([[
            [lon - d, lat - d],
            [lon + d, lat - d],
            [lon + d, lat + d],
            [lon - d, lat + d],
            [lon - d, lat - d]
        ]])
    };
    let (s, v) = app
        .post_json(
            "/api/v1/districts",
            &json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"name": "Centre"},
                 "geometry": {"type": "Polygon", "coordinates": square(0.02)}}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["created"][0]["id"].as_i64().unwrap();
    // 30 appeals in one spot over a year, one at each of 49 grid points around it.
    let mut batch = Vec::new();
    for i in 0..30u32 {
        let t = format!("2025-{:02}-{:02}T10:00:00+03:00", 1 + i % 12, 1 + i % 27);
        batch.push(record(100 + i, HERE, "roads", &t, None));
    }
    for gx in 0..7 {
        for gy in 0..7 {
            let at = (
                lat - 0.015 + 0.005 * f64::from(gy),
                lon - 0.015 + 0.005 * f64::from(gx),
            );
            batch.push(record(
                200 + gx * 7 + gy,
                at,
                "roads",
                "2025-06-15T10:00:00+03:00",
                None,
            ));
        }
    }
    let (s, v) = app.post_json("/api/v1/appeals", &json!(batch)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, fix) = app
        .post_json(
            "/api/v1/fixes",
            &json!({"title": "Road relaid", "sector": "roads", "done_at": "2025-07-01",
                    "lat": lat, "lon": lon, "radius_m": 100}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{fix}");

    let (s, sum) = app
        .get(&format!(
            "/api/v1/districts/{id}/summary?from=2025-01-01&to=2026-01-01"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{sum}");
    assert_eq!(sum["count"], 79);
    let top = &sum["hotspots"][0];
    assert_eq!(top["h3"], cell9(HERE), "{sum}");
    // 30 in the spot plus the grid point at its centre.
    assert_eq!(top["count"], 31);
    assert!(top["z"].as_f64().unwrap() > 3.0 && top["p_fdr"].as_f64().unwrap() < 0.05);
    assert_eq!(sum["fixes"].as_array().map(Vec::len), Some(1));
    assert_eq!(sum["fixes"][0]["title"], "Road relaid");
    assert!(sum["fixes"][0]["verdict"].is_string());

    // The district trend: roads in the whole district, 90 days either side of
    // July 1 (from Apr 2): spot appeals on Apr 4, May 5, Jun 6, Apr 16,
    // May 17, Jun 18, May 2, Jun 3 (not Apr 1) plus the 49 grid appeals of
    // Jun 15 before; Jul 7, Aug 8, Sep 9, Jul 19, Aug 20, Sep 21 after.
    let (s, eff) = app
        .get(&format!("/api/v1/fixes/{}/effect", fix["id"]))
        .await;
    assert_eq!(s, StatusCode::OK, "{eff}");
    let d = &eff["district"];
    assert_eq!(
        (d["id"].as_i64(), d["name"].as_str()),
        (Some(id), Some("Centre")),
        "{eff}"
    );
    assert_eq!(
        (d["before"].as_u64(), d["after"].as_u64()),
        (Some(57), Some(6))
    );

    let (_, inside) = app
        .get(&format!("/api/v1/cells/{}?district={id}", cell9(HERE)))
        .await;
    assert_eq!(inside["count"], 31, "{inside}");
    let (s, v) = app
        .get(&format!("/api/v1/cells/{}?district=999", cell9(HERE)))
        .await;
    assert_eq!(
        (s, error_of(&v)["field"].as_str()),
        (StatusCode::NOT_FOUND, Some("district"))
    );
    let c = top["center"].as_array().expect("center");
    assert!(
        (c[0].as_f64().unwrap() - lon).abs() < 0.003
            && (c[1].as_f64().unwrap() - lat).abs() < 0.003
    );

    let (_, cellv) = app.get(&format!("/api/v1/cells/{}", cell9(HERE))).await;
    assert_eq!(cellv["fixes"][0]["id"], fix["id"], "{cellv}");
    let far = cell9((lat + 0.015, lon + 0.015));
    let (_, farv) = app.get(&format!("/api/v1/cells/{far}")).await;
    assert_eq!(farv["fixes"], json!([]));
}
