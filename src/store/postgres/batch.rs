//! The SQL of a PostgreSQL write transaction, for the shared batch logic
//! (`store::batch`).

use super::{copy, lock_seq, publish_seq};
use crate::domain::Appeal;
use crate::store::batch::{BatchTx, Existing, FastMap, FastSet, Unit, named_codes};
use crate::store::rows::{INDEX_COLUMNS, existing, index_row, responsible_column, responsible_id};
use crate::store::{IndexRow, StoreError};
use sqlx::{PgConnection, Row};

/// A write transaction's connection, for the shared batch logic. Rows travel
/// as one array per column (`UNNEST`), so a statement's size does not depend
/// on the number of rows and the plan is prepared once; imports use COPY.
pub(super) struct PgBatch<'c> {
    pub conn: &'c mut PgConnection,
    pub copy: bool,
}

impl BatchTx for PgBatch<'_> {
    const INSERT_ROWS: usize = 20_000;

    async fn seq(&mut self) -> Result<u64, StoreError> {
        lock_seq(self.conn).await
    }

    async fn responsible_ids(
        &mut self,
        appeals: &[Appeal],
    ) -> Result<FastMap<String, u16>, StoreError> {
        let codes = named_codes(appeals);
        let mut ids = FastMap::default();
        if codes.is_empty() {
            return Ok(ids);
        }
        let rows = sqlx::query("SELECT id, code FROM responsible WHERE code = ANY($1)")
            .bind(&codes)
            .fetch_all(&mut *self.conn)
            .await?;
        for r in rows {
            ids.insert(r.try_get(1)?, responsible_id(r.try_get(0)?)?);
        }
        let missing: Vec<&str> = codes
            .into_iter()
            .filter(|c| !ids.contains_key(*c))
            .collect();
        if missing.is_empty() {
            return Ok(ids);
        }
        // Ids by hand under the meta.seq lock (see migrations/postgres/0004).
        let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0)::BIGINT FROM responsible")
            .fetch_one(&mut *self.conn)
            .await?;
        let new: Vec<i64> = (1..=missing.len() as i64).map(|k| max + k).collect();
        sqlx::query(
            "INSERT INTO responsible (id, code, name_ru, name_en) \
             SELECT u.id, u.code, u.code, u.code FROM UNNEST($1::BIGINT[], $2::TEXT[]) AS u (id, code)",
        )
        .bind(&new)
        .bind(&missing)
        .execute(&mut *self.conn)
        .await?;
        for (code, id) in missing.into_iter().zip(new) {
            ids.insert(code.to_owned(), responsible_id(Some(id))?);
        }
        Ok(ids)
    }

    async fn max_id(&mut self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0)::BIGINT FROM appeals")
                .fetch_one(&mut *self.conn)
                .await?,
        )
    }

    async fn insert(
        &mut self,
        rows: &[Unit<'_>],
        first_id: i64,
        seq: u64,
    ) -> Result<Option<FastSet<i64>>, StoreError> {
        let appeals: Vec<&Appeal> = rows.iter().map(|r| r.0).collect();
        if self.copy {
            let inserted = copy::insert(self.conn, rows, first_id, seq).await?;
            return Ok((inserted.len() != appeals.len()).then(|| inserted.into_iter().collect()));
        }
        let ids: Vec<i64> = (0..appeals.len() as i64).map(|k| first_id + k).collect();
        let source: Vec<&str> = appeals.iter().map(|a| a.source.as_str()).collect();
        let external: Vec<&str> = appeals.iter().map(|a| a.external_id.as_str()).collect();
        let sector: Vec<i64> = appeals.iter().map(|a| i64::from(a.sector)).collect();
        let lat: Vec<f64> = appeals.iter().map(|a| a.lat).collect();
        let lon: Vec<f64> = appeals.iter().map(|a| a.lon).collect();
        let cell: Vec<i64> = appeals.iter().map(|a| u64::from(a.cell) as i64).collect();
        let created: Vec<i64> = appeals.iter().map(|a| a.created_at).collect();
        let status: Vec<i64> = appeals.iter().map(|a| i64::from(a.status.code())).collect();
        let resolved: Vec<Option<i64>> = appeals.iter().map(|a| a.resolved_at).collect();
        let category: Vec<Option<&str>> = appeals.iter().map(|a| a.category.as_deref()).collect();
        let address: Vec<Option<&str>> = appeals.iter().map(|a| a.address.as_deref()).collect();
        let text: Vec<Option<&str>> = appeals.iter().map(|a| a.text.as_deref()).collect();
        let unit: Vec<Option<i64>> = rows.iter().map(|r| responsible_column(r.1)).collect();
        let due: Vec<Option<i64>> = appeals.iter().map(|a| a.due_at).collect();
        let first: Vec<Option<i64>> = appeals.iter().map(|a| a.first_response_at).collect();
        let inserted: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO appeals (id, source, external_id, sector_id, category, lat, lon, cell, \
             created_at, status, resolved_at, address, text, responsible_id, due_at, \
             first_response_at, seq) \
             SELECT u.*, $17 FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], \
             $5::TEXT[], $6::FLOAT8[], $7::FLOAT8[], $8::BIGINT[], $9::BIGINT[], $10::BIGINT[], \
             $11::BIGINT[], $12::TEXT[], $13::TEXT[], $14::BIGINT[], $15::BIGINT[], \
             $16::BIGINT[]) AS u \
             ON CONFLICT (source, external_id) DO NOTHING RETURNING id",
        )
        .bind(&ids)
        .bind(&source)
        .bind(&external)
        .bind(&sector)
        .bind(&category)
        .bind(&lat)
        .bind(&lon)
        .bind(&cell)
        .bind(&created)
        .bind(&status)
        .bind(&resolved)
        .bind(&address)
        .bind(&text)
        .bind(&unit)
        .bind(&due)
        .bind(&first)
        .bind(seq as i64)
        .fetch_all(&mut *self.conn)
        .await?;
        if inserted.len() == appeals.len() {
            return Ok(None);
        }
        Ok(Some(inserted.into_iter().collect()))
    }

    async fn lookup(
        &mut self,
        appeals: &[&Appeal],
    ) -> Result<FastMap<(String, String), Existing>, StoreError> {
        let mut found = FastMap::default();
        if appeals.is_empty() {
            return Ok(found);
        }
        let source: Vec<&str> = appeals.iter().map(|a| a.source.as_str()).collect();
        let external: Vec<&str> = appeals.iter().map(|a| a.external_id.as_str()).collect();
        let rows = sqlx::query(
            "SELECT a.id, a.source, a.external_id, a.status, a.resolved_at, a.responsible_id, \
             a.due_at, a.first_response_at FROM appeals a \
             JOIN UNNEST($1::TEXT[], $2::TEXT[]) AS k (source, external_id) \
             ON a.source = k.source AND a.external_id = k.external_id",
        )
        .bind(&source)
        .bind(&external)
        .fetch_all(&mut *self.conn)
        .await?;
        for r in rows {
            found.insert((r.try_get(1)?, r.try_get(2)?), existing(&r)?);
        }
        Ok(found)
    }

    async fn update(
        &mut self,
        rows: &[(i64, Unit<'_>)],
        seq: u64,
    ) -> Result<Vec<IndexRow>, StoreError> {
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let status: Vec<i64> = rows
            .iter()
            .map(|r| i64::from(r.1.0.status.code()))
            .collect();
        let resolved: Vec<Option<i64>> = rows.iter().map(|r| r.1.0.resolved_at).collect();
        let unit: Vec<Option<i64>> = rows.iter().map(|r| responsible_column(r.1.1)).collect();
        let due: Vec<Option<i64>> = rows.iter().map(|r| r.1.0.due_at).collect();
        let first: Vec<Option<i64>> = rows.iter().map(|r| r.1.0.first_response_at).collect();
        let returning: String = INDEX_COLUMNS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        // The index keeps the stored (first) location and time; only state changes.
        let out = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE appeals AS a SET status = u.status, resolved_at = u.resolved_at, \
             responsible_id = u.responsible_id, due_at = u.due_at, \
             first_response_at = u.first_response_at, seq = $7 \
             FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[], \
             $6::BIGINT[]) AS u (id, status, resolved_at, responsible_id, due_at, first_response_at) \
             WHERE a.id = u.id RETURNING {returning}"
        )))
        .bind(&ids)
        .bind(&status)
        .bind(&resolved)
        .bind(&unit)
        .bind(&due)
        .bind(&first)
        .bind(seq as i64)
        .fetch_all(&mut *self.conn)
        .await?;
        out.iter().map(index_row).collect()
    }

    async fn set_seq(&mut self, seq: u64) -> Result<(), StoreError> {
        publish_seq(self.conn, seq).await
    }
}
