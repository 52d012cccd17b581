//! District rows in PostgreSQL: inserted in one write transaction (holding
//! the `meta.seq` lock, so the data version moves for every instance), read
//! whole at start or above an id to follow other instances.

use super::{PgStore, lock_seq, publish_seq};
use crate::store::rows::DISTRICT_COLUMNS;
use crate::store::{NewDistrict, StoreError, StoredDistrict};

impl PgStore {
    pub(in crate::store) async fn insert_districts(
        &self,
        districts: &[NewDistrict],
    ) -> Result<(Vec<i64>, u64), StoreError> {
        let mut tx = self.pool.begin().await?;
        let seq = lock_seq(&mut tx).await? + 1;
        let mut ids = Vec::with_capacity(districts.len());
        for d in districts {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO districts (name, code, geometry, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(&d.name)
            .bind(d.code.as_deref())
            .bind(&d.geometry)
            .bind(d.created_at)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(id);
        }
        publish_seq(&mut tx, seq).await?;
        tx.commit().await?;
        Ok((ids, seq))
    }

    pub(in crate::store) async fn districts(&self) -> Result<Vec<StoredDistrict>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        districts_after(&mut conn, 0).await
    }
}

/// The districts with an id above `after`, by id.
pub(super) async fn districts_after(
    conn: &mut sqlx::PgConnection,
    after: i64,
) -> Result<Vec<StoredDistrict>, StoreError> {
    let sql = format!("SELECT {DISTRICT_COLUMNS} FROM districts WHERE id > $1 ORDER BY id");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(after)
        .fetch_all(&mut *conn)
        .await?)
}
