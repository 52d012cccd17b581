//! `hexwatch import` through the real binary, on either backend (on
//! PostgreSQL this is the COPY path): a first import accepts every record, a
//! re-import counts duplicates, changed statuses are updates, and a server
//! started afterwards holds exactly what the database holds.

mod common;

use std::process::Command;

fn csv(n: usize, resolved_every: usize) -> String {
    let mut s = String::from(
        "source,external_id,sector,lat,lon,created_at,status,resolved_at,address,text\n",
    );
    for i in 0..n {
        let (status, resolved) = if resolved_every > 0 && i % resolved_every == 0 {
            ("resolved", "2025-02-01T10:00:00+03:00")
        } else {
            ("new", "")
        };
        s.push_str(&format!(
            "gosuslugi,imp-{i},housing,{},{},2025-01-15T10:00:00+03:00,{status},{resolved},\"ул. Баумана, {i}\",\"жалоба \"\"{i}\"\"\"\n",
            55.70 + (i % 300) as f64 * 1e-3,
            49.00 + (i / 300) as f64 * 1e-3,
        ));
    }
    s
}

fn import(db: &str, file: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hexwatch"))
        .args(["import", "--db", db, "--chunk", "7000"])
        .arg(file)
        .output()
        .expect("run import");
    assert!(
        out.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_accepts_then_counts_duplicates_and_updates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = common::test_db_url(dir.path()).await;
    let file = dir.path().join("a.csv");
    let n = 25_000;
    std::fs::write(&file, csv(n, 0)).expect("write");
    let first = import(&db, &file);
    assert!(
        first.contains(&format!(
            "{n} accepted, 0 updated, 0 duplicates, 0 rejected"
        )),
        "{first}"
    );
    let again = import(&db, &file);
    assert!(
        again.contains(&format!("0 accepted, 0 updated, {n} duplicates")),
        "{again}"
    );
    std::fs::write(&file, csv(n, 10)).expect("write");
    let changed = import(&db, &file);
    let updated = n / 10;
    assert!(
        changed.contains(&format!(
            "0 accepted, {updated} updated, {} duplicates",
            n - updated
        )),
        "{changed}"
    );
    let stored = common::stored_external_ids(&db).await;
    assert_eq!(stored.len(), n);
    assert!((0..n).all(|i| stored.contains(&format!("imp-{i}"))));

    let (mut child, addr) = common::spawn_server(&db);
    let cell: serde_json::Value = reqwest::get(format!("http://{addr}/health"))
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(cell["appeals"], n);
    let hex: serde_json::Value = reqwest::get(format!("http://{addr}/api/v1/hexagons?res=3"))
        .await
        .expect("hexagons")
        .json()
        .await
        .expect("json");
    let total: u64 = hex["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["count"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total, n as u64);
    child.kill().expect("kill");
    let _ = child.wait();
}
