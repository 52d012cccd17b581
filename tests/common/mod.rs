//! Shared helpers: a fresh migrated database per test (SQLite, or
//! PostgreSQL with `HEXWATCH_TEST_DB=postgres`), the real `app()` driven with
//! `oneshot`, and a real server on a loopback socket.

#![allow(dead_code)]

pub mod instances;
pub mod pg;
#[path = "../process_common/mod.rs"]
pub mod process;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use hexwatch::api::{ApiConfig, AppState, app};
use hexwatch::engine::Engine;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

/// A test application over its own database file.
pub struct TestApp {
    pub state: AppState,
    pub dir: tempfile::TempDir,
    url: String,
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_config(ApiConfig::default()).await
    }

    pub async fn with_config(cfg: ApiConfig) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = test_db_url(dir.path()).await;
        let engine = Engine::open(&url).await.expect("open");
        TestApp {
            state: AppState::new(Arc::new(engine), cfg),
            dir,
            url,
        }
    }

    /// A new engine over the same database (after `store.close()`): what a
    /// restarted server sees.
    pub async fn reopened(self) -> TestApp {
        let engine = Engine::open(&self.url).await.expect("reopen");
        TestApp {
            state: AppState::new(Arc::new(engine), ApiConfig::default()),
            dir: self.dir,
            url: self.url,
        }
    }

    pub fn db_url(&self) -> String {
        self.url.clone()
    }

    pub fn router(&self) -> Router {
        app(self.state.clone())
    }

    /// Sends a request and returns the status and the body bytes.
    pub async fn raw(
        &self,
        method: &str,
        uri: &str,
        ct: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Vec<u8>) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", ct)
            .body(Body::from(body))
            .expect("request");
        let resp = self.router().oneshot(req).await.expect("response");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (status, bytes.to_vec())
    }

    /// Sends a request and parses a JSON answer.
    pub async fn json(
        &self,
        method: &str,
        uri: &str,
        ct: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let (status, bytes) = self.raw(method, uri, ct, body).await;
        let v = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            panic!(
                "{uri} answered non-JSON: {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        (status, v)
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.json("GET", uri, "application/json", Vec::new()).await
    }

    /// Posts `(lat, lon, sector, created_at)` points as appeals with ids
    /// `first_id..`, asserting they are accepted.
    pub async fn post_points<S: AsRef<str>, T: AsRef<str>>(
        &self,
        points: &[(f64, f64, S, T)],
        first_id: usize,
    ) {
        let batch: Vec<Value> = points
            .iter()
            .enumerate()
            .map(|(i, (lat, lon, s, t))| appeal(first_id + i, s.as_ref(), *lat, *lon, t.as_ref()))
            .collect();
        let (s, v) = self.post_json("/api/v1/appeals", &json!(batch)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }

    pub async fn post_json(&self, uri: &str, body: &Value) -> (StatusCode, Value) {
        self.json(
            "POST",
            uri,
            "application/json",
            serde_json::to_vec(body).expect("json"),
        )
        .await
    }
}

/// A fresh database for one test: a SQLite file in `dir`, or a new database
/// on the test PostgreSQL when `HEXWATCH_TEST_DB=postgres`.
pub async fn test_db_url(dir: &std::path::Path) -> String {
    if pg::enabled() {
        pg::fresh_db().await
    } else {
        format!("sqlite://{}", dir.join("t.db").display())
    }
}

/// A valid appeal record.
pub fn appeal(id: usize, sector: &str, lat: f64, lon: f64, created: &str) -> Value {
    json!({
        "source": "vk",
        "external_id": id.to_string(),
        "sector": sector,
        "lat": lat,
        "lon": lon,
        "created_at": created,
        "text": format!("private complaint {id}"),
        "address": "ул. Баумана, 1",
    })
}

/// The error object of an error answer, checked for the SPEC's shape.
pub fn error_of(v: &Value) -> &Value {
    let e = &v["error"];
    assert!(
        e["code"].is_string() && e["message"].is_string(),
        "error shape: {v}"
    );
    e
}

/// Starts the real binary (`serve --db DB` on a free port) and waits until
/// it listens; returns the child and its address.
pub fn spawn_server(db: &str) -> (std::process::Child, String) {
    spawn_server_with(db, &[])
}

/// [`spawn_server`] with extra arguments.
pub fn spawn_server_with(db: &str, extra: &[&str]) -> (std::process::Child, String) {
    let mut args = vec!["--db", db, "--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let s = process::start(&args);
    (s.child, s.addr)
}

/// Every stored appeal's `external_id`, read straight from the database (the
/// oracle for "nothing acknowledged is missing").
pub async fn stored_external_ids(db: &str) -> std::collections::HashSet<String> {
    let sql = "SELECT external_id FROM appeals";
    let ids: Vec<String> = if db.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(db).await.expect("db");
        sqlx::query_scalar(sql).fetch_all(&pool).await.expect("ids")
    } else {
        let pool = sqlx::PgPool::connect(db).await.expect("db");
        sqlx::query_scalar(sql).fetch_all(&pool).await.expect("ids")
    };
    ids.into_iter().collect()
}

impl TestApp {
    /// Sends a request with an optional bearer token; status, headers and body.
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        ct: &str,
        body: Vec<u8>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", ct);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let resp = self
            .router()
            .oneshot(req.body(Body::from(body)).expect("request"))
            .await
            .expect("response");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (status, headers, bytes.to_vec())
    }

    /// Stores a new token with this role and districts; returns its secret.
    pub async fn token(&self, role: hexwatch::auth::Role, districts: &[i64]) -> String {
        let t = hexwatch::auth::issue();
        let list = hexwatch::auth::district_list(districts);
        self.state
            .engine
            .store
            .insert_token(&hexwatch::store::NewToken {
                hash: t.hash,
                name: None,
                role: role.name().to_owned(),
                districts: list,
                created_at: 0,
            })
            .await
            .expect("token");
        t.secret
    }
}

/// Settings with tokens required (and `k`-anonymity for viewers).
pub fn auth_config(public_read: bool) -> ApiConfig {
    ApiConfig {
        auth: hexwatch::api::auth::AuthConfig {
            enabled: true,
            public_read,
            k_anonymity: 3,
        },
        ..ApiConfig::default()
    }
}

/// The x/y of the z tile holding a point.
pub fn tile_of(lat: f64, lon: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let r = lat.to_radians();
    let y =
        ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
    (x, y)
}

impl TestApp {
    /// Sends `body` as JSON text with content type `ct` and this token; status and parsed answer.
    pub async fn send_as(
        &self,
        method: &str,
        uri: &str,
        token: &str,
        ct: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let (s, _, b) = self
            .call(method, uri, Some(token), ct, body.to_string().into_bytes())
            .await;
        let v = serde_json::from_slice(&b).unwrap_or(Value::Null);
        (s, v)
    }

    /// Ingests a JSON batch of appeals with this token, which must succeed.
    pub async fn ingest_as(&self, token: &str, batch: &Value) {
        let (s, v) = self
            .send_as("POST", "/api/v1/appeals", token, "application/json", batch)
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
}
