//! Reading appeal rows: stored rows into index rows, and the stored state
//! of re-sent appeals.

use super::{Existing, FastMap, LOOKUP_ROWS};
use crate::domain::{Appeal, Status};
use crate::store::{IndexRow, StoreError};
use sqlx::{QueryBuilder, Row, Sqlite};

pub(super) fn row_to_index(r: &sqlx::sqlite::SqliteRow) -> Result<IndexRow, StoreError> {
    let cell: i64 = r.try_get(1)?;
    let sector: i64 = r.try_get(5)?;
    let status: i64 = r.try_get(6)?;
    Ok(IndexRow {
        id: r.try_get(0)?,
        cell: cell as u64,
        lat: r.try_get(2)?,
        lon: r.try_get(3)?,
        created_at: r.try_get(4)?,
        sector: u8::try_from(sector)
            .map_err(|_| StoreError::Corrupt(format!("sector {sector}")))?,
        status: Status::from_code(u8::try_from(status).unwrap_or(0)),
        resolved_at: r.try_get(7)?,
        source: r.try_get(8)?,
        responsible: responsible_id(r.try_get(9)?)?,
        due_at: r.try_get(10)?,
        first_response_at: r.try_get(11)?,
    })
}

pub(super) fn responsible_id(v: Option<i64>) -> Result<u16, StoreError> {
    v.map_or(Ok(crate::domain::NO_RESPONSIBLE), |id| {
        u16::try_from(id).map_err(|_| StoreError::Corrupt(format!("responsible id {id}")))
    })
}

/// Finds the stored state of the given appeals' (source, external_id).
pub(super) async fn lookup<'a>(
    conn: &mut sqlx::SqliteConnection,
    appeals: impl Iterator<Item = &'a Appeal>,
) -> Result<FastMap<(String, String), Existing>, StoreError> {
    let appeals: Vec<&Appeal> = appeals.collect();
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
        let rows = qb.build().fetch_all(&mut *conn).await?;
        for r in rows {
            let status: i64 = r.try_get(3)?;
            found.insert(
                (r.try_get(1)?, r.try_get(2)?),
                Existing {
                    id: r.try_get(0)?,
                    state: (
                        u8::try_from(status).unwrap_or(0),
                        r.try_get(4)?,
                        responsible_id(r.try_get(5)?)?,
                        r.try_get(6)?,
                        r.try_get(7)?,
                    ),
                },
            );
        }
    }
    Ok(found)
}
