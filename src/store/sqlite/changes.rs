//! What changed after a sequence number, read inside one read transaction
//! (a WAL snapshot), so the returned sequence is complete.

use super::districts::districts_after;
use super::fixes::fixes_after;
use super::{SqliteStore, read_seq};
use crate::store::rows::{INDEX_COLUMNS, index_row};
use crate::store::{Changes, StoreError};

impl SqliteStore {
    pub(in crate::store) async fn changes_since(
        &self,
        seq: u64,
        district_after: i64,
        fix_after: i64,
    ) -> Result<Changes, StoreError> {
        let mut tx = self.pool.begin().await?;
        let now = read_seq(&mut tx).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INDEX_COLUMNS} FROM appeals WHERE seq > ? ORDER BY seq"
        )))
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(index_row)
        .collect::<Result<_, _>>()?;
        let districts = districts_after(&mut tx, district_after).await?;
        let fixes = fixes_after(&mut tx, fix_after).await?;
        tx.commit().await?;
        Ok(Changes {
            seq: now,
            rows,
            districts,
            fixes,
        })
    }
}
