//! The SQL of a SQLite write transaction, for the shared batch logic
//! (`store::batch`): multi-row `INSERT … ON CONFLICT DO NOTHING`, conflicts
//! looked up by `(source, external_id) IN (VALUES …)`.

use super::{read_seq, write_seq};
use crate::domain::Appeal;
use crate::store::batch::{BatchTx, Existing, FastMap, FastSet, Unit, named_codes};
use crate::store::rows::{INDEX_COLUMNS, existing, index_row, responsible_column, responsible_id};
use crate::store::{IndexRow, StoreError};
use sqlx::{QueryBuilder, Row, Sqlite};

/// Keys looked up per `IN (VALUES …)` query (2 variables each).
const LOOKUP_ROWS: usize = 8_000;

/// Responsible codes per statement (3 variables each on insert).
const CODE_ROWS: usize = 5_000;

/// A write transaction's connection.
pub(super) struct SqliteBatch<'c>(pub &'c mut sqlx::SqliteConnection);

impl BatchTx for SqliteBatch<'_> {
    /// SQLite allows 32 766 bound variables per statement; 17 columns per row.
    const INSERT_ROWS: usize = 1_900;

    async fn seq(&mut self) -> Result<u64, StoreError> {
        read_seq(self.0).await
    }

    async fn responsible_ids(
        &mut self,
        appeals: &[Appeal],
    ) -> Result<FastMap<String, u16>, StoreError> {
        let codes = named_codes(appeals);
        let mut ids = FastMap::default();
        for chunk in codes.chunks(CODE_ROWS) {
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO responsible (code, name_ru, name_en) ");
            qb.push_values(chunk, |mut b, c| {
                b.push_bind(*c).push_bind(*c).push_bind(*c);
            });
            qb.push(" ON CONFLICT (code) DO NOTHING");
            qb.build().execute(&mut *self.0).await?;
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new("SELECT id, code FROM responsible WHERE code IN (");
            let mut sep = qb.separated(", ");
            for c in chunk {
                sep.push_bind(*c);
            }
            qb.push(")");
            for r in qb.build().fetch_all(&mut *self.0).await? {
                ids.insert(r.try_get(1)?, responsible_id(r.try_get(0)?)?);
            }
        }
        Ok(ids)
    }

    async fn max_id(&mut self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM appeals")
                .fetch_one(&mut *self.0)
                .await?,
        )
    }

    async fn insert(
        &mut self,
        appeals: &[Unit<'_>],
        first_id: i64,
        seq: u64,
    ) -> Result<Option<FastSet<i64>>, StoreError> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO appeals (id, source, external_id, sector_id, category, lat, lon, cell, \
             created_at, status, resolved_at, address, text, seq, responsible_id, due_at, \
             first_response_at) ",
        );
        qb.push_values(appeals.iter().enumerate(), |mut b, (k, &(a, unit))| {
            b.push_bind(first_id + k as i64)
                .push_bind(a.source.as_str())
                .push_bind(a.external_id.as_str())
                .push_bind(i64::from(a.sector))
                .push_bind(a.category.as_deref())
                .push_bind(a.lat)
                .push_bind(a.lon)
                .push_bind(u64::from(a.cell) as i64)
                .push_bind(a.created_at)
                .push_bind(i64::from(a.status.code()))
                .push_bind(a.resolved_at)
                .push_bind(a.address.as_deref())
                .push_bind(a.text.as_deref())
                .push_bind(seq as i64)
                .push_bind(responsible_column(unit))
                .push_bind(a.due_at)
                .push_bind(a.first_response_at);
        });
        qb.push(" ON CONFLICT (source, external_id) DO NOTHING");
        let done = qb.build().execute(&mut *self.0).await?.rows_affected() as usize;
        if done == appeals.len() {
            return Ok(None);
        }
        let last_id = first_id + appeals.len() as i64 - 1;
        let present =
            sqlx::query_scalar::<_, i64>("SELECT id FROM appeals WHERE id BETWEEN ? AND ?")
                .bind(first_id)
                .bind(last_id)
                .fetch_all(&mut *self.0)
                .await?;
        Ok(Some(present.into_iter().collect()))
    }

    async fn lookup(
        &mut self,
        appeals: &[&Appeal],
    ) -> Result<FastMap<(String, String), Existing>, StoreError> {
        let mut found = FastMap::default();
        for chunk in appeals.chunks(LOOKUP_ROWS) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "SELECT id, source, external_id, status, resolved_at, responsible_id, due_at, \
                 first_response_at FROM appeals WHERE (source, external_id) IN (",
            );
            qb.push_values(chunk, |mut b, a| {
                b.push_bind(a.source.as_str())
                    .push_bind(a.external_id.as_str());
            });
            qb.push(")");
            for r in qb.build().fetch_all(&mut *self.0).await? {
                found.insert((r.try_get(1)?, r.try_get(2)?), existing(&r)?);
            }
        }
        Ok(found)
    }

    async fn update(
        &mut self,
        rows: &[(i64, Unit<'_>)],
        seq: u64,
    ) -> Result<Vec<IndexRow>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for &(id, (a, unit)) in rows {
            // The index keeps the stored (first) location and time; only state changes.
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE appeals SET status = ?, resolved_at = ?, seq = ?, responsible_id = ?, \
                 due_at = ?, first_response_at = ? WHERE id = ? RETURNING {INDEX_COLUMNS}"
            )))
            .bind(i64::from(a.status.code()))
            .bind(a.resolved_at)
            .bind(seq as i64)
            .bind(responsible_column(unit))
            .bind(a.due_at)
            .bind(a.first_response_at)
            .bind(id)
            .fetch_one(&mut *self.0)
            .await?;
            out.push(index_row(&row)?);
        }
        Ok(out)
    }

    async fn set_seq(&mut self, seq: u64) -> Result<(), StoreError> {
        write_seq(self.0, seq).await
    }
}
