//! SIGTERM while a large write is in flight: the server stops accepting,
//! finishes the write, answers it, and exits; the acknowledged appeals are
//! all in the database.

use serde_json::{Value, json};
mod common;

use common::process as process_common;

use std::process::Command;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_write_in_flight() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = common::test_db_url(dir.path()).await;
    let process_common::Server {
        mut child,
        addr,
        log,
    } = process_common::start(&["--db", &db, "--listen", "127.0.0.1:0", "--auth", "off"]);
    let n = 60_000;
    let batch: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "source": "phone", "external_id": format!("t-{i}"), "sector": "housing",
                "lat": 55.75 + (i % 1000) as f64 * 1e-4, "lon": 49.10 + (i / 1000) as f64 * 1e-4,
                "created_at": "2025-01-15T10:00:00+03:00",
            })
        })
        .collect();
    let body = serde_json::to_vec(&batch).expect("json");
    let url = format!("http://{addr}/api/v1/appeals");
    let write = tokio::spawn(async move {
        reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
    });
    // The body is on its way (loopback moves megabytes in milliseconds); stop now.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let started = Instant::now();
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(ok.success());
    let resp = write
        .await
        .expect("task")
        .expect("the in-flight write was answered");
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["accepted"], n);
    let status = child.wait().expect("wait");
    assert!(status.success(), "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(60));
    let log = log.join().expect("log");
    assert!(
        log.iter()
            .any(|l| l.contains("finishing in-flight requests")),
        "{log:?}"
    );
    // New connections were refused once shutdown began.
    assert!(reqwest::get(format!("http://{addr}/health")).await.is_err());
    let engine = hexwatch::engine::Engine::open(&db).await.expect("reopen");
    assert_eq!(engine.store.count().await.expect("count"), n as u64);
}
