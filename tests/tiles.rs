//! Vector tiles through the real `app()`: counts against a direct tally,
//! the antimeridian, whole-world and street-level zooms, bad requests,
//! ETag / 304, the cache after a write, TileJSON, compression and CORS.

mod common;
mod tiles_common;

use axum::http::StatusCode;
use common::{TestApp, error_of};
use h3o::{LatLng, Resolution};
use hexwatch::api::TileConfig;
use std::collections::BTreeMap;
use tiles_common::{check_polygons, decode, get};

const T: &str = "2025-03-01T12:00:00+03:00";

async fn with(points: &[(f64, f64, &str)]) -> TestApp {
    let app = TestApp::new().await;
    post(&app, points, 0).await;
    app
}

async fn post(app: &TestApp, points: &[(f64, f64, &str)], first_id: usize) {
    let timed: Vec<(f64, f64, &str, &str)> = points
        .iter()
        .map(|&(lat, lon, s)| (lat, lon, s, T))
        .collect();
    app.post_points(&timed, first_id).await;
}

fn tile_of(lat: f64, lon: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor().min(n - 1.0);
    let s = lat.to_radians().sin();
    let wy = 0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * std::f64::consts::PI);
    (x as u32, (wy * n).floor().min(n - 1.0) as u32)
}

fn parent(lat: f64, lon: f64, res: u8) -> String {
    LatLng::new(lat, lon)
        .expect("ll")
        .to_cell(Resolution::Fifteen)
        .parent(Resolution::try_from(res).expect("res"))
        .expect("parent")
        .to_string()
}

/// Cell → count in a hexagon tile, checking its geometry on the way.
async fn hex_counts(app: &TestApp, uri: &str) -> BTreeMap<String, u64> {
    let a = get(app.router(), uri, &[]).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&a.body)
    );
    assert_eq!(
        a.header("content-type"),
        Some("application/vnd.mapbox-vector-tile")
    );
    let t = decode(&a.body);
    assert_eq!(t.layer, "hexagons");
    check_polygons(&t);
    t.features
        .iter()
        .map(|f| (f.props["h3"].clone(), f.num("count")))
        .collect()
}

#[tokio::test]
async fn hexagon_tile_counts_equal_a_direct_tally_at_every_zoom() {
    let pts: Vec<(f64, f64, &str)> = (0..400)
        .map(|i| {
            let f = f64::from(i);
            let s = ["roads", "housing", "ecology"][i as usize % 3];
            (
                55.74 + (f * 0.618_034) % 1.0 * 0.03,
                37.60 + (f * 0.414_214) % 1.0 * 0.05,
                s,
            )
        })
        .collect();
    let app = with(&pts).await;
    // z 0–2 (whole world), a city, a district and street level (z 18).
    for (z, res) in [
        (0u32, 1u8),
        (1, 2),
        (2, 3),
        (8, 7),
        (12, 10),
        (14, 11),
        (18, 14),
    ] {
        let mut seen: BTreeMap<String, u64> = BTreeMap::new();
        let n = 1u32 << z;
        let (cx, cy) = tile_of(55.755, 37.625, z);
        let xs = if z <= 2 {
            (0..n).collect()
        } else {
            vec![cx.saturating_sub(1), cx, cx + 1]
        };
        let ys = if z <= 2 {
            (0..n).collect()
        } else {
            vec![cy.saturating_sub(1), cy, cy + 1]
        };
        for &x in &xs {
            for &y in &ys {
                for (h, c) in hex_counts(&app, &format!("/tiles/hexagons/{z}/{x}/{y}.mvt")).await {
                    // A cell seen in two tiles has the same (full) count in both.
                    if let Some(prev) = seen.insert(h.clone(), c) {
                        assert_eq!(prev, c, "z {z}: {h}");
                    }
                }
            }
        }
        let mut want: BTreeMap<String, u64> = BTreeMap::new();
        for (lat, lon, _) in &pts {
            *want.entry(parent(*lat, *lon, res)).or_default() += 1;
        }
        if z <= 2 {
            assert_eq!(seen, want, "z {z}");
        } else {
            // The 3×3 block shows every cell of the middle tile; all counts are full.
            for (h, c) in &seen {
                assert_eq!(want.get(h), Some(c), "z {z}: {h}");
            }
        }
    }
    // Filters and a res override.
    let (x, y) = tile_of(55.755, 37.625, 10);
    let got = hex_counts(
        &app,
        &format!("/tiles/hexagons/10/{x}/{y}.mvt?sector=roads&res=9"),
    )
    .await;
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for (lat, lon, s) in &pts {
        if *s == "roads" {
            *want.entry(parent(*lat, *lon, 9)).or_default() += 1;
        }
    }
    for (h, c) in &got {
        assert_eq!(want.get(h), Some(c), "{h}");
    }
    assert!(!got.is_empty());
    let none = hex_counts(
        &app,
        &format!("/tiles/hexagons/10/{x}/{y}.mvt?from=2026-01-01"),
    )
    .await;
    assert!(none.is_empty());
}

#[tokio::test]
async fn the_antimeridian_in_tiles_and_geojson() {
    let app = with(&[(65.0, 179.99, "energy"), (65.0, -179.99, "energy")]).await;
    for z in [3u32, 5, 8, 10] {
        let res = hexwatch::tiles::zoom::res_for_zoom(z as u8);
        let east = tile_of(65.0, 179.99, z);
        let west = tile_of(65.0, -179.99, z);
        assert_eq!((east.0, west.0), ((1 << z) - 1, 0));
        let (a, b) = (parent(65.0, 179.99, res), parent(65.0, -179.99, res));
        for (x, y) in [east, west] {
            let got = hex_counts(&app, &format!("/tiles/hexagons/{z}/{x}/{y}.mvt")).await;
            let total: u64 = got.values().sum();
            if a == b {
                // One cell straddling 180°: drawn on both sides with both appeals.
                assert_eq!(got.get(&a), Some(&2), "z {z} {x}/{y}: {got:?}");
            } else {
                assert_eq!(total, 2, "z {z} {x}/{y}: {got:?}");
            }
        }
    }
    // GeoJSON splits the straddling cell into a MultiPolygon (RFC 7946).
    let (s, v) = app.get("/api/v1/hexagons?res=3&bbox=179,60,-179,70").await;
    assert_eq!(s, StatusCode::OK);
    let f = &v["features"][0];
    assert_eq!(v["features"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(f["properties"]["count"], 2);
    assert_eq!(f["geometry"]["type"], "MultiPolygon");
    for poly in f["geometry"]["coordinates"].as_array().expect("parts") {
        let xs: Vec<f64> = poly[0]
            .as_array()
            .expect("ring")
            .iter()
            .map(|p| p[0].as_f64().expect("x"))
            .collect();
        assert!(
            xs.iter().all(|&x| x >= 0.0) || xs.iter().all(|&x| x <= 0.0),
            "{xs:?}"
        );
    }
}

#[tokio::test]
async fn bad_tile_requests_are_400_with_the_error_shape() {
    let app = with(&[(55.75, 37.62, "roads")]).await;
    for (uri, field) in [
        ("/tiles/hexagons/25/0/0.mvt", "z"),
        ("/tiles/hexagons/99999999999/0/0.mvt", "z"),
        ("/tiles/hexagons/2/4/0.mvt", "x"),
        ("/tiles/hexagons/2/0/4.mvt", "y"),
        ("/tiles/hexagons/a/0/0.mvt", "z"),
        ("/tiles/hexagons/1/-1/0.mvt", "x"),
        ("/tiles/hexagons/1/0/0.5.mvt", "y"),
        ("/tiles/hexagons/1/0/0.png", "y"),
        ("/tiles/hexagons/1/0/0", "y"),
        ("/tiles/bogus/1/0/0.mvt", "layer"),
        ("/tiles/hexagons/1/0/0.mvt?sector=bogus", "sector"),
        ("/tiles/hexagons/1/0/0.mvt?from=yesterday", "from"),
        (
            "/tiles/hexagons/1/0/0.mvt?from=2025-03-01&to=2025-02-01",
            "to",
        ),
        ("/tiles/hexagons/1/0/0.mvt?res=16", "res"),
        ("/tiles/hexagons/1/0/0.mvt?res=x", "res"),
        ("/tiles/hexagons/1/0/0.mvt?res=9", "res"),
        ("/tiles/hexagons/1/0/0.mvt?bbox=0,0,1,1", "bbox"),
        ("/tiles/appeals/1/0/0.mvt?sector=bogus", "sector"),
        ("/tiles/bogus.json", "layer"),
        ("/tiles/hexagons.json?sector=bogus", "sector"),
    ] {
        let a = get(app.router(), uri, &[]).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}");
        let v = a.json();
        assert_eq!(error_of(&v)["field"], field, "{uri}: {v}");
    }
    for uri in [
        "/tiles/hexagons/1/0",
        "/tiles/hexagons.xml",
        "/tiles/a/b/c/d/e.mvt",
    ] {
        let a = get(app.router(), uri, &[]).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(error_of(&a.json())["code"], "not_found");
    }
}

#[tokio::test]
async fn etag_304_and_cache_invalidation_after_a_write() {
    let app = with(&[(55.75, 37.62, "roads")]).await;
    let (x, y) = tile_of(55.75, 37.62, 12);
    let uri = format!("/tiles/hexagons/12/{x}/{y}.mvt");
    let first = get(app.router(), &uri, &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header("cache-control"), Some("public, max-age=60"));
    let tag = first.header("etag").expect("etag").to_owned();
    assert!(tag.starts_with("W/\""), "{tag}");
    // Cached: the same bytes and tag again; a matching If-None-Match is a 304.
    let again = get(app.router(), &uri, &[]).await;
    assert_eq!(
        (again.body.clone(), again.header("etag")),
        (first.body.clone(), Some(tag.as_str()))
    );
    let nm = get(app.router(), &uri, &[("if-none-match", &tag)]).await;
    assert_eq!(nm.status, StatusCode::NOT_MODIFIED);
    assert!(nm.body.is_empty());
    assert_eq!(nm.header("etag"), Some(tag.as_str()));
    let list = format!("\"nope\", {tag}");
    assert_eq!(
        get(app.router(), &uri, &[("if-none-match", &list)])
            .await
            .status,
        StatusCode::NOT_MODIFIED
    );
    // Other filters, another tag.
    let filtered = get(app.router(), &format!("{uri}?sector=roads"), &[]).await;
    assert_ne!(filtered.header("etag"), Some(tag.as_str()));
    // A write changes the data version: new tag, new count, no stale cache.
    post(&app, &[(55.75, 37.62, "housing")], 100).await;
    let after = get(app.router(), &uri, &[("if-none-match", &tag)]).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_ne!(after.header("etag"), Some(tag.as_str()));
    let t = decode(&after.body);
    assert_eq!(t.features.len(), 1);
    assert_eq!(t.features[0].num("count"), 2);
    // An identical re-send writes nothing and keeps the tag.
    let tag2 = after.header("etag").expect("etag").to_owned();
    post(&app, &[(55.75, 37.62, "housing")], 100).await;
    let same = get(app.router(), &uri, &[("if-none-match", &tag2)]).await;
    assert_eq!(same.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn appeal_and_fix_layers() {
    let app = with(&[(55.75, 37.62, "roads"), (55.7501, 37.6201, "housing")]).await;
    let (x, y) = tile_of(55.75, 37.62, 15);
    let a = get(app.router(), &format!("/tiles/appeals/15/{x}/{y}.mvt"), &[]).await;
    assert_eq!(a.status, StatusCode::OK);
    let t = decode(&a.body);
    assert_eq!((t.layer.as_str(), t.features.len()), ("appeals", 2));
    for f in &t.features {
        assert_eq!(f.geom_type, 1);
        let keys: Vec<&str> = f.props.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["created_at", "sector", "status"],
            "no text, no address"
        );
        assert_eq!(f.props["created_at"], "2025-03-01T12:00:00+03:00");
        assert_eq!(f.props["status"], "new");
        let body = String::from_utf8_lossy(&a.body);
        assert!(!body.contains("private") && !body.contains("Баумана"));
    }
    // Below zoom 13 the layer is there but empty; with no fix recorded, so is `fixes`.
    let (x, y) = tile_of(55.75, 37.62, 12);
    let low = decode(
        &get(app.router(), &format!("/tiles/appeals/12/{x}/{y}.mvt"), &[])
            .await
            .body,
    );
    assert_eq!((low.layer.as_str(), low.features.len()), ("appeals", 0));
    let fixes = get(app.router(), "/tiles/fixes/0/0/0.mvt", &[]).await;
    assert_eq!(fixes.status, StatusCode::OK);
    let t = decode(&fixes.body);
    assert_eq!((t.layer.as_str(), t.features.len()), ("fixes", 0));
    // An empty hexagon tile is a 200 with the layer and no features, too.
    let empty = get(app.router(), "/tiles/hexagons/5/0/0.mvt", &[]).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(decode(&empty.body).features.len(), 0);
}

#[tokio::test]
async fn tilejson_and_catalogue() {
    let app = with(&[(55.75, 37.62, "roads")]).await;
    let a = get(
        app.router(),
        "/tiles/hexagons.json?sector=roads,housing&from=2025-01-01&res=7",
        &[("host", "maps.example.org:8080")],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let v = a.json();
    assert_eq!(v["tilejson"], "3.0.0");
    assert_eq!(
        v["tiles"][0],
        "http://maps.example.org:8080/tiles/hexagons/{z}/{x}/{y}.mvt?sector=roads%2Chousing&from=2025-01-01&res=7"
    );
    assert_eq!(
        (v["minzoom"].as_u64(), v["maxzoom"].as_u64()),
        (Some(0), Some(19))
    );
    assert_eq!(v["bounds"].as_array().map(Vec::len), Some(4));
    let layer = &v["vector_layers"][0];
    assert_eq!(layer["id"], "hexagons");
    for k in ["h3", "count", "sector", "count_roads", "count_energy"] {
        assert!(layer["fields"][k].is_string(), "{k}: {layer}");
    }
    let ap = get(app.router(), "/tiles/appeals.json", &[]).await.json();
    assert_eq!(ap["minzoom"], 13);
    assert_eq!(ap["vector_layers"][0]["id"], "appeals");
    let cat = get(app.router(), "/tiles", &[("host", "h")]).await.json();
    let ids: Vec<&str> = cat["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["hexagons", "appeals", "fixes", "hotspots", "change"]);
    assert_eq!(
        cat["sources"][0]["tilejson"],
        "http://h/tiles/hexagons.json"
    );
}

#[tokio::test]
async fn configured_cache_control_cors_and_compression() {
    let app = TestApp::new().await;
    let state = app.state.clone().with_tiles(TileConfig {
        cache_control: "public, max-age=3600".into(),
        cors_origins: vec!["https://map.example.org".into()],
        ..TileConfig::default()
    });
    post(&app, &[(55.75, 37.62, "roads"), (55.76, 37.63, "roads")], 0).await;
    let router = hexwatch::api::app(state);
    let (x, y) = tile_of(55.75, 37.62, 9);
    let uri = format!("/tiles/hexagons/9/{x}/{y}.mvt");
    let a = get(
        router.clone(),
        &uri,
        &[("origin", "https://map.example.org")],
    )
    .await;
    assert_eq!(a.header("cache-control"), Some("public, max-age=3600"));
    assert_eq!(
        a.header("access-control-allow-origin"),
        Some("https://map.example.org")
    );
    let other = get(router.clone(), &uri, &[("origin", "https://evil.example")]).await;
    assert_eq!(other.header("access-control-allow-origin"), None);
    let plain = decode(&a.body);
    for enc in ["gzip", "br"] {
        let z = get(router.clone(), &uri, &[("accept-encoding", enc)]).await;
        assert_eq!(z.status, StatusCode::OK);
        assert_eq!(z.header("content-encoding"), Some(enc));
        assert_ne!(z.body, a.body);
    }
    assert_eq!(plain.features.len(), 2);
}

#[tokio::test]
async fn the_feature_cap_refuses_oversized_tiles() {
    let app = TestApp::with_config(hexwatch::api::ApiConfig {
        max_cells: 2,
        ..hexwatch::api::ApiConfig::default()
    })
    .await;
    post(
        &app,
        &[
            (55.70, 37.50, "roads"),
            (55.75, 37.62, "roads"),
            (55.72, 37.70, "roads"),
        ],
        0,
    )
    .await;
    let (x, y) = tile_of(55.75, 37.62, 8);
    assert_eq!((x, y), tile_of(55.70, 37.50, 8));
    assert_eq!((x, y), tile_of(55.72, 37.70, 8));
    let a = get(app.router(), &format!("/tiles/hexagons/8/{x}/{y}.mvt"), &[]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let v = a.json();
    assert_eq!(error_of(&v)["code"], "too_many_features", "{v}");
    let (x, y) = tile_of(55.75, 37.62, 14);
    let ok = get(
        app.router(),
        &format!("/tiles/hexagons/14/{x}/{y}.mvt"),
        &[],
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn change_tiles_equal_the_change_endpoint() {
    let app = TestApp::new().await;
    // Two places; January and February appeals in different numbers.
    let (here, there) = ((55.7903, 49.1347), (55.8304, 49.0661));
    let mut pts: Vec<(f64, f64, &str, &str)> = Vec::new();
    for _ in 0..3 {
        pts.push((here.0, here.1, "roads", "2025-01-10T12:00:00+03:00"));
    }
    pts.push((here.0, here.1, "roads", "2025-02-10T12:00:00+03:00"));
    pts.push((there.0, there.1, "roads", "2025-02-11T12:00:00+03:00"));
    pts.push((there.0, there.1, "housing", "2025-02-12T12:00:00+03:00"));
    app.post_points(&pts, 0).await;
    let periods = "from_a=2025-01-01&to_a=2025-02-01&from_b=2025-02-01&to_b=2025-03-01";
    let (x, y) = tile_of(here.0, here.1, 11);
    let uri = format!("/tiles/change/11/{x}/{y}.mvt?{periods}");
    let a = get(app.router(), &uri, &[]).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    let t = decode(&a.body);
    assert_eq!(t.layer, "change");
    check_polygons(&t);
    let got: BTreeMap<String, (u64, u64, String, Option<String>)> = t
        .features
        .iter()
        .map(|f| {
            let p = &f.props;
            (
                p["h3"].clone(),
                (
                    f.num("a"),
                    f.num("b"),
                    p["diff"].clone(),
                    p.get("ratio").cloned(),
                ),
            )
        })
        .collect();
    // z 11 shows res 9 (src/tiles/zoom.rs); here: 3 → 1, there: 0 → 2.
    let mut want = BTreeMap::new();
    want.insert(
        parent(here.0, here.1, 9),
        (3, 1, "-2".to_owned(), Some((1.0f64 / 3.0).to_string())),
    );
    want.insert(parent(there.0, there.1, 9), (0, 2, "2".to_owned(), None));
    assert_eq!(got, want);
    let (_, v) = app.get(&format!("/api/v1/change?res=9&{periods}")).await;
    assert_eq!(v["cells"].as_array().map(Vec::len), Some(2));

    // A sector filter applies to both periods; the ETag follows the periods.
    let roads = decode(
        &get(app.router(), &format!("{uri}&sector=roads"), &[])
            .await
            .body,
    );
    let there9 = parent(there.0, there.1, 9);
    let f = roads
        .features
        .iter()
        .find(|f| f.props["h3"] == there9)
        .expect("there");
    assert_eq!((f.num("a"), f.num("b")), (0, 1));
    let other = format!(
        "/tiles/change/11/{x}/{y}.mvt?from_a=2024-12-01&to_a=2025-01-01&from_b=2025-02-01&to_b=2025-03-01"
    );
    let e2 = get(app.router(), &other, &[]).await;
    assert_ne!(a.header("etag"), e2.header("etag"));

    // TileJSON carries the periods; missing ones are a 400 naming them.
    let tj = get(
        app.router(),
        &format!("/tiles/change.json?{periods}&sector=roads"),
        &[("host", "h")],
    )
    .await;
    assert_eq!(
        tj.json()["tiles"][0],
        format!("http://h/tiles/change/{{z}}/{{x}}/{{y}}.mvt?sector=roads&{periods}")
    );
    for (q, field) in [
        (
            "to_a=2025-02-01&from_b=2025-02-01&to_b=2025-03-01",
            "from_a",
        ),
        (
            "from=2025-01-01&from_a=2025-01-01&to_a=2025-02-01&from_b=2025-02-01&to_b=2025-03-01",
            "from",
        ),
    ] {
        for path in [
            format!("/tiles/change/11/{x}/{y}.mvt?{q}"),
            format!("/tiles/change.json?{q}"),
        ] {
            let r = get(app.router(), &path, &[]).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
            assert_eq!(error_of(&r.json())["field"], field, "{path}");
        }
    }
}
