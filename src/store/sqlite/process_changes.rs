//! Process changes in SQLite: one row each, written in a transaction that
//! also bumps `meta.seq` (so ETags and caches move with them).

use super::{SqliteStore, read_seq, write_seq};
use crate::store::{ProcessChangeRow, StoreError};
use sqlx::Row;

impl SqliteStore {
    pub(in crate::store) async fn insert_process_change(
        &self,
        row: &ProcessChangeRow,
    ) -> Result<(i64, u64), StoreError> {
        self.in_write_tx(async |conn| {
            let seq = read_seq(conn).await? + 1;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO process_changes \
                 (title, changed_at, sector_id, responsible_id, district_id, created_at, seq) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(&row.title)
            .bind(row.changed_at)
            .bind(row.sector.map(i64::from))
            .bind(row.responsible.map(i64::from))
            .bind(row.district)
            .bind(row.created_at)
            .bind(seq as i64)
            .fetch_one(&mut *conn)
            .await?;
            write_seq(conn, seq).await?;
            Ok((id, seq))
        })
        .await
    }

    pub(in crate::store) async fn process_changes(
        &self,
    ) -> Result<Vec<ProcessChangeRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, title, changed_at, sector_id, responsible_id, district_id, created_at \
             FROM process_changes ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let corrupt =
                    |what: &str| StoreError::Corrupt(format!("process change {id}: {what}"));
                let sector: Option<i64> = r.try_get(3)?;
                let responsible: Option<i64> = r.try_get(4)?;
                Ok(ProcessChangeRow {
                    id,
                    title: r.try_get(1)?,
                    changed_at: r.try_get(2)?,
                    sector: sector
                        .map(|s| u8::try_from(s).map_err(|_| corrupt("sector")))
                        .transpose()?,
                    responsible: responsible
                        .map(|s| u16::try_from(s).map_err(|_| corrupt("responsible")))
                        .transpose()?,
                    district: r.try_get(5)?,
                    created_at: r.try_get(6)?,
                })
            })
            .collect()
    }
}
