//! `GET /api/v1/hotspots`: cells ranked by Getis-Ord Gi* with their
//! emerging hot-spot class, as JSON or a GeoJSON FeatureCollection.
//!
//! Parameters: the shared filters (`res` default 9, `bbox`, `sector`, `from`,
//! `to`, `period` default month), `k` (1–5, default 1), `alpha` (0 < α < 1,
//! default 0.05), `limit` (default 50, at most 1000), `offset`, `format`
//! (`json` or `geojson`). The analysis itself is `analysis::hotspots`;
//! results are cached per query and data version, shared with the
//! `hotspots` tile layer.

use super::params::wants_geojson;
use super::params::{ApiQuery, FilterParams};
use super::{AppState, error::ApiError, jsonw::JsonWriter};
use crate::analysis::hotspots::{
    self, CellHotspot, HotspotError, HotspotKey, HotspotQuery, Hotspots,
};
use crate::auth::Access;
use crate::index::cells::cell;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/hotspots", get(hotspots))
}

/// Resolution when the request names none: street blocks (~0.1 km²).
const DEFAULT_RES: u8 = 9;
/// Rows per page when the request names none, and the most allowed.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 1000;

/// The hotspot parameters beyond the shared filters.
#[derive(Debug, Default, Deserialize)]
pub struct HotspotParams {
    /// `res`, `bbox`, `sector`, `from`, `to`, `period`, `format`.
    #[serde(flatten)]
    pub filter: FilterParams,
    /// Neighbourhood radius in grid steps.
    pub k: Option<String>,
    /// Significance level.
    pub alpha: Option<String>,
    /// Page size.
    pub limit: Option<String>,
    /// Rows to skip.
    pub offset: Option<String>,
}

impl HotspotParams {
    /// The analysis these parameters ask for; `res` defaults to `default_res`.
    pub fn query(
        &self,
        st: &AppState,
        access: &Access,
        default_res: u8,
    ) -> Result<HotspotQuery, ApiError> {
        let q = &self.filter;
        let k = match self.k.as_deref() {
            None => 1,
            Some(s) => s
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|k| (1..=5).contains(k))
                .ok_or_else(|| {
                    ApiError::bad_param("k", format!("{s:?} is not a ring size from 1 to 5"))
                })?,
        };
        let alpha = match self.alpha.as_deref() {
            None => 0.05,
            Some(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|a| *a > 0.0 && *a < 1.0)
                .ok_or_else(|| {
                    ApiError::bad_param("alpha", format!("{s:?} is not a number between 0 and 1"))
                })?,
        };
        Ok(HotspotQuery {
            filter: st.filter(access, q)?,
            res: q.res(default_res, st.limits())?,
            k,
            period: q.period()?,
            tz: st.cfg.tz,
            alpha,
            max_cells: st.cfg.max_cells,
        })
    }

    fn page(&self) -> Result<(usize, usize), ApiError> {
        let num = |field: &str, v: &Option<String>, default: usize| match v.as_deref() {
            None => Ok(default),
            Some(s) => s.trim().parse::<usize>().map_err(|_| {
                ApiError::bad_param(field, format!("{s:?} is not a whole number ≥ 0"))
            }),
        };
        let limit = num("limit", &self.limit, DEFAULT_LIMIT)?;
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad_param(
                "limit",
                format!("must be from 1 to {MAX_LIMIT}"),
            ));
        }
        Ok((limit, num("offset", &self.offset, 0)?))
    }
}

impl From<HotspotError> for ApiError {
    fn from(e: HotspotError) -> Self {
        let code = match e {
            HotspotError::TooManyCells { .. } => "too_many_cells",
            HotspotError::TooManyPeriods(_) => "too_many_periods",
        };
        ApiError {
            code,
            ..ApiError::bad_param(e.field(), e.to_string())
        }
    }
}

/// The analysis of `q` over the current data, from the cache when it is
/// there, with the data version it reflects. Blocking: call it on the
/// blocking pool, and not while holding the index lock.
pub fn analyse(st: &AppState, q: &HotspotQuery) -> Result<(Arc<Hotspots>, u64), ApiError> {
    let data = st.engine.index.read();
    let key = HotspotKey {
        res: q.res,
        k: q.k,
        period: q.period,
        alpha_bits: q.alpha.to_bits(),
        filter: q.filter.key(),
        seq: data.seq,
    };
    let h = st
        .hotspots
        .get_or_compute(key, || hotspots::compute(&data, q))?;
    Ok((h, key.seq))
}

async fn hotspots(
    State(st): State<AppState>,
    access: Access,
    ApiQuery(p): ApiQuery<HotspotParams>,
) -> Result<Response, ApiError> {
    let q = p.query(&st, &access, DEFAULT_RES)?;
    let (limit, offset) = p.page()?;
    let geojson = wants_geojson(p.filter.format.as_deref())?;
    let body = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let (h, _) = analyse(&st, &q)?;
        let page: Vec<&CellHotspot> = h
            .ranked()
            // Not `shows`: empty study-area cells ring every cell with appeals,
            // so they would outline the rare ones left out.
            .filter(|c| c.count >= u64::from(access.min_count))
            .skip(offset)
            .take(limit)
            .collect();
        let head = json!({
            "res": q.res,
            "k": q.k,
            "alpha": q.alpha,
            "period": q.period,
            "periods": h.periods.len(),
            "from": h.periods.label(0),
            "to": h.periods.label(h.periods.len() as u32),
            "cells_tested": h.cells.len(),
            "total": h.cells.len(),
            "limit": limit,
            "offset": offset,
        });
        Ok(if geojson {
            feature_collection(&st, head, &page)
        } else {
            let mut v = head;
            v["hotspots"] = page.iter().map(|c| properties(c)).collect();
            serde_json::to_vec(&v).map_err(ApiError::internal)?
        })
    })
    .await??;
    let ct = if geojson {
        "application/geo+json"
    } else {
        "application/json"
    };
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, ct)], body).into_response())
}

/// One cell's figures as the JSON list and GeoJSON properties carry them.
pub(super) fn properties(c: &CellHotspot) -> Value {
    let ci = cell(c.cell);
    let h3 = ci.map(|ci| ci.to_string()).unwrap_or_default();
    // The centre lets a list entry be flown to without fetching its outline.
    let center = ci.map(|ci| {
        let ll = h3o::LatLng::from(ci);
        [
            super::geometry::round6(ll.lng()),
            super::geometry::round6(ll.lat()),
        ]
    });
    json!({
        "h3": h3,
        "center": center,
        "count": c.count,
        "z": c.z,
        "p": c.p,
        "p_fdr": c.p_fdr,
        "class": c.class.name(),
        "periods_hot": c.periods_hot,
        "trend": {"tau": c.trend.tau, "p": c.trend.p},
    })
}

/// The page as a FeatureCollection (cell outlines split at ±180), with the
/// list's header fields as foreign members.
fn feature_collection(st: &AppState, head: Value, page: &[&CellHotspot]) -> Vec<u8> {
    let mut w = JsonWriter::with_capacity(256 + page.len() * 700);
    w.raw("{\"type\":\"FeatureCollection\"");
    if let Value::Object(m) = head {
        for (k, v) in m {
            w.raw(",").str(&k).raw(":").raw(&v.to_string());
        }
    }
    w.raw(",\"features\":[");
    let mut first = true;
    for c in page {
        let Some(ci) = cell(c.cell) else { continue };
        if !first {
            w.raw(",");
        }
        first = false;
        w.raw("{\"type\":\"Feature\",\"id\":")
            .str(&ci.to_string())
            .raw(",\"geometry\":")
            .raw(&st.geometry.json(ci))
            .raw(",\"properties\":")
            .raw(&properties(c).to_string())
            .raw("}");
    }
    w.raw("]}");
    w.into_bytes()
}
