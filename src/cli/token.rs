//! `hexwatch token create|revoke|list`: tokens are made here, never over HTTP.

use crate::auth::issue;
use crate::config::{TokenAction, TokenArgs};
use crate::store::{NewToken, Store};

pub async fn token(args: TokenArgs) -> anyhow::Result<()> {
    let db = match &args.action {
        TokenAction::Create { db, .. }
        | TokenAction::Revoke { db, .. }
        | TokenAction::List { db } => db.db.clone(),
    };
    let store = Store::open(&db).await?;
    let now = chrono::Utc::now().timestamp();
    match args.action {
        TokenAction::Create {
            role,
            districts,
            name,
            ..
        } => {
            let known = store.districts().await?;
            if let Some(bad) = districts
                .iter()
                .find(|d| !known.iter().any(|k| k.id == **d))
            {
                anyhow::bail!("no district {bad}; see /api/v1/districts");
            }
            let t = issue();
            let list = crate::auth::district_list(&districts);
            let id = store
                .insert_token(&NewToken {
                    hash: t.hash,
                    name,
                    role: role.name().to_owned(),
                    districts: list,
                    created_at: now,
                })
                .await?;
            eprintln!(
                "token {id} ({}) created; it is shown only this once:",
                role.name()
            );
            println!("{}", t.secret);
        }
        TokenAction::Revoke { id, .. } => {
            if !store.revoke_token(id, now).await? {
                anyhow::bail!("no valid token {id}");
            }
            eprintln!("token {id} revoked");
        }
        TokenAction::List { .. } => {
            println!("id\trole\tdistricts\tname\tcreated\trevoked");
            for t in store.tokens().await? {
                let stamp = |s: i64| {
                    chrono::DateTime::from_timestamp(s, 0)
                        .map(|d| d.to_rfc3339())
                        .unwrap_or_default()
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.role,
                    t.districts.as_deref().unwrap_or("*"),
                    t.name.as_deref().unwrap_or(""),
                    stamp(t.created_at),
                    t.revoked_at.map(stamp).unwrap_or_default()
                );
            }
        }
    }
    store.close().await;
    Ok(())
}
