//! `GET /api/v1/aggregate`: `{h3, sector, period_start, count}` rows as JSON or CSV.

use super::{AppState, error::ApiError, params::FilterParams};
use crate::aggregate::{Periods, aggregate_rows};
use crate::index::cells::cell;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/aggregate", get(aggregate))
}

const DEFAULT_RES: u8 = 8;

async fn aggregate(
    State(st): State<AppState>,
    Query(q): Query<FilterParams>,
) -> Result<Response, ApiError> {
    let res = q.res(DEFAULT_RES, st.limits())?;
    let period = q.period()?;
    let filter = q.filter(&st.engine.catalogue, st.cfg.tz)?;
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad_param(
                "format",
                format!("{other:?} is not json or csv"),
            ));
        }
    };
    let engine = st.engine.clone();
    let cap = st.cfg.max_cells;
    let tz = st.cfg.tz;
    let body = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let data = engine.index.read();
        // Without bounds, the periods span the data itself.
        let (from, to) = match (filter.from, filter.to) {
            (Some(f), Some(t)) => (f, t),
            (f, t) => {
                let (lo, hi) = data.time_span().unwrap_or((0, 1));
                (f.unwrap_or(lo), t.unwrap_or(hi + 1))
            }
        };
        let periods = Periods::covering(period, tz, from, to).ok_or_else(|| {
            ApiError::bad_param(
                "period",
                "too many periods in the range; choose a longer period",
            )
        })?;
        let rows = aggregate_rows(&data, &filter, res, &periods, cap)?;
        drop(data);
        let cat = &engine.catalogue;
        let mut out = Vec::with_capacity(rows.len() * 64);
        if csv {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(["h3", "sector", "period_start", "count"])
                .map_err(ApiError::internal)?;
            for r in &rows {
                let Some(c) = cell(r.cell) else { continue };
                w.write_record([
                    c.to_string(),
                    cat.code_of(r.sector).to_owned(),
                    periods.label(r.period),
                    r.count.to_string(),
                ])
                .map_err(ApiError::internal)?;
            }
            w.flush().map_err(ApiError::internal)?;
        } else {
            let json: Vec<serde_json::Value> = rows
                .iter()
                .filter_map(|r| {
                    let c = cell(r.cell)?;
                    Some(serde_json::json!({
                        "h3": c.to_string(),
                        "sector": cat.code_of(r.sector),
                        "period_start": periods.label(r.period),
                        "count": r.count,
                    }))
                })
                .collect();
            serde_json::to_writer(&mut out, &json).map_err(ApiError::internal)?;
        }
        Ok(out)
    })
    .await??;
    let ct = if csv {
        "text/csv; charset=utf-8"
    } else {
        "application/json"
    };
    Ok(([(header::CONTENT_TYPE, ct)], body).into_response())
}
