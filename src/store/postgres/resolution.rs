//! Writes of the responsible catalogue and of process changes in
//! PostgreSQL, under the `meta.seq` lock like every write: both bump the
//! sequence, so other instances follow them and ETags move.

use super::{PgStore, lock_seq, publish_seq};
use crate::domain::Responsible;
use crate::store::resolution::{
    RESPONSIBLE_SQL, ResponsibleRecord, UPSERT_RESPONSIBLE_SQL, insert_process_change,
};
use crate::store::{ProcessChangeRow, StoreError};

impl PgStore {
    pub(in crate::store) async fn upsert_responsible(
        &self,
        units: &[Responsible],
    ) -> Result<(Vec<Responsible>, u64), StoreError> {
        let mut tx = self.pool.begin().await?;
        let seq = lock_seq(&mut tx).await? + 1;
        for u in units {
            sqlx::query(UPSERT_RESPONSIBLE_SQL)
                .bind(&u.code)
                .bind(&u.name_ru)
                .bind(&u.name_en)
                .execute(&mut *tx)
                .await?;
        }
        let rows: Vec<ResponsibleRecord> =
            sqlx::query_as(RESPONSIBLE_SQL).fetch_all(&mut *tx).await?;
        publish_seq(&mut tx, seq).await?;
        let all = rows
            .into_iter()
            .map(ResponsibleRecord::into_unit)
            .collect::<Result<_, _>>()?;
        tx.commit().await?;
        Ok((all, seq))
    }

    pub(in crate::store) async fn insert_process_change(
        &self,
        row: &ProcessChangeRow,
    ) -> Result<(i64, u64), StoreError> {
        let mut tx = self.pool.begin().await?;
        let seq = lock_seq(&mut tx).await? + 1;
        let id: i64 = insert_process_change(row, seq).fetch_one(&mut *tx).await?;
        publish_seq(&mut tx, seq).await?;
        tx.commit().await?;
        Ok((id, seq))
    }
}
