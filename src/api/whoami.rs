//! `GET /api/v1/whoami`: whether auth is on and what the caller may do, so
//! the map page can ask for a token and hide what the role does not allow.

use super::AppState;
use crate::auth::Access;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/whoami", get(whoami))
}

async fn whoami(State(st): State<AppState>, access: Access) -> Json<Value> {
    let cfg = &st.gate.cfg;
    // Without a token and without public read, an anonymous caller has no role.
    let anonymous_only = cfg.enabled && access.token.is_none() && !cfg.public_read;
    Json(json!({
        "auth": cfg.enabled,
        "role": (!anonymous_only).then(|| access.role.name()),
        "token": access.token,
        "districts": access.districts.as_deref(),
        "k_anonymity": access.min_count,
    }))
}
