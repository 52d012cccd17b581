//! Following other instances: what changed after a sequence number, read in
//! one repeatable-read snapshot (so its `meta.seq` is complete: writers hold
//! the `meta.seq` row lock until they commit), and the `LISTEN` feed that
//! says when to look.

use super::districts::districts_after;
use super::fixes::fixes_after;
use super::{CHANNEL, PgStore, read_seq};
use crate::store::rows::INDEX_COLUMNS;
use crate::store::rows::index_row;
use crate::store::{Changes, StoreError};
use sqlx::postgres::PgListener;

impl PgStore {
    pub(in crate::store) async fn changes_since(
        &self,
        seq: u64,
        district_after: i64,
        fix_after: i64,
    ) -> Result<Changes, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let now = read_seq(&mut *tx).await?;
        let sql = format!("SELECT {INDEX_COLUMNS} FROM appeals WHERE seq > $1 ORDER BY seq");
        let rows = if now > seq {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(i64::try_from(seq).unwrap_or(i64::MAX))
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(index_row)
                .collect::<Result<_, _>>()?
        } else {
            Vec::new()
        };
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

    pub(in crate::store) async fn feed(&self) -> Result<ChangeFeed, StoreError> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(ChangeFeed { listener })
    }
}

/// Notifications of committed writes by any instance (this one included).
#[derive(Debug)]
pub struct ChangeFeed {
    listener: PgListener,
}

impl ChangeFeed {
    /// Waits for the next notification and returns its sequence number;
    /// `None` when the connection was lost (notifications in between may be
    /// gone: catch up by sequence), reconnecting on the next call.
    pub async fn next(&mut self) -> Result<Option<u64>, StoreError> {
        Ok(self
            .listener
            .try_recv()
            .await?
            .map(|n| n.payload().parse().unwrap_or(0)))
    }
}
