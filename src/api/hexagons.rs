//! `GET /api/v1/hexagons`: a GeoJSON FeatureCollection of H3 cells with counts.

use super::{
    AppState,
    error::ApiError,
    jsonw::JsonWriter,
    params::{ApiQuery, FilterParams},
};
use crate::aggregate::count_cells;
use crate::auth::Access;
use crate::index::cells::cell;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/hexagons", get(hexagons))
}

/// Resolution when the request names none: a city-district scale.
const DEFAULT_RES: u8 = 8;

async fn hexagons(
    State(st): State<AppState>,
    access: Access,
    ApiQuery(q): ApiQuery<FilterParams>,
) -> Result<Response, ApiError> {
    let res = q.res(DEFAULT_RES, st.limits())?;
    let filter = st.filter(&access, &q)?;
    let cap = st.cfg.max_cells;
    let min_count = access.min_count;
    let body = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let counts = {
            let data = st.engine.index.read();
            let mut counts = count_cells(&data, &filter, res, cap)?;
            counts.retain(|c| c.total >= min_count);
            counts
        };
        let cat = &st.engine.catalogue;
        let mut w = JsonWriter::with_capacity(64 + counts.len() * 400);
        w.raw("{\"type\":\"FeatureCollection\",\"res\":")
            .uint(u64::from(res))
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
