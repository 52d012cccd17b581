//! The responsible catalogue and process changes (issue 8): the SQL and
//! decoding both backends share (`$n` placeholders, which SQLite reads
//! positionally too) and the reads, the same statements on either database.
//! Writes bump the change sequence, so they live with each backend's lock.

use super::{ProcessChangeRow, StoreError};
use crate::domain::Responsible;
use sqlx::query::QueryScalar;
use sqlx::{ColumnIndex, Database, Decode, Encode, Type};

/// The responsible catalogue, by id.
pub(super) const RESPONSIBLE_SQL: &str =
    "SELECT id, code, name_ru, name_en FROM responsible ORDER BY id";

/// Adds or renames one unit by code; binds code, name_ru, name_en. A new
/// unit gets the next id (the caller holds the write lock): PostgreSQL has no
/// rowid, and a sequence would be burnt by every conflicting insert.
pub(super) const UPSERT_RESPONSIBLE_SQL: &str = "INSERT INTO responsible (id, code, name_ru, name_en) \
     VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM responsible), $1, $2, $3) \
     ON CONFLICT (code) DO UPDATE SET name_ru = excluded.name_ru, name_en = excluded.name_en";

/// A `responsible` row as both backends select it.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct ResponsibleRecord {
    id: i64,
    code: String,
    name_ru: String,
    name_en: String,
}

impl ResponsibleRecord {
    /// The catalogue entry; ids are 1..=65535 by the schema's CHECK.
    pub(super) fn into_unit(self) -> Result<Responsible, StoreError> {
        Ok(Responsible {
            id: u16::try_from(self.id)
                .map_err(|_| StoreError::Corrupt(format!("responsible id {}", self.id)))?,
            code: self.code,
            name_ru: self.name_ru,
            name_en: self.name_en,
        })
    }
}

/// Every process change, by id.
pub(super) const PROCESS_CHANGES_SQL: &str = "SELECT id, title, changed_at, sector_id, \
     responsible_id, district_id, created_at FROM process_changes ORDER BY id";

/// Stores one process change with its sequence number, returning its id.
pub(super) const INSERT_PROCESS_CHANGE_SQL: &str = "INSERT INTO process_changes \
     (title, changed_at, sector_id, responsible_id, district_id, created_at, seq) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

/// [`INSERT_PROCESS_CHANGE_SQL`] with `row` and its sequence number bound.
pub(super) fn insert_process_change<'q, DB>(
    row: &'q ProcessChangeRow,
    seq: u64,
) -> QueryScalar<'q, DB, i64, <DB as Database>::Arguments>
where
    DB: Database,
    usize: ColumnIndex<DB::Row>,
    i64: Type<DB> + for<'r> Decode<'r, DB>,
    for<'t> i64: Encode<'t, DB>,
    for<'t> Option<i64>: Encode<'t, DB> + Type<DB>,
    for<'t> &'t str: Encode<'t, DB> + Type<DB>,
{
    sqlx::query_scalar(INSERT_PROCESS_CHANGE_SQL)
        .bind(row.title.as_str())
        .bind(row.changed_at)
        .bind(row.sector.map(i64::from))
        .bind(row.responsible.map(i64::from))
        .bind(row.district)
        .bind(row.created_at)
        .bind(seq as i64)
}

/// A `process_changes` row as both backends select it.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct ProcessChangeRecord {
    id: i64,
    title: String,
    changed_at: i64,
    sector_id: Option<i64>,
    responsible_id: Option<i64>,
    district_id: Option<i64>,
    created_at: i64,
}

impl ProcessChangeRecord {
    /// The stored change, with its scope ids checked.
    pub(super) fn into_row(self) -> Result<ProcessChangeRow, StoreError> {
        let corrupt =
            |what: &str| StoreError::Corrupt(format!("process change {}: {what}", self.id));
        Ok(ProcessChangeRow {
            sector: self
                .sector_id
                .map(|s| u8::try_from(s).map_err(|_| corrupt("sector")))
                .transpose()?,
            responsible: self
                .responsible_id
                .map(|s| u16::try_from(s).map_err(|_| corrupt("responsible")))
                .transpose()?,
            id: self.id,
            title: self.title,
            changed_at: self.changed_at,
            district: self.district_id,
            created_at: self.created_at,
        })
    }
}

/// The reads of a backend store with a `pool` field.
macro_rules! resolution_reads {
    ($store:ty) => {
        impl $store {
            pub(in crate::store) async fn responsible(
                &self,
            ) -> Result<Vec<Responsible>, StoreError> {
                let rows: Vec<ResponsibleRecord> = sqlx::query_as(RESPONSIBLE_SQL)
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map(ResponsibleRecord::into_unit).collect()
            }

            pub(in crate::store) async fn process_changes(
                &self,
            ) -> Result<Vec<ProcessChangeRow>, StoreError> {
                let rows: Vec<ProcessChangeRecord> = sqlx::query_as(PROCESS_CHANGES_SQL)
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter()
                    .map(ProcessChangeRecord::into_row)
                    .collect()
            }
        }
    };
}

resolution_reads!(super::SqliteStore);
resolution_reads!(super::postgres::PgStore);
