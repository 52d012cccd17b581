//! Fixes: `POST /api/v1/fixes`, `GET /api/v1/fixes` (JSON or
//! `?format=geojson`), `GET /api/v1/fixes/{id}` and
//! `GET /api/v1/fixes/{id}/effect?window_days=90`.
//!
//! A malformed body is a 400; a well-formed one with a bad field a 422
//! naming the field (`sector`, `done_at`, `radius_m`, `geometry.coordinates[0]`,
//! `cells[2]`, `area` when none or two kinds of area are given).

use super::params::wants_geojson;
use super::{AppState, error::ApiError, params::ApiQuery};
use crate::analysis::fixes::area::FieldError;
use crate::analysis::fixes::district::district_side;
use crate::analysis::fixes::effect::{DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS, stamp};
use crate::analysis::fixes::{Fix, Verdict, effect, input};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// Largest fix body: a detailed district-sized polygon fits easily.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/fixes", get(list).post(create))
        .route("/api/v1/fixes/{id}", get(one))
        .route("/api/v1/fixes/{id}/effect", get(effect_of))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

#[derive(Debug, Deserialize)]
struct ListParams {
    format: Option<String>,
}

#[derive(Debug, Deserialize)]
struct EffectParams {
    window_days: Option<String>,
}

async fn create(
    State(st): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body =
        body.map_err(|e| super::error::body_rejection(e, MAX_BODY_BYTES, "simplify the outline"))?;
    let now = chrono::Utc::now().timestamp();
    let engine = st.engine.clone();
    let tz = st.cfg.tz;
    // Tiling a polygon or a 5 km circle is CPU work: off the async threads.
    let input =
        tokio::task::spawn_blocking(move || input::parse(&body, &engine.catalogue, tz, now))
            .await?
            .map_err(field_error)?;
    let row = input.into_row(now).map_err(ApiError::internal)?;
    let fix = st.engine.add_fix(row).await?;
    let location = format!("/api/v1/fixes/{}", fix.id);
    let body = one_json(&st, fix).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    )
        .into_response())
}

async fn list(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let fixes: Vec<Arc<Fix>> = st.engine.fixes.all().iter().cloned().collect();
    if !wants_geojson(q.format.as_deref())? {
        let items = with_verdicts(&st, fixes, fix_json).await?;
        Ok(Json(json!({ "fixes": items })).into_response())
    } else {
        let features = with_verdicts(&st, fixes, |st, fix, v| {
            let props = fix_json(st, fix, v);
            json!({
                "type": "Feature",
                "id": fix.id,
                "geometry": super::geometry::multipolygon(&fix.outline),
                "properties": props,
            })
        })
        .await?;
        let body = json!({ "type": "FeatureCollection", "features": features });
        Ok((
            [(header::CONTENT_TYPE, "application/geo+json")],
            body.to_string(),
        )
            .into_response())
    }
}

async fn one(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let fix = find(&st, path)?;
    Ok(Json(one_json(&st, fix).await?))
}

async fn effect_of(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    ApiQuery(q): ApiQuery<EffectParams>,
) -> Result<Json<Value>, ApiError> {
    let fix = find(&st, path)?;
    let window = super::params::window_days(
        q.window_days.as_deref(),
        DEFAULT_WINDOW_DAYS,
        MAX_WINDOW_DAYS,
    )?;
    // The lowest-id district holding the fix's centre (the border rule's owner).
    let district = st
        .engine
        .districts()
        .all()
        .iter()
        .find(|d| d.mask.contains(fix.center[1], fix.center[0]))
        .cloned();
    let body = tokio::task::spawn_blocking(move || {
        let data = st.engine.index.read();
        let span = data.time_span();
        let e = effect(&data, span, &fix, window);
        let trend = district.as_ref().map(|d| {
            (
                d,
                district_side(&data, d.mask.clone(), fix.sector, &e.windows),
            )
        });
        drop(data);
        let mut v = e.to_json(st.cfg.tz);
        if let Some((d, side)) = trend {
            let mut j = side.json();
            if let Some(o) = j.as_object_mut() {
                o.remove("cells");
            }
            j["id"] = json!(d.id);
            j["name"] = json!(d.name);
            v["district"] = j;
        }
        v
    })
    .await?;
    Ok(Json(body))
}

/// The fix named by the path, or a 400 (not an id) / 404 (no such fix).
fn find(st: &AppState, path: Result<Path<String>, PathRejection>) -> Result<Arc<Fix>, ApiError> {
    let Path(raw) = path.map_err(super::tiles::bad_path)?;
    let id: i64 = raw
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_param("id", format!("{raw:?} is not a fix id")))?;
    st.engine.fixes.get(id).ok_or_else(|| ApiError {
        field: Some("id".into()),
        ..ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no fix {id}"))
    })
}

/// Maps each fix with its verdict over the default window, computed on the
/// blocking pool under one read of the index.
pub(super) async fn with_verdicts(
    st: &AppState,
    fixes: Vec<Arc<Fix>>,
    f: impl Fn(&AppState, &Fix, Verdict) -> Value + Send + 'static,
) -> Result<Vec<Value>, ApiError> {
    let st = st.clone();
    Ok(tokio::task::spawn_blocking(move || {
        let verdicts: Vec<Verdict> = {
            let data = st.engine.index.read();
            let span = data.time_span();
            fixes
                .iter()
                .map(|fix| effect(&data, span, fix, DEFAULT_WINDOW_DAYS).verdict)
                .collect()
        };
        fixes
            .iter()
            .zip(verdicts)
            .map(|(fix, v)| f(&st, fix, v))
            .collect()
    })
    .await?)
}

/// One fix as the API shows it, with its verdict.
async fn one_json(st: &AppState, fix: Arc<Fix>) -> Result<Value, ApiError> {
    let mut one = with_verdicts(st, vec![fix], fix_json).await?;
    Ok(one.pop().unwrap_or(Value::Null))
}

/// A fix as the API shows it.
pub(super) fn fix_json(st: &AppState, fix: &Fix, verdict: Verdict) -> Value {
    let cells: Vec<String> = fix.cells.iter().map(|c| format!("{c:x}")).collect();
    json!({
        "id": fix.id,
        "title": fix.title,
        "sector": st.engine.catalogue.code_of(fix.sector),
        "done_at": stamp(fix.done_at, st.cfg.tz),
        "created_at": stamp(fix.created_at, st.cfg.tz),
        "area": fix.area,
        "res": fix.res as u8,
        "cells": cells,
        "ring_cells": fix.ring.len(),
        "center": fix.center,
        "verdict": verdict,
        "verdict_window_days": DEFAULT_WINDOW_DAYS,
    })
}

fn field_error(e: FieldError) -> ApiError {
    let (status, code) = if e.field == "body" {
        (StatusCode::BAD_REQUEST, "malformed_body")
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_fix")
    };
    ApiError {
        field: Some(e.field),
        ..ApiError::new(status, code, e.message)
    }
}
