//! Property-based fuzzing of every parser behind the API: appeal bodies
//! (JSON, NDJSON, GeoJSON, CSV), Open311 forms and the query strings of the
//! read routes. Random and mutated-valid inputs must never panic or get a
//! 5xx, and a refused body writes nothing. Bounded: `PROPTEST_CASES`
//! (default 256 per property here) keeps it to seconds in CI.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const VALID_JSON: &str = r#"[{"source":"vk","external_id":"1","sector":"roads","lat":55.79,"lon":49.12,"created_at":"2026-01-01T10:00:00+03:00","status":"resolved","resolved_at":"2026-01-02T10:00:00+03:00","text":"t","address":"a"}]"#;
const VALID_GEOJSON: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[49.12,55.79]},"properties":{"source":"vk","external_id":"2","sector":"roads","created_at":"2026-01-01T10:00:00+03:00"}}]}"#;
const VALID_CSV: &str = "source,external_id,sector,lat,lon,created_at\nvk,3,roads,55.79,49.12,2026-01-01T10:00:00+03:00\n";
const VALID_NDJSON: &str = "{\"source\":\"vk\",\"external_id\":\"4\",\"sector\":\"roads\",\"lat\":55.79,\"lon\":49.12,\"created_at\":\"2026-01-01T10:00:00+03:00\"}\n";
const VALID_FORM: &str = "service_code=roads&lat=55.79&long=49.12&description=x&requested_datetime=2026-01-01T10%3A00%3A00%2B03%3A00";

fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256);
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// A valid body with random bytes overwritten, inserted or cut off.
fn mutated(valid: &'static str) -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..6),
        any::<prop::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(move |(edits, cut, truncate)| {
            let mut b = valid.as_bytes().to_vec();
            for (at, byte, kind) in edits {
                let i = at.index(b.len().max(1)).min(b.len());
                match kind {
                    0 if i < b.len() => b[i] = byte,
                    1 => b.insert(i, byte),
                    _ if i < b.len() => {
                        b.remove(i);
                    }
                    _ => {}
                }
            }
            if truncate && !b.is_empty() {
                b.truncate(cut.index(b.len()));
            }
            b
        })
}

fn body() -> impl Strategy<Value = (&'static str, &'static str, Vec<u8>)> {
    let form = "application/x-www-form-urlencoded";
    prop_oneof![
        mutated(VALID_JSON).prop_map(|b| ("/api/v1/appeals", "application/json", b)),
        mutated(VALID_GEOJSON).prop_map(|b| ("/api/v1/appeals", "application/geo+json", b)),
        mutated(VALID_CSV).prop_map(|b| ("/api/v1/appeals", "text/csv", b)),
        mutated(VALID_NDJSON).prop_map(|b| ("/api/v1/appeals", "application/x-ndjson", b)),
        mutated(VALID_FORM).prop_map(move |b| ("/open311/v2/requests.json", form, b)),
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(|b| (
            "/api/v1/appeals",
            "application/json",
            b
        )),
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(|b| (
            "/api/v1/appeals",
            "text/csv",
            b
        )),
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(move |b| (
            "/open311/v2/requests.json",
            form,
            b
        )),
        mutated(VALID_GEOJSON).prop_map(|b| ("/api/v1/districts", "application/geo+json", b)),
    ]
}

#[test]
fn bodies_never_panic_never_5xx_and_refusals_write_nothing() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let app = rt.block_on(TestApp::new());
    runner()
        .run(&body(), |(uri, ct, b)| {
            let before = app.state.engine.index.len();
            let (s, bytes) = rt.block_on(app.raw("POST", uri, ct, b));
            prop_assert!(
                s.as_u16() < 500,
                "{uri} {ct}: {s} {}",
                String::from_utf8_lossy(&bytes)
            );
            if !s.is_success() {
                prop_assert_eq!(
                    app.state.engine.index.len(),
                    before,
                    "{} {}: refused but written",
                    uri,
                    ct
                );
            }
            Ok(())
        })
        .expect("fuzzing bodies");
}

const ROUTES: [&str; 9] = [
    "/api/v1/hexagons",
    "/api/v1/aggregate",
    "/api/v1/hotspots",
    "/api/v1/change",
    "/api/v1/cells/8911aa44c2bffff",
    "/api/v1/districts/1/summary",
    "/tiles/hexagons/12/2607/1272.mvt",
    "/tiles/change.json",
    "/open311/v2/requests.json",
];

const NAMES: [&str; 22] = [
    "res",
    "bbox",
    "sector",
    "from",
    "to",
    "period",
    "format",
    "district",
    "k",
    "alpha",
    "limit",
    "offset",
    "from_a",
    "to_a",
    "from_b",
    "to_b",
    "repeat_days",
    "page",
    "page_size",
    "status",
    "start_date",
    "service_code",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[-0-9.,]{0,24}",
        "[a-z_%&=+]{0,12}",
        Just("2026-01-01".to_owned()),
        Just("2026-13-45T99:00:00+25:00".to_owned()),
        Just("180,-90,-180,90".to_owned()),
        Just("1e308,nan,inf,-0".to_owned()),
        any::<String>().prop_map(|s| s.chars().take(20).collect()),
        (-5i64..40).prop_map(|n| n.to_string()),
    ]
}

fn query() -> impl Strategy<Value = String> {
    proptest::collection::vec((prop::sample::select(&NAMES[..]), value()), 0..6).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

#[test]
fn query_strings_never_panic_or_5xx() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let app = rt.block_on(async {
        let app = TestApp::new().await;
        app.post_points(&[(55.79, 49.12, "roads", "2026-01-01T10:00:00+03:00")], 1)
            .await;
        app
    });
    let raw = "[ -~]{0,40}".prop_map(|s: String| s.replace(['#', ' '], ""));
    let q = prop_oneof![query(), raw];
    runner()
        .run(&(prop::sample::select(&ROUTES[..]), q), |(route, q)| {
            let uri = format!("{route}?{q}");
            let Ok(uri) = uri.parse::<axum::http::Uri>() else {
                return Ok(());
            };
            let (s, b) = rt.block_on(app.raw("GET", &uri.to_string(), "", Vec::new()));
            prop_assert!(
                s.as_u16() < 500 || s == StatusCode::SERVICE_UNAVAILABLE,
                "{uri}: {s} {}",
                String::from_utf8_lossy(&b)
            );
            Ok(())
        })
        .expect("fuzzing query strings");
}
