//! `/tiles`: Mapbox Vector Tiles of the `hexagons`, `appeals`, `fixes`,
//! `hotspots` and `change` layers, their TileJSON and the catalogue of
//! sources. Fix tiles carry each fix's verdict, so they follow the data
//! version like the others.
//!
//! Every tile answer carries an ETag derived from the layer, address,
//! resolution, filters and the data version (bumped by every committed
//! write), so `If-None-Match` gets a 304 without building anything. Built
//! tiles are kept in a byte-bounded cache under the same key. Empty tiles are
//! answered consistently as a 200 holding the layer with no features.

use super::change::{ChangeBounds, Span};
use super::hotspots::HotspotParams;
use super::params::ApiQuery;
use super::tiles_answer::{etag, matches_etag, mvt, not_modified};
use super::{AppState, error::ApiError, tiles_json};
use crate::analysis::hotspots::HotspotQuery;
use crate::analysis::resolution::Metric;
use crate::auth::Access;
use crate::tiles::compressed::{CompressedTiles, accepts_gzip};
use crate::tiles::zoom::{finest_res_for_zoom, res_for_zoom};
use crate::tiles::{Layer, OutlineCache, TileCache, TileCoord, TileError, TileKey, strip_mvt};
use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use bytes::Bytes;
use std::sync::Arc;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Settings of the tile endpoints.
#[derive(Debug, Clone)]
pub struct TileConfig {
    /// Bytes of encoded tiles kept in memory (0: no cache).
    pub cache_bytes: u64,
    /// `Cache-Control` sent with tiles (and their 304s).
    pub cache_control: String,
    /// Origins allowed to fetch tiles from a browser page elsewhere (`*` for
    /// any); empty sends no CORS headers (same origin only).
    pub cors_origins: Vec<String>,
    /// Base URL written into TileJSON (`https://maps.example.org`); by
    /// default taken from the request's `Host` (and `X-Forwarded-*`).
    pub public_url: Option<String>,
}

impl Default for TileConfig {
    fn default() -> Self {
        TileConfig {
            cache_bytes: 256 * 1024 * 1024,
            cache_control: "public, max-age=60".into(),
            cors_origins: Vec::new(),
            public_url: None,
        }
    }
}

/// Bytes of projected cell outlines kept (~170 bytes per cell: 1.5 M cells,
/// the hexagons of about a thousand dense city tiles).
const OUTLINE_CACHE_BYTES: u64 = 256 * 1024 * 1024;

/// The tile endpoints' share of [`AppState`].
#[derive(Debug, Clone)]
pub struct TileState {
    /// Settings.
    pub(super) cfg: Arc<TileConfig>,
    /// Projected cell outlines.
    pub(super) outlines: OutlineCache,
    /// Encoded tiles by key.
    pub(super) cache: TileCache,
    /// The same tiles gzipped once, for clients that accept gzip.
    gzipped: CompressedTiles,
    /// The database's identity, salted into ETags (read once).
    db_uuid: Arc<tokio::sync::OnceCell<String>>,
}

impl TileState {
    /// State with these settings and empty caches.
    pub fn new(cfg: TileConfig) -> Self {
        TileState {
            cache: TileCache::new(cfg.cache_bytes),
            gzipped: CompressedTiles::new(cfg.cache_bytes / 4),
            outlines: OutlineCache::new(OUTLINE_CACHE_BYTES),
            cfg: Arc::new(cfg),
            db_uuid: Arc::new(tokio::sync::OnceCell::new()),
        }
    }

    /// The settings.
    pub fn config(&self) -> &TileConfig {
        &self.cfg
    }
}

/// The routes, with CORS when configured.
pub fn router(cfg: &TileConfig) -> Router<AppState> {
    let inner = Router::new()
        .route("/{file}", get(tiles_json::tile_json))
        .route("/{layer}/{z}/{x}/{y}", get(tile))
        .fallback(not_found);
    let r = Router::new()
        .route("/tiles", get(tiles_json::catalogue))
        .route("/tiles/", get(tiles_json::catalogue))
        .nest("/tiles", inner);
    match cors(cfg) {
        Some(c) => r.layer(c),
        None => r,
    }
}

fn cors(cfg: &TileConfig) -> Option<CorsLayer> {
    if cfg.cors_origins.is_empty() {
        return None;
    }
    let origin = if cfg.cors_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            cfg.cors_origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(origin)
            .allow_methods([axum::http::Method::GET, axum::http::Method::HEAD])
            .allow_headers([header::IF_NONE_MATCH])
            .expose_headers([header::ETAG, header::CACHE_CONTROL]),
    )
}

impl From<TileError> for ApiError {
    fn from(e: TileError) -> Self {
        match e {
            TileError::TooManyFeatures { .. } => ApiError {
                code: "too_many_features",
                ..ApiError::bad_param("z", e.to_string())
            },
            TileError::Encode(_) => ApiError::internal(e),
            _ => {
                let field = e.field().unwrap_or("path");
                ApiError::bad_param(field, e.to_string())
            }
        }
    }
}

pub(super) fn bad_path(e: PathRejection) -> ApiError {
    ApiError::bad_param("path", e.body_text())
}

pub(super) async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such tile resource; see /tiles for the sources",
    )
}

/// The query of any tile: filters, hotspot parameters, change periods.
#[derive(Debug, serde::Deserialize)]
pub(super) struct TileParams {
    /// Filters and the `hotspots` layer's `k`, `alpha`, `period`.
    #[serde(flatten)]
    pub hot: HotspotParams,
    /// The `change` layer's two periods.
    #[serde(flatten)]
    pub change: ChangeBounds,
    /// The `hexagons` layer's metric (`count`, `median_hours`,
    /// `overdue_share`, `repeat_rate`): the `value` property.
    pub metric: Option<String>,
}

/// Parses `metric` (default `count`), naming the parameter when unknown.
pub(super) fn parse_metric(s: Option<&str>) -> Result<Metric, ApiError> {
    match s {
        None => Ok(Metric::Count),
        Some(s) => Metric::parse(s).ok_or_else(|| {
            ApiError::bad_param(
                "metric",
                format!("{s:?} is not one of count, median_hours, overdue_share, repeat_rate"),
            )
        }),
    }
}

/// A parsed tile request.
struct TileRequest {
    key: TileKey,
    filter: crate::index::Filter,
    /// The analysis a `hotspots` tile draws from.
    hotspots: Option<HotspotQuery>,
    /// The periods a `change` tile compares.
    change: Option<[Span; 2]>,
}

fn parse_request(
    st: &AppState,
    access: &Access,
    layer: &str,
    (z, x, y): (&str, &str, &str),
    params: &TileParams,
) -> Result<TileRequest, ApiError> {
    let p = &params.hot;
    let q = &p.filter;
    let layer = Layer::parse(layer)?;
    let tile = TileCoord::parse(z, x, strip_mvt(y)?)?;
    if q.bbox.is_some() {
        return Err(TileError::NotForTiles("bbox").into());
    }
    let change = match layer {
        Layer::Change => Some(params.change.spans(q, st.cfg.tz)?),
        _ => None,
    };
    let filter = st.filter(access, q)?;
    let metric = parse_metric(params.metric.as_deref())?;
    if metric != Metric::Count && layer != Layer::Hexagons {
        return Err(TileError::NotForTiles("metric").into());
    }
    let res = match layer {
        Layer::Hexagons | Layer::Hotspots | Layer::Change => {
            let res = q.res(res_for_zoom(tile.z()), st.limits())?;
            let max = finest_res_for_zoom(tile.z());
            if res > max {
                return Err(TileError::ResTooFine {
                    res,
                    z: tile.z(),
                    max,
                }
                .into());
            }
            res
        }
        Layer::Appeals | Layer::Fixes => 0,
    };
    let hotspots = match layer {
        Layer::Hotspots => {
            if p.limit.is_some() || p.offset.is_some() {
                return Err(TileError::NotForTiles("limit").into());
            }
            Some(p.query(st, access, res)?)
        }
        _ => None,
    };
    // Period A goes where a single range would, period B into `extra`.
    let (from, to, extra) = match (&hotspots, change) {
        (Some(h), _) => (filter.from, filter.to, hotspot_digest(h)),
        (_, Some([a, b])) => (Some(a.0), Some(a.1), digest(&b)),
        _ => (filter.from, filter.to, 0),
    };
    let key = TileKey {
        layer,
        tile,
        res,
        sectors: filter.sectors,
        from,
        to,
        district: filter.district.as_ref().map(|d| d.id),
        seq: 0,
        extra,
        metric,
        // Viewers' tiles leave rare cells out: a different tile under another key.
        min_count: access.min_count,
    };
    Ok(TileRequest {
        key,
        filter,
        hotspots,
        change,
    })
}

/// A stable 64-bit digest of layer parameters a tile key does not hold itself.
fn digest(v: &impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut h = std::hash::DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

/// The hotspot parameters a tile key does not hold itself.
fn hotspot_digest(q: &HotspotQuery) -> u64 {
    digest(&(q.period, q.k, q.alpha.to_bits()))
}

async fn tile(
    State(st): State<AppState>,
    access: Access,
    path: Result<Path<(String, String, String, String)>, PathRejection>,
    ApiQuery(q): ApiQuery<TileParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path((layer, z, x, y)) = path.map_err(bad_path)?;
    let TileRequest {
        mut key,
        filter,
        hotspots,
        change,
    } = parse_request(&st, &access, &layer, (&z, &x, &y), &q)?;
    let salt = db_uuid(&st).await?;
    // Read the version without blocking this thread behind a writer.
    key.seq = match st.engine.index.try_seq() {
        Some(s) => s,
        None => {
            let index = st.engine.index.clone();
            tokio::task::spawn_blocking(move || index.seq()).await?
        }
    };
    let etag = etag(&key, &salt);
    if matches_etag(&headers, &etag) {
        return Ok(not_modified(&st, etag));
    }
    let gzip = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .any(|v| v.to_str().is_ok_and(accepts_gzip));
    if let Some(bytes) = st.tiles.cache.get(&key) {
        metrics::counter!("hexwatch_tile_cache_hits_total").increment(1);
        return respond(&st, key, bytes, etag, gzip).await;
    }
    metrics::counter!("hexwatch_tile_cache_misses_total").increment(1);
    let state = st.clone();
    let (bytes, key) = tokio::task::spawn_blocking(move || match hotspots {
        Some(hq) => super::tiles_build::build_hotspots(&state, key, &hq),
        None => super::tiles_build::build(&state, key, &filter, change),
    })
    .await??;
    // The key may have changed in the build (the resolution it settled on).
    let etag = super::tiles_answer::etag(&key, &salt);
    respond(&st, key, bytes, etag, gzip).await
}

/// The tile as is, or gzipped once and kept (see `tiles::compressed`): left
/// to the compression layer, every request for a cached tile compressed it.
async fn respond(
    st: &AppState,
    key: TileKey,
    bytes: Bytes,
    etag: String,
    gzip: bool,
) -> Result<Response, ApiError> {
    if !gzip {
        return Ok(mvt(st, bytes, etag));
    }
    let z = match st.tiles.gzipped.get(&key) {
        Some(z) => z,
        None => {
            let state = st.clone();
            tokio::task::spawn_blocking(move || state.tiles.gzipped.gzip(&key, &bytes)).await?
        }
    };
    let mut r = mvt(st, z, etag);
    let h = r.headers_mut();
    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    Ok(r)
}

async fn db_uuid(st: &AppState) -> Result<String, ApiError> {
    let engine = st.engine.clone();
    let id = st
        .tiles
        .db_uuid
        .get_or_try_init(|| async move { engine.store.version().await.map(|(u, _)| u) })
        .await?;
    Ok(id.clone())
}
