//! `GET /health` and the sector catalogue.

use super::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/api/v1/sectors", get(sectors))
}

async fn health(State(st): State<AppState>) -> Json<Value> {
    Json(json!({ "status": "ok", "appeals": st.engine.index.len() }))
}

async fn sectors(State(st): State<AppState>) -> Json<Value> {
    Json(json!(st.engine.catalogue.all()))
}
