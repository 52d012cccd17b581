//! Fixes in PostgreSQL: one row per fix plus its covering cells, written in
//! one write transaction that moves the change sequence.

use super::{PgStore, lock_seq, publish_seq};
use crate::store::rows::{FIX_COLUMNS, FixRecord, fix_rows};
use crate::store::{FixRow, StoreError};

impl PgStore {
    pub(in crate::store) async fn insert_fix(
        &self,
        fix: &FixRow,
    ) -> Result<(i64, u64), StoreError> {
        let mut tx = self.pool.begin().await?;
        let seq = lock_seq(&mut tx).await? + 1;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO fixes (title, sector_id, done_at, area, area_res, created_at, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&fix.title)
        .bind(i64::from(fix.sector))
        .bind(fix.done_at)
        .bind(&fix.area)
        .bind(i64::from(fix.area_res))
        .bind(fix.created_at)
        .bind(seq as i64)
        .fetch_one(&mut *tx)
        .await?;
        let cells: Vec<i64> = fix.cells.iter().map(|&c| c as i64).collect();
        sqlx::query("INSERT INTO fix_cells (fix_id, cell) SELECT $1, UNNEST($2::BIGINT[])")
            .bind(id)
            .bind(&cells)
            .execute(&mut *tx)
            .await?;
        publish_seq(&mut tx, seq).await?;
        tx.commit().await?;
        Ok((id, seq))
    }

    pub(in crate::store) async fn fixes(&self) -> Result<Vec<FixRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        fixes_after(&mut conn, 0).await
    }
}

/// The fixes with an id above `after`, with their cells, by id.
pub(super) async fn fixes_after(
    conn: &mut sqlx::PgConnection,
    after: i64,
) -> Result<Vec<FixRow>, StoreError> {
    let cells: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT fix_id, cell FROM fix_cells WHERE fix_id > $1 ORDER BY fix_id, cell",
    )
    .bind(after)
    .fetch_all(&mut *conn)
    .await?;
    let sql = format!("SELECT {FIX_COLUMNS} FROM fixes WHERE id > $1 ORDER BY id");
    let records: Vec<FixRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
    fix_rows(records, cells)
}
