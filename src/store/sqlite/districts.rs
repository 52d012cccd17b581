//! District rows: inserted in one transaction that also bumps the data
//! version, and read back whole at start (or those above an id, to follow).

use super::super::rows::DISTRICT_COLUMNS;
use super::super::{NewDistrict, StoreError, StoredDistrict};
use super::SqliteStore;

impl SqliteStore {
    pub(in crate::store) async fn insert_districts(
        &self,
        districts: &[NewDistrict],
    ) -> Result<(Vec<i64>, u64), StoreError> {
        self.in_write_tx(async |conn| {
            let seq = super::read_seq(conn).await? + 1;
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
                .fetch_one(&mut *conn)
                .await?;
                ids.push(id);
            }
            // The data version moves with district writes too, so ETags and
            // tile caches keyed by it change.
            super::write_seq(conn, seq).await?;
            Ok((ids, seq))
        })
        .await
    }

    pub(in crate::store) async fn districts(&self) -> Result<Vec<StoredDistrict>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        districts_after(&mut conn, 0).await
    }
}

/// The districts with an id above `after`, by id.
pub(super) async fn districts_after(
    conn: &mut sqlx::SqliteConnection,
    after: i64,
) -> Result<Vec<StoredDistrict>, StoreError> {
    let sql = format!("SELECT {DISTRICT_COLUMNS} FROM districts WHERE id > ? ORDER BY id");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(after)
        .fetch_all(&mut *conn)
        .await?)
}
