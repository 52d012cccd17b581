//! Load on loopback, bounded in time: one client floods bbox queries with
//! `wrk` while another fetches tiles at a steady pace with its own token.
//! The flooder must get 429s, and the tile client's median latency must
//! stay within 2× of the quiet case. Skips (loudly) without `wrk`
//! (`scripts/test.sh` installs it from Debian).

mod common;

use common::process as process_common;

use std::process::Command;
use std::time::{Duration, Instant};

fn hexwatch(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hexwatch"))
        .args(args)
        .output()
        .expect("run hexwatch");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf8")
        .trim()
        .to_owned()
}

/// Tiles around Kazan at z 13, fetched in turn at 8 per second (under the
/// tile token's own rate of 10) for `span`; the median and p90 latency in ms.
async fn tile_latency(addr: &str, token: &str, span: Duration) -> (f64, f64, usize) {
    let client = reqwest::Client::new();
    let mut ms = Vec::new();
    let started = Instant::now();
    let mut i = 0u32;
    while started.elapsed() < span {
        let (x, y) = (5309 + i % 6, 2556 + (i / 6) % 6);
        let t = Instant::now();
        let r = client
            .get(format!("http://{addr}/tiles/hexagons/13/{x}/{y}.mvt"))
            .bearer_auth(token)
            .send()
            .await
            .expect("tile");
        assert_eq!(r.status(), 200);
        r.bytes().await.expect("body");
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        i += 1;
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[ms.len() * 9 / 10], ms.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bbox_flooder_gets_429s_while_tiles_stay_fast() {
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("SKIPPED: wrk is missing (scripts/apt-install.sh wrk wrk)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = common::test_db_url(dir.path()).await;
    let csv = dir.path().join("kazan.csv");
    hexwatch(&[
        "generate",
        "--appeals",
        "30000",
        "--out",
        csv.to_str().expect("path"),
    ]);
    hexwatch(&["import", csv.to_str().expect("path"), "--db", &db]);
    let flooder = hexwatch(&[
        "token", "create", "--role", "viewer", "--name", "flooder", "--db", &db,
    ]);
    let tiles = hexwatch(&[
        "token", "create", "--role", "viewer", "--name", "map", "--db", &db,
    ]);
    let process_common::Server {
        mut child, addr, ..
    } = process_common::start(&[
        "--db",
        &db,
        "--listen",
        "127.0.0.1:0",
        "--auth",
        "on",
        "--rate-limit",
        "10",
        "--rate-burst",
        "10",
    ]);
    // Warm the tile cache and the outlines, then measure the quiet case.
    tile_latency(&addr, &tiles, Duration::from_secs(2)).await;
    let quiet = tile_latency(&addr, &tiles, Duration::from_secs(5)).await;
    let url = format!("http://{addr}/api/v1/hexagons?res=9&bbox=49.10,55.78,49.13,55.80");
    let header = format!("Authorization: Bearer {flooder}");
    let wrk = std::thread::spawn(move || {
        Command::new("wrk")
            .args(["-t1", "-c16", "-d7s", "-H", &header, &url])
            .output()
            .expect("wrk")
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let flooded = tile_latency(&addr, &tiles, Duration::from_secs(5)).await;
    let out = wrk.join().expect("wrk thread");
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    let _ = child.kill();
    let _ = child.wait();
    eprintln!(
        "quiet tiles: p50 {:.2} ms p90 {:.2} ms ({} tiles)",
        quiet.0, quiet.1, quiet.2
    );
    eprintln!(
        "flooded tiles: p50 {:.2} ms p90 {:.2} ms ({} tiles)",
        flooded.0, flooded.1, flooded.2
    );
    eprintln!("{report}");
    let refused: u64 = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    let total: u64 = report
        .lines()
        .find_map(|l| {
            l.split(" requests in ")
                .next()
                .filter(|_| l.contains(" requests in "))
        })
        .and_then(|n| n.trim().parse().ok())
        .expect("wrk's request count");
    // The rate holds: at most 10 per second (plus the burst of 10) got through.
    assert!(refused > 0, "the flooder got no 429s ({total} requests)");
    assert!(
        total - refused <= 10 * 8 + 10,
        "{} of {total} got through",
        total - refused
    );
    assert!(
        flooded.0 <= 2.0 * quiet.0,
        "tile p50 {:.2} ms under the flood, {:.2} ms quiet",
        flooded.0,
        quiet.0
    );
}
