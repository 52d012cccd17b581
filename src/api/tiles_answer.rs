//! How a tile is answered over HTTP: its ETag, the `If-None-Match`
//! comparison that turns a request into a 304, and the caching headers.

use super::AppState;
use crate::tiles::TileKey;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

/// The tile's ETag for this database (`salt`).
pub(super) fn etag(key: &TileKey, salt: &str) -> String {
    // Weak: the same tile may go out gzip'd, brotli'd or plain.
    format!("W/\"{:016x}\"", key.digest(salt))
}

/// RFC 9110 weak comparison against each tag of `If-None-Match`.
pub(super) fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = bare(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == ours)
}

/// ETag and the configured `Cache-Control`, on 200s and 304s alike.
fn caching_headers(st: &AppState, etag: String) -> [(header::HeaderName, String); 2] {
    [
        (header::ETAG, etag),
        (header::CACHE_CONTROL, st.tiles.cfg.cache_control.clone()),
    ]
}

/// A 304 for a client that holds the tile already.
pub(super) fn not_modified(st: &AppState, etag: String) -> Response {
    (StatusCode::NOT_MODIFIED, caching_headers(st, etag)).into_response()
}

/// A tile's bytes with their type and caching headers.
pub(super) fn mvt(st: &AppState, bytes: Bytes, etag: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/vnd.mapbox-vector-tile".to_owned(),
        )],
        caching_headers(st, etag),
        bytes,
    )
        .into_response()
}
