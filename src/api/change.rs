//! `GET /api/v1/change`: per-cell counts in two periods, their difference and
//! ratio, as JSON rows or a GeoJSON FeatureCollection for a change map.

use super::params::wants_geojson;
use super::{
    AppState,
    error::ApiError,
    jsonw::JsonWriter,
    params::{ApiQuery, FilterParams, parse_instant},
};
use crate::analysis::change::change;
use crate::auth::Access;
use crate::index::cells::cell;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono_tz::Tz;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/change", get(change_handler))
}

const DEFAULT_RES: u8 = 8;

/// `[from, to)` in Unix seconds.
pub type Span = (i64, i64);

/// The query of a change request: the usual filters, two periods.
#[derive(Debug, Deserialize)]
pub struct ChangeParams {
    /// `res`, `bbox`, `sector`, `district`, `format` (its `from`/`to`/`period` do not apply).
    #[serde(flatten)]
    pub filter: FilterParams,
    /// The two periods.
    #[serde(flatten)]
    pub bounds: ChangeBounds,
}

/// The two periods a change compares.
#[derive(Debug, Default, Deserialize)]
pub struct ChangeBounds {
    /// Start of period A (inclusive).
    pub from_a: Option<String>,
    /// End of period A (exclusive).
    pub to_a: Option<String>,
    /// Start of period B (inclusive).
    pub from_b: Option<String>,
    /// End of period B (exclusive).
    pub to_b: Option<String>,
}

impl ChangeBounds {
    /// The bounds as query pairs, for URLs that carry them.
    pub fn pairs(&self) -> [(&'static str, &Option<String>); 4] {
        [
            ("from_a", &self.from_a),
            ("to_a", &self.to_a),
            ("from_b", &self.from_b),
            ("to_b", &self.to_b),
        ]
    }

    /// Periods A and B as `[from, to)` instants; all four bounds are required
    /// and the single-range parameters of `filter` must be absent.
    pub fn spans(&self, filter: &FilterParams, tz: Tz) -> Result<[Span; 2], ApiError> {
        for (name, given) in [
            ("from", &filter.from),
            ("to", &filter.to),
            ("period", &filter.period),
        ] {
            if given.is_some() {
                return Err(ApiError::bad_param(
                    name,
                    "a change compares from_a..to_a with from_b..to_b; this parameter does not apply",
                ));
            }
        }
        let bound = |name: &str, v: &Option<String>| {
            let s = v.as_deref().ok_or_else(|| {
                ApiError::bad_param(name, "is required (a date or RFC 3339 time)")
            })?;
            parse_instant(name, s, tz)
        };
        let a = (bound("from_a", &self.from_a)?, bound("to_a", &self.to_a)?);
        let b = (bound("from_b", &self.from_b)?, bound("to_b", &self.to_b)?);
        for (name, (from, to)) in [("to_a", a), ("to_b", b)] {
            if from >= to {
                return Err(ApiError::bad_param(name, "must be after its from"));
            }
        }
        Ok([a, b])
    }
}

async fn change_handler(
    State(st): State<AppState>,
    access: Access,
    ApiQuery(q): ApiQuery<ChangeParams>,
) -> Result<Response, ApiError> {
    let res = q.filter.res(DEFAULT_RES, st.limits())?;
    let [a, b] = q.bounds.spans(&q.filter, st.cfg.tz)?;
    let filter = st.filter(&access, &q.filter)?;
    let geojson = wants_geojson(q.filter.format.as_deref())?;
    let cap = st.cfg.max_cells;
    let body = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let mut rows = change(&st.engine.index.read(), &filter, res, a, b, cap)?;
        rows.retain(|r| access.shows(r.a) && access.shows(r.b));
        let mut w = JsonWriter::with_capacity(64 + rows.len() * if geojson { 400 } else { 80 });
        w.raw(if geojson {
            "{\"type\":\"FeatureCollection\",\"res\":"
        } else {
            "{\"res\":"
        })
        .uint(u64::from(res));
        w.raw(if geojson {
            ",\"features\":["
        } else {
            ",\"cells\":["
        });
        for (n, r) in rows.iter().enumerate() {
            let Some(ci) = cell(r.cell) else { continue };
            let h3 = ci.to_string();
            if n > 0 {
                w.raw(",");
            }
            if geojson {
                w.raw("{\"type\":\"Feature\",\"id\":").str(&h3);
                w.raw(",\"geometry\":").raw(&st.geometry.json(ci));
                w.raw(",\"properties\":");
            }
            w.raw("{\"h3\":").str(&h3);
            w.raw(",\"a\":").uint(u64::from(r.a));
            w.raw(",\"b\":").uint(u64::from(r.b));
            w.raw(",\"diff\":")
                .raw(itoa::Buffer::new().format(r.diff()));
            w.raw(",\"ratio\":");
            match r.ratio() {
                Some(x) => w.raw(&format!("{}", (x * 1e4).round() / 1e4)),
                None => w.raw("null"),
            };
            w.raw(if geojson { "}}" } else { "}" });
        }
        w.raw("]}");
        Ok(w.into_bytes())
    })
    .await??;
    let ct = if geojson {
        "application/geo+json"
    } else {
        "application/json"
    };
    Ok(([(header::CONTENT_TYPE, ct)], body).into_response())
}
