//! The HTTP layer: one `router()` per feature merged into [`app`], the only
//! place that knows axum. Handlers parse parameters into types, run heavy work
//! on the blocking pool, and answer with JSON or the SPEC's error shape.

mod aggregate;
mod appeals;
pub mod auth;
mod cells;
mod change;
mod client_ip;
mod districts;
pub mod error;
mod fixes;
mod geometry;
mod health;
mod hexagons;
mod hotspots;
mod jsonw;
pub mod limits;
pub mod metrics;
mod open311;
pub mod openapi;
pub mod params;
mod process_changes;
mod resolution;
pub mod routes;
mod server;
pub mod tiles;
mod tiles_answer;
mod tiles_build;
mod tiles_json;
mod ui_config;
mod whoami;

use crate::auth::Access;
use crate::engine::Engine;
use axum::Router;
use chrono_tz::Tz;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use tiles::TileConfig;

/// Settings the handlers need.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Zone periods and dates are read in.
    pub tz: Tz,
    /// Largest request body in bytes.
    pub max_body_bytes: usize,
    /// Most cells or rows in one response.
    pub max_cells: usize,
    /// Finest resolution a request may ask for.
    pub max_res: u8,
    /// Static front end folder.
    pub web_dir: PathBuf,
    /// MapLibre style URL the front end draws under the hexagons (none: a
    /// plain background and a graticule).
    pub basemap_style: Option<String>,
    /// Tokens, roles and privacy.
    pub auth: auth::AuthConfig,
    /// Rates, heavy-query permits, time limits.
    pub limits: limits::LimitConfig,
    /// Most records one ingest request may hold (413 beyond).
    pub max_records: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            tz: chrono_tz::Europe::Moscow,
            max_body_bytes: 64 * 1024 * 1024,
            max_cells: 200_000,
            max_res: 15,
            web_dir: PathBuf::from("web"),
            basemap_style: None,
            auth: auth::AuthConfig::default(),
            limits: limits::LimitConfig::default(),
            max_records: 500_000,
        }
    }
}

/// Shared state of every handler, behind one `Arc`: axum clones the state
/// for every request, and cloning the caches themselves (moka caches are
/// bundles of `Arc`s) and dropping them again was a fifth of the server's
/// CPU on cached tiles, atomics bouncing between the cores.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares.
#[derive(Debug, Clone)]
pub struct Shared {
    /// Store, index and catalogue.
    pub engine: Arc<Engine>,
    /// Settings.
    pub cfg: Arc<ApiConfig>,
    /// Cell outlines as GeoJSON text.
    geometry: geometry::GeometryCache,
    /// Vector tile settings and caches.
    tiles: tiles::TileState,
    /// Finished hotspot analyses, shared by the list and the tiles.
    hotspots: crate::analysis::hotspots::HotspotCache,
    /// Finished resolution tables and process-change effects.
    resolution: crate::analysis::resolution::ResolutionCache,
    /// Authentication and the limits requests run under.
    gate: auth::Gate,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Bytes of cell outlines kept as GeoJSON text (~200 bytes per cell).
const GEOMETRY_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// Bytes of hotspot results kept (~100 bytes per study-area cell: a city at
/// res 9 is about 1 MB, so dozens of filter combinations fit).
const HOTSPOT_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// Bytes of resolution tables (and of effects) kept (~100 bytes per row: a
/// table of 100 districts by 36 months is about 0.4 MB).
const RESOLUTION_CACHE_BYTES: u64 = 32 * 1024 * 1024;

impl AppState {
    /// State over an engine with the given settings.
    pub fn new(engine: Arc<Engine>, cfg: ApiConfig) -> Self {
        let gate = auth::Gate {
            cfg: Arc::new(cfg.auth.clone()),
            tokens: crate::auth::TokenBook::new(engine.store.clone()),
            limits: limits::Limits::new(cfg.limits.clone()),
        };
        AppState(Arc::new(Shared {
            engine,
            gate,
            cfg: Arc::new(cfg),
            geometry: geometry::GeometryCache::new(GEOMETRY_CACHE_BYTES),
            tiles: tiles::TileState::new(TileConfig::default()),
            hotspots: crate::analysis::hotspots::HotspotCache::new(
                HOTSPOT_CACHE_BYTES,
                crate::analysis::hotspots::Hotspots::weight,
            ),
            resolution: crate::analysis::resolution::ResolutionCache::new(RESOLUTION_CACHE_BYTES),
        }))
    }

    /// The same state with these tile settings (and fresh tile caches).
    pub fn with_tiles(self, cfg: TileConfig) -> Self {
        let mut shared = Arc::unwrap_or_clone(self.0);
        shared.tiles = tiles::TileState::new(cfg);
        AppState(Arc::new(shared))
    }

    /// The filter of a request, `district` included: what new endpoints call
    /// (plain [`params::FilterParams::filter`] refuses `district`). A token
    /// limited to districts gets its district forced: one named outside them
    /// is a 403, and a token of several must name one.
    pub fn filter(
        &self,
        access: &Access,
        q: &params::FilterParams,
    ) -> Result<crate::index::Filter, ApiError> {
        let districts = self.engine.districts();
        let mut f = q.filter_in(&self.engine.catalogue, self.cfg.tz, &districts)?;
        if let Some(allowed) = &access.districts {
            let id = match (&f.district, &allowed[..]) {
                (Some(d), _) => d.id,
                (None, [only]) => *only,
                (None, _) => {
                    return Err(ApiError::new(
                        axum::http::StatusCode::FORBIDDEN,
                        "district_required",
                        "this token is limited to several districts: name one with district=",
                    ));
                }
            };
            check_district(access, id)?;
            if f.district.is_none() {
                f.district = Some(params::parse_district(&id.to_string(), &districts)?);
            }
        }
        Ok(f)
    }

    fn limits(&self) -> params::Limits {
        params::Limits {
            max_res: self.cfg.max_res,
        }
    }
}

/// A 403 unless `access` reaches district `id`.
pub(crate) fn check_district(access: &Access, id: i64) -> Result<(), ApiError> {
    if access.reaches(id) {
        Ok(())
    } else {
        Err(ApiError {
            field: Some("district".into()),
            ..ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "forbidden",
                format!("this token does not reach district {id}"),
            )
        })
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    metrics::handle();
    let web = &state.cfg.web_dir;
    let static_files = ServeDir::new(web).fallback(ServeFile::new(web.join("index.html")));
    let tiles = tiles::router(state.tiles.config());
    Router::new()
        .merge(health::router())
        .merge(appeals::router(state.cfg.max_body_bytes))
        .merge(districts::router(state.cfg.max_body_bytes))
        .merge(hexagons::router())
        .merge(aggregate::router())
        .merge(cells::router())
        .merge(change::router())
        .merge(hotspots::router())
        .merge(ui_config::router())
        .merge(fixes::router())
        .merge(whoami::router())
        .merge(openapi::router())
        .merge(metrics::router())
        .merge(open311::router(state.cfg.max_body_bytes))
        .merge(resolution::router())
        .merge(process_changes::router())
        .merge(tiles)
        // Without this, an unknown API path would get the page's index.html.
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        // Every route above passes the gate; the static page below is public.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::gate,
        ))
        // Outside the gate, so refused requests are counted too.
        .route_layer(axum::middleware::from_fn(metrics::track))
        .fallback_service(static_files)
        .with_state(state)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Each request's log span carries its id (`x-request-id`, made here when
/// the client sends none and echoed in the answer), method and path.
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", id, method = %req.method(), path = %req.uri().path())
}

/// An API path no handler serves: a JSON 404, so clients can tell a missing
/// endpoint from a page.
async fn api_not_found() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        "not_found",
        "no such API endpoint; see /api/v1/openapi.json",
    )
}

/// A handler that panicked answers a JSON 500 instead of dropping the
/// connection; the panic itself is logged.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    ApiError::internal("a request handler panicked").into_response()
}

pub use server::run;
