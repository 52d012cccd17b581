//! Query parameters shared by the aggregation endpoints, parsed into typed
//! filters with errors that name the parameter.

use super::error::ApiError;
use crate::aggregate::Period;
use crate::aggregate::periods::{local_date, midnight};
use crate::districts::{DistrictMask, Districts};
use crate::domain::Catalogue;
use crate::index::{BBox, Filter};
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;
use std::sync::Arc;

/// The raw filter parameters (`res`, `bbox`, `sector`, `from`, `to`, `period`).
#[derive(Debug, Default, Deserialize)]
pub struct FilterParams {
    /// H3 resolution.
    pub res: Option<String>,
    /// `minLon,minLat,maxLon,maxLat`.
    pub bbox: Option<String>,
    /// Comma list of sector codes.
    pub sector: Option<String>,
    /// Inclusive start: a date (local midnight) or RFC 3339 time.
    pub from: Option<String>,
    /// Exclusive end: a date (local midnight) or RFC 3339 time.
    pub to: Option<String>,
    /// Period length for time series.
    pub period: Option<String>,
    /// Output format.
    pub format: Option<String>,
    /// A district id: only its appeals.
    pub district: Option<String>,
}

/// Limits that parsing enforces.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Finest resolution allowed.
    pub max_res: u8,
}

impl FilterParams {
    /// The resolution, defaulting to `default`.
    pub fn res(&self, default: u8, limits: Limits) -> Result<u8, ApiError> {
        let Some(s) = self.res.as_deref() else {
            return Ok(default.min(limits.max_res));
        };
        let r: u8 = s.trim().parse().map_err(|_| {
            ApiError::bad_param("res", format!("{s:?} is not an H3 resolution (0–15)"))
        })?;
        if r > 15 {
            return Err(ApiError::bad_param(
                "res",
                format!("{r} is not an H3 resolution (0–15)"),
            ));
        }
        if r > limits.max_res {
            return Err(ApiError::bad_param(
                "res",
                format!(
                    "resolution {r} is finer than this server's limit of {}",
                    limits.max_res
                ),
            ));
        }
        Ok(r)
    }

    /// The period, defaulting to `month`.
    pub fn period(&self) -> Result<Period, ApiError> {
        match self.period.as_deref() {
            None => Ok(Period::Month),
            Some(s) => Period::parse(s).ok_or_else(|| {
                ApiError::bad_param(
                    "period",
                    format!("{s:?} is not one of day, week, month, quarter, year"),
                )
            }),
        }
    }

    /// The filter (bbox, sectors, time range) for endpoints without district
    /// support: a `district` parameter is refused rather than ignored. Handlers
    /// that honour `district` call [`AppState::filter`](super::AppState::filter).
    pub fn filter(&self, cat: &Catalogue, tz: Tz) -> Result<Filter, ApiError> {
        if self.district.is_some() {
            return Err(ApiError::bad_param(
                "district",
                "this endpoint does not filter by district",
            ));
        }
        self.base_filter(cat, tz)
    }

    /// The filter with the district resolved among `districts` (404 naming
    /// `district` for an unknown id). `district` and `bbox` both apply.
    pub fn filter_in(
        &self,
        cat: &Catalogue,
        tz: Tz,
        districts: &Districts,
    ) -> Result<Filter, ApiError> {
        let mut f = self.base_filter(cat, tz)?;
        f.district = self
            .district
            .as_deref()
            .map(|s| parse_district(s, districts))
            .transpose()?;
        Ok(f)
    }

    fn base_filter(&self, cat: &Catalogue, tz: Tz) -> Result<Filter, ApiError> {
        let bbox = self.bbox.as_deref().map(parse_bbox).transpose()?;
        let sectors = self
            .sector
            .as_deref()
            .map(|s| parse_sectors(s, cat))
            .transpose()?;
        let from = self
            .from
            .as_deref()
            .map(|s| parse_instant("from", s, tz))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|s| parse_instant("to", s, tz))
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to)
            && f >= t
        {
            return Err(ApiError::bad_param("to", "must be after from"));
        }
        Ok(Filter {
            bbox,
            sectors,
            from,
            to,
            district: None,
        })
    }
}

/// Parses a district id and finds its mask.
pub fn parse_district(s: &str, districts: &Districts) -> Result<Arc<DistrictMask>, ApiError> {
    let id: i64 = s
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_param("district", format!("{s:?} is not a district id")))?;
    districts
        .get(id)
        .map(|d| d.mask.clone())
        .ok_or_else(|| ApiError {
            field: Some("district".into()),
            ..ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "unknown_district",
                format!("no district with id {id}; see /api/v1/districts"),
            )
        })
}

/// True for `format=geojson`, false for `json` or none; else a 400 naming `format`.
pub fn wants_geojson(format: Option<&str>) -> Result<bool, ApiError> {
    json_or(format, "geojson")
}

/// True for `format=csv`, false for `json` or none; else a 400 naming `format`.
pub fn wants_csv(format: Option<&str>) -> Result<bool, ApiError> {
    json_or(format, "csv")
}

/// True when `format` is `other`, false for `json` or none; else a 400 naming `format`.
fn json_or(format: Option<&str>, other: &str) -> Result<bool, ApiError> {
    match format {
        None | Some("json") => Ok(false),
        Some(f) if f == other => Ok(true),
        Some(f) => Err(ApiError::bad_param(
            "format",
            format!("{f:?} is not json or {other}"),
        )),
    }
}

/// A body answered as CSV or JSON.
pub fn csv_or_json(csv: bool, body: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let ct = if csv {
        "text/csv; charset=utf-8"
    } else {
        "application/json"
    };
    ([(axum::http::header::CONTENT_TYPE, ct)], body).into_response()
}

/// `window_days` (a whole number of days from 1 to `max`), `default` when absent.
pub fn window_days(s: Option<&str>, default: u32, max: u32) -> Result<u32, ApiError> {
    let Some(s) = s else { return Ok(default) };
    s.trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=max).contains(d))
        .ok_or_else(|| {
            ApiError::bad_param(
                "window_days",
                format!("{s:?} is not a whole number of days from 1 to {max}"),
            )
        })
}

/// Parses `minLon,minLat,maxLon,maxLat`; west > east means crossing ±180.
pub fn parse_bbox(s: &str) -> Result<BBox, ApiError> {
    let bad = |m: String| ApiError::bad_param("bbox", m);
    let parts: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad(format!("{s:?} is not minLon,minLat,maxLon,maxLat")))?;
    let [min_lon, min_lat, max_lon, max_lat] = parts[..] else {
        return Err(bad(format!(
            "{s:?} needs exactly four numbers: minLon,minLat,maxLon,maxLat"
        )));
    };
    if parts.iter().any(|v| !v.is_finite()) {
        return Err(bad("coordinates must be finite numbers".into()));
    }
    for lon in [min_lon, max_lon] {
        if !(-180.0..=180.0).contains(&lon) {
            return Err(bad(format!("longitude {lon} is outside [-180, 180]")));
        }
    }
    for lat in [min_lat, max_lat] {
        if !(-90.0..=90.0).contains(&lat) {
            return Err(bad(format!("latitude {lat} is outside [-90, 90]")));
        }
    }
    if min_lat > max_lat {
        return Err(bad("minLat is greater than maxLat".into()));
    }
    Ok(BBox {
        min_lon,
        min_lat,
        max_lon,
        max_lat,
    })
}

/// Parses a comma list of sector codes into a sector set.
pub fn parse_sectors(s: &str, cat: &Catalogue) -> Result<[u64; 4], ApiError> {
    let mut ids = Vec::new();
    for code in s.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        match cat.by_code(code) {
            Some(sec) => ids.push(sec.id),
            None => {
                let known: Vec<&str> = cat.all().iter().map(|s| s.code.as_str()).collect();
                return Err(ApiError::bad_param(
                    "sector",
                    format!("unknown sector {code:?}; known: {}", known.join(", ")),
                ));
            }
        }
    }
    if ids.is_empty() {
        return Err(ApiError::bad_param("sector", "names no sector"));
    }
    Ok(Filter::sector_set(ids))
}

/// A date (`2025-03-01`, local midnight in `tz`) or an RFC 3339 time.
pub fn parse_instant(field: &str, s: &str, tz: Tz) -> Result<i64, ApiError> {
    if let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        return Ok(midnight(tz, d));
    }
    // Appeals are stored to the second: a bound with a fraction moves up to the
    // next whole second, so `from` keeps and `to` excludes exactly the right ones.
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0))
        .map_err(|_| {
            ApiError::bad_param(
                field,
                format!("{s:?} is neither a date (YYYY-MM-DD) nor an RFC 3339 time with offset"),
            )
        })
}

/// The local date of an instant, for messages and defaults.
pub fn date_of(t: i64, tz: Tz) -> NaiveDate {
    local_date(tz, t)
}

/// A query string parsed into `T`; a malformed one (a repeated or mistyped
/// parameter) answers with the SPEC's JSON error instead of axum's plain text.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(q)| ApiQuery(q))
            .map_err(|e| ApiError::bad_param("query", e.body_text()))
    }
}
