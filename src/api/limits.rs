//! Limits every admitted request runs under.

use super::AppState;
use super::routes::Route;
use crate::auth::Access;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Runs the handler of an admitted request.
pub async fn run(
    _st: &AppState,
    _route: Option<&'static Route>,
    _access: &Access,
    req: Request,
    next: Next,
) -> Response {
    next.run(req).await
}
