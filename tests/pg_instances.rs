//! Several real server processes on one real PostgreSQL (a throwaway
//! cluster from Debian's binaries): a write through one instance is visible
//! through the other within a bounded delay, ETags move on both; SIGKILL of
//! one instance during writes loses nothing acknowledged; and a PostgreSQL
//! outage answers 503 `unavailable` until the servers recover by themselves.

mod common;

use common::instances::{PROPAGATION, Server, batch, etag, health, wait_for_count};
use common::pg::{PgCluster, fresh_db};
use common::{spawn_server_with, stored_external_ids};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_through_one_instance_show_through_the_other() {
    let db = fresh_db().await;
    let (a, b) = (Server::start(&db), Server::start(&db));
    let c = reqwest::Client::new();
    let (tag_a0, tag_b0) = (etag(&c, &a).await, etag(&c, &b).await);
    assert_eq!(tag_a0, tag_b0, "same data, same version, same ETag");

    let r = c
        .post(format!("{}/api/v1/appeals", a.base))
        .json(&batch("a", 0, 500))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let lag = wait_for_count(&c, &b, 500, PROPAGATION).await;
    eprintln!("propagation A→B: {lag:?}");
    let (tag_a1, tag_b1) = (etag(&c, &a).await, etag(&c, &b).await);
    assert_ne!(tag_b0, tag_b1, "B's tiles follow the new data version");
    assert_eq!(tag_a1, tag_b1, "both instances agree on the version");

    // A status change through B reaches A's aggregates.
    let mut resolved = batch("a", 0, 1);
    resolved[0]["status"] = json!("resolved");
    resolved[0]["resolved_at"] = json!("2025-03-12T10:00:00+03:00");
    let v: Value = c
        .post(format!("{}/api/v1/appeals", b.base))
        .json(&resolved)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(v["updated"], 1, "{v}");
    let cell = h3o::LatLng::new(55.75, 49.10)
        .expect("point")
        .to_cell(h3o::Resolution::Fifteen)
        .parent(h3o::Resolution::Five)
        .expect("parent");
    let t0 = Instant::now();
    loop {
        let d: Value = c
            .get(format!("{}/api/v1/cells/{cell}", a.base))
            .send()
            .await
            .expect("cell")
            .json()
            .await
            .expect("json");
        if d["resolve_hours"]["resolved"] == 1 {
            break;
        }
        assert!(
            t0.elapsed() < PROPAGATION,
            "A never saw B's status change: {d}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Districts and fixes added through B are listed by A.
    let districts = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Центр"},
         "geometry": {"type": "Polygon", "coordinates": [[[49.0, 55.7], [49.3, 55.7], [49.3, 55.9], [49.0, 55.9], [49.0, 55.7]]]}}]});
    let r = c
        .post(format!("{}/api/v1/districts", b.base))
        .json(&districts)
        .send()
        .await
        .expect("districts");
    assert!(r.status().is_success(), "{:?}", r.text().await);
    let fix = json!({"title": "Ремонт", "sector": "roads", "done_at": "2025-06-01",
                     "lat": 55.76, "lon": 49.11, "radius_m": 200});
    let r = c
        .post(format!("{}/api/v1/fixes", b.base))
        .json(&fix)
        .send()
        .await
        .expect("fix");
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let t0 = Instant::now();
    loop {
        let d: Value = c
            .get(format!("{}/api/v1/districts", a.base))
            .send()
            .await
            .expect("d")
            .json()
            .await
            .expect("json");
        let f: Value = c
            .get(format!("{}/api/v1/fixes", a.base))
            .send()
            .await
            .expect("f")
            .json()
            .await
            .expect("json");
        let names = d.to_string();
        if names.contains("Центр") && f.to_string().contains("Ремонт") {
            break;
        }
        assert!(
            t0.elapsed() < PROPAGATION,
            "A lacks B's district or fix: {d} {f}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The fix list comes from the followed fix book, the tile's version from
    // the index, which may follow a moment later: equal within the same bound.
    loop {
        let (ta, tb) = (etag(&c, &a).await, etag(&c, &b).await);
        if ta == tb {
            break;
        }
        assert!(
            t0.elapsed() < PROPAGATION,
            "tile versions differ: {ta} {tb}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_of_one_instance_during_writes_loses_nothing_acknowledged() {
    let db = fresh_db().await;
    let (mut a, b) = (Server::start(&db), Server::start(&db));
    let c = reqwest::Client::new();
    let mut writers = Vec::new();
    for (w, base) in [a.base.clone(), b.base.clone()].into_iter().enumerate() {
        let c = c.clone();
        writers.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for k in 0..200usize {
                let from = k * 100;
                let r = c
                    .post(format!("{base}/api/v1/appeals"))
                    .json(&batch(&format!("w{w}"), from, 100))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 200 => {
                        acked.extend((from..from + 100).map(|i| format!("w{w}-{i}")))
                    }
                    Ok(r) => panic!("writer {w} got {}", r.status()),
                    Err(_) => break, // the instance died
                }
            }
            acked
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    a.kill();
    let mut acked = HashSet::new();
    for w in writers {
        acked.extend(w.await.expect("writer"));
    }
    assert!(acked.len() >= 1000, "only {} acknowledged", acked.len());
    let a = Server::start(&db);
    let stored = stored_external_ids(&db).await;
    let missing: Vec<_> = acked
        .iter()
        .filter(|i| !stored.contains(*i))
        .take(5)
        .collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    assert_eq!(stored.len() % 100, 0, "batches are all or nothing");
    wait_for_count(&c, &a, stored.len() as u64, PROPAGATION).await;
    wait_for_count(&c, &b, stored.len() as u64, PROPAGATION).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_outage_answers_503_and_recovers_by_itself() {
    let cluster = PgCluster::start();
    let db = cluster.create_db().await;
    let extra = ["--db-acquire-timeout", "1"];
    let (ca, aa) = spawn_server_with(&db, &extra);
    let (cb, ab) = spawn_server_with(&db, &extra);
    let a = Server {
        child: ca,
        base: format!("http://{aa}"),
    };
    let b = Server {
        child: cb,
        base: format!("http://{ab}"),
    };
    let c = reqwest::Client::new();
    let post = |s: &Server, tag: &'static str| {
        c.post(format!("{}/api/v1/appeals", s.base))
            .json(&batch(tag, 0, 50))
            .send()
    };
    assert_eq!(post(&a, "before").await.expect("post").status(), 200);
    wait_for_count(&c, &b, 50, PROPAGATION).await;

    cluster.stop();
    let r = post(&a, "during").await.expect("post");
    assert_eq!(r.status(), 503);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["error"]["code"], "unavailable", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("database")),
        "{v}"
    );
    // Reads come from memory and keep working.
    assert_eq!(health(&c, &a).await, 50);
    let r = c
        .get(format!("{}/api/v1/hexagons?res=7", b.base))
        .send()
        .await
        .expect("read");
    assert_eq!(r.status(), 200);

    cluster.resume();
    let t0 = Instant::now();
    loop {
        let r = post(&a, "after").await.expect("post");
        if r.status() == 200 {
            break;
        }
        assert_eq!(r.status(), 503);
        assert!(t0.elapsed() < Duration::from_secs(30), "A did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // B's follower reconnected too and sees A's new write.
    wait_for_count(&c, &b, 100, Duration::from_secs(10)).await;
    assert_eq!(
        stored_external_ids(&db).await.len(),
        100,
        "the refused batch left nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_is_refused_by_every_instance_within_the_cache_ttl() {
    let db = fresh_db().await;
    let store = hexwatch::store::Store::open(&db).await.expect("store");
    let t = hexwatch::auth::issue();
    let id = store
        .insert_token(&hexwatch::store::NewToken {
            hash: t.hash,
            name: Some("shared".into()),
            role: "analyst".into(),
            districts: None,
            created_at: 0,
        })
        .await
        .expect("token");
    let extra = ["--auth", "on"];
    let start = |db: &str| {
        let (child, addr) = spawn_server_with(db, &extra);
        Server {
            child,
            base: format!("http://{addr}"),
        }
    };
    let (a, b) = (start(&db), start(&db));
    let c = reqwest::Client::new();
    let whoami = |s: &Server| {
        c.get(format!("{}/api/v1/whoami", s.base))
            .bearer_auth(&t.secret)
            .send()
    };
    // Both instances have looked the token up (and cached the grant).
    for s in [&a, &b] {
        assert_eq!(whoami(s).await.expect("whoami").status(), 200);
    }
    assert!(store.revoke_token(id, 1).await.expect("revoke"));
    let revoked = Instant::now();
    let bound = hexwatch::auth::CACHE_TTL + Duration::from_secs(1);
    for s in [&a, &b] {
        loop {
            let status = whoami(s).await.expect("whoami").status();
            if status == 401 {
                break;
            }
            assert_eq!(status, 200);
            assert!(
                revoked.elapsed() < bound,
                "{} still accepts the revoked token",
                s.base
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
