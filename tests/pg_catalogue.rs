//! The small tables on several instances: a responsible unit added by a
//! batch through one instance, its renaming, and a process change recorded
//! through the other, all followed by both (real servers, one real
//! PostgreSQL).

mod common;

use common::instances::{Server, batch, etag, wait_for_json};
use common::pg::fresh_db;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn units_their_names_and_process_changes_follow_across_instances() {
    let db = fresh_db().await;
    let (a, b) = (Server::start(&db), Server::start(&db));
    let c = reqwest::Client::new();
    // A batch through A names a unit nobody catalogued: A adds it.
    let mut rows = batch("u", 0, 30);
    for r in rows.as_array_mut().expect("rows") {
        r["responsible"] = json!("water");
    }
    let r = c
        .post(format!("{}/api/v1/appeals", a.base))
        .json(&rows)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let has_water = |v: &Value| {
        v["units"]
            .as_array()
            .is_some_and(|l| l.iter().any(|u| u["code"] == "water"))
    };
    wait_for_json(&c, &b, "/api/v1/responsible", has_water).await;
    // A renames it; B shows the new name (a rename moves the data version).
    let r = c
        .post(format!("{}/api/v1/responsible", a.base))
        .json(&json!([{"code":"water","name_ru":"Водоканал","name_en":"Water utility"}]))
        .send()
        .await
        .expect("rename");
    assert_eq!(r.status(), 200);
    wait_for_json(&c, &b, "/api/v1/responsible", |v| {
        v["units"]
            .as_array()
            .is_some_and(|l| l.iter().any(|u| u["name_en"] == "Water utility"))
    })
    .await;
    // A process change recorded through B is listed and judged through A.
    let r = c
        .post(format!("{}/api/v1/process-changes", b.base))
        .json(&json!({"title": "lean water", "changed_at": "2025-03-01T00:00:00+03:00", "responsible": "water"}))
        .send()
        .await
        .expect("process change");
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.expect("json")["id"]
        .as_i64()
        .expect("id");
    wait_for_json(&c, &a, "/api/v1/process-changes", |v| {
        v["process_changes"].as_array().is_some_and(|l| {
            l.iter()
                .any(|p| p["id"] == id && p["title"] == "lean water")
        })
    })
    .await;
    let r = c
        .get(format!("{}/api/v1/process-changes/{id}/effect", a.base))
        .send()
        .await
        .expect("effect");
    assert_eq!(r.status(), 200);
    assert_eq!(
        etag(&c, &a).await,
        etag(&c, &b).await,
        "one version on both"
    );
}
