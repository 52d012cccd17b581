//! Kill the real server process with SIGKILL in the middle of a stream of
//! acknowledged batches, restart it, and find every acknowledged appeal.

mod common;

use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;

fn batch(from: usize, n: usize) -> Value {
    json!(
        (from..from + n)
            .map(|i| json!({
                "source": "phone",
                "external_id": format!("crash-{i}"),
                "sector": "housing",
                "lat": 55.75 + (i % 1000) as f64 * 1e-4,
                "lon": 49.10 + (i / 1000) as f64 * 1e-4,
                "created_at": "2025-01-15T10:00:00+03:00",
            }))
            .collect::<Vec<_>>()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_appeals_survive_sigkill() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = common::test_db_url(dir.path()).await;
    let (mut child, addr) = common::spawn_server(&db);
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/api/v1/appeals");

    // Two writers stream batches; the process is killed while they are in flight.
    let mut writers = Vec::new();
    for w in 0..2usize {
        let client = client.clone();
        let url = url.clone();
        writers.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for b in 0.. {
                let from = (w * 1_000_000) + b * 200;
                match client.post(&url).json(&batch(from, 200)).send().await {
                    Ok(r) if r.status().is_success() => acked.extend(from..from + 200),
                    _ => break,
                }
            }
            acked
        }));
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let mut acked = HashSet::new();
    for w in writers {
        acked.extend(w.await.expect("writer"));
    }
    assert!(
        acked.len() >= 400,
        "the writers got {} acknowledgements before the kill",
        acked.len()
    );

    let (mut child, addr) = common::spawn_server(&db);
    let health: Value = client
        .get(format!("http://{addr}/health"))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    let stored: HashSet<String> = common::stored_external_ids(&db).await;
    let missing: Vec<_> = acked
        .iter()
        .filter(|i| !stored.contains(&format!("crash-{i}")))
        .take(5)
        .collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    // Batches are all-or-nothing: whatever was stored is whole batches of 200.
    assert_eq!(stored.len() % 200, 0);
    // The restarted index holds exactly what the database holds.
    assert_eq!(health["appeals"].as_u64(), Some(stored.len() as u64));
    child.kill().expect("kill");
    let _ = child.wait();
}
