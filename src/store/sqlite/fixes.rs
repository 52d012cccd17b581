//! Fixes in SQLite: one row per fix plus its covering cells in `fix_cells`,
//! written in one transaction that also bumps `meta.seq`.

use super::{SqliteStore, read_seq, write_seq};
use crate::store::rows::{FIX_COLUMNS, FixRecord, fix_rows};
use crate::store::{FixRow, StoreError};
use sqlx::{QueryBuilder, Sqlite};

/// SQLite allows 32 766 bound variables per statement; 2 per cell row.
const CELL_ROWS: usize = 10_000;

impl SqliteStore {
    pub(in crate::store) async fn insert_fix(
        &self,
        fix: &FixRow,
    ) -> Result<(i64, u64), StoreError> {
        self.in_write_tx(async |conn| {
            let seq = read_seq(conn).await? + 1;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO fixes (title, sector_id, done_at, area, area_res, created_at, seq) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(&fix.title)
            .bind(i64::from(fix.sector))
            .bind(fix.done_at)
            .bind(&fix.area)
            .bind(i64::from(fix.area_res))
            .bind(fix.created_at)
            .bind(seq as i64)
            .fetch_one(&mut *conn)
            .await?;
            for chunk in fix.cells.chunks(CELL_ROWS) {
                let mut qb: QueryBuilder<Sqlite> =
                    QueryBuilder::new("INSERT INTO fix_cells (fix_id, cell) ");
                qb.push_values(chunk, |mut b, &c| {
                    b.push_bind(id).push_bind(c as i64);
                });
                qb.build().execute(&mut *conn).await?;
            }
            write_seq(conn, seq).await?;
            Ok((id, seq))
        })
        .await
    }

    pub(in crate::store) async fn fixes(&self) -> Result<Vec<FixRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        fixes_after(&mut conn, 0).await
    }
}

/// The fixes with an id above `after`, with their cells, by id.
pub(super) async fn fixes_after(
    conn: &mut sqlx::SqliteConnection,
    after: i64,
) -> Result<Vec<FixRow>, StoreError> {
    let cells: Vec<(i64, i64)> =
        sqlx::query_as("SELECT fix_id, cell FROM fix_cells WHERE fix_id > ? ORDER BY fix_id, cell")
            .bind(after)
            .fetch_all(&mut *conn)
            .await?;
    let sql = format!("SELECT {FIX_COLUMNS} FROM fixes WHERE id > ? ORDER BY id");
    let records: Vec<FixRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
    fix_rows(records, cells)
}
