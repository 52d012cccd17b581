//! `/api/v1/districts`: upload district polygons (GeoJSON), list them, read
//! one as a GeoJSON Feature, and summarise its appeals.
//!
//! Summary defaults: without `from`/`to` the period is the last 90 days of
//! data (up to the local midnight after the newest appeal); with only `to`,
//! the 90 days before it; with only `from`, up to the end of the data. The
//! previous period is the one of the same length just before `from`.

use super::params::wants_geojson;
use super::params::{ApiQuery, parse_instant};
use super::{AppState, error::ApiError};
use crate::aggregate::Period;
use crate::aggregate::periods::{local_date, midnight};
use crate::analysis::hotspots::HotspotQuery;
use crate::auth::Access;
use crate::districts::summary::summarize;
use crate::districts::{District, ParseError, parse_collection};
use crate::index::Filter;
use crate::ingest::RecordError;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// Days in a summary period when the request gives no range.
pub const SUMMARY_DAYS: u64 = 90;

pub fn router(max_body: usize) -> Router<AppState> {
    Router::new()
        .route("/api/v1/districts", get(list).post(create))
        .route("/api/v1/districts/{id}", get(one))
        .route("/api/v1/districts/{id}/summary", get(summary))
        .layer(DefaultBodyLimit::max(max_body))
}

async fn create(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|e| super::appeals::body_error(&e, st.cfg.max_body_bytes))?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let mime = ct.split(';').next().unwrap_or("").trim();
    if mime != "application/json" && mime != "application/geo+json" {
        return Err(ApiError {
            field: Some("Content-Type".into()),
            ..ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!("{ct:?} is not application/geo+json or application/json"),
            )
        });
    }
    // Validation runs geometry predicates: off the async threads.
    let parsed = tokio::task::spawn_blocking(move || parse_collection(&body))
        .await?
        .map_err(upload_error)?;
    let created = st.engine.add_districts(parsed).await?;
    let created: Vec<Value> = created
        .into_iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect();
    Ok((StatusCode::CREATED, Json(json!({ "created": created }))).into_response())
}

fn upload_error(e: ParseError) -> ApiError {
    match e {
        ParseError::Body { field, message } => {
            let (status, code) = if field == "body" {
                (StatusCode::BAD_REQUEST, "malformed_body")
            } else {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_geojson")
            };
            ApiError {
                field: Some(field.into()),
                ..ApiError::new(status, code, format!("{message}; nothing was written"))
            }
        }
        ParseError::Features(errors) => {
            let first: &RecordError = &errors[0];
            let more = match errors.len() {
                1 => String::new(),
                n => format!(" (and {} more problems)", n - 1),
            };
            let field = first.field.clone().unwrap_or_default();
            ApiError {
                field: Some(field.clone()),
                ..ApiError {
                    rejected: errors.clone(),
                    ..ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_districts",
                        format!("{}: {field}{more}; nothing was written", first.message),
                    )
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct ListParams {
    format: Option<String>,
}

async fn list(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let districts = st.engine.districts();
    if !wants_geojson(q.format.as_deref())? {
        let list: Vec<Value> = districts
            .all()
            .iter()
            .map(|d| {
                json!({
                    "id": d.id, "name": d.name, "code": d.code,
                    "bbox": d.bbox, "area_km2": round3(d.area_km2),
                })
            })
            .collect();
        Ok(Json(json!({ "districts": list })).into_response())
    } else {
        let features: Vec<String> = districts.all().iter().map(|d| feature(d)).collect();
        let body = format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
            features.join(",")
        );
        Ok(geojson(body))
    }
}

async fn one(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let d = district(&st, path)?;
    Ok(geojson(feature(&d)))
}

/// A district as a GeoJSON Feature (the stored geometry text as is).
fn feature(d: &District) -> String {
    let props = json!({
        "id": d.id, "name": d.name, "code": d.code,
        "bbox": d.bbox, "area_km2": round3(d.area_km2),
    });
    format!(
        "{{\"type\":\"Feature\",\"id\":{},\"geometry\":{},\"properties\":{}}}",
        d.id, d.geojson, props
    )
}

fn geojson(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/geo+json")], body).into_response()
}

fn district(
    st: &AppState,
    path: Result<Path<String>, PathRejection>,
) -> Result<Arc<District>, ApiError> {
    let Path(raw) = path.map_err(super::tiles::bad_path)?;
    let not_found = || ApiError {
        field: Some("id".into()),
        ..ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no district {raw:?}; see /api/v1/districts"),
        )
    };
    let id: i64 = raw.trim().parse().map_err(|_| not_found())?;
    st.engine.districts().get(id).cloned().ok_or_else(not_found)
}

#[derive(Debug, Deserialize)]
struct SummaryParams {
    from: Option<String>,
    to: Option<String>,
}

async fn summary(
    State(st): State<AppState>,
    access: Access,
    path: Result<Path<String>, PathRejection>,
    ApiQuery(q): ApiQuery<SummaryParams>,
) -> Result<Json<Value>, ApiError> {
    let d = district(&st, path)?;
    super::check_district(&access, d.id)?;
    let tz = st.cfg.tz;
    let from = q
        .from
        .as_deref()
        .map(|s| parse_instant("from", s, tz))
        .transpose()?;
    let to =
        q.to.as_deref()
            .map(|s| parse_instant("to", s, tz))
            .transpose()?;
    let engine = st.engine.clone();
    let mask = d.mask.clone();
    let (from, to, s) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let data = engine.index.read();
        let (from, to) = summary_range(from, to, data.time_span(), tz)?;
        Ok((from, to, summarize(&data, &mask, from, to)))
    })
    .await??;
    let mut hotspots = top_hotspots(&st, &d, from, to).await?;
    hotspots.retain(|h| h["count"].as_u64().is_some_and(|n| access.shows(n)));
    let inside: Vec<_> = st
        .engine
        .fixes
        .all()
        .iter()
        .filter(|f| d.mask.contains(f.center[1], f.center[0]))
        .cloned()
        .collect();
    let fixes = super::fixes::with_verdicts(&st, inside, super::fixes::fix_json).await?;
    let cat = &st.engine.catalogue;
    let by_sector: Vec<Value> = s
        .by_sector
        .iter()
        .filter(|c| access.shows(c.count) && access.shows(c.previous))
        .map(|c| {
            json!({
                "sector": cat.code_of(c.sector), "count": c.count,
                "previous": c.previous, "change": c.change().map(round3),
            })
        })
        .collect();
    Ok(Json(json!({
        "id": d.id,
        "name": d.name,
        "from": rfc3339(from, tz),
        "to": rfc3339(to, tz),
        "previous_from": rfc3339(from - (to - from), tz),
        "count": access.shows(s.count).then_some(s.count),
        "previous_count": access.shows(s.previous_count).then_some(s.previous_count),
        "change": (s.previous_count > 0 && access.shows(s.count) && access.shows(s.previous_count))
            .then(|| round3((s.count as f64 - s.previous_count as f64) / s.previous_count as f64)),
        "by_sector": by_sector,
        "resolve_hours": {
            "resolved": s.resolved,
            "median": s.median_hours.map(round3),
            "p90": s.p90_hours.map(round3),
        },
        "hotspots": hotspots,
        "fixes": fixes,
    })))
}

/// Hotspots shown in a summary, and how they are found: the district's
/// significant hot cells (Gi*, FDR-adjusted p below α) at a street-block
/// resolution over monthly periods, busiest first. Gi* scores a cell by its
/// neighbourhood, so an empty cell beside a hot one can be "hot" too; a
/// summary names places to act on, so it lists cells with appeals, by count.
const SUMMARY_HOTSPOTS: usize = 5;
const SUMMARY_HOTSPOT_RES: u8 = 9;
const SUMMARY_ALPHA: f64 = 0.05;

/// The district's top hotspots over `[from, to)`.
async fn top_hotspots(
    st: &AppState,
    d: &District,
    from: i64,
    to: i64,
) -> Result<Vec<Value>, ApiError> {
    let q = HotspotQuery {
        filter: Filter {
            from: Some(from),
            to: Some(to),
            district: Some(d.mask.clone()),
            ..Filter::default()
        },
        res: SUMMARY_HOTSPOT_RES.min(st.cfg.max_res),
        k: 1,
        period: Period::Month,
        tz: st.cfg.tz,
        alpha: SUMMARY_ALPHA,
        max_cells: st.cfg.max_cells,
    };
    let st = st.clone();
    tokio::task::spawn_blocking(move || {
        let (h, _) = super::hotspots::analyse(&st, &q)?;
        let mut hot: Vec<_> = h
            .cells
            .iter()
            .filter(|c| c.count > 0 && c.z > 0.0 && c.p_fdr < SUMMARY_ALPHA)
            .collect();
        hot.sort_by(|a, b| b.count.cmp(&a.count).then(b.z.total_cmp(&a.z)));
        Ok(hot
            .into_iter()
            .take(SUMMARY_HOTSPOTS)
            .map(super::hotspots::properties)
            .collect())
    })
    .await?
}

/// The summary period: see the module doc for the defaults.
fn summary_range(
    from: Option<i64>,
    to: Option<i64>,
    span: Option<(i64, i64)>,
    tz: Tz,
) -> Result<(i64, i64), ApiError> {
    let data_end = || {
        let last = span.map_or_else(|| chrono::Utc::now().timestamp(), |(_, hi)| hi);
        midnight(tz, local_date(tz, last) + chrono::Days::new(1))
    };
    let days_before = |t: i64| {
        let d = local_date(tz, t);
        if midnight(tz, d) == t {
            midnight(tz, d - chrono::Days::new(SUMMARY_DAYS))
        } else {
            t - SUMMARY_DAYS as i64 * 86_400
        }
    };
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        (Some(f), None) => (f, data_end()),
        (None, Some(t)) => (days_before(t), t),
        (None, None) => {
            let t = data_end();
            (days_before(t), t)
        }
    };
    if from >= to {
        return Err(ApiError::bad_param("to", "must be after from"));
    }
    Ok((from, to))
}

fn rfc3339(t: i64, tz: Tz) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .with_timezone(&tz)
        .to_rfc3339()
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}
