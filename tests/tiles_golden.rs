//! Golden snapshots of a few tiles, decoded to text (`tests/tiles_snapshots/`).
//! They were reviewed by eye once; a change in them is a change in what
//! clients receive, so review the diff (`cargo insta review`) before accepting.

mod common;
mod tiles_common;

use axum::http::StatusCode;
use common::TestApp;
use tiles_common::{check_polygons, decode, dump, get};

async fn app() -> TestApp {
    let app = TestApp::new().await;
    let pts = [
        (55.7558, 37.6173, "roads", "2025-03-01T09:00:00+03:00"),
        (55.7560, 37.6175, "roads", "2025-03-02T10:00:00+03:00"),
        (55.7561, 37.6180, "housing", "2025-03-03T11:00:00+03:00"),
        (55.7530, 37.6220, "ecology", "2025-04-01T12:00:00+03:00"),
        (65.0000, 179.9900, "energy", "2025-05-01T12:00:00+12:00"),
        (65.0000, -179.9900, "energy", "2025-05-02T12:00:00+12:00"),
        (89.9000, 10.0000, "roads", "2025-06-01T00:00:00Z"),
    ];
    app.post_points(&pts, 0).await;
    app
}

async fn snapshot(app: &TestApp, name: &str, uri: &str) {
    let a = get(app.router(), uri, &[]).await;
    assert_eq!(a.status, StatusCode::OK, "{uri}");
    let t = decode(&a.body);
    if t.layer == "hexagons" {
        check_polygons(&t);
    }
    let text = format!("GET {uri}\n{}", dump(&t));
    insta::with_settings!({ snapshot_path => "tiles_snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

#[tokio::test]
async fn golden_tiles() {
    let app = app().await;
    // The whole world: Moscow, a cell straddling 180° (drawn on both edges,
    // one feature) and the north polar cap.
    snapshot(&app, "hexagons_z0", "/tiles/hexagons/0/0/0.mvt").await;
    // Moscow at city scale, and one sector only.
    snapshot(
        &app,
        "hexagons_z12_moscow",
        "/tiles/hexagons/12/2476/1280.mvt",
    )
    .await;
    snapshot(
        &app,
        "hexagons_z12_moscow_roads",
        "/tiles/hexagons/12/2476/1280.mvt?sector=roads",
    )
    .await;
    // Chukotka: the easternmost z 5 tile holds both appeals of the straddling cell.
    snapshot(&app, "hexagons_z5_east_edge", "/tiles/hexagons/5/31/8.mvt").await;
    // Street level points.
    snapshot(
        &app,
        "appeals_z16_moscow",
        "/tiles/appeals/16/39616/20486.mvt",
    )
    .await;
}
