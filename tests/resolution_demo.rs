//! The demo's planted process change, end to end: the generated city goes
//! through the ingest validator into a real engine, the change is posted as
//! the truth file describes it, and the effect endpoint must judge it
//! `faster` with the planted medians; a unit without a change at the same
//! date must come out `no_change`.

mod common;
mod fixes_common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn the_planted_process_change_is_found_with_its_medians() {
    let app = TestApp::new().await;
    let truth = fixes_common::planted(&app, 60_000, 2, 7).await;
    let c = truth.process_change.clone().expect("planted change");
    let changed = chrono::DateTime::from_timestamp(c.changed_at, 0)
        .expect("time")
        .to_rfc3339();
    let mut verdicts = Vec::new();
    for unit in [&c.responsible, &c.unchanged] {
        let (s, v) = app
            .post_json(
                "/api/v1/process-changes",
                &json!({"title": c.title, "changed_at": changed, "responsible": unit}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["id"].as_i64().expect("id");
        let (s, e) = app
            .get(&format!(
                "/api/v1/process-changes/{id}/effect?window_days=90"
            ))
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        verdicts.push(e["effect"].clone());
    }
    let fast = &verdicts[0];
    assert_eq!(fast["verdict"], "faster", "{fast}");
    let days = |side: &str| {
        fast["scope"][side]["median_hours"]
            .as_f64()
            .expect("median")
            / 24.0
    };
    let (before, after) = (days("before"), days("after"));
    assert!(
        (before / c.median_days_before - 1.0).abs() < 0.1,
        "before {before} d"
    );
    assert!(
        (after / c.median_days_after - 1.0).abs() < 0.1,
        "after {after} d"
    );
    assert_eq!(verdicts[1]["verdict"], "no_change", "{}", verdicts[1]);
    // The ranking lists every unit that answered appeals, the planted one included.
    let (s, r) = app.get("/api/v1/resolution/ranking?by=responsible").await;
    assert_eq!(s, StatusCode::OK);
    let units = r["units"].as_array().expect("units");
    assert!(units.len() >= 10, "{r}");
    assert!(units.iter().any(|u| u["key"] == c.responsible.as_str()));
}
