//! Open311 GeoReport v2: a client posts a request form-encoded as the
//! spec's example does, reads it back, and the map counts it; errors come
//! in the spec's `[{"code", "description"}]` shape and write nothing.

mod common;

use axum::http::StatusCode;
use common::{TestApp, auth_config};
use hexwatch::auth::Role;
use serde_json::Value;

/// The spec's POST example, with a sector code for `service_code` and Kazan for the point.
const EXAMPLE: &str = "api_key=xyz&jurisdiction_id=city.gov&service_code=roads&lat=55.7961&long=49.1064\
    &address_string=1234+5th+street&email=smit222%40sfgov.edu&device_id=tt222111&account_id=123456\
    &first_name=john&last_name=smith&phone=111111111\
    &description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Fx.example%2Fa.jpg\
    &attribute[WHISPAWN]=123456&requested_datetime=2026-03-05T10%3A00%3A00%2B03%3A00";

const FORM: &str = "application/x-www-form-urlencoded";

/// Posts a form-encoded request with this token; status and body.
async fn post_form(app: &TestApp, token: &str, body: &str) -> (StatusCode, Vec<u8>) {
    let (s, _, b) = app
        .call(
            "POST",
            "/open311/v2/requests.json",
            Some(token),
            FORM,
            body.as_bytes().to_vec(),
        )
        .await;
    (s, b)
}

/// GETs `uri` with an optional bearer token; status and body.
async fn get(app: &TestApp, uri: &str, token: Option<&String>) -> (StatusCode, Vec<u8>) {
    let (s, _, b) = app
        .call("GET", uri, token.map(String::as_str), "", Vec::new())
        .await;
    (s, b)
}

fn json(b: &[u8]) -> Value {
    serde_json::from_slice(b).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(b)))
}

#[tokio::test]
async fn a_request_posted_as_the_spec_shows_is_read_back_and_counted() {
    let app = TestApp::with_config(auth_config(false)).await;
    let op = app.token(Role::Operator, &[]).await;
    let analyst = app.token(Role::Analyst, &[]).await;
    let (s, b) = get(&app, "/open311/v2/services.json?lang=en", Some(&analyst)).await;
    assert_eq!(s, StatusCode::OK);
    let services = json(&b);
    let roads = services
        .as_array()
        .expect("list")
        .iter()
        .find(|x| x["service_code"] == "roads")
        .expect("roads");
    assert_eq!(roads["type"], "realtime");
    assert!(roads["group"].is_string() && roads["service_name"].is_string());

    let (s, b) = post_form(&app, &op, EXAMPLE).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let posted = json(&b);
    let id = posted[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned();

    let (s, b) = get(
        &app,
        &format!("/open311/v2/requests.json?service_request_id={id}"),
        Some(&analyst),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let got = json(&b);
    let r = &got[0];
    assert_eq!(r["service_request_id"], id.as_str());
    assert_eq!(r["service_code"], "roads");
    assert_eq!(r["status"], "open");
    assert_eq!(
        r["description"],
        "A large sinkhole is destroying the street"
    );
    assert_eq!(r["address"], "1234 5th street");
    assert_eq!(r["lat"], 55.7961);
    assert_eq!(r["long"], 49.1064);
    assert_eq!(r["requested_datetime"], "2026-03-05T10:00:00+03:00");
    // Neither a responsible unit nor a deadline was posted.
    assert!(
        r["agency_responsible"].is_null() && r["expected_datetime"].is_null(),
        "{r}"
    );
    // Contact details are not kept.
    assert!(!String::from_utf8_lossy(&b).contains("smit222"));

    // Filters: by code, dates, status, bbox, paging.
    for (q, n) in [
        ("service_code=roads", 1),
        ("service_code=health", 0),
        ("start_date=2026-03-01&end_date=2026-03-06", 1),
        ("start_date=2026-03-06", 0),
        ("status=open", 1),
        ("status=closed", 0),
        ("bbox=49.0,55.7,49.2,55.9", 1),
        ("bbox=50,55.7,51,55.9", 0),
        ("page=2&page_size=1", 0),
    ] {
        let (s, b) = get(
            &app,
            &format!("/open311/v2/requests.json?{q}"),
            Some(&analyst),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{q}");
        assert_eq!(json(&b).as_array().expect("list").len(), n, "{q}");
    }

    // On the map: the hexagon holding the point counts it.
    let (s, b) = get(&app, "/api/v1/hexagons?res=9", Some(&analyst)).await;
    assert_eq!(s, StatusCode::OK);
    let hex = json(&b);
    let cell = h3o::LatLng::new(55.7961, 49.1064)
        .expect("ll")
        .to_cell(h3o::Resolution::Nine)
        .to_string();
    let f = &hex["features"][0]["properties"];
    assert_eq!(f["count"], 1);
    // Parent rule (ARCHITECTURE 1): the res-15 cell's parent, which is this cell or a neighbour.
    let shown: h3o::CellIndex = f["h3"].as_str().expect("h3").parse().expect("cell");
    let expected: h3o::CellIndex = cell.parse().expect("cell");
    assert!(shown == expected || expected.grid_disk::<Vec<_>>(1).contains(&shown));
}

#[tokio::test]
async fn bad_requests_get_the_spec_error_shape_and_write_nothing() {
    let app = TestApp::with_config(auth_config(false)).await;
    let op = app.token(Role::Operator, &[]).await;
    for (body, needle) in [
        ("service_code=nope&lat=55.79&long=49.12", "service_code"),
        ("service_code=roads&lat=95&long=49.12", "lat"),
        ("service_code=roads&lat=55.79&long=abc", "long"),
        ("service_code=roads&address_string=somewhere", "lat"),
        (
            "service_code=roads&lat=55.79&long=49.12&requested_datetime=yesterday",
            "requested_datetime",
        ),
        ("service_code=roads&lat=1&lat=2&long=3", "more than once"),
    ] {
        let (s, b) = post_form(&app, &op, body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        let v = json(&b);
        let e = &v[0];
        assert_eq!(e["code"], 400, "{v}");
        assert!(
            e["description"]
                .as_str()
                .expect("description")
                .contains(needle),
            "{body}: {v}"
        );
    }
    assert_eq!(app.state.engine.index.len(), 0);
    let (s, b) = get(&app, "/open311/v2/requests.json?page_size=5000", Some(&op)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(json(&b)[0]["code"], 400);
}

#[tokio::test]
async fn clients_sign_in_with_api_key_and_refusals_come_in_the_spec_shape() {
    let app = TestApp::with_config(auth_config(false)).await;
    let op = app.token(Role::Operator, &[]).await;
    let analyst = app.token(Role::Analyst, &[]).await;
    let viewer = app.token(Role::Viewer, &[]).await;
    let form = |key: &str| {
        format!("api_key={key}&service_code=roads&lat=55.7961&long=49.1064&description=pothole")
            .into_bytes()
    };
    let post = |body: Vec<u8>| app.call("POST", "/open311/v2/requests.json", None, FORM, body);

    // The spec's way: the key in the form body, no Authorization header.
    let (s, _, b) = post(form(&op)).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    assert_eq!(app.state.engine.index.len(), 1);

    // An unknown key and a role too low are refused as `[{code, description}]`, writing nothing.
    for (key, status) in [
        ("not-a-token", StatusCode::UNAUTHORIZED),
        (viewer.as_str(), StatusCode::FORBIDDEN),
    ] {
        let (s, h, b) = post(form(key)).await;
        assert_eq!(s, status, "{key}");
        let v = json(&b);
        assert_eq!(v[0]["code"], status.as_u16(), "{v}");
        assert!(v[0]["description"].is_string(), "{v}");
        if status == StatusCode::UNAUTHORIZED {
            assert!(h.contains_key("www-authenticate"));
        }
    }
    // No key at all: 401 in the spec's shape.
    let (s, _, b) = post(b"service_code=roads&lat=55.79&long=49.12".to_vec()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&b)[0]["code"], 401);
    assert_eq!(app.state.engine.index.len(), 1);

    // Reading: the key in the query string.
    let (s, b) = get(
        &app,
        &format!("/open311/v2/requests.json?api_key={analyst}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    assert_eq!(json(&b).as_array().expect("list").len(), 1);
    let (s, b) = get(
        &app,
        &format!("/open311/v2/requests.json?api_key={viewer}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(json(&b)[0]["code"], 403);
}

#[tokio::test]
async fn posted_requests_meet_the_same_responsible_catalogue() {
    let app = TestApp::with_config(auth_config(false)).await;
    let op = app.token(Role::Operator, &[]).await;
    let (s, v) = app
        .send_as(
            "POST",
            "/api/v1/responsible",
            &op,
            "application/json",
            &serde_json::json!([{"code": "water", "name_ru": "Водоканал", "name_en": "Water utility"}]),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    app.state.engine.set_strict_responsible(true);
    let (s, b) = post_form(
        &app,
        &op,
        "service_code=roads&lat=55.79&long=49.12&agency_responsible=gas",
    )
    .await;
    let v = json(&b);
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let text = v[0]["description"].as_str().expect("description");
    assert!(text.contains("agency_responsible"), "{v}");
    assert_eq!(app.state.engine.index.len(), 0);
    let (s, b) = post_form(
        &app,
        &op,
        "service_code=roads&lat=55.79&long=49.12&agency_responsible=water\
         &requested_datetime=2026-03-05T10%3A00%3A00%2B03%3A00&expected_datetime=2026-03-06T10%3A00%3A00%2B03%3A00",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let (s, b) = get(
        &app,
        "/api/v1/resolution?group_by=responsible&period=year&as_of=2026-03-10",
        Some(&op),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let v = json(&b);
    assert_eq!(v["rows"][0]["key"], "water", "{v}");
    // Still open four days after its deadline: overdue.
    assert_eq!(v["rows"][0]["overdue_share"], 1.0, "{v}");
    // Read back the Open311 way: what was posted comes back under its own names.
    let (s, b) = get(&app, "/open311/v2/requests.json", Some(&op)).await;
    assert_eq!(s, StatusCode::OK);
    let v = json(&b);
    assert_eq!(v[0]["agency_responsible"], "water", "{v}");
    assert_eq!(
        v[0]["expected_datetime"], "2026-03-06T10:00:00+03:00",
        "{v}"
    );
}
