//! `GET /api/v1/hexagons`: a GeoJSON FeatureCollection of H3 cells with counts.

use super::{
    AppState,
    error::ApiError,
    jsonw::JsonWriter,
    params::{ApiQuery, FilterParams},
};
use crate::aggregate::count_cells;
use crate::analysis::resolution::default_as_of;
use crate::analysis::resolution::metric::{Metric, cell_values};
use crate::auth::Access;
use crate::index::cells::cell;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/hexagons", get(hexagons))
}

/// Resolution when the request names none: a city-district scale.
const DEFAULT_RES: u8 = 8;

#[derive(Debug, Deserialize)]
struct HexagonParams {
    /// `count` (default), `median_hours`, `overdue_share` or `repeat_rate`.
    metric: Option<String>,
    #[serde(flatten)]
    filter: FilterParams,
}

async fn hexagons(
    State(st): State<AppState>,
    access: Access,
    ApiQuery(p): ApiQuery<HexagonParams>,
) -> Result<Response, ApiError> {
    let q = &p.filter;
    let metric = super::tiles::parse_metric(p.metric.as_deref())?;
    let res = q.res(DEFAULT_RES, st.limits())?;
    let filter = st.filter(&access, q)?;
    let cap = st.cfg.max_cells;
    let min_count = access.min_count;
    let body = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let (counts, values) = {
            let data = st.engine.index.read();
            let mut counts = count_cells(&data, &filter, res, cap)?;
            // k-anonymity first: a suppressed cell must not leak through its metric value.
            counts.retain(|c| c.total >= min_count);
            let values = (metric != Metric::Count).then(|| {
                let cells: Vec<u64> = counts.iter().map(|c| c.cell).collect();
                cell_values(&data, &cells, &filter, metric, default_as_of(&data))
            });
            (counts, values)
        };
        let cat = &st.engine.catalogue;
        let mut w = JsonWriter::with_capacity(64 + counts.len() * 400);
        w.raw("{\"type\":\"FeatureCollection\",\"res\":")
            .uint(u64::from(res))
            .raw(",\"metric\":")
            .str(metric.as_str())
            .raw(",\"features\":[");
        for (n, c) in counts.iter().enumerate() {
            let Some(ci) = cell(c.cell) else { continue };
            let h3 = ci.to_string();
            if n > 0 {
                w.raw(",");
            }
            w.raw("{\"type\":\"Feature\",\"id\":").str(&h3);
            w.raw(",\"geometry\":").raw(&st.geometry.json(ci));
            w.raw(",\"properties\":{\"h3\":")
                .str(&h3)
                .raw(",\"count\":")
                .uint(u64::from(c.total));
            if let Some(values) = &values {
                // The metric under its own name and as `value`, which the map colours by.
                let v = values[n].map_or("null".to_owned(), |x| format!("{x}"));
                w.raw(",\"").raw(metric.as_str()).raw("\":").raw(&v);
                w.raw(",\"value\":").raw(&v);
            }
            w.raw(",\"sector\":");
            match c.dominant() {
                Some(s) => w.str(cat.code_of(s)),
                None => w.raw("null"),
            };
            w.raw(",\"by_sector\":{");
            for (k, &(s, n)) in c.by_sector.iter().enumerate() {
                if k > 0 {
                    w.raw(",");
                }
                w.str(cat.code_of(s)).raw(":").uint(u64::from(n));
            }
            w.raw("}}}");
        }
        w.raw("]}");
        Ok(w.into_bytes())
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response())
}
