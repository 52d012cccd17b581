//! `GET /api/v1/ui-config`: what the bundled front end needs before it draws
//! anything: the optional base map style, the region's zone, and where and
//! when the data lie (to frame the first view and anchor the period presets).

use super::{AppState, error::ApiError, params::date_of};
use crate::auth::Access;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/ui-config", get(ui_config))
}

/// `{"basemap_style": url|null, "timezone", "data": {"appeals", "bbox":
/// [w,s,e,n]|null, "first_day": "YYYY-MM-DD"|null, "last_day": …|null}}`;
/// the days are local dates in the region's zone, both inclusive.
async fn ui_config(State(st): State<AppState>, access: Access) -> Result<Json<Value>, ApiError> {
    let engine = st.engine.clone();
    let tz = st.cfg.tz;
    // A scan of the coordinate and time columns: tens of milliseconds at 10 M.
    let data = tokio::task::spawn_blocking(move || {
        let d = engine.index.read();
        let bbox = d
            .extent()
            .map(|b| [b.min_lon, b.min_lat, b.max_lon, b.max_lat])
            // The extent's edges are single appeals' coordinates: viewers get
            // it widened to a tenth of a degree (~10 km).
            .map(|[w, s, e, n]| match access.min_count {
                0 => [w, s, e, n],
                _ => [
                    (w * 10.0).floor() / 10.0,
                    (s * 10.0).floor() / 10.0,
                    (e * 10.0).ceil() / 10.0,
                    (n * 10.0).ceil() / 10.0,
                ],
            });
        let span = d.time_span();
        json!({
            "appeals": d.len(),
            "bbox": bbox,
            "first_day": span.map(|(lo, _)| date_of(lo, tz).to_string()),
            "last_day": span.map(|(_, hi)| date_of(hi, tz).to_string()),
        })
    })
    .await?;
    Ok(Json(json!({
        "basemap_style": st.cfg.basemap_style,
        "timezone": tz.name(),
        "data": data,
    })))
}
