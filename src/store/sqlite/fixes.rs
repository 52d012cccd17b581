//! Fixes in SQLite: one row per fix plus its covering cells in `fix_cells`,
//! written in one transaction that also bumps `meta.seq`.

use super::{SqliteStore, read_seq, write_seq};
use crate::store::{FixRow, StoreError};
use sqlx::{QueryBuilder, Row, Sqlite};
use std::collections::HashMap;

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
        let mut cells: HashMap<i64, Vec<u64>> = HashMap::new();
        // Cells never set the sign bit, so SQL's order is the raw order.
        let rows = sqlx::query("SELECT fix_id, cell FROM fix_cells ORDER BY fix_id, cell")
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            let cell: i64 = r.try_get(1)?;
            cells.entry(r.try_get(0)?).or_default().push(cell as u64);
        }
        let rows = sqlx::query(
            "SELECT id, title, sector_id, done_at, area, area_res, created_at FROM fixes ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let sector: i64 = r.try_get(2)?;
                let res: i64 = r.try_get(5)?;
                let corrupt = |what: &str| StoreError::Corrupt(format!("fix {id}: {what}"));
                let cells = cells.remove(&id).unwrap_or_default();
                Ok(FixRow {
                    id,
                    title: r.try_get(1)?,
                    sector: u8::try_from(sector).map_err(|_| corrupt("sector"))?,
                    done_at: r.try_get(3)?,
                    area: r.try_get(4)?,
                    area_res: u8::try_from(res).map_err(|_| corrupt("area_res"))?,
                    created_at: r.try_get(6)?,
                    cells,
                })
            })
            .collect()
    }
}
