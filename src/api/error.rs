//! The one API error type: every failure becomes the SPEC's JSON shape
//! `{"error": {"code", "message", "field"}}` with the right status; server
//! errors are logged and never leak internals.

use crate::aggregate::AggError;
use crate::ingest::RecordError;
use crate::store::StoreError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to an API client.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
    /// The parameter or field at fault.
    pub field: Option<String>,
    /// Per-record problems (422 on ingest).
    pub rejected: Vec<RecordError>,
}

impl ApiError {
    /// A 400 naming the bad parameter.
    pub fn bad_param(field: &str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_parameter",
            message: message.into(),
            field: Some(field.to_owned()),
            rejected: Vec::new(),
        }
    }

    /// An error with any status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            rejected: Vec::new(),
        }
    }

    /// A 500 that logs the cause and tells the client nothing more.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error; see the server log",
        )
    }
}

/// A body that could not be read: 413 past the size limit (with advice on
/// what to do), else 400.
pub fn body_rejection(
    e: axum::extract::rejection::BytesRejection,
    max: usize,
    advice: &str,
) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body is larger than {max} bytes; {advice}"),
        )
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", e.body_text())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if e.is_unavailable() {
            tracing::error!(error = %e, "database unavailable");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the database is unavailable; nothing was written, retry later",
            )
        } else {
            ApiError::internal(e)
        }
    }
}

impl From<AggError> for ApiError {
    fn from(e: AggError) -> Self {
        match e {
            AggError::TooManyCells { .. } => ApiError {
                status: StatusCode::BAD_REQUEST,
                code: "too_many_cells",
                message: e.to_string(),
                field: Some("res".into()),
                rejected: Vec::new(),
            },
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "error": { "code": self.code, "message": self.message, "field": self.field }
        });
        if !self.rejected.is_empty() {
            body["rejected"] = json!(self.rejected);
        }
        (self.status, Json(body)).into_response()
    }
}
