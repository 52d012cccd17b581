//! `GET /api/v1/cells/{h3}`: one cell's counts by sector, time series, time
//! to resolve and repeat rate.

use super::{
    AppState,
    error::ApiError,
    params::{ApiQuery, FilterParams},
};
use crate::analysis::cell::{CellError, CellQuery, describe};
use crate::auth::Access;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use h3o::CellIndex;
use serde::Deserialize;
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/cells/{h3}", get(cell))
}

/// Days back an earlier appeal makes a new one a repeat, unless asked otherwise.
const DEFAULT_REPEAT_DAYS: u32 = 30;

#[derive(Debug, Deserialize)]
struct CellParams {
    #[serde(flatten)]
    filter: FilterParams,
    repeat_days: Option<String>,
}

impl From<CellError> for ApiError {
    fn from(e: CellError) -> Self {
        match e {
            CellError::TooManyPeriods => ApiError::bad_param("period", e.to_string()),
        }
    }
}

async fn cell(
    State(st): State<AppState>,
    access: Access,
    Path(h3): Path<String>,
    ApiQuery(q): ApiQuery<CellParams>,
) -> Result<Json<Value>, ApiError> {
    let cell: CellIndex = h3.trim().parse().map_err(|_| {
        ApiError::bad_param(
            "h3",
            format!("{h3:?} is not an H3 cell index (15 hex digits, e.g. 8911aa44c2bffff)"),
        )
    })?;
    for (name, given) in [("res", &q.filter.res), ("bbox", &q.filter.bbox)] {
        if given.is_some() {
            return Err(ApiError::bad_param(
                name,
                "a cell request is addressed by its h3 index; this parameter does not apply",
            ));
        }
    }
    let repeat_days = match q.repeat_days.as_deref() {
        None => DEFAULT_REPEAT_DAYS,
        Some(s) => s
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=3650).contains(d))
            .ok_or_else(|| {
                ApiError::bad_param("repeat_days", format!("{s:?} is not a whole number 1–3650"))
            })?,
    };
    let query = CellQuery {
        cell,
        filter: st.filter(&access, &q.filter)?,
        period: q.filter.period()?,
        tz: st.cfg.tz,
        repeat_days,
    };
    let engine = st.engine.clone();
    let d = tokio::task::spawn_blocking(move || describe(&engine.index.read(), &query)).await??;
    if !access.shows(d.count) {
        // Too few appeals to show anything about them without naming someone.
        return Ok(Json(json!({
            "h3": cell.to_string(),
            "res": cell.resolution() as u8,
            "suppressed": true,
            "k_anonymity": access.min_count,
        })));
    }
    let touching = st.engine.fixes.touching(cell);
    let fixes = super::fixes::with_verdicts(&st, touching, super::fixes::fix_json).await?;
    let cat = &st.engine.catalogue;
    let sectors = |v: &[(u8, u32)]| -> Map<String, Value> {
        v.iter()
            .map(|&(s, n)| (cat.code_of(s).to_owned(), json!(n)))
            .collect()
    };
    let series: Vec<Value> = d
        .series
        .iter()
        .enumerate()
        .map(|(i, v)| {
            json!({
                "period_start": d.periods.label(i as u32),
                "count": v.iter().map(|&(_, n)| n).sum::<u32>(),
                "by_sector": sectors(v),
            })
        })
        .collect();
    Ok(Json(json!({
        "h3": cell.to_string(),
        "res": cell.resolution() as u8,
        "count": d.count,
        "by_sector": sectors(&d.by_sector),
        "period": d.periods.period,
        "series": series,
        "resolve_hours": {
            "resolved": d.resolved,
            "median": d.median_hours,
            "p90": d.p90_hours,
        },
        "repeat": {
            "days": repeat_days,
            "repeats": d.repeats,
            "share": d.repeat_share(),
        },
        "fixes": fixes,
    })))
}
