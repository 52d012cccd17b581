//! Limits: per-token and per-address rates with 429 and `Retry-After`,
//! records per batch, the header read timeout against slow clients.

mod common;

use axum::http::StatusCode;
use common::{TestApp, auth_config};
use hexwatch::api::ApiConfig;
use hexwatch::api::limits::LimitConfig;
use hexwatch::auth::Role;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn limited(rate: u32, burst: u32) -> ApiConfig {
    ApiConfig {
        limits: LimitConfig {
            rate_per_second: rate,
            burst,
            header_timeout: Duration::from_secs(1),
            ..LimitConfig::default()
        },
        max_records: 3,
        ..auth_config(true)
    }
}

#[tokio::test]
async fn a_token_over_its_rate_gets_429_with_retry_after_and_others_do_not() {
    let app = TestApp::with_config(limited(1, 5)).await;
    let flooder = app.token(Role::Viewer, &[]).await;
    let other = app.token(Role::Viewer, &[]).await;
    // All at once: the burst passes, the rest are refused (each refusal
    // waits until a retry could pass, so sequential calls would refill).
    let calls = (0..8).map(|_| app.call("GET", "/api/v1/sectors", Some(&flooder), "", Vec::new()));
    let answers = futures_util::future::join_all(calls).await;
    let codes: Vec<u16> = answers.iter().map(|(s, _, _)| s.as_u16()).collect();
    assert_eq!(codes.iter().filter(|&&c| c == 200).count(), 5, "{codes:?}");
    assert_eq!(codes.iter().filter(|&&c| c == 429).count(), 3, "{codes:?}");
    let retry = answers
        .iter()
        .find(|(s, _, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .and_then(|(_, h, _)| h.get("retry-after")?.to_str().ok().map(str::to_owned));
    let retry: u64 = retry.expect("Retry-After").parse().expect("seconds");
    assert!((1..=2).contains(&retry), "{retry}");
    let (s, _, _) = app
        .call("GET", "/api/v1/sectors", Some(&other), "", Vec::new())
        .await;
    assert_eq!(s, StatusCode::OK);
}

async fn serve(app: &TestApp) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(hexwatch::api::run(listener, app.state.clone(), async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

#[tokio::test]
async fn anonymous_callers_are_limited_per_address_over_a_socket() {
    let app = TestApp::with_config(limited(1, 3)).await;
    let (addr, _stop) = serve(&app).await;
    let client = reqwest::Client::new();
    let calls = (0..5).map(|_| client.get(format!("http://{addr}/api/v1/sectors")).send());
    assert_eq!(statuses(calls).await, [200, 200, 200, 429, 429]);
}

#[tokio::test]
async fn a_batch_over_the_record_limit_is_413_and_writes_nothing() {
    let app = TestApp::with_config(limited(0, 1)).await;
    let op = app.token(Role::Operator, &[]).await;
    let batch: Vec<Value> = (0..4)
        .map(|i| common::appeal(i, "roads", 55.79, 49.12, "2026-01-01T10:00:00+03:00"))
        .collect();
    let (s, _, b) = app
        .call(
            "POST",
            "/api/v1/appeals",
            Some(&op),
            "application/json",
            json!(batch).to_string().into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let v: Value = serde_json::from_slice(&b).expect("json");
    assert_eq!(v["error"]["code"], "too_many_records");
    assert_eq!(app.state.engine.index.len(), 0);
    let (s, _, _) = app
        .call(
            "POST",
            "/api/v1/appeals",
            Some(&op),
            "application/json",
            json!(batch[..3]).to_string().into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.state.engine.index.len(), 3);
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_cut_off() {
    let app = TestApp::with_config(limited(0, 1)).await;
    let (addr, _stop) = serve(&app).await;
    let mut slow = tokio::net::TcpStream::connect(addr).await.expect("connect");
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let started = std::time::Instant::now();
    let mut buf = Vec::new();
    // The server closes the connection (possibly after a 408) once the timeout passes.
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection stayed open");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
    // A normal client is served meanwhile.
    let r = reqwest::get(format!("http://{addr}/health"))
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
}

/// Answers to simultaneous anonymous calls, one per `X-Forwarded-For` value, sorted.
async fn burst_from(addr: std::net::SocketAddr, forwarded_for: &[&str]) -> Vec<u16> {
    let client = reqwest::Client::new();
    let calls = forwarded_for.iter().map(|f| {
        client
            .get(format!("http://{addr}/api/v1/sectors"))
            .header("x-forwarded-for", *f)
            .send()
    });
    statuses(calls).await
}

/// The statuses of simultaneous calls, sorted.
async fn statuses<F>(calls: impl Iterator<Item = F>) -> Vec<u16>
where
    F: std::future::Future<Output = reqwest::Result<reqwest::Response>>,
{
    let mut codes: Vec<u16> = futures_util::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.expect("send").status().as_u16())
        .collect();
    codes.sort_unstable();
    codes
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_rate() {
    let mut cfg = limited(1, 2);
    cfg.limits.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    let app = TestApp::with_config(cfg).await;
    let (addr, _stop) = serve(&app).await;
    // One client over its burst, whatever it forges to the left of what
    // the proxy appended; another behind the same proxy unaffected.
    let one = [
        "198.51.100.1, 203.0.113.1",
        "192.0.2.7, 203.0.113.1",
        "203.0.113.1",
    ];
    let other = ["203.0.113.2", "203.0.113.2"];
    let (one, other) = tokio::join!(burst_from(addr, &one), burst_from(addr, &other));
    assert_eq!(one, [200, 200, 429]);
    assert_eq!(other, [200, 200]);
}

#[tokio::test]
async fn without_trusted_proxies_a_forged_forwarded_for_changes_nothing() {
    let app = TestApp::with_config(limited(1, 2)).await;
    let (addr, _stop) = serve(&app).await;
    let forged = ["203.0.113.1", "203.0.113.2", "203.0.113.3"];
    assert_eq!(burst_from(addr, &forged).await, [200, 200, 429]);
}
