//! The HTTP layer: one `router()` per feature merged into [`app`], the only
//! place that knows axum. Handlers parse parameters into types, run heavy work
//! on the blocking pool, and answer with JSON or the SPEC's error shape.

mod aggregate;
mod appeals;
mod cells;
mod change;
mod districts;
pub mod error;
mod fixes;
mod geometry;
mod health;
mod hexagons;
mod hotspots;
mod jsonw;
pub mod params;
mod process_changes;
mod resolution;
pub mod tiles;
mod tiles_build;
mod tiles_json;
mod ui_config;

use crate::engine::Engine;
use axum::Router;
use chrono_tz::Tz;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
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
        }
    }
}

/// Shared state of every handler.
#[derive(Debug, Clone)]
pub struct AppState {
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
}

/// Bytes of cell outlines kept as GeoJSON text (~200 bytes per cell).
const GEOMETRY_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// Bytes of hotspot results kept (~100 bytes per study-area cell: a city at
/// res 9 is about 1 MB, so dozens of filter combinations fit).
const HOTSPOT_CACHE_BYTES: u64 = 64 * 1024 * 1024;

impl AppState {
    /// State over an engine with the given settings.
    pub fn new(engine: Arc<Engine>, cfg: ApiConfig) -> Self {
        AppState {
            engine,
            cfg: Arc::new(cfg),
            geometry: geometry::GeometryCache::new(GEOMETRY_CACHE_BYTES),
            tiles: tiles::TileState::new(TileConfig::default()),
            hotspots: crate::analysis::hotspots::HotspotCache::new(HOTSPOT_CACHE_BYTES),
        }
    }

    /// The same state with these tile settings (and fresh tile caches).
    pub fn with_tiles(mut self, cfg: TileConfig) -> Self {
        self.tiles = tiles::TileState::new(cfg);
        self
    }

    /// The filter of a request, `district` included: what new endpoints call
    /// (plain [`params::FilterParams::filter`] refuses `district`).
    pub fn filter(&self, q: &params::FilterParams) -> Result<crate::index::Filter, ApiError> {
        let districts = self.engine.districts();
        q.filter_in(&self.engine.catalogue, self.cfg.tz, &districts)
    }

    fn limits(&self) -> params::Limits {
        params::Limits {
            max_res: self.cfg.max_res,
        }
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
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
        .merge(resolution::router())
        .merge(process_changes::router())
        .merge(tiles)
        // Without this, an unknown API path would get the page's index.html.
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .fallback_service(static_files)
        .with_state(state)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
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

/// Serves `app` on `listener` until `shutdown` resolves, then lets in-flight
/// requests finish.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
