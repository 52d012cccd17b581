//! The hexagon metric switch: `metric=` on `/api/v1/hexagons` and on hexagon
//! tiles gives each cell's resolution figure as `value`, in the tile's key
//! and ETag, and in the TileJSON's tile URLs.

mod common;
mod tiles_common;

use axum::http::StatusCode;
use common::{TestApp, error_of};
use serde_json::json;

/// Tile (x, y) holding a point at zoom `z` (Web Mercator).
fn tile_of(lat: f64, lon: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let r = lat.to_radians();
    let y = (1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x as u32, y as u32)
}

#[tokio::test]
async fn the_metric_switch_colours_cells_by_their_resolution_figures() {
    let app = TestApp::new().await;
    // One spot: resolved after 2, 4, 6, 8 hours, deadlines 5 h after creation
    // (two of four missed), and one same-sector repeat a day later for all
    // but the first: repeat rate 3/4.
    let (lat, lon) = (55.790_1, 49.120_1);
    let batch: Vec<_> = (0..4)
        .map(|i| {
            let created = 1_735_689_600 + i * 86_400;
            let t = |s: i64| {
                chrono::DateTime::from_timestamp(s, 0)
                    .expect("t")
                    .to_rfc3339()
            };
            json!({"source":"vk","external_id":i.to_string(),"sector":"roads","lat":lat,"lon":lon,
                   "created_at":t(created),"status":"resolved","resolved_at":t(created + (2 + 2 * i) * 3600),
                   "due_at":t(created + 5 * 3600),"responsible":"adm"})
        })
        .collect();
    let (s, v) = app.post_json("/api/v1/appeals", &json!(batch)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // KM median without censoring: S = 0.5 first at 4 h.
    for (metric, want) in [
        ("count", 4.0),
        ("median_hours", 4.0),
        ("overdue_share", 0.5),
        ("repeat_rate", 0.75),
    ] {
        let (s, v) = app
            .get(&format!("/api/v1/hexagons?res=9&metric={metric}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["metric"], metric);
        let p = &v["features"][0]["properties"];
        let got = if metric == "count" {
            p["count"].as_f64()
        } else {
            assert_eq!(p[metric], p["value"]);
            p["value"].as_f64()
        };
        assert_eq!(got, Some(want), "{metric}: {p}");
    }
    let (s, v) = app.get("/api/v1/hexagons?metric=speed").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&v)["field"], "metric");

    // Tiles: the same values, and a key (ETag) per metric.
    let (x, y) = tile_of(lat, lon, 12);
    let mut etags = Vec::new();
    for (metric, want) in [
        ("", None),
        ("?metric=median_hours", Some(4.0)),
        ("?metric=overdue_share", Some(0.5)),
    ] {
        let a = tiles_common::get(
            app.router(),
            &format!("/tiles/hexagons/12/{x}/{y}.mvt{metric}"),
            &[],
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
        etags.push(a.header("etag").expect("etag").to_owned());
        let t = tiles_common::decode(&a.body);
        tiles_common::check_polygons(&t);
        let f = t
            .features
            .iter()
            .find(|f| f.num("count") == 4)
            .expect("the cell");
        let value = f
            .props
            .get("value")
            .map(|v| v.parse::<f64>().expect("number"));
        assert_eq!(value, want, "{metric}");
    }
    etags.sort();
    etags.dedup();
    assert_eq!(etags.len(), 3, "one ETag per metric");
    let a = tiles_common::get(
        app.router(),
        "/tiles/appeals/16/0/0.mvt?metric=median_hours",
        &[],
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = tiles_common::get(app.router(), "/tiles/hexagons.json?metric=repeat_rate", &[]).await;
    assert_eq!(a.status, StatusCode::OK);
    let url = a.json()["tiles"][0].as_str().expect("url").to_owned();
    assert!(url.ends_with("?metric=repeat_rate"), "{url}");
}

#[tokio::test]
async fn tiles_of_other_metrics_or_k_never_share_a_cache_entry() {
    use hexwatch::auth::Role;
    let app = TestApp::with_config(common::auth_config(true)).await;
    let admin = app.token(Role::Admin, &[]).await;
    let analyst = format!("Bearer {}", app.token(Role::Analyst, &[]).await);
    // A busy spot of four appeals and, in the same z12 tile, a rare one of two.
    let spots = [(55.790_1, 49.120_1, 4), (55.795_1, 49.130_1, 2)];
    let mut batch = Vec::new();
    for (lat, lon, n) in spots {
        for _ in 0..n {
            let i = batch.len() as i64;
            let t = |s: i64| {
                chrono::DateTime::from_timestamp(s, 0)
                    .expect("t")
                    .to_rfc3339()
            };
            let created = 1_735_689_600 + i * 3600;
            batch.push(
                json!({"source":"vk","external_id":i.to_string(),"sector":"roads",
                "lat":lat,"lon":lon,"created_at":t(created),"status":"resolved",
                "resolved_at":t(created + 10 * 3600)}),
            );
        }
    }
    app.ingest_as(&admin, &json!(batch)).await;
    let (x, y) = tile_of(spots[0].0, spots[0].1, 12);
    assert_eq!((x, y), tile_of(spots[1].0, spots[1].1, 12));
    // Each request after a differently keyed one: a shared entry would show
    // the previous caller's cells or values.
    for (auth, metric, cells, valued) in [
        (Some(analyst.as_str()), "", 2, false),
        (None, "", 1, false),
        (None, "?metric=median_hours", 1, true),
        (Some(analyst.as_str()), "?metric=median_hours", 2, true),
        (Some(analyst.as_str()), "", 2, false),
        (None, "", 1, false),
    ] {
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", *a)).collect();
        let uri = format!("/tiles/hexagons/12/{x}/{y}.mvt{metric}");
        let a = tiles_common::get(app.router(), &uri, &headers).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}");
        let t = tiles_common::decode(&a.body);
        assert_eq!(t.features.len(), cells, "{uri} as {auth:?}");
        for f in &t.features {
            assert_eq!(f.props.contains_key("value"), valued, "{uri} as {auth:?}");
        }
    }
}
