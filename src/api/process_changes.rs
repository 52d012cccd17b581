//! Process changes: `POST /api/v1/process-changes` (`title`, `changed_at`
//! and a scope of any of `sector`, `responsible`, `district`),
//! `GET /api/v1/process-changes` (with verdicts over the default window) and
//! `GET /api/v1/process-changes/{id}/effect?window_days=90`.

use super::params::{ApiQuery, parse_instant};
use super::{AppState, error::ApiError};
use crate::analysis::fixes::effect::stamp;
use crate::analysis::resolution::{Effect, EffectKey, Scope, default_as_of, effect};
use crate::auth::Access;
use crate::store::ProcessChangeRow;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;

/// Default and largest window, days.
pub const DEFAULT_WINDOW_DAYS: u32 = 90;
const MAX_WINDOW_DAYS: u32 = 730;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/process-changes", get(list).post(create))
        .route("/api/v1/process-changes/{id}/effect", get(effect_of))
}

#[derive(Debug, Deserialize)]
struct ChangeIn {
    title: Option<String>,
    changed_at: Option<String>,
    sector: Option<String>,
    responsible: Option<String>,
    district: Option<Value>,
}

fn invalid(field: &str, msg: impl Into<String>) -> ApiError {
    ApiError {
        field: Some(field.into()),
        ..ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_process_change",
            msg,
        )
    }
}

async fn create(State(st): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let c: ChangeIn = serde_json::from_slice(&body).map_err(|e| ApiError {
        field: Some("body".into()),
        ..ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_body",
            format!("not a process change object: {e}"),
        )
    })?;
    let title = c
        .title
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty() && t.chars().count() <= 256)
        .ok_or_else(|| invalid("title", "is required (1-256 characters)"))?;
    let changed_at = c
        .changed_at
        .as_deref()
        .ok_or_else(|| invalid("changed_at", "is required"))
        .and_then(|s| {
            crate::ingest::parse_time(s)
                .or_else(|_| parse_instant("changed_at", s, st.cfg.tz).map_err(|e| e.message))
                .map_err(|m| invalid("changed_at", m))
        })?;
    let sector = c
        .sector
        .as_deref()
        .map(|s| {
            st.engine
                .catalogue
                .by_code(s)
                .map(|x| x.id)
                .ok_or_else(|| invalid("sector", format!("unknown sector {s:?}")))
        })
        .transpose()?;
    let responsible =
        c.responsible
            .as_deref()
            .map(|s| {
                st.engine.responsible().id_of(s).ok_or_else(|| {
                    invalid("responsible", format!("unknown responsible unit {s:?}"))
                })
            })
            .transpose()?;
    let district = c
        .district
        .as_ref()
        .map(|v| {
            let id = v
                .as_i64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .ok_or_else(|| invalid("district", "must be a district id"))?;
            st.engine
                .districts()
                .get(id)
                .map(|d| d.id)
                .ok_or_else(|| invalid("district", format!("no district {id}")))
        })
        .transpose()?;
    if sector.is_none() && responsible.is_none() && district.is_none() {
        return Err(invalid(
            "scope",
            "give at least one of sector, responsible, district (everything outside is the control)",
        ));
    }
    let row = ProcessChangeRow {
        id: 0,
        title,
        changed_at,
        sector,
        responsible,
        district,
        created_at: chrono::Utc::now().timestamp(),
    };
    let row = st.engine.add_process_change(row).await?;
    let location = format!("/api/v1/process-changes/{}", row.id);
    let body = with_verdicts(&st, vec![row])
        .await?
        .pop()
        .unwrap_or(Value::Null);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    )
        .into_response())
}

async fn list(State(st): State<AppState>, access: Access) -> Result<Json<Value>, ApiError> {
    let mut rows = st.engine.process_changes.all().as_ref().clone();
    rows.retain(|r| visible(&access, r));
    let items = with_verdicts(&st, rows).await?;
    Ok(Json(json!({ "process_changes": items })))
}

#[derive(Debug, Deserialize)]
struct EffectParams {
    window_days: Option<String>,
}

async fn effect_of(
    State(st): State<AppState>,
    access: Access,
    path: Result<Path<String>, PathRejection>,
    ApiQuery(q): ApiQuery<EffectParams>,
) -> Result<Json<Value>, ApiError> {
    let Path(raw) = path.map_err(super::tiles::bad_path)?;
    let id: i64 = raw
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_param("id", format!("{raw:?} is not a process change id")))?;
    let row = st.engine.process_changes.get(id).ok_or_else(|| ApiError {
        field: Some("id".into()),
        ..ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no process change {id}"),
        )
    })?;
    if !visible(&access, &row) {
        return Err(ApiError {
            field: Some("district".into()),
            ..ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("process change {id} is not scoped to a district this token reaches"),
            )
        });
    }
    let window = super::params::window_days(
        q.window_days.as_deref(),
        DEFAULT_WINDOW_DAYS,
        MAX_WINDOW_DAYS,
    )?;
    let st2 = st.clone();
    let v = tokio::task::spawn_blocking(move || {
        let e = compute(&st2, &row, window);
        let mut v = change_json(&st2, &row);
        v["effect"] = effect_json(&e, st2.cfg.tz);
        if access.districts.is_some() {
            // The control is everything outside the scope: other districts' figures.
            v["effect"]["control"] = Value::Null;
            v["effect"]["control_hidden"] = json!("outside this token's districts");
        }
        v
    })
    .await?;
    Ok(Json(v))
}

/// Whether `access` may see change `r`: every change without district
/// limits, otherwise only changes scoped to one of the token's districts.
fn visible(access: &Access, r: &ProcessChangeRow) -> bool {
    access.districts.is_none() || r.district.is_some_and(|d| access.reaches(d))
}

/// The effect of one change (on the calling thread: callers are blocking tasks).
fn compute(st: &AppState, row: &ProcessChangeRow, window: u32) -> Arc<Effect> {
    let data = st.engine.index.read();
    let key = EffectKey {
        sector: row.sector,
        responsible: row.responsible,
        district: row.district,
        changed_at: row.changed_at,
        window_days: window,
        seq: data.seq,
    };
    let e = st.resolution.effects.get_or_compute(key, || {
        let scope = Scope {
            sector: row.sector,
            responsible: row.responsible,
            district: row
                .district
                .and_then(|id| st.engine.districts().get(id).map(|d| d.mask.clone())),
        };
        let as_of = default_as_of(&data);
        Ok::<_, Infallible>(effect(&data, &scope, row.changed_at, window, as_of))
    });
    e.unwrap_or_else(|never| match never {})
}

async fn with_verdicts(st: &AppState, rows: Vec<ProcessChangeRow>) -> Result<Vec<Value>, ApiError> {
    let st = st.clone();
    Ok(tokio::task::spawn_blocking(move || {
        rows.iter()
            .map(|r| {
                let e = compute(&st, r, DEFAULT_WINDOW_DAYS);
                let mut v = change_json(&st, r);
                v["verdict"] = json!(e.verdict);
                v["verdict_window_days"] = json!(DEFAULT_WINDOW_DAYS);
                v
            })
            .collect()
    })
    .await?)
}

fn change_json(st: &AppState, r: &ProcessChangeRow) -> Value {
    let tz = st.cfg.tz;
    let book = st.engine.responsible();
    json!({
        "id": r.id,
        "title": r.title,
        "changed_at": stamp(r.changed_at, tz),
        "created_at": stamp(r.created_at, tz),
        "scope": {
            "sector": r.sector.map(|s| st.engine.catalogue.code_of(s).to_owned()),
            "responsible": r.responsible.and_then(|id| book.code_of(id).map(str::to_owned)),
            "district": r.district,
        },
    })
}

fn effect_json(e: &Effect, tz: chrono_tz::Tz) -> Value {
    let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
    v["before_from"] = json!(stamp(e.before_from, tz));
    v["after_to"] = json!(stamp(e.after_to, tz));
    v["as_of"] = json!(stamp(e.as_of, tz));
    v["test"] = json!("logrank");
    v
}
