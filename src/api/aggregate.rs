//! `GET /api/v1/aggregate`: `{h3, sector, period_start, count}` rows as JSON or CSV.

use super::{
    AppState,
    error::ApiError,
    jsonw::JsonWriter,
    params::{ApiQuery, FilterParams},
};
use crate::aggregate::{Periods, aggregate_rows};
use crate::auth::Access;
use crate::index::cells::cell;
use axum::Router;
use axum::extract::State;

use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/aggregate", get(aggregate))
}

const DEFAULT_RES: u8 = 8;

async fn aggregate(
    State(st): State<AppState>,
    access: Access,
    ApiQuery(q): ApiQuery<FilterParams>,
) -> Result<Response, ApiError> {
    let res = q.res(DEFAULT_RES, st.limits())?;
    let period = q.period()?;
    let filter = st.filter(&access, &q)?;
    let csv = super::params::wants_csv(q.format.as_deref())?;
    let engine = st.engine.clone();
    let cap = st.cfg.max_cells;
    let min_count = access.min_count;
    let tz = st.cfg.tz;
    let body = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let data = engine.index.read();
        // Without bounds, the periods span the data itself.
        let (from, to) = data.time_range(&filter);
        let periods = Periods::covering(period, tz, from, to).ok_or_else(|| {
            ApiError::bad_param(
                "period",
                "too many periods in the range; choose a longer period",
            )
        })?;
        let mut rows = aggregate_rows(&data, &filter, res, &periods, cap)?;
        rows.retain(|r| r.count >= min_count);
        drop(data);
        let cat = &engine.catalogue;
        // Formatting a date per row costs more than counting it: label each period once.
        let labels: Vec<String> = (0..periods.len() as u32)
            .map(|i| periods.label(i))
            .collect();
        let mut w = JsonWriter::with_capacity(64 + rows.len() * 96);
        if csv {
            w.raw("h3,sector,period_start,count\n");
        } else {
            w.raw("[");
        }
        let mut first = true;
        for r in &rows {
            let Some(c) = cell(r.cell) else { continue };
            let (h3, sector, label) = (
                c.to_string(),
                cat.code_of(r.sector),
                &labels[r.period as usize],
            );
            if csv {
                // h3 ids, sector codes and RFC 3339 labels need no CSV quoting.
                w.raw(&h3)
                    .raw(",")
                    .raw(sector)
                    .raw(",")
                    .raw(label)
                    .raw(",")
                    .uint(u64::from(r.count))
                    .raw("\n");
            } else {
                if !first {
                    w.raw(",");
                }
                w.raw("{\"h3\":").str(&h3).raw(",\"sector\":").str(sector);
                w.raw(",\"period_start\":")
                    .str(label)
                    .raw(",\"count\":")
                    .uint(u64::from(r.count))
                    .raw("}");
            }
            first = false;
        }
        if !csv {
            w.raw("]");
        }
        Ok(w.into_bytes())
    })
    .await??;
    Ok(super::params::csv_or_json(csv, body))
}
