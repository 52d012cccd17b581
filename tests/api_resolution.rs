//! Resolution performance through the real app: the new appeal fields in
//! every format, Kaplan–Meier medians with open appeals against hand-computed
//! numbers, the ranking, and process changes judged on planted data.

mod common;

use axum::http::StatusCode;
use common::{TestApp, error_of};
use serde_json::{Value, json};

const T0: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z

fn iso(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .expect("time")
        .to_rfc3339()
}

/// An appeal of `unit` created at `created` and resolved `hours` later
/// (`None`: still open), in central Kazan.
fn rec(id: usize, unit: &str, created: i64, hours: Option<f64>) -> Value {
    let mut v = json!({
        "source": "portal", "external_id": id.to_string(), "sector": "roads",
        "lat": 55.79 + (id % 50) as f64 * 1e-4, "lon": 49.12 + (id % 37) as f64 * 1e-4,
        "created_at": iso(created), "responsible": unit,
        "due_at": iso(created + 5 * 86_400),
    });
    if let Some(h) = hours {
        let r = created + (h * 3600.0).round() as i64;
        v["status"] = json!("resolved");
        v["resolved_at"] = json!(iso(r));
        v["first_response_at"] = json!(iso(created + 3600));
    }
    v
}

async fn post(app: &TestApp, batch: &[Value]) {
    let (s, v) = app.post_json("/api/v1/appeals", &json!(batch)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn every_format_carries_the_resolution_fields() {
    let app = TestApp::new().await;
    let t = "2025-03-01T09:00:00+03:00";
    let json_body = json!([{"source":"vk","external_id":"j","sector":"roads","lat":55.79,"lon":49.12,
        "created_at":t,"responsible":"water","due_at":"2025-03-02T09:00:00+03:00",
        "first_response_at":"2025-03-01T10:00:00+03:00"}]);
    let ndjson = r#"{"source":"vk","external_id":"n","sector":"roads","lat":55.79,"lon":49.12,"created_at":"2025-03-01T09:00:00+03:00","responsible":"water","first_response_at":"2025-03-01T11:00:00+03:00"}"#;
    let geojson = json!({"type":"FeatureCollection","features":[{"type":"Feature",
        "geometry":{"type":"Point","coordinates":[49.12,55.79]},
        "properties":{"source":"vk","external_id":"g","sector":"roads","created_at":t,
            "responsible":"gas","first_response_at":"2025-03-01T12:00:00+03:00"}}]});
    let csv = "source,external_id,sector,lat,lon,created_at,responsible,due_at,first_response_at\n\
               vk,c,roads,55.79,49.12,2025-03-01T09:00:00+03:00,gas,2025-03-05T09:00:00+03:00,2025-03-01T13:00:00+03:00\n";
    for (ct, body) in [
        ("application/json", json_body.to_string()),
        ("application/x-ndjson", ndjson.to_string()),
        ("application/geo+json", geojson.to_string()),
        ("text/csv", csv.to_string()),
    ] {
        let (s, v) = app
            .json("POST", "/api/v1/appeals", ct, body.into_bytes())
            .await;
        assert_eq!(s, StatusCode::OK, "{ct}: {v}");
        assert_eq!(v["accepted"], 1, "{ct}: {v}");
    }
    // Unknown codes were added to the (open) catalogue.
    let (_, cat) = app.get("/api/v1/responsible").await;
    let codes: Vec<&str> = cat["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| u["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, ["water", "gas"]);
    assert_eq!(cat["strict"], false);
    // First responses after 1, 2 (water) and 3, 4 hours (gas); nothing resolved.
    let (s, v) = app
        .get("/api/v1/resolution?group_by=responsible&period=year&as_of=2025-03-10")
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let rows = v["rows"].as_array().expect("rows");
    let by: Vec<(&str, f64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["key"].as_str().expect("key"),
                r["median_first_response_hours"].as_f64().expect("median"),
                r["open"].as_u64().expect("open"),
            )
        })
        .collect();
    assert_eq!(by, [("water", 1.0, 2), ("gas", 3.0, 2)]);
    // One deadline each, both missed by the as_of while still open.
    assert_eq!(rows[0]["overdue_share"], 1.0);
    assert_eq!(rows[1]["overdue_share"], 1.0);
    assert_eq!(rows[0]["median_hours"], Value::Null);
}

#[tokio::test]
async fn bad_times_codes_and_parameters_name_the_field() {
    let app = TestApp::new().await;
    let batch = json!([
        {"source":"vk","external_id":"1","sector":"roads","lat":55.79,"lon":49.12,
         "created_at":"2025-03-01T09:00:00+03:00","first_response_at":"2025-03-01T08:00:00+03:00"},
        {"source":"vk","external_id":"2","sector":"roads","lat":55.79,"lon":49.12,
         "created_at":"2025-03-01T09:00:00+03:00","resolved_at":"2025-02-01T09:00:00+03:00",
         "due_at":"2025-03-02T09:00:00"},
    ]);
    let (s, v) = app.post_json("/api/v1/appeals", &batch).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let bad: Vec<(u64, &str)> = v["rejected"]
        .as_array()
        .expect("rejected")
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        bad,
        [(0, "first_response_at"), (1, "resolved_at"), (1, "due_at")]
    );
    // Strict catalogue: only known codes.
    let (s, _) = app
        .post_json(
            "/api/v1/responsible",
            &json!([{"code":"water","name_ru":"Водоканал","name_en":"Water utility"}]),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    app.state.engine.set_strict_responsible(true);
    let mut a = json!({"source":"vk","external_id":"3","sector":"roads","lat":55.79,"lon":49.12,
        "created_at":"2025-03-01T09:00:00+03:00","responsible":"gas"});
    let (s, v) = app.post_json("/api/v1/appeals", &json!([a.clone()])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["rejected"][0]["field"], "responsible");
    a["responsible"] = json!("water");
    let (s, v) = app.post_json("/api/v1/appeals", &json!([a])).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app.get("/api/v1/resolution?group_by=colour").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&v)["field"], "group_by");
    let (s, v) = app.get("/api/v1/resolution/ranking?by=sector").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&v)["field"], "by");
}

#[tokio::test]
async fn medians_keep_open_appeals_as_censored() {
    let app = TestApp::new().await;
    // Times to resolve in hours: 10, 20+, 30, 40+, 50 (+ = open; created so
    // that as_of leaves them open exactly that long). By hand (see
    // stats::kaplan_meier): S(10) = 0.8, S(30) = 0.5333, S(50) = 0, so
    // median = p90 = 50 h; dropping the open ones would say 30 h.
    let as_of = T0 + 100 * 3600;
    let mut batch = Vec::new();
    for (i, (h, open)) in [
        (10.0, false),
        (20.0, true),
        (30.0, false),
        (40.0, true),
        (50.0, false),
    ]
    .into_iter()
    .enumerate()
    {
        if open {
            batch.push(rec(i, "adm", as_of - (h * 3600.0) as i64, None));
        } else {
            batch.push(rec(i, "adm", T0 + i as i64 * 3600, Some(h)));
        }
    }
    post(&app, &batch).await;
    let q = format!(
        "/api/v1/resolution?group_by=sector&period=year&as_of={}",
        iso(as_of).replace('+', "%2B")
    );
    let (s, v) = app.get(&q).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let r = &v["rows"][0];
    assert_eq!(
        (
            r["count"].as_u64(),
            r["resolved"].as_u64(),
            r["open"].as_u64()
        ),
        (Some(5), Some(3), Some(2))
    );
    assert_eq!(r["median_hours"], 50.0);
    assert_eq!(r["p90_hours"], 50.0);
    assert!(
        v["censoring"]
            .as_str()
            .expect("doc")
            .contains("kaplan_meier")
    );
    // The same table as CSV.
    let (s, body) = app
        .raw("GET", &format!("{q}&format=csv"), "", Vec::new())
        .await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(body).expect("utf8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "key,period_start,count,resolved,open,median_hours,p90_hours,overdue_share,median_first_response_hours"
    );
    assert!(
        lines[1].starts_with("roads,2025-01-01T00:00:00+03:00,5,3,2,50,50,"),
        "{}",
        lines[1]
    );
}

/// `n` appeals of `unit` created evenly over `[from, from + days)`, resolved
/// after times spread evenly around `median_days` (0.2–1.8 × median).
fn spread(
    first_id: usize,
    unit: &str,
    from: i64,
    days: i64,
    n: usize,
    median_days: f64,
) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let created = from + (days * 86_400) * i as i64 / n as i64;
            // A fixed permutation decouples creation order and duration.
            let k = (i * 37) % n;
            let f = 0.2 + 1.6 * (k as f64 + 0.5) / n as f64;
            rec(first_id + i, unit, created, Some(median_days * 24.0 * f))
        })
        .collect()
}

#[tokio::test]
async fn a_planted_process_change_is_judged_faster_and_the_others_not() {
    let app = TestApp::new().await;
    let changed = T0 + 120 * 86_400;
    let mut all = Vec::new();
    all.extend(spread(0, "fast", changed - 90 * 86_400, 90, 300, 7.0));
    all.extend(spread(1000, "fast", changed, 90, 300, 3.0));
    all.extend(spread(2000, "steady", changed - 90 * 86_400, 180, 600, 5.0));
    all.extend(spread(3000, "tiny", changed - 30 * 86_400, 60, 5, 4.0));
    post(&app, &all).await;
    let mut ids = Vec::new();
    for unit in ["fast", "steady", "tiny"] {
        let (s, v) = app
            .post_json(
                "/api/v1/process-changes",
                &json!({"title": format!("lean {unit}"), "changed_at": iso(changed), "responsible": unit}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        ids.push(v["id"].as_i64().expect("id"));
    }
    let effect = |id| {
        let app = &app;
        async move {
            let (s, v) = app
                .get(&format!(
                    "/api/v1/process-changes/{id}/effect?window_days=90"
                ))
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            v["effect"].clone()
        }
    };
    let fast = effect(ids[0]).await;
    assert_eq!(fast["verdict"], "faster", "{fast}");
    let before = fast["scope"]["before"]["median_hours"]
        .as_f64()
        .expect("before");
    let after = fast["scope"]["after"]["median_hours"]
        .as_f64()
        .expect("after");
    assert!((before / (7.0 * 24.0) - 1.0).abs() < 0.1, "{before}");
    assert!((after / (3.0 * 24.0) - 1.0).abs() < 0.1, "{after}");
    assert!(fast["scope"]["test"]["p"].as_f64().expect("p") < 1e-6);
    assert_eq!(fast["test"], "logrank");
    assert_eq!(fast["thresholds"]["alpha"], 0.05);
    let steady = effect(ids[1]).await;
    assert_eq!(steady["verdict"], "no_change", "{steady}");
    let tiny = effect(ids[2]).await;
    assert_eq!(tiny["verdict"], "insufficient_data", "{tiny}");
    // The list carries the same verdicts.
    let (_, list) = app.get("/api/v1/process-changes").await;
    let verdicts: Vec<&str> = list["process_changes"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["verdict"].as_str().expect("verdict"))
        .collect();
    assert_eq!(verdicts, ["faster", "no_change", "insufficient_data"]);
    // No scope at all is refused, naming it.
    let (s, v) = app
        .post_json(
            "/api/v1/process-changes",
            &json!({"title":"x","changed_at":iso(changed)}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&v)["field"], "scope");
    // Ranking: slowest (by first response, then resolution) first.
    let (s, r) = app.get("/api/v1/resolution/ranking?by=responsible").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let order: Vec<&str> = r["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| u["key"].as_str().expect("key"))
        .collect();
    // First responses are all 1 h; resolution medians: steady 5 d, fast ~5 d
    // overall (7 then 3), tiny 4 d.
    assert_eq!(order.len(), 3);
    assert_eq!(order[2], "tiny", "{r}");
}

#[tokio::test]
async fn groups_under_k_are_hidden_from_viewers() {
    use hexwatch::auth::Role;
    let app = TestApp::with_config(common::auth_config(true)).await;
    let admin = app.token(Role::Admin, &[]).await;
    let analyst = app.token(Role::Analyst, &[]).await;
    // Five appeals of a busy unit, two of a rare one (k = 3).
    let batch: Vec<Value> = (0..7)
        .map(|i| {
            rec(
                i,
                if i < 5 { "busy" } else { "rare" },
                T0 + i as i64 * 3600,
                Some(24.0),
            )
        })
        .collect();
    app.ingest_as(&admin, &json!(batch)).await;
    for uri in [
        "/api/v1/resolution?group_by=responsible&period=year",
        "/api/v1/resolution/ranking?by=responsible",
    ] {
        let list = if uri.contains("ranking") {
            "units"
        } else {
            "rows"
        };
        let keys = |b: &[u8]| -> Vec<String> {
            let v: Value = serde_json::from_slice(b).expect("json");
            v[list]
                .as_array()
                .expect("list")
                .iter()
                .map(|r| r["key"].as_str().unwrap_or("").to_owned())
                .collect()
        };
        let (s, _, b) = app.call("GET", uri, None, "", Vec::new()).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert_eq!(keys(&b), ["busy"], "{uri}");
        let (s, _, b) = app.call("GET", uri, Some(&analyst), "", Vec::new()).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        let mut seen = keys(&b);
        seen.sort();
        assert_eq!(seen, ["busy", "rare"], "{uri}");
    }
}

#[tokio::test]
async fn cached_tables_and_effects_follow_every_write() {
    let app = TestApp::new().await;
    let batch: Vec<Value> = (0..30)
        .map(|i| rec(i, "adm", T0 + i as i64 * 3600, Some(10.0)))
        .collect();
    post(&app, &batch).await;
    let uri = "/api/v1/resolution?group_by=responsible&period=year&as_of=2025-03-01";
    let count = |v: &Value| v["rows"][0]["count"].as_u64().expect("count");
    let (_, first) = app.get(uri).await;
    let (_, again) = app.get(uri).await;
    assert_eq!(first, again);
    assert_eq!(count(&first), 30);
    // CSV of the same query shares the cached rows.
    let (s, csv) = app
        .raw("GET", &format!("{uri}&format=csv"), "", Vec::new())
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8_lossy(&csv).contains(",30,30,0,10,"));
    post(&app, &[rec(30, "adm", T0 + 40 * 3600, Some(50.0))]).await;
    let (_, after) = app.get(uri).await;
    assert_eq!(count(&after), 31);
    // An effect, then the data it judged changes.
    let change = json!({"title": "t", "changed_at": iso(T0 + 20 * 3600), "responsible": "adm"});
    let (s, v) = app.post_json("/api/v1/process-changes", &change).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let effect = "/api/v1/process-changes/1/effect";
    let after_count = |v: &Value| {
        v["effect"]["scope"]["after"]["count"]
            .as_u64()
            .expect("count")
    };
    let (_, e1) = app.get(effect).await;
    let (_, e2) = app.get(effect).await;
    assert_eq!(e1, e2);
    assert_eq!(after_count(&e1), 11);
    post(&app, &[rec(31, "adm", T0 + 41 * 3600, Some(5.0))]).await;
    let (_, e3) = app.get(effect).await;
    assert_eq!(after_count(&e3), 12);
}
