//! Tokens and roles: every route of `api::routes::ROUTES` called by every
//! role (and by nobody), checked against the table; the table checked
//! against the routes the source declares; district scoping that bbox,
//! cell ids and tiles cannot escape; revocation.

mod common;

use axum::http::StatusCode;
use common::{TestApp, auth_config, error_of};
use hexwatch::api::routes::{Need, ROUTES};
use hexwatch::auth::Role;
use serde_json::{Value, json};

fn square(w: f64, s: f64, e: f64, n: f64) -> Value {
    json!([[w, s], [e, s], [e, n], [w, n], [w, s]])
}

/// District 1 west of 49.1° E, district 2 east of it, appeals in both.
async fn setup(public_read: bool) -> TestApp {
    let app = TestApp::with_config(auth_config(public_read)).await;
    let admin = app.token(Role::Admin, &[]).await;
    let districts = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "West"},
         "geometry": {"type": "Polygon", "coordinates": [square(49.0, 55.7, 49.1, 55.8)]}},
        {"type": "Feature", "properties": {"name": "East"},
         "geometry": {"type": "Polygon", "coordinates": [square(49.1, 55.7, 49.2, 55.8)]}},
    ]});
    let (s, v) = app
        .send_as(
            "POST",
            "/api/v1/districts",
            &admin,
            "application/geo+json",
            &districts,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mut batch = Vec::new();
    for i in 0..40 {
        // Five appeals per spot, so no cell is rare: scoping, not privacy, is tested here.
        let (lon, spot) = if i < 20 {
            (49.05, i / 5)
        } else {
            (49.15, (i - 20) / 5)
        };
        batch.push(common::appeal(
            i,
            "roads",
            55.75 + f64::from(spot as u8) * 0.01,
            lon,
            "2026-03-10T10:00:00+03:00",
        ));
    }
    app.ingest_as(&admin, &json!(batch)).await;
    let fix = json!({"title": "patch", "sector": "roads", "done_at": "2026-03-01", "lat": 55.75, "lon": 49.05, "radius_m": 100});
    let (s, v) = app
        .send_as("POST", "/api/v1/fixes", &admin, "application/json", &fix)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    app
}

/// A concrete request path for a route template (and the stricter variant).
fn concrete(path: &str) -> String {
    path.replace("{h3}", "8911aa44c2bffff")
        .replace("{id}", "1")
        .replace("{file}", "hexagons.json")
        .replace("{layer}/{z}/{x}/{y}", "hexagons/12/2654/1278.mvt")
        .replace("{*rest}", "v1/nothing")
}

fn body_for(path: &str) -> (&'static str, Vec<u8>) {
    if path.starts_with("/open311") {
        ("application/x-www-form-urlencoded", Vec::new())
    } else {
        ("application/json", b"[]".to_vec())
    }
}

/// What the table says a caller with `role` (None: no token) gets.
fn expected(need: Need, role: Option<Role>) -> Option<StatusCode> {
    match (need, role) {
        (Need::Public, _) => None,
        (Need::Role(_), None) => Some(StatusCode::UNAUTHORIZED),
        (Need::Role(min), Some(r)) if r < min => Some(StatusCode::FORBIDDEN),
        _ => None,
    }
}

#[tokio::test]
async fn every_route_by_every_role() {
    let app = setup(false).await;
    let mut tokens = vec![(None, None)];
    for r in Role::ALL {
        tokens.push((Some(r), Some(app.token(r, &[]).await)));
    }
    let mut checked = 0;
    for route in ROUTES {
        let method = if route.method == "*" {
            "GET"
        } else {
            route.method
        };
        let mut paths = vec![(concrete(route.path), route.need)];
        if let Some((prefix, role)) = route.stricter {
            let p = concrete(route.path).replace("/tiles/hexagons", "/tiles/appeals");
            assert!(p.starts_with(prefix), "{p} does not exercise {prefix}");
            paths.push((p.clone(), Need::Role(role)));
            // Percent-encoding the layer name must not slip past the stricter rule.
            paths.push((p.replacen("/appeals", "/%61ppeals", 1), Need::Role(role)));
        }
        for (uri, need) in paths {
            for (role, token) in &tokens {
                let (ct, body) = body_for(&uri);
                let (s, h, b) = app.call(method, &uri, token.as_deref(), ct, body).await;
                let text = String::from_utf8_lossy(&b);
                match expected(need, *role) {
                    Some(want) => {
                        assert_eq!(s, want, "{method} {uri} as {role:?}: {text}");
                        let v: Value = serde_json::from_slice(&b).expect("json error");
                        if route.path.starts_with("/open311/") {
                            // GeoReport v2's own error shape.
                            assert_eq!(v[0]["code"], want.as_u16(), "{uri}: {v}");
                        } else {
                            error_of(&v);
                        }
                        if want == StatusCode::UNAUTHORIZED {
                            assert!(h.contains_key("www-authenticate"), "{uri}");
                        }
                    }
                    None => {
                        assert!(
                            s != StatusCode::UNAUTHORIZED && s != StatusCode::FORBIDDEN,
                            "{method} {uri} as {role:?} refused: {s} {text}"
                        );
                        assert!(s.as_u16() < 500, "{method} {uri} as {role:?}: {s} {text}");
                        // The table's routes exist: no 405, no "no such endpoint".
                        assert_ne!(s, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
                        if !route.path.contains("{*rest}") {
                            assert!(
                                !text.contains("no such API endpoint"),
                                "{method} {uri}: {text}"
                            );
                        }
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= ROUTES.len() * 5);
}

#[tokio::test]
async fn an_unserved_method_is_405_not_a_server_error() {
    let app = setup(false).await;
    let admin = app.token(Role::Admin, &[]).await;
    for (method, uri) in [
        ("PUT", "/api/v1/hexagons"),
        ("DELETE", "/api/v1/districts/1"),
        ("PATCH", "/open311/v2/requests.json"),
    ] {
        for token in [None, Some(admin.as_str())] {
            let (s, _, _) = app.call(method, uri, token, "", Vec::new()).await;
            assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
        }
    }
}

#[tokio::test]
async fn bad_tokens_are_401_and_revoked_tokens_stop_working() {
    let app = setup(false).await;
    for header in ["Bearer hw_0000", "Basic dXNlcjpwYXNz", "Bearer "] {
        let req = axum::http::Request::builder()
            .uri("/api/v1/hexagons")
            .header("authorization", header)
            .body(axum::body::Body::empty())
            .expect("request");
        let resp = tower::ServiceExt::oneshot(app.router(), req)
            .await
            .expect("response");
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{header}");
    }
    let t = app.token(Role::Analyst, &[]).await;
    let (s, _, _) = app
        .call("GET", "/api/v1/hexagons", Some(&t), "", Vec::new())
        .await;
    assert_eq!(s, StatusCode::OK);
    let rows = app.state.engine.store.tokens().await.expect("tokens");
    let id = rows.iter().map(|r| r.id).max().expect("a token");
    assert!(
        app.state
            .engine
            .store
            .revoke_token(id, 1)
            .await
            .expect("revoke")
    );
    // A fresh state has an empty token cache; a running one notices within its TTL.
    let fresh = hexwatch::api::AppState::new(app.state.engine.clone(), auth_config(false));
    let req = axum::http::Request::builder()
        .uri("/api/v1/hexagons")
        .header("authorization", format!("Bearer {t}"))
        .body(axum::body::Body::empty())
        .expect("request");
    let resp = tower::ServiceExt::oneshot(hexwatch::api::app(fresh), req)
        .await
        .expect("response");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn public_read_gives_anonymous_callers_the_viewer_role_only() {
    let app = setup(true).await;
    let (s, _, _) = app
        .call("GET", "/api/v1/hexagons", None, "", Vec::new())
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = app
        .call(
            "GET",
            "/tiles/appeals/12/2654/1278.mvt",
            None,
            "",
            Vec::new(),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = app
        .call(
            "POST",
            "/api/v1/appeals",
            None,
            "application/json",
            b"[]".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, b) = app
        .call("GET", "/api/v1/whoami", None, "", Vec::new())
        .await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_slice(&b).expect("json");
    assert_eq!(v["role"], "viewer");
    assert_eq!(v["auth"], true);
}

/// The routes the source declares (`.route("…"` in `src/api`), nested tile
/// routes under `/tiles`: each must be in the table, and each table entry
/// must be declared.
#[test]
fn the_table_lists_exactly_the_declared_routes() {
    let mut declared = Vec::new();
    for entry in std::fs::read_dir("src/api").expect("src/api") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        for (i, _) in text.match_indices(".route(\"") {
            let rest = &text[i + 8..];
            let end = rest.find('"').expect("closing quote");
            let p = &rest[..end];
            declared.push(if p.starts_with("/{") {
                format!("/tiles{p}")
            } else {
                p.to_owned()
            });
        }
    }
    for d in &declared {
        assert!(
            ROUTES.iter().any(|r| r.path == d),
            "{d} is served but not in api::routes::ROUTES"
        );
    }
    for r in ROUTES {
        assert!(
            declared.iter().any(|d| d == r.path),
            "{} is in the table but not served",
            r.path
        );
    }
}

async fn features(app: &TestApp, uri: &str, token: &str) -> (StatusCode, Vec<String>) {
    let (s, _, b) = app.call("GET", uri, Some(token), "", Vec::new()).await;
    let v: Value = serde_json::from_slice(&b).unwrap_or(Value::Null);
    let cells = v["features"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["properties"]["h3"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default();
    (s, cells)
}

#[tokio::test]
async fn district_scope_cannot_be_escaped() {
    let app = setup(false).await;
    let west = app.token(Role::Analyst, &[1]).await;
    let both = app.token(Role::Analyst, &[1, 2]).await;
    let all = app.token(Role::Analyst, &[]).await;
    let (s, everything) = features(&app, "/api/v1/hexagons?res=9", &all).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(everything.len(), 8);
    // Forced to district 1 without asking.
    let (s, mine) = features(&app, "/api/v1/hexagons?res=9", &west).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(mine.len(), 4);
    // Asking for the other district, or a box over it, or its cells, or its tiles.
    let (s, _, _) = app
        .call(
            "GET",
            "/api/v1/hexagons?district=2",
            Some(&west),
            "",
            Vec::new(),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, boxed) = features(
        &app,
        "/api/v1/hexagons?res=9&bbox=49.1,55.7,49.2,55.8",
        &west,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(boxed.is_empty(), "{boxed:?}");
    for h3 in everything.iter().filter(|c| !mine.contains(c)) {
        let (s, _, b) = app
            .call(
                "GET",
                &format!("/api/v1/cells/{h3}"),
                Some(&west),
                "",
                Vec::new(),
            )
            .await;
        let v: Value = serde_json::from_slice(&b).expect("json");
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["count"], 0, "{v}");
    }
    for uri in [
        "/api/v1/aggregate?res=9",
        "/api/v1/hotspots?res=9",
        "/api/v1/change?res=9&from_a=2026-01-01&to_a=2026-03-01&from_b=2026-03-01&to_b=2026-05-01",
    ] {
        let (s, _, b) = app.call("GET", uri, Some(&west), "", Vec::new()).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        let text = String::from_utf8_lossy(&b);
        for h3 in everything.iter().filter(|c| !mine.contains(c)) {
            assert!(
                !text.contains(h3.as_str()),
                "{uri} shows {h3} outside the district"
            );
        }
    }
    let (s, _, _) = app
        .call(
            "GET",
            "/api/v1/districts/2/summary",
            Some(&west),
            "",
            Vec::new(),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = app
        .call(
            "GET",
            "/api/v1/districts/1/summary",
            Some(&west),
            "",
            Vec::new(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Tiles over the east district: nothing, for hexagons and points alike.
    let (x, y) = common::tile_of(55.77, 49.15, 12);
    for layer in ["hexagons", "appeals"] {
        let z = if layer == "appeals" { 14 } else { 12 };
        let (x, y) = if z == 12 {
            (x, y)
        } else {
            common::tile_of(55.77, 49.15, 14)
        };
        let uri = format!("/tiles/{layer}/{z}/{x}/{y}.mvt");
        let (s, _, b) = app.call("GET", &uri, Some(&all), "", Vec::new()).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            feature_count(&b) > 0,
            "{uri} has appeals for an unscoped token"
        );
        let (s, _, b) = app.call("GET", &uri, Some(&west), "", Vec::new()).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(feature_count(&b), 0, "{uri} leaks the east district");
        let (s, _, _) = app
            .call(
                "GET",
                &format!("{uri}?district=2"),
                Some(&west),
                "",
                Vec::new(),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    // A token of several districts names one of them.
    let (s, _, _) = app
        .call("GET", "/api/v1/hexagons", Some(&both), "", Vec::new())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, two) = features(&app, "/api/v1/hexagons?res=9&district=2", &both).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(two.len(), 4);
}

fn feature_count(tile: &[u8]) -> usize {
    let t = fast_mvt::MvtReaderRef::new(tile).expect("tile");
    t.layers().map(|l| l.features().count()).sum()
}

#[tokio::test]
async fn district_tokens_write_only_inside_their_districts() {
    let app = setup(false).await;
    let west = app.token(Role::Operator, &[1]).await;
    let inside = json!([common::appeal(
        900,
        "roads",
        55.75,
        49.05,
        "2026-03-10T10:00:00+03:00"
    )]);
    let outside = json!([common::appeal(
        901,
        "roads",
        55.75,
        49.15,
        "2026-03-10T10:00:00+03:00"
    )]);
    let before = app.state.engine.index.len();
    let (s, _) = app
        .send_as(
            "POST",
            "/api/v1/appeals",
            &west,
            "application/json",
            &outside,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.state.engine.index.len(), before);
    let (s, _) = app
        .send_as(
            "POST",
            "/api/v1/appeals",
            &west,
            "application/json",
            &inside,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.state.engine.index.len(), before + 1);
    let (s, _, _) = app
        .call(
            "POST",
            "/open311/v2/requests.json",
            Some(&west),
            "application/x-www-form-urlencoded",
            b"service_code=roads&lat=55.75&long=49.15".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for uri in ["/api/v1/districts", "/api/v1/fixes"] {
        let (s, _, _) = app
            .call("POST", uri, Some(&west), "application/json", b"{}".to_vec())
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{uri}");
    }
}

/// The keys of a resolution answer's `rows` (or a ranking's `units`).
fn keys(v: &Value, list: &str) -> Vec<Value> {
    v[list]
        .as_array()
        .map(|a| a.iter().map(|r| r["key"].clone()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn district_tokens_see_only_their_districts_resolution() {
    let app = setup(false).await;
    let admin = app.token(Role::Admin, &[]).await;
    let west = app.token(Role::Analyst, &[1]).await;
    let all = app.token(Role::Analyst, &[]).await;
    let get = |uri: String, token: String| {
        let app = &app;
        async move {
            let (s, _, b) = app.call("GET", &uri, Some(&token), "", Vec::new()).await;
            (
                s,
                serde_json::from_slice::<Value>(&b).unwrap_or(Value::Null),
            )
        }
    };
    let table = "/api/v1/resolution?group_by=district&period=year".to_owned();
    let (s, v) = get(table.clone(), all.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(keys(&v, "rows"), [json!(1), json!(2)]);
    let (s, v) = get(table.clone(), west.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(keys(&v, "rows"), [json!(1)]);
    let (s, _) = get(format!("{table}&district=2"), west.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = get(
        "/api/v1/resolution/ranking?by=district".into(),
        west.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(keys(&v, "units"), [json!(1)]);
    let (s, mine) = features(&app, "/api/v1/hexagons?res=9&metric=median_hours", &west).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(mine.len(), 4);
    // Process changes: one scoped to each district.
    for d in [1, 2] {
        let change =
            json!({"title": format!("lean {d}"), "changed_at": "2026-03-05", "district": d});
        let (s, v) = app
            .send_as(
                "POST",
                "/api/v1/process-changes",
                &admin,
                "application/json",
                &change,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, v) = get("/api/v1/process-changes".into(), west.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let scopes: Vec<&Value> = v["process_changes"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| &c["scope"]["district"])
        .collect();
    assert_eq!(scopes, [&json!(1)]);
    let (s, v) = get("/api/v1/process-changes/2/effect".into(), west.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = get("/api/v1/process-changes/1/effect".into(), west.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["effect"]["control"], Value::Null, "{v}");
    let (s, v) = get("/api/v1/process-changes/1/effect".into(), all.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["effect"]["control"].is_object(), "{v}");
}
