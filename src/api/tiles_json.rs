//! `GET /tiles` (the catalogue of tile sources) and `GET /tiles/{layer}.json`
//! (TileJSON 3.0.0 whose tile URLs carry the request's filters).

use super::params::ApiQuery;
use super::tiles::{TileParams, bad_path, not_found};
use super::{AppState, error::ApiError};
use crate::auth::Access;
use crate::tiles::{Layer, TileError, tilejson};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

/// `GET /tiles/{layer}.json`: TileJSON whose tile URLs carry the filters.
pub(super) async fn tile_json(
    State(st): State<AppState>,
    access: Access,
    path: Result<Path<String>, PathRejection>,
    ApiQuery(params): ApiQuery<TileParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let p = &params.hot;
    let q = &p.filter;
    let Path(file) = path.map_err(bad_path)?;
    let Some(name) = file.strip_suffix(".json") else {
        return Err(not_found().await);
    };
    let layer = Layer::parse(name)?;
    if q.bbox.is_some() {
        return Err(TileError::NotForTiles("bbox").into());
    }
    // Validate what the tile URLs will carry, so a bad filter fails here.
    if layer == Layer::Change {
        params.change.spans(q, st.cfg.tz)?;
    }
    st.filter(&access, q)?;
    let mut carried: Vec<(&str, &str)> = Vec::new();
    for (k, v) in [
        ("sector", &q.sector),
        ("from", &q.from),
        ("to", &q.to),
        ("district", &q.district),
    ] {
        if let Some(v) = v {
            carried.push((k, v));
        }
    }
    if layer == Layer::Change {
        carried.extend(
            params
                .change
                .pairs()
                .into_iter()
                .filter_map(|(k, v)| v.as_deref().map(|v| (k, v))),
        );
    }
    if matches!(layer, Layer::Hexagons | Layer::Hotspots | Layer::Change)
        && let Some(r) = &q.res
    {
        q.res(0, st.limits())?;
        carried.push(("res", r));
    }
    if let Some(m) = &params.metric {
        if layer != Layer::Hexagons {
            return Err(TileError::NotForTiles("metric").into());
        }
        super::tiles::parse_metric(Some(m))?;
        carried.push(("metric", m));
    }
    if layer == Layer::Hotspots {
        p.query(&st, &access, 0)?;
        for (k, v) in [("period", &q.period), ("k", &p.k), ("alpha", &p.alpha)] {
            if let Some(v) = v {
                carried.push((k, v));
            }
        }
    }
    let base = base_url(&st, &headers);
    let mut url = format!("{base}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt", layer.name());
    for (i, (k, v)) in carried.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(k);
        url.push('=');
        url.push_str(&percent_encode(v));
    }
    let src = tilejson::source(layer, &st.engine.catalogue, st.cfg.max_res);
    Ok(axum::Json(tilejson::tilejson(&src, &url)).into_response())
}

/// `GET /tiles`: the tile sources with their TileJSON and tile URLs.
pub(super) async fn catalogue(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let base = base_url(&st, &headers);
    let sources: Vec<serde_json::Value> = Layer::ALL
        .into_iter()
        .map(|l| {
            let src = tilejson::source(l, &st.engine.catalogue, st.cfg.max_res);
            serde_json::json!({
                "id": src.id,
                "name": src.name,
                "description": src.description,
                "minzoom": src.minzoom,
                "maxzoom": src.maxzoom,
                "tilejson": format!("{base}/tiles/{}.json", src.id),
                "tiles": format!("{base}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt", src.id),
            })
        })
        .collect();
    axum::Json(serde_json::json!({ "sources": sources })).into_response()
}

/// The server's base URL as clients see it.
fn base_url(st: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &st.tiles.config().public_url {
        return u.trim_end_matches('/').to_owned();
    }
    let get = |h: &str| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic()))
    };
    let proto = match get("x-forwarded-proto") {
        Some("https") => "https",
        _ => "http",
    };
    let host = get("x-forwarded-host")
        .or_else(|| get("host"))
        .unwrap_or("localhost");
    format!("{proto}://{host}")
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
