//! Writes of the responsible catalogue and of process changes in SQLite.
//! Both bump `meta.seq`: a renamed unit or a new change alters answers
//! (rankings, effects), so ETags and caches must move with them.

use super::{SqliteStore, read_seq, write_seq};
use crate::domain::Responsible;
use crate::store::resolution::{
    RESPONSIBLE_SQL, ResponsibleRecord, UPSERT_RESPONSIBLE_SQL, insert_process_change,
};
use crate::store::{ProcessChangeRow, StoreError};

impl SqliteStore {
    pub(in crate::store) async fn upsert_responsible(
        &self,
        units: &[Responsible],
    ) -> Result<(Vec<Responsible>, u64), StoreError> {
        self.in_write_tx(async |conn| {
            let seq = read_seq(conn).await? + 1;
            for u in units {
                sqlx::query(UPSERT_RESPONSIBLE_SQL)
                    .bind(&u.code)
                    .bind(&u.name_ru)
                    .bind(&u.name_en)
                    .execute(&mut *conn)
                    .await?;
            }
            let rows: Vec<ResponsibleRecord> = sqlx::query_as(RESPONSIBLE_SQL)
                .fetch_all(&mut *conn)
                .await?;
            write_seq(conn, seq).await?;
            let all = rows.into_iter().map(ResponsibleRecord::into_unit);
            Ok((all.collect::<Result<_, _>>()?, seq))
        })
        .await
    }

    pub(in crate::store) async fn insert_process_change(
        &self,
        row: &ProcessChangeRow,
    ) -> Result<(i64, u64), StoreError> {
        self.in_write_tx(async |conn| {
            let seq = read_seq(conn).await? + 1;
            let id: i64 = insert_process_change(row, seq)
                .fetch_one(&mut *conn)
                .await?;
            write_seq(conn, seq).await?;
            Ok((id, seq))
        })
        .await
    }
}
