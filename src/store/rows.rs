//! Row decoding shared by both backends: the schemas use the same column
//! order and 64-bit integers, so one generic decoder serves SQLite and
//! PostgreSQL rows alike.

use super::{FixRow, IndexRow, StoreError};
use crate::domain::{NO_RESPONSIBLE, Sector, Status};
use sqlx::{ColumnIndex, Decode, Row, Type};
use std::collections::HashMap;

/// The columns the index reads, in [`index_row`]'s order (same in both schemas).
pub(super) const INDEX_COLUMNS: &str = "id, cell, lat, lon, created_at, sector_id, status, \
     resolved_at, source, responsible_id, due_at, first_response_at";

/// Decodes the [`INDEX_COLUMNS`] of a row.
pub(super) fn index_row<R>(r: &R) -> Result<IndexRow, StoreError>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'a> i64: Decode<'a, R::Database> + Type<R::Database>,
    for<'a> Option<i64>: Decode<'a, R::Database> + Type<R::Database>,
    for<'a> f64: Decode<'a, R::Database> + Type<R::Database>,
    for<'a> String: Decode<'a, R::Database> + Type<R::Database>,
{
    let cell: i64 = r.try_get(1)?;
    let sector: i64 = r.try_get(5)?;
    let status: i64 = r.try_get(6)?;
    Ok(IndexRow {
        id: r.try_get(0)?,
        cell: cell as u64,
        lat: r.try_get(2)?,
        lon: r.try_get(3)?,
        created_at: r.try_get(4)?,
        sector: sector_id(sector)?,
        status: status_of(status),
        resolved_at: r.try_get(7)?,
        source: r.try_get(8)?,
        responsible: responsible_id(r.try_get(9)?)?,
        due_at: r.try_get(10)?,
        first_response_at: r.try_get(11)?,
    })
}

/// A stored `sector_id` as the index's u8.
pub(super) fn sector_id(v: i64) -> Result<u8, StoreError> {
    u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("sector {v}")))
}

/// A stored status code as a [`Status`] (an unknown code reads as new).
pub(super) fn status_of(v: i64) -> Status {
    Status::from_code(u8::try_from(v).unwrap_or(0))
}

/// A stored `responsible_id` as the index's u16 (NULL is [`NO_RESPONSIBLE`]).
pub(super) fn responsible_id(v: Option<i64>) -> Result<u16, StoreError> {
    v.map_or(Ok(NO_RESPONSIBLE), |id| {
        u16::try_from(id).map_err(|_| StoreError::Corrupt(format!("responsible id {id}")))
    })
}

/// Decodes `id, source, external_id, status, resolved_at, responsible_id,
/// due_at, first_response_at` into the stored state (columns 0 and 3..).
pub(super) fn existing<R>(r: &R) -> Result<super::batch::Existing, StoreError>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'a> i64: Decode<'a, R::Database> + Type<R::Database>,
    for<'a> Option<i64>: Decode<'a, R::Database> + Type<R::Database>,
{
    let status: i64 = r.try_get(3)?;
    Ok(super::batch::Existing {
        id: r.try_get(0)?,
        state: (
            u8::try_from(status).unwrap_or(0),
            r.try_get(4)?,
            responsible_id(r.try_get(5)?)?,
            r.try_get(6)?,
            r.try_get(7)?,
        ),
    })
}

/// The index's u16 unit as a column value (NULL for [`NO_RESPONSIBLE`]).
pub(super) fn responsible_column(unit: u16) -> Option<i64> {
    (unit != NO_RESPONSIBLE).then_some(i64::from(unit))
}

/// A `fixes` row as selected by both backends.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct FixRecord {
    id: i64,
    title: String,
    sector_id: i64,
    done_at: i64,
    area: String,
    area_res: i64,
    created_at: i64,
}

/// The `fixes` columns of [`FixRecord`].
pub(super) const FIX_COLUMNS: &str = "id, title, sector_id, done_at, area, area_res, created_at";

/// Joins fix records with their `(fix_id, cell)` rows (cells ascending per fix).
pub(super) fn fix_rows(
    records: Vec<FixRecord>,
    cells: Vec<(i64, i64)>,
) -> Result<Vec<FixRow>, StoreError> {
    let mut by_fix: HashMap<i64, Vec<u64>> = HashMap::new();
    for (fix, cell) in cells {
        // Cells never set the sign bit, so SQL's order is the raw order.
        by_fix.entry(fix).or_default().push(cell as u64);
    }
    records
        .into_iter()
        .map(|r| {
            let corrupt = |what: &str| StoreError::Corrupt(format!("fix {}: {what}", r.id));
            Ok(FixRow {
                id: r.id,
                sector: u8::try_from(r.sector_id).map_err(|_| corrupt("sector"))?,
                area_res: u8::try_from(r.area_res).map_err(|_| corrupt("area_res"))?,
                cells: by_fix.remove(&r.id).unwrap_or_default(),
                title: r.title,
                done_at: r.done_at,
                area: r.area,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// The `districts` columns of [`super::StoredDistrict`].
pub(super) const DISTRICT_COLUMNS: &str = "id, name, code, geometry, created_at";

/// The sector catalogue, by id.
pub(super) const SECTORS_SQL: &str =
    "SELECT id, code, name_ru, name_en, color FROM sectors ORDER BY id";

/// A `sectors` row as both backends select it.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct SectorRecord {
    id: i64,
    code: String,
    name_ru: String,
    name_en: String,
    color: String,
}

impl SectorRecord {
    /// The catalogue entry; ids are 1..=255 by the schema's CHECK.
    pub(super) fn into_sector(self) -> Result<Sector, StoreError> {
        Ok(Sector {
            id: u8::try_from(self.id)
                .map_err(|_| StoreError::Corrupt(format!("sector id {}", self.id)))?,
            code: self.code,
            name_ru: self.name_ru,
            name_en: self.name_en,
            color: self.color,
        })
    }
}
