//! The SQLite backend: one file in WAL mode with `synchronous=FULL`, so an
//! acknowledged (committed) write survives a crash of the process or the machine.

use super::{IndexRow, Outcome, StoreError, WriteResult};
use crate::domain::{Appeal, Sector, Status};
use futures_util::{StreamExt, TryStreamExt, stream::BoxStream};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite};
use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// SQLite allows 32 766 bound variables per statement; 13 columns per row.
const INSERT_ROWS: usize = 2_000;
/// Keys looked up per `IN (VALUES …)` query (2 variables each).
const LOOKUP_ROWS: usize = 8_000;

/// A SQLite-backed store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: Option<PathBuf>,
}

/// A stored appeal's mutable state, to classify a re-sent record.
struct Existing {
    id: i64,
    status: u8,
    resolved_at: Option<i64>,
}

impl SqliteStore {
    /// Opens the file named by `sqlite://PATH` (created if missing), migrated.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let path = Some(opts.get_filename().to_path_buf()).filter(|p| !p.as_os_str().is_empty());
        // One writer at a time is SQLite's rule anyway; readers get their own connections.
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore { pool, path })
    }

    pub(super) fn snapshot_path(&self) -> Option<PathBuf> {
        self.path.as_ref().map(|p| {
            let mut s = p.clone().into_os_string();
            s.push(".hexidx");
            PathBuf::from(s)
        })
    }

    pub(super) async fn close(&self) {
        self.pool.close().await;
    }

    pub(super) async fn sectors(&self) -> Result<Vec<Sector>, StoreError> {
        let rows = sqlx::query("SELECT id, code, name_ru, name_en, color FROM sectors ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                Ok(Sector {
                    id: u8::try_from(id)
                        .map_err(|_| StoreError::Corrupt(format!("sector id {id}")))?,
                    code: r.try_get("code")?,
                    name_ru: r.try_get("name_ru")?,
                    name_en: r.try_get("name_en")?,
                    color: r.try_get("color")?,
                })
            })
            .collect()
    }

    pub(super) async fn version(&self) -> Result<(String, u64), StoreError> {
        let uuid: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'db_uuid'")
            .fetch_one(&self.pool)
            .await?;
        let seq: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'seq'")
            .fetch_one(&self.pool)
            .await?;
        let seq = seq
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("meta.seq = {seq:?}")))?;
        Ok((uuid, seq))
    }

    pub(super) async fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM appeals")
            .fetch_one(&self.pool)
            .await?;
        Ok(n.max(0) as u64)
    }

    pub(super) async fn write_appeals(
        &self,
        appeals: &[Appeal],
    ) -> Result<WriteResult, StoreError> {
        // BEGIN IMMEDIATE takes the write lock up front, so the lookup below and the
        // inserts see the same database and no other writer slips in between.
        let mut conn = self.pool.acquire().await?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        let result = write_in_tx(&mut conn, appeals).await;
        match result {
            Ok(r) => {
                sqlx::query("COMMIT").execute(&mut *conn).await?;
                Ok(r)
            }
            Err(e) => {
                // The connection goes back to the pool; never leave it inside a transaction.
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                Err(e)
            }
        }
    }

    pub(super) fn rows_since(&self, seq: u64) -> BoxStream<'_, Result<IndexRow, StoreError>> {
        sqlx::query(
            "SELECT a.id, a.cell, a.lat, a.lon, a.created_at, a.sector_id, a.status, a.resolved_at, a.source \
             FROM appeals a WHERE a.seq > ? ORDER BY a.id",
        )
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .fetch(&self.pool)
        .map_err(StoreError::from)
        .and_then(|r| async move { row_to_index(&r) })
        .boxed()
    }
}

fn row_to_index(r: &sqlx::sqlite::SqliteRow) -> Result<IndexRow, StoreError> {
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
    })
}

async fn write_in_tx(
    conn: &mut sqlx::SqliteConnection,
    appeals: &[Appeal],
) -> Result<WriteResult, StoreError> {
    let existing = lookup(conn, appeals).await?;
    let seq_now: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'seq'")
        .fetch_one(&mut *conn)
        .await?;
    let seq_now: u64 = seq_now
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("meta.seq = {seq_now:?}")))?;
    let seq = seq_now + 1;

    // Classify every record against the database and against earlier records of
    // the same batch (a batch may carry one appeal twice; the later copy wins).
    // (status, resolved_at) as last stored or sent, per (source, external_id).
    let mut state: HashMap<(&str, &str), (u8, Option<i64>)> = existing
        .iter()
        .map(|((s, e), x)| ((s.as_str(), e.as_str()), (x.status, x.resolved_at)))
        .collect();
    let mut outcomes = Vec::with_capacity(appeals.len());
    let mut inserts: Vec<usize> = Vec::new();
    let mut updates: Vec<usize> = Vec::new();
    let mut first_insert: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, a) in appeals.iter().enumerate() {
        let key = (a.source.as_str(), a.external_id.as_str());
        let now = (a.status.code(), a.resolved_at);
        match state.get_mut(&key) {
            None => {
                state.insert(key, now);
                first_insert.insert(key, i);
                inserts.push(i);
                outcomes.push(Outcome::Accepted);
            }
            Some(prev) if *prev == now => outcomes.push(Outcome::Duplicate),
            Some(prev) => {
                *prev = now;
                match first_insert.get(&key) {
                    // Changed again within the batch before it was ever stored:
                    // store the latest state in the insert itself.
                    Some(&j) => {
                        inserts.retain(|&k| k != j);
                        first_insert.insert(key, i);
                        inserts.push(i);
                    }
                    None => updates.push(i),
                }
                outcomes.push(Outcome::Updated);
            }
        }
    }
    if inserts.is_empty() && updates.is_empty() {
        return Ok(WriteResult {
            outcomes,
            changed: Vec::new(),
            seq: seq_now,
        });
    }

    let mut changed = Vec::with_capacity(inserts.len() + updates.len());
    for chunk in inserts.chunks(INSERT_ROWS) {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO appeals (source, external_id, sector_id, category, lat, lon, cell, \
             created_at, status, resolved_at, address, text, seq) ",
        );
        qb.push_values(chunk, |mut b, &i| {
            let a = &appeals[i];
            b.push_bind(a.source.as_str())
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
                .push_bind(seq as i64);
        });
        qb.push(" RETURNING id, source, external_id");
        let rows = qb.build().fetch_all(&mut *conn).await?;
        // RETURNING order is unspecified in SQLite: map ids back by key.
        let by_key: HashMap<(String, String), i64> = rows
            .iter()
            .map(|r| Ok(((r.try_get(1)?, r.try_get(2)?), r.try_get(0)?)))
            .collect::<Result<_, sqlx::Error>>()?;
        for &i in chunk {
            let a = &appeals[i];
            let id = by_key
                .get(&(a.source.clone(), a.external_id.clone()))
                .copied()
                .ok_or_else(|| StoreError::Corrupt("inserted row not returned".into()))?;
            changed.push(IndexRow::from_appeal(id, a));
        }
    }
    for &i in &updates {
        let a = &appeals[i];
        let id = existing
            .get(&(a.source.clone(), a.external_id.clone()))
            .map(|x| x.id)
            .ok_or_else(|| StoreError::Corrupt("updated row vanished".into()))?;
        sqlx::query("UPDATE appeals SET status = ?, resolved_at = ?, seq = ? WHERE id = ?")
            .bind(i64::from(a.status.code()))
            .bind(a.resolved_at)
            .bind(seq as i64)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        // The index keeps the stored (first) location and time; only state changes.
        let row: sqlx::sqlite::SqliteRow = sqlx::query(
            "SELECT id, cell, lat, lon, created_at, sector_id, status, resolved_at, source \
             FROM appeals WHERE id = ?",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        changed.push(row_to_index(&row)?);
    }
    sqlx::query("UPDATE meta SET value = ? WHERE key = 'seq'")
        .bind(seq.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(WriteResult {
        outcomes,
        changed,
        seq,
    })
}

/// Finds the stored state of every (source, external_id) in the batch.
async fn lookup(
    conn: &mut sqlx::SqliteConnection,
    appeals: &[Appeal],
) -> Result<HashMap<(String, String), Existing>, StoreError> {
    let mut found = HashMap::new();
    for chunk in appeals.chunks(LOOKUP_ROWS) {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT id, source, external_id, status, resolved_at FROM appeals \
             WHERE (source, external_id) IN (",
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
                    status: u8::try_from(status).unwrap_or(0),
                    resolved_at: r.try_get(4)?,
                },
            );
        }
    }
    Ok(found)
}
