//! Open311 GeoReport v2 (`/open311/v2`): sectors as services, service
//! requests posted form-encoded as the spec's examples do and read back as
//! pages. Requests are appeals with `source` = `open311`; errors here take
//! the spec's shape `[{"code": 400, "description": "…"}]`.

use super::{AppState, error::ApiError, params};
use crate::auth::Access;
use crate::domain::Status;
use crate::ingest::open311::{SOURCE, open311_name, parse_form};
use crate::ingest::{Position, validate};
use crate::store::{RequestPage, RequestRow};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router(max_body: usize) -> Router<AppState> {
    Router::new()
        .route("/open311/v2/services.json", get(services))
        .route("/open311/v2/requests.json", get(list).post(create))
        .layer(DefaultBodyLimit::max(max_body))
}

/// An error in the spec's shape: a list of `{code, description}`.
#[derive(Debug)]
pub struct Open311Error {
    status: StatusCode,
    descriptions: Vec<String>,
}

impl Open311Error {
    fn new(status: StatusCode, description: impl Into<String>) -> Self {
        Open311Error {
            status,
            descriptions: vec![description.into()],
        }
    }
}

impl From<ApiError> for Open311Error {
    fn from(e: ApiError) -> Self {
        let description = match e.field {
            Some(f) => format!("{f}: {}", e.message),
            None => e.message,
        };
        Open311Error::new(e.status, description)
    }
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let code = self.status.as_u16();
        let body: Vec<Value> = self
            .descriptions
            .iter()
            .map(|d| json!({"code": code, "description": d}))
            .collect();
        (self.status, Json(body)).into_response()
    }
}

#[derive(Debug, Deserialize)]
struct LangParams {
    lang: Option<String>,
}

/// Russian names unless `lang=en`.
fn english(lang: Option<&str>) -> bool {
    lang.is_some_and(|l| l.eq_ignore_ascii_case("en"))
}

async fn services(State(st): State<AppState>, Query(q): Query<LangParams>) -> Json<Value> {
    let en = english(q.lang.as_deref());
    let list: Vec<Value> = st
        .engine
        .catalogue
        .all()
        .iter()
        .map(|s| {
            let name = if en { &s.name_en } else { &s.name_ru };
            json!({
                "service_code": s.code,
                "service_name": name,
                "description": name,
                "metadata": false,
                "type": "realtime",
                "keywords": s.code,
                "group": name,
            })
        })
        .collect();
    Json(json!(list))
}

async fn create(
    State(st): State<AppState>,
    access: Access,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, Open311Error> {
    let body = body.map_err(|e| super::appeals::body_error(&e, st.cfg.max_body_bytes))?;
    let external_id = hex::encode(rand::random::<[u8; 12]>());
    let now = chrono::Utc::now().with_timezone(&st.cfg.tz).to_rfc3339();
    let fields = parse_form(&body, &external_id, &now)
        .map_err(|e| Open311Error::new(StatusCode::BAD_REQUEST, e.message))?;
    let pos = Position {
        index: 0,
        line: None,
    };
    // The catalogue every ingest format validates against (strict responsible units).
    let cat = st.engine.ingest_catalogue();
    let appeal = validate(&fields, pos, &cat).map_err(|errs| Open311Error {
        status: StatusCode::BAD_REQUEST,
        descriptions: errs
            .iter()
            .map(|e| match &e.field {
                Some(f) => format!("{}: {}", open311_name(f), e.message),
                None => e.message.clone(),
            })
            .collect(),
    })?;
    super::appeals::check_scope(&st, &access, std::slice::from_ref(&appeal))?;
    super::appeals::write(&st, vec![appeal]).await?;
    // The index took the written rows; the id is read back by the key.
    let stored = st
        .engine
        .store
        .requests(&RequestPage {
            key: Some((SOURCE.to_owned(), external_id)),
            limit: 1,
            ..RequestPage::default()
        })
        .await
        .map_err(ApiError::from)?;
    let id = stored
        .first()
        .map(|r| r.id)
        .ok_or_else(|| ApiError::internal("an Open311 request was not stored"))?;
    Ok(Json(
        json!([{ "service_request_id": id.to_string(), "service_notice": "" }]),
    ))
}

#[derive(Debug, Deserialize)]
struct ListParams {
    service_request_id: Option<String>,
    service_code: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    status: Option<String>,
    bbox: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
    lang: Option<String>,
}

/// Requests per page unless `page_size` says otherwise, and its ceiling.
const PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 1000;

async fn list(
    State(st): State<AppState>,
    access: Access,
    q: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, Open311Error> {
    let Query(q) = q.map_err(|e| Open311Error::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    if access.districts.is_some() {
        // Paging a district's requests needs its polygon in SQL; until then refuse.
        return Err(Open311Error::new(
            StatusCode::FORBIDDEN,
            "tokens limited to districts cannot list individual requests",
        ));
    }
    let page = page_query(&st, &q)?;
    let rows = st
        .engine
        .store
        .requests(&page)
        .await
        .map_err(ApiError::from)?;
    let en = english(q.lang.as_deref());
    Ok(Json(json!(
        rows.iter()
            .map(|r| request_json(&st, r, en))
            .collect::<Vec<_>>()
    )))
}

fn page_query(st: &AppState, q: &ListParams) -> Result<RequestPage, ApiError> {
    let tz = st.cfg.tz;
    let number = |field: &str, v: &Option<String>, default: usize, max: usize| match v.as_deref() {
        None => Ok(default),
        Some(s) => s
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ApiError::bad_param(
                    field,
                    format!("{s:?} is not a whole number from 1 to {max}"),
                )
            }),
    };
    let size = number("page_size", &q.page_size, PAGE_SIZE, MAX_PAGE_SIZE)?;
    let page = number("page", &q.page, 1, 1_000_000)?;
    let ids = match q.service_request_id.as_deref() {
        None => Vec::new(),
        Some(s) => s
            .split(',')
            .map(|p| {
                p.trim().parse::<i64>().map_err(|_| {
                    ApiError::bad_param("service_request_id", format!("{p:?} is not a request id"))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let sector = q
        .service_code
        .as_deref()
        .map(|c| {
            st.engine
                .catalogue
                .by_code(c.trim())
                .map(|s| s.id)
                .ok_or_else(|| {
                    ApiError::bad_param("service_code", format!("unknown service {c:?}"))
                })
        })
        .transpose()?;
    let instant = |field: &str, v: &Option<String>| {
        v.as_deref()
            .map(|s| params::parse_instant(field, s, tz))
            .transpose()
    };
    let statuses = match q.status.as_deref() {
        None => None,
        Some(s) => {
            let mut codes = Vec::new();
            for part in s.split(',') {
                match part.trim() {
                    "open" => codes.extend([Status::New.code(), Status::InProgress.code()]),
                    "closed" => codes.extend([Status::Resolved.code(), Status::Rejected.code()]),
                    other => {
                        return Err(ApiError::bad_param(
                            "status",
                            format!("{other:?} is not open or closed"),
                        ));
                    }
                }
            }
            Some(codes)
        }
    };
    let bbox = q
        .bbox
        .as_deref()
        .map(params::parse_bbox)
        .transpose()?
        .map(|b| [b.min_lon, b.min_lat, b.max_lon, b.max_lat]);
    Ok(RequestPage {
        ids,
        key: None,
        sector,
        from: instant("start_date", &q.start_date)?,
        to: instant("end_date", &q.end_date)?,
        statuses,
        bbox,
        offset: (page - 1) * size,
        limit: size,
    })
}

fn request_json(st: &AppState, r: &RequestRow, en: bool) -> Value {
    let tz = st.cfg.tz;
    let stamp = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.with_timezone(&tz).to_rfc3339())
            .unwrap_or_default()
    };
    let status = Status::from_code(r.status);
    let open = matches!(status, Status::New | Status::InProgress);
    let name = st.engine.catalogue.by_code(&r.sector).map(|s| {
        if en {
            s.name_en.clone()
        } else {
            s.name_ru.clone()
        }
    });
    json!({
        "service_request_id": r.id.to_string(),
        "status": if open { "open" } else { "closed" },
        "status_notes": status.as_str(),
        "service_name": name,
        "service_code": r.sector,
        "description": r.text,
        "requested_datetime": stamp(r.created_at),
        "updated_datetime": stamp(r.resolved_at.unwrap_or(r.created_at)),
        // The code a client posts as `agency_responsible` reads back unchanged.
        "agency_responsible": r.responsible,
        "expected_datetime": r.due_at.map(stamp),
        "address": r.address,
        "lat": r.lat,
        "long": r.lon,
    })
}
