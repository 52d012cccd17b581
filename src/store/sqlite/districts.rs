//! District rows: inserted in one transaction that also bumps the data
//! version, and read back whole at start.

use super::super::{NewDistrict, StoreError, StoredDistrict};
use super::SqliteStore;
use sqlx::Row;

impl SqliteStore {
    pub(in crate::store) async fn insert_districts(
        &self,
        districts: &[NewDistrict],
    ) -> Result<(Vec<i64>, u64), StoreError> {
        // IMMEDIATE: take the write lock up front, as appeal writes do.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let seq = bump_seq(&mut tx).await?;
        let mut ids = Vec::with_capacity(districts.len());
        for d in districts {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO districts (name, code, geometry, created_at) VALUES (?, ?, ?, ?) \
                 RETURNING id",
            )
            .bind(&d.name)
            .bind(d.code.as_deref())
            .bind(&d.geometry)
            .bind(d.created_at)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok((ids, seq))
    }

    pub(in crate::store) async fn districts(&self) -> Result<Vec<StoredDistrict>, StoreError> {
        let rows =
            sqlx::query("SELECT id, name, code, geometry, created_at FROM districts ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|r| {
                Ok(StoredDistrict {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    code: r.try_get(2)?,
                    geometry: r.try_get(3)?,
                    created_at: r.try_get(4)?,
                })
            })
            .collect()
    }
}

/// Bumps `meta.seq` inside a transaction and returns the new value, so ETags
/// and tile caches keyed by the data version move with district writes too.
async fn bump_seq(conn: &mut sqlx::SqliteConnection) -> Result<u64, StoreError> {
    let now = super::read_seq(conn).await?;
    sqlx::query("UPDATE meta SET value = ? WHERE key = 'seq'")
        .bind((now + 1).to_string())
        .execute(&mut *conn)
        .await?;
    Ok(now + 1)
}
