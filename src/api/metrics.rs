//! `GET /metrics` in the Prometheus text format, and the route layer that
//! counts requests and their latency by route, method and status. Tile
//! cache hits and misses and ingested appeals are counted where they happen
//! (`metrics::counter!`); index size is read when scraped.

use super::AppState;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(scrape))
}

/// Latency buckets in seconds: tiles take a millisecond, big scans seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// The process's one recorder (a second install would fail: tests build
/// many applications in one process).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("hexwatch_http_request_duration_seconds".into()),
                &BUCKETS,
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        match builder.install_recorder() {
            Ok(h) => h,
            Err(e) => {
                // Another recorder is installed: render an empty one of our own.
                tracing::warn!(error = %e, "metrics recorder not installed");
                PrometheusBuilder::new().build_recorder().handle()
            }
        }
    })
}

async fn scrape(State(st): State<AppState>) -> impl IntoResponse {
    metrics::gauge!("hexwatch_index_appeals").set(st.engine.index.len() as f64);
    metrics::gauge!("hexwatch_districts").set(st.engine.districts().all().len() as f64);
    metrics::gauge!("hexwatch_tile_cache_entries").set(st.tiles.cache.len() as f64);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle().render(),
    )
}

/// Counts every routed request and its latency (a route layer: the
/// matched route, not the raw path, is the label, so ids in paths do not
/// multiply series).
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let seconds = started.elapsed().as_secs_f64();
    metrics::counter!("hexwatch_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("hexwatch_http_request_duration_seconds", "method" => method, "route" => route)
        .record(seconds);
    response
}
