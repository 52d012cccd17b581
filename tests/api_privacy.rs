//! Privacy sweep: every route a viewer (or an anonymous caller with
//! `--public-read`) can reach, with many parameter variants and tiles at
//! every zoom over a planted rare cell, must never show that cell (fewer
//! than k appeals), its coordinates, or any appeal's text or address. An
//! analyst does see the rare cell: the sweep's own proof that it can fail.

mod common;

use axum::http::StatusCode;
use common::{TestApp, auth_config};
use hexwatch::api::routes::{Need, ROUTES};
use hexwatch::auth::Role;
use serde_json::{Value, json};

const TEXT_MARKER: &str = "SECRET-TEXT-7731";
const ADDRESS_MARKER: &str = "ADDR-MARKER-4412";
const RARE: (f64, f64) = (55.8765432, 49.3456789);

fn record(id: usize, lat: f64, lon: f64, day: u32) -> Value {
    json!({
        "source": "vk", "external_id": id.to_string(), "sector": "roads",
        "lat": lat, "lon": lon,
        "created_at": format!("2026-0{}-{:02}T10:00:00+03:00", 1 + day % 4, 1 + day % 27),
        "status": "resolved",
        "resolved_at": "2026-06-01T10:00:00+03:00",
        "text": format!("{TEXT_MARKER} complaint {id}"),
        "address": format!("{ADDRESS_MARKER} street {id}"),
    })
}

/// A busy cluster (every cell well above k) and, 15 km away, one cell with
/// two appeals.
async fn setup() -> (TestApp, String, String) {
    let app = TestApp::with_config(auth_config(true)).await;
    let admin = app.token(Role::Admin, &[]).await;
    let mut batch = Vec::new();
    for spot in 0..30 {
        let (lat, lon) = (
            55.78 + f64::from(spot % 6) * 0.004,
            49.10 + f64::from(spot / 6) * 0.006,
        );
        for j in 0..8 {
            batch.push(record(batch.len(), lat, lon, spot * 8 + j));
        }
    }
    batch.push(record(batch.len(), RARE.0, RARE.1, 3));
    batch.push(record(batch.len(), RARE.0, RARE.1, 40));
    app.ingest_as(&admin, &json!(batch)).await;
    let districts = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "All"},
         "geometry": {"type": "Polygon", "coordinates": [[[48.9, 55.6], [49.6, 55.6], [49.6, 56.0], [48.9, 56.0], [48.9, 55.6]]]}}]});
    let (s, _) = app
        .send_as(
            "POST",
            "/api/v1/districts",
            &admin,
            "application/geo+json",
            &districts,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let fix = json!({"title": "patch", "sector": "roads", "done_at": "2026-03-01", "lat": 55.79, "lon": 49.11, "radius_m": 200});
    let (s, _) = app
        .send_as("POST", "/api/v1/fixes", &admin, "application/json", &fix)
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let viewer = app.token(Role::Viewer, &[]).await;
    let analyst = app.token(Role::Analyst, &[]).await;
    (app, viewer, analyst)
}

/// The rare cell's ids at the resolutions where it holds only the rare appeals.
fn rare_cells() -> Vec<String> {
    let ll = h3o::LatLng::new(RARE.0, RARE.1).expect("latlng");
    (6..=15)
        .map(|r| {
            ll.to_cell(h3o::Resolution::try_from(r).expect("res"))
                .to_string()
        })
        .collect()
}

const CHANGE: &str = "from_a=2026-01-01&to_a=2026-03-01&from_b=2026-03-01&to_b=2026-05-01";

/// Every viewer-reachable request the sweep makes.
fn requests() -> Vec<String> {
    let variants: Vec<String> = [
        "",
        "res=6",
        "res=7",
        "res=8",
        "res=9",
        "res=10",
        "res=11",
        "res=12",
        "res=13",
        "format=csv",
        "format=geojson",
        "period=day",
        "res=10&period=day&format=csv",
        "res=10&format=geojson&limit=1000",
        "res=10&k=1&alpha=0.5&limit=1000",
        "district=1",
        "district=1&res=11",
        "bbox=49.3,55.8,49.4,55.9&res=10",
        "sector=roads&res=12",
        "metric=median_hours",
        "res=11&metric=overdue_share",
        "res=12&metric=repeat_rate",
        "group_by=district",
        "group_by=source&period=day",
        "by=responsible",
    ]
    .iter()
    .map(|v| v.to_string())
    .chain([CHANGE.to_owned(), format!("{CHANGE}&res=11&format=geojson")])
    .collect();
    let mut out = Vec::new();
    for route in ROUTES {
        if route.method != "GET" || !matches!(route.need, Need::Public | Need::Role(Role::Viewer)) {
            continue;
        }
        let mut paths = Vec::new();
        if route.path.contains("{h3}") {
            for c in rare_cells() {
                paths.push(route.path.replace("{h3}", &c));
            }
        } else if route.path.contains("{layer}") {
            for layer in ["hexagons", "hotspots", "change", "fixes", "appeals"] {
                for z in 8..=16 {
                    let (x, y) = common::tile_of(RARE.0, RARE.1, z);
                    paths.push(format!("/tiles/{layer}/{z}/{x}/{y}.mvt"));
                }
            }
        } else if route.path.contains("{file}") {
            for layer in ["hexagons", "hotspots", "change", "fixes", "appeals"] {
                paths.push(format!("/tiles/{layer}.json"));
            }
        } else {
            paths.push(route.path.replace("{id}", "1").replace("{*rest}", "v1/x"));
        }
        for p in paths {
            for v in &variants {
                out.push(if v.is_empty() {
                    p.clone()
                } else {
                    format!("{p}?{v}")
                });
            }
        }
    }
    out
}

/// Which markers a body shows.
fn leaks(uri: &str, body: &[u8]) -> Vec<String> {
    let mut text = String::from_utf8_lossy(body).into_owned();
    // A cell's own page echoes the id the caller asked for: not a leak.
    if let Some(asked) = uri.strip_prefix("/api/v1/cells/") {
        text = text.replace(asked.split('?').next().unwrap_or(""), "");
    }
    let mut found: Vec<String> = rare_cells()
        .into_iter()
        .filter(|c| text.contains(c.as_str()))
        .collect();
    for m in [
        TEXT_MARKER,
        ADDRESS_MARKER,
        "55.876543",
        "49.345678",
        "55.87654",
        "49.34567",
    ] {
        if text.contains(m) {
            found.push(m.to_owned());
        }
    }
    found
}

#[tokio::test]
async fn nothing_a_viewer_reaches_shows_rare_cells_text_or_addresses() {
    let (app, viewer, analyst) = setup().await;
    let reqs = requests();
    let mut ok = 0;
    for uri in &reqs {
        for token in [None, Some(viewer.as_str())] {
            let (s, _, b) = app.call("GET", uri, token, "", Vec::new()).await;
            assert!(
                s.as_u16() < 500,
                "{uri}: {s} {}",
                String::from_utf8_lossy(&b)
            );
            let found = leaks(uri, &b);
            assert!(
                found.is_empty(),
                "{uri} as {token:?} shows {found:?}: {}",
                String::from_utf8_lossy(&b)
                    .chars()
                    .take(400)
                    .collect::<String>()
            );
            if s == StatusCode::OK {
                ok += 1;
            }
        }
    }
    assert!(
        ok > reqs.len(),
        "most requests should succeed ({ok} of {})",
        reqs.len() * 2
    );
    // The same sweep as an analyst finds the rare cell: it is there to find.
    let mut seen = 0;
    for uri in &reqs {
        let (_, _, b) = app.call("GET", uri, Some(&analyst), "", Vec::new()).await;
        seen += usize::from(leaks(uri, &b).iter().any(|m| m.len() == 15));
    }
    assert!(
        seen > 20,
        "an analyst should see the rare cell in many answers ({seen})"
    );
}

#[tokio::test]
async fn viewers_see_busy_cells_with_their_counts() {
    let (app, viewer, analyst) = setup().await;
    let total = |v: &Value| -> u64 {
        v["features"]
            .as_array()
            .expect("features")
            .iter()
            .map(|f| f["properties"]["count"].as_u64().expect("count"))
            .sum()
    };
    let (_, _, b) = app
        .call(
            "GET",
            "/api/v1/hexagons?res=9",
            Some(&viewer),
            "",
            Vec::new(),
        )
        .await;
    let seen: Value = serde_json::from_slice(&b).expect("json");
    let (_, _, b) = app
        .call(
            "GET",
            "/api/v1/hexagons?res=9",
            Some(&analyst),
            "",
            Vec::new(),
        )
        .await;
    let all: Value = serde_json::from_slice(&b).expect("json");
    // Exactly the two rare appeals are missing for the viewer.
    assert_eq!(total(&all), 242);
    assert_eq!(total(&seen), 240);
    let (_, _, b) = app
        .call(
            "GET",
            &format!("/api/v1/cells/{}", rare_cells()[3]),
            Some(&viewer),
            "",
            Vec::new(),
        )
        .await;
    let v: Value = serde_json::from_slice(&b).expect("json");
    assert_eq!(v["suppressed"], true, "{v}");
}
