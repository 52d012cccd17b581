//! The responsible catalogue in SQLite. Codes an ingested batch names but the
//! catalogue lacks are added inside the batch's own transaction (named by
//! their code until an operator renames them), unless the catalogue is
//! strict, in which case validation has already refused them.

use super::{FastMap, SqliteStore};
use crate::domain::{Appeal, Responsible};
use crate::store::StoreError;
use sqlx::{QueryBuilder, Row, Sqlite};

/// Codes per statement (3 variables each on insert).
const CODE_ROWS: usize = 5_000;

impl SqliteStore {
    pub(in crate::store) async fn responsible(&self) -> Result<Vec<Responsible>, StoreError> {
        let rows = sqlx::query("SELECT id, code, name_ru, name_en FROM responsible ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(row_to_unit).collect()
    }

    pub(in crate::store) async fn upsert_responsible(
        &self,
        units: &[Responsible],
    ) -> Result<Vec<Responsible>, StoreError> {
        self.in_write_tx(async |conn| {
            for u in units {
                sqlx::query(
                    "INSERT INTO responsible (code, name_ru, name_en) VALUES (?, ?, ?) \
                     ON CONFLICT (code) DO UPDATE SET name_ru = excluded.name_ru, \
                     name_en = excluded.name_en",
                )
                .bind(&u.code)
                .bind(&u.name_ru)
                .bind(&u.name_en)
                .execute(&mut *conn)
                .await?;
            }
            let rows =
                sqlx::query("SELECT id, code, name_ru, name_en FROM responsible ORDER BY id")
                    .fetch_all(&mut *conn)
                    .await?;
            rows.iter().map(row_to_unit).collect()
        })
        .await
    }
}

fn row_to_unit(r: &sqlx::sqlite::SqliteRow) -> Result<Responsible, StoreError> {
    let id: i64 = r.try_get(0)?;
    Ok(Responsible {
        id: u16::try_from(id).map_err(|_| StoreError::Corrupt(format!("responsible id {id}")))?,
        code: r.try_get(1)?,
        name_ru: r.try_get(2)?,
        name_en: r.try_get(3)?,
    })
}

/// The ids of every responsible code the batch names, adding missing codes
/// (inside the caller's transaction, so a failed batch adds none).
pub(super) async fn ids_for(
    conn: &mut sqlx::SqliteConnection,
    appeals: &[Appeal],
) -> Result<FastMap<String, u16>, StoreError> {
    let mut codes: Vec<&str> = appeals
        .iter()
        .filter_map(|a| a.responsible.as_deref())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let mut ids = FastMap::default();
    for chunk in codes.chunks(CODE_ROWS) {
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO responsible (code, name_ru, name_en) ");
        qb.push_values(chunk, |mut b, c| {
            b.push_bind(*c).push_bind(*c).push_bind(*c);
        });
        qb.push(" ON CONFLICT (code) DO NOTHING");
        qb.build().execute(&mut *conn).await?;
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT id, code FROM responsible WHERE code IN (");
        let mut sep = qb.separated(", ");
        for c in chunk {
            sep.push_bind(*c);
        }
        qb.push(")");
        for r in qb.build().fetch_all(&mut *conn).await? {
            let id: i64 = r.try_get(0)?;
            let id = u16::try_from(id)
                .map_err(|_| StoreError::Corrupt(format!("responsible id {id}")))?;
            ids.insert(r.try_get(1)?, id);
        }
    }
    Ok(ids)
}
