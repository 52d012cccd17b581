//! `GET /api/v1/hexagons`: a GeoJSON FeatureCollection of H3 cells with counts.

use super::{AppState, error::ApiError, geometry::cell_geometry, params::FilterParams};
use crate::aggregate::count_cells;
use crate::index::cells::cell;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/hexagons", get(hexagons))
}

/// Resolution when the request names none: a city-district scale.
const DEFAULT_RES: u8 = 8;

async fn hexagons(
    State(st): State<AppState>,
    Query(q): Query<FilterParams>,
) -> Result<Response, ApiError> {
    let res = q.res(DEFAULT_RES, st.limits())?;
    let filter = q.filter(&st.engine.catalogue, st.cfg.tz)?;
    let engine = st.engine.clone();
    let cap = st.cfg.max_cells;
    let body = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let counts = {
            let data = engine.index.read();
            count_cells(&data, &filter, res, cap)?
        };
        let cat = &engine.catalogue;
        let features: Vec<Value> = counts
            .iter()
            .filter_map(|c| {
                let ci = cell(c.cell)?;
                let by_sector: Map<String, Value> = c
                    .by_sector
                    .iter()
                    .map(|&(s, n)| (cat.code_of(s).to_owned(), json!(n)))
                    .collect();
                Some(json!({
                    "type": "Feature",
                    "id": ci.to_string(),
                    "geometry": cell_geometry(ci),
                    "properties": {
                        "h3": ci.to_string(),
                        "count": c.total,
                        "sector": c.dominant().map(|s| cat.code_of(s)),
                        "by_sector": by_sector,
                    }
                }))
            })
            .collect();
        let fc = json!({ "type": "FeatureCollection", "res": res, "features": features });
        serde_json::to_vec(&fc).map_err(ApiError::internal)
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response())
}
