//! Resolution performance: `GET /api/v1/resolution` (Kaplan–Meier figures per
//! group and period, JSON or CSV), `GET /api/v1/resolution/ranking` (slowest
//! units first) and the responsible catalogue (`GET`/`POST
//! /api/v1/responsible`).

use super::jsonw::JsonWriter;
use super::params::{ApiQuery, FilterParams, parse_instant};
use super::{AppState, error::ApiError};
use crate::aggregate::Periods;
use crate::analysis::resolution::{GroupBy, Row, Summary, TableKey, default_as_of, ranking, table};
use crate::auth::Access;
use crate::domain::{Responsible, check_code};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::convert::Infallible;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/resolution", get(resolution))
        .route("/api/v1/resolution/ranking", get(ranked))
        .route("/api/v1/responsible", get(catalogue).post(upsert))
}

#[derive(Debug, Deserialize)]
struct ResolutionParams {
    group_by: Option<String>,
    as_of: Option<String>,
    #[serde(flatten)]
    filter: FilterParams,
}

#[derive(Debug, Deserialize)]
struct RankingParams {
    by: Option<String>,
    as_of: Option<String>,
    #[serde(flatten)]
    filter: FilterParams,
}

/// How the medians treat open appeals, stated in every answer.
const CENSORING: &str = "kaplan_meier: open appeals are right-censored at as_of; \
     median/p90 = first time S(t) <= 0.5 / 0.1, null when not reached";

fn group_param(field: &str, s: Option<&str>, allowed: &[GroupBy]) -> Result<GroupBy, ApiError> {
    let s = s.unwrap_or("sector");
    GroupBy::parse(s)
        .filter(|g| allowed.contains(g))
        .ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(|g| group_name(*g)).collect();
            ApiError::bad_param(field, format!("{s:?} is not one of {}", names.join(", ")))
        })
}

fn group_name(g: GroupBy) -> &'static str {
    match g {
        GroupBy::Sector => "sector",
        GroupBy::District => "district",
        GroupBy::Responsible => "responsible",
        GroupBy::Source => "source",
    }
}

/// A group key as the API names it, with display names where a catalogue has them.
fn key_names(st: &AppState, g: GroupBy, key: i64, sources: &[String]) -> (Value, String, String) {
    match g {
        GroupBy::Sector => match st.engine.catalogue.by_id(key as u8) {
            Some(s) => (json!(s.code), s.name_ru.clone(), s.name_en.clone()),
            None => (json!("unknown"), String::new(), String::new()),
        },
        GroupBy::Responsible => match st.engine.responsible().by_id(key as u16) {
            Some(u) => (json!(u.code), u.name_ru.clone(), u.name_en.clone()),
            None => (Value::Null, "не назначен".into(), "not assigned".into()),
        },
        GroupBy::District => {
            let name = st
                .engine
                .districts()
                .get(key)
                .map(|d| d.name.clone())
                .unwrap_or_default();
            (json!(key), name.clone(), name)
        }
        GroupBy::Source => {
            let name = sources.get(key as usize).cloned().unwrap_or_default();
            (json!(name), name.clone(), name)
        }
    }
}

fn as_of_param(s: Option<&str>, st: &AppState) -> Result<Option<i64>, ApiError> {
    s.map(|s| parse_instant("as_of", s, st.cfg.tz)).transpose()
}

fn summary_json(s: &Summary) -> serde_json::Map<String, Value> {
    match serde_json::to_value(s) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

async fn resolution(
    State(st): State<AppState>,
    access: Access,
    ApiQuery(q): ApiQuery<ResolutionParams>,
) -> Result<Response, ApiError> {
    let all = [
        GroupBy::Sector,
        GroupBy::District,
        GroupBy::Responsible,
        GroupBy::Source,
    ];
    let group = group_param("group_by", q.group_by.as_deref(), &all)?;
    let period = q.filter.period()?;
    let filter = st.filter(&access, &q.filter)?;
    let min_count = access.min_count;
    let csv = super::params::wants_csv(q.filter.format.as_deref())?;
    let as_of = as_of_param(q.as_of.as_deref(), &st)?;
    let tz = st.cfg.tz;
    let cap = st.cfg.max_cells;
    let st2 = st.clone();
    let body = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let districts = st2.engine.districts();
        let data = st2.engine.index.read();
        let as_of = as_of.unwrap_or_else(|| default_as_of(&data));
        let (from, to) = data.time_range(&filter);
        let periods = Periods::covering(period, tz, from, to).ok_or_else(|| {
            ApiError::bad_param("period", "too many periods in the range; choose a longer period")
        })?;
        let key = TableKey {
            group,
            period,
            filter: filter.key(),
            as_of,
            seq: data.seq,
        };
        let all = st2.resolution.tables.get_or_compute(key, || {
            Ok::<_, Infallible>(table(&data, &filter, group, &periods, &districts, as_of))
        });
        let all = all.unwrap_or_else(|never| match never {});
        let sources = data.sources.clone();
        drop(data);
        // k-anonymity: a group of fewer appeals is left out, as a rare cell is.
        let rows: Vec<&Row> = all.iter().filter(|r| r.summary.count >= min_count).collect();
        if rows.len() > cap {
            return Err(ApiError::bad_param(
                "period",
                format!("{} rows exceed this server's limit of {cap}", rows.len()),
            ));
        }
        let labels: Vec<String> = (0..periods.len() as u32).map(|i| periods.label(i)).collect();
        if csv {
            let mut w = JsonWriter::with_capacity(64 + rows.len() * 96);
            w.raw("key,period_start,count,resolved,open,median_hours,p90_hours,overdue_share,median_first_response_hours\n");
            let num = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x}"));
            for r in &rows {
                let (key, _, _) = key_names(&st2, group, r.key, &sources);
                let key = match key {
                    Value::String(s) => csv_cell(&s),
                    Value::Null => String::new(),
                    v => v.to_string(),
                };
                let s = &r.summary;
                w.raw(&format!(
                    "{key},{},{},{},{},{},{},{},{}\n",
                    labels[r.period as usize],
                    s.count,
                    s.resolved,
                    s.open,
                    num(s.median_hours),
                    num(s.p90_hours),
                    num(s.overdue_share),
                    num(s.median_first_response_hours)
                ));
            }
            return Ok(w.into_bytes());
        }
        let items: Vec<Value> = rows
            .iter()
            .map(|r| {
                let (key, ru, en) = key_names(&st2, group, r.key, &sources);
                let mut m = serde_json::Map::new();
                m.insert("key".into(), key);
                m.insert("name_ru".into(), json!(ru));
                m.insert("name_en".into(), json!(en));
                m.insert("period_start".into(), json!(labels[r.period as usize]));
                m.extend(summary_json(&r.summary));
                Value::Object(m)
            })
            .collect();
        let v = json!({
            "group_by": group_name(group),
            "period": period,
            "as_of": crate::analysis::fixes::effect::stamp(as_of, tz),
            "censoring": CENSORING,
            "rows": items,
        });
        Ok(v.to_string().into_bytes())
    })
    .await??;
    Ok(super::params::csv_or_json(csv, body))
}

/// A CSV cell, quoted when it holds a separator, quote or line break.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

async fn ranked(
    State(st): State<AppState>,
    access: Access,
    ApiQuery(q): ApiQuery<RankingParams>,
) -> Result<Json<Value>, ApiError> {
    let group = group_param(
        "by",
        q.by.as_deref().or(Some("district")),
        &[GroupBy::District, GroupBy::Responsible],
    )?;
    let filter = st.filter(&access, &q.filter)?;
    let min_count = access.min_count;
    let as_of = as_of_param(q.as_of.as_deref(), &st)?;
    let tz = st.cfg.tz;
    let st2 = st.clone();
    let v = tokio::task::spawn_blocking(move || {
        let districts = st2.engine.districts();
        let data = st2.engine.index.read();
        let as_of = as_of.unwrap_or_else(|| default_as_of(&data));
        let range = data.time_range(&filter);
        let mut units = ranking(&data, &filter, group, range, &districts, as_of);
        // k-anonymity: small units are left out and the others ranked anew.
        units.retain(|u| u.summary.count >= min_count);
        for (i, u) in units.iter_mut().enumerate() {
            u.rank = i + 1;
        }
        let sources = data.sources.clone();
        drop(data);
        let stamp = |t| crate::analysis::fixes::effect::stamp(t, tz);
        let items: Vec<Value> = units
            .iter()
            .map(|u| {
                let (key, ru, en) = key_names(&st2, group, u.key, &sources);
                let mut m = serde_json::Map::new();
                m.insert("rank".into(), json!(u.rank));
                m.insert("key".into(), key);
                m.insert("name_ru".into(), json!(ru));
                m.insert("name_en".into(), json!(en));
                m.extend(summary_json(&u.summary));
                Value::Object(m)
            })
            .collect();
        json!({
            "by": group_name(group),
            "from": stamp(range.0),
            "to": stamp(range.1),
            "as_of": stamp(as_of),
            "order": "median_first_response_hours desc, then median_hours desc (not reached = slowest)",
            "censoring": CENSORING,
            "units": items,
        })
    })
    .await?;
    Ok(Json(v))
}

async fn catalogue(State(st): State<AppState>) -> Json<Value> {
    let book = st.engine.responsible();
    Json(json!({
        "strict": st.engine.ingest_catalogue().strict_responsible().is_some(),
        "units": book.all(),
    }))
}

#[derive(Debug, Deserialize)]
struct UnitIn {
    code: String,
    name_ru: String,
    name_en: String,
}

/// Adds or renames units: a JSON array of `{code, name_ru, name_en}`.
async fn upsert(State(st): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let units: Vec<UnitIn> = serde_json::from_slice(&body).map_err(|e| ApiError {
        field: Some("body".into()),
        ..ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_body",
            format!("expected a JSON array of {{code, name_ru, name_en}}: {e}"),
        )
    })?;
    let mut out = Vec::with_capacity(units.len());
    for (i, u) in units.into_iter().enumerate() {
        let bad = |field: &str, msg: String| ApiError {
            field: Some(format!("[{i}].{field}")),
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_responsible", msg)
        };
        check_code(&u.code).map_err(|m| bad("code", m))?;
        for (f, v) in [("name_ru", &u.name_ru), ("name_en", &u.name_en)] {
            if v.trim().is_empty() || v.chars().count() > 256 {
                return Err(bad(f, "must be 1-256 characters".into()));
            }
        }
        out.push(Responsible {
            id: 0,
            code: u.code,
            name_ru: u.name_ru.trim().to_owned(),
            name_en: u.name_en.trim().to_owned(),
        });
    }
    st.engine.upsert_responsible(&out).await?;
    Ok(catalogue(State(st)).await.into_response())
}
