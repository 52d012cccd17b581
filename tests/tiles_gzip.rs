//! Tiles for clients that accept gzip (every browser): gzipped once and
//! kept, answered with `Content-Encoding: gzip` exactly once (not compressed
//! again by the HTTP layer), the same tile as the plain one, and a new one
//! after a write.

mod common;
mod tiles_common;

use axum::http::StatusCode;
use common::TestApp;
use std::io::Read as _;
use tiles_common::{decode, get};

const T: &str = "2025-03-01T12:00:00+03:00";
const BROWSER: &str = "gzip, deflate, br, zstd";

fn gunzip(z: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(z)
        .read_to_end(&mut out)
        .expect("one gzip layer");
    out
}

#[tokio::test]
async fn gzip_clients_get_the_same_tile_compressed_once() {
    let app = TestApp::new().await;
    app.post_points(
        &[(55.75, 37.62, "roads", T), (55.76, 37.63, "housing", T)],
        0,
    )
    .await;
    let uri = "/tiles/hexagons/9/309/160.mvt";
    let plain = get(app.router(), uri, &[]).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(decode(&plain.body).features.len(), 2);
    for accept in [BROWSER, "gzip", "br;q=1.0, gzip;q=0.5"] {
        // Twice: built (or compressed) the first time, stored the second.
        for _ in 0..2 {
            let z = get(app.router(), uri, &[("accept-encoding", accept)]).await;
            assert_eq!(z.status, StatusCode::OK);
            assert_eq!(z.header("content-encoding"), Some("gzip"), "{accept}");
            assert_eq!(z.header("vary"), Some("accept-encoding"));
            assert_eq!(z.header("etag"), plain.header("etag"));
            assert_eq!(gunzip(&z.body), plain.body, "{accept}");
        }
    }
    // Refused gzip: the compression layer's choice, or nothing.
    let br = get(app.router(), uri, &[("accept-encoding", "gzip;q=0, br")]).await;
    assert_eq!(br.header("content-encoding"), Some("br"));

    // A write makes a new tile; the gzipped one follows it.
    app.post_points(&[(55.751, 37.621, "roads", T)], 2).await;
    let plain2 = get(app.router(), uri, &[]).await;
    assert_ne!(plain2.body, plain.body);
    let z2 = get(app.router(), uri, &[("accept-encoding", BROWSER)]).await;
    assert_eq!(gunzip(&z2.body), plain2.body);
}
