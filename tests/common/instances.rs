//! Server processes on one PostgreSQL, for the multi-instance tests.

use super::spawn_server;
use serde_json::{Value, json};
use std::process::Child;
use std::time::{Duration, Instant};

/// The longest a change may take to show on the other instance (the
/// follower polls every second even without a notification).
pub const PROPAGATION: Duration = Duration::from_secs(3);

/// A server process, killed when dropped.
pub struct Server {
    /// The server process.
    pub child: Child,
    /// `http://ADDR`.
    pub base: String,
}

impl Server {
    /// Starts one on `db`.
    pub fn start(db: &str) -> Server {
        let (child, addr) = spawn_server(db);
        Server {
            child,
            base: format!("http://{addr}"),
        }
    }

    /// SIGKILL, then reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `n` new appeals `TAG-from..`, in one city.
pub fn batch(tag: &str, from: usize, n: usize) -> Value {
    json!(
        (from..from + n)
            .map(|i| json!({
                "source": "phone",
                "external_id": format!("{tag}-{i}"),
                "sector": "roads",
                "lat": 55.75 + (i % 100) as f64 * 1e-3,
                "lon": 49.10 + (i / 100 % 100) as f64 * 1e-3,
                "created_at": "2025-03-10T10:00:00+03:00",
            }))
            .collect::<Vec<_>>()
    )
}

/// The appeal count `/health` reports.
pub async fn health(c: &reqwest::Client, s: &Server) -> u64 {
    let v: Value = c
        .get(format!("{}/health", s.base))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    v["appeals"].as_u64().expect("appeals")
}

/// Waits until `s` reports `n` appeals; returns how long it took.
pub async fn wait_for_count(c: &reqwest::Client, s: &Server, n: u64, within: Duration) -> Duration {
    let t0 = Instant::now();
    loop {
        let got = health(c, s).await;
        if got == n {
            return t0.elapsed();
        }
        assert!(
            t0.elapsed() < within,
            "{} still shows {got} appeals, not {n}, after {within:?}",
            s.base
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The ETag of one fixed hexagon tile.
pub async fn etag(c: &reqwest::Client, s: &Server) -> String {
    let r = c
        .get(format!("{}/tiles/hexagons/10/629/322.mvt", s.base))
        .send()
        .await
        .expect("tile");
    assert_eq!(r.status(), 200);
    r.headers()["etag"].to_str().expect("etag").to_owned()
}

/// Polls `path` on `s` until `done` holds for its JSON.
pub async fn wait_for_json(
    c: &reqwest::Client,
    s: &Server,
    path: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let t0 = Instant::now();
    loop {
        let v: Value = c
            .get(format!("{}{path}", s.base))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if done(&v) {
            return v;
        }
        assert!(
            t0.elapsed() < PROPAGATION,
            "{}{path} still answers {v} after {PROPAGATION:?}",
            s.base
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
