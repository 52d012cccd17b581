//! `POST /api/v1/appeals`: JSON, NDJSON, GeoJSON or CSV; all-or-nothing unless
//! `?partial=true`; acknowledged only after the transaction commits.

use super::{AppState, error::ApiError, params::ApiQuery};
use crate::ingest::{self, Format};
use crate::store::Outcome;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router(max_body: usize) -> Router<AppState> {
    Router::new()
        .route("/api/v1/appeals", post(create))
        .layer(DefaultBodyLimit::max(max_body))
}

#[derive(Debug, Deserialize)]
struct IngestParams {
    partial: Option<String>,
}

/// 413 for a body over the limit, 400 for one that could not be read.
pub(super) fn body_error(e: &BytesRejection, max_body_bytes: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body is larger than {max_body_bytes} bytes; split the batch"),
        )
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", e.body_text())
    }
}

/// A 403 when a token limited to districts sends an appeal outside them.
pub(super) fn check_scope(
    st: &AppState,
    access: &crate::auth::Access,
    appeals: &[crate::domain::Appeal],
) -> Result<(), ApiError> {
    let Some(allowed) = &access.districts else {
        return Ok(());
    };
    let districts = st.engine.districts();
    let masks: Vec<_> = allowed.iter().filter_map(|&id| districts.get(id)).collect();
    match appeals
        .iter()
        .position(|a| !masks.iter().any(|d| d.mask.contains(a.lat, a.lon)))
    {
        None => Ok(()),
        Some(i) => Err(ApiError {
            field: Some("lat".into()),
            ..ApiError::new(
                StatusCode::FORBIDDEN,
                "outside_district",
                format!("record {i} lies outside the token's districts; nothing was written"),
            )
        }),
    }
}

/// Writes a batch in a task of its own: a client that hangs up, or a server
/// shutting down, cannot stop it between the commit and the index update.
pub(super) async fn write(
    st: &AppState,
    appeals: Vec<crate::domain::Appeal>,
) -> Result<crate::store::WriteResult, ApiError> {
    let engine = st.engine.clone();
    let result = tokio::spawn(async move { engine.write(&appeals).await }).await??;
    let written = result
        .outcomes
        .iter()
        .filter(|o| !matches!(o, Outcome::Duplicate))
        .count();
    metrics::counter!("hexwatch_ingested_appeals_total").increment(written as u64);
    Ok(result)
}

async fn create(
    State(st): State<AppState>,
    access: crate::auth::Access,
    ApiQuery(q): ApiQuery<IngestParams>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let partial = match q.partial.as_deref() {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            return Err(ApiError::bad_param(
                "partial",
                format!("{other:?} is not true or false"),
            ));
        }
    };
    let body = body.map_err(|e| body_error(&e, st.cfg.max_body_bytes))?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let format = Format::from_content_type(ct).ok_or_else(|| ApiError {
        field: Some("Content-Type".into()),
        ..ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("{ct:?} is not application/json, application/geo+json, application/x-ndjson or text/csv"),
        )
    })?;
    let engine = st.engine.clone();
    let batch = tokio::task::spawn_blocking(move || {
        ingest::parse(format, &body, &engine.ingest_catalogue())
    })
    .await?
    .map_err(|e| ApiError {
        field: None,
        ..ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", e.message)
    })?;
    if !batch.rejected.is_empty() && !partial {
        let bad = batch
            .rejected
            .iter()
            .map(|e| e.index)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        return Err(ApiError {
            field: batch.rejected[0].field.clone(),
            rejected: batch.rejected,
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_records",
                format!(
                    "{bad} of {} records are invalid; nothing was written (send ?partial=true to keep the valid ones)",
                    batch.total
                ),
            )
        });
    }
    if batch.total > st.cfg.max_records {
        return Err(ApiError {
            field: Some("records".into()),
            ..ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_many_records",
                format!(
                    "{} records in one request; at most {} (split the batch)",
                    batch.total, st.cfg.max_records
                ),
            )
        });
    }
    let appeals: Vec<_> = batch.valid.into_iter().map(|(_, a)| a).collect();
    check_scope(&st, &access, &appeals)?;
    let result = write(&st, appeals).await?;
    let count = |o: Outcome| result.outcomes.iter().filter(|&&x| x == o).count();
    Ok(Json(json!({
        "accepted": count(Outcome::Accepted),
        "updated": count(Outcome::Updated),
        "duplicates": count(Outcome::Duplicate),
        "rejected": batch.rejected,
    })))
}
