//! Helpers of the fix tests: a planted city from `hexwatch generate` loaded
//! through the ingest validator, and its fixes posted as the truth file
//! describes them.

#![allow(dead_code)]

use crate::common::TestApp;
use axum::http::StatusCode;
use hexwatch::generate::{self, GenerateOptions, PlantedKind, Scenario, Truth};
use hexwatch::ingest::{Position, validate};
use serde_json::{Value, json};

/// Generates the city scenario and writes it into the app's engine (through
/// the same validator as every import); returns the truth.
pub async fn planted(app: &TestApp, appeals: usize, years: u32, seed: u64) -> Truth {
    let opts = GenerateOptions {
        appeals,
        seed,
        scenario: Scenario::City,
        years,
        end: chrono::DateTime::parse_from_rfc3339("2025-11-30T12:00:00Z")
            .expect("end")
            .to_utc(),
    };
    let cat = app.state.engine.catalogue.clone();
    let mut batch = Vec::with_capacity(appeals);
    let mut index = 0;
    let truth = generate::generate(&opts, |r| {
        let pos = Position { index, line: None };
        index += 1;
        let a = validate(&generate::record_fields(r), pos, &cat)
            .map_err(|e| anyhow::anyhow!("invalid generated record: {e:?}"))?;
        batch.push(a);
        Ok(())
    })
    .expect("generate");
    let engine = app.state.engine.clone();
    engine.set_bulk(true).await;
    for chunk in batch.chunks(50_000) {
        engine.write(chunk).await.expect("write");
    }
    engine.set_bulk(false).await;
    truth
}

/// The planted fixes (not hotspots) of a truth file.
pub fn planted_fixes(truth: &Truth) -> Vec<&generate::Planted> {
    truth
        .planted
        .iter()
        .filter(|p| {
            matches!(
                p.kind,
                PlantedKind::WorkingFix
                    | PlantedKind::UselessFix
                    | PlantedKind::DisplacedFix
                    | PlantedKind::TinyFix
            )
        })
        .collect()
}

/// Posts a planted fix as a point with its radius; returns its id.
pub async fn post_planted(app: &TestApp, p: &generate::Planted) -> i64 {
    let body = json!({
        "title": p.id,
        "sector": p.sector,
        "done_at": p.done_at.expect("a fix has a date").to_rfc3339(),
        "lat": p.area.lat,
        "lon": p.area.lon,
        "radius_m": p.area.radius_m,
    });
    let (s, v) = app.post_json("/api/v1/fixes", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_i64().expect("id")
}

/// The effect of fix `id` over the default window.
pub async fn effect(app: &TestApp, id: i64) -> Value {
    let (s, v) = app.get(&format!("/api/v1/fixes/{id}/effect")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}
