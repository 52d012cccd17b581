//! The SQLite backend: one file in WAL mode with `synchronous=FULL`, so an
//! acknowledged (committed) write survives a crash of the process or the machine.

mod fixes;
mod process_changes;
mod responsible;
mod rows;

use rows::{lookup, row_to_index};

use super::{IndexRow, Outcome, StoreError, WriteResult};
use crate::domain::{Appeal, Sector};
use futures_util::{StreamExt, TryStreamExt, stream::BoxStream};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

mod districts;
mod requests;
mod tokens;

/// SQLite allows 32 766 bound variables per statement; 17 columns per row.
const INSERT_ROWS: usize = 1_900;

// The write path hashes every key of a batch; SipHash's DoS resistance buys
// nothing for keys the batch itself supplies once.
type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
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
    state: State,
}

/// What a re-sent appeal may change: status, resolution time and (since
/// migration 0004) its responsible unit id, deadline and first response.
type State = (u8, Option<i64>, u16, Option<i64>, Option<i64>);

/// The columns the index reads, in `row_to_index` order.
const INDEX_COLUMNS: &str = "id, cell, lat, lon, created_at, sector_id, status, resolved_at, \
     source, responsible_id, due_at, first_response_at";

impl SqliteStore {
    /// Opens the file named by `sqlite://PATH` (created if missing), migrated.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // 64 MiB of page cache per connection: bulk inserts touch the
            // (source, external_id) index all over; the default 2 MiB thrashes.
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
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
        self.in_write_tx(async |conn| write_in_tx(conn, appeals).await)
            .await
    }

    /// Runs `f` in one write transaction, committed when it succeeds and
    /// rolled back when it fails.
    async fn in_write_tx<T>(
        &self,
        f: impl AsyncFnOnce(&mut sqlx::SqliteConnection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // BEGIN IMMEDIATE takes the write lock up front, so reads inside the
        // transaction and its writes see the same database and no other writer
        // slips in between.
        let mut conn = self.pool.acquire().await?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        match f(&mut conn).await {
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
        // Everything: a plain table scan. A catch-up: through the seq index (an
        // ORDER BY id here made SQLite scan the whole table to find a few rows).
        let sql = if seq == 0 {
            format!("SELECT {INDEX_COLUMNS} FROM appeals")
        } else {
            format!("SELECT {INDEX_COLUMNS} FROM appeals WHERE seq > ? ORDER BY seq")
        };
        let q = sqlx::query(sqlx::AssertSqlSafe(sql));
        let q = if seq == 0 {
            q
        } else {
            q.bind(i64::try_from(seq).unwrap_or(i64::MAX))
        };
        q.fetch(&self.pool)
            .map_err(StoreError::from)
            .and_then(|r| async move { row_to_index(&r) })
            .boxed()
    }
}

/// The data version (`meta.seq`) as the connection sees it.
async fn read_seq(conn: &mut sqlx::SqliteConnection) -> Result<u64, StoreError> {
    let seq: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'seq'")
        .fetch_one(&mut *conn)
        .await?;
    seq.parse()
        .map_err(|_| StoreError::Corrupt(format!("meta.seq = {seq:?}")))
}

async fn write_in_tx(
    conn: &mut sqlx::SqliteConnection,
    appeals: &[Appeal],
) -> Result<WriteResult, StoreError> {
    let seq_now = read_seq(conn).await?;
    let seq = seq_now + 1;
    let units = responsible::ids_for(conn, appeals).await?;
    let unit_of = |a: &Appeal| {
        a.responsible
            .as_deref()
            .and_then(|c| units.get(c).copied())
            .unwrap_or(crate::domain::NO_RESPONSIBLE)
    };
    let state_of = |a: &Appeal| -> State {
        (
            a.status.code(),
            a.resolved_at,
            unit_of(a),
            a.due_at,
            a.first_response_at,
        )
    };

    // The last copy of each key in the batch is what gets stored.
    let mut last: FastMap<(&str, &str), usize> = FastMap::default();
    for (i, a) in appeals.iter().enumerate() {
        last.insert((a.source.as_str(), a.external_id.as_str()), i);
    }
    let mut finals: Vec<usize> = last.values().copied().collect();
    finals.sort_unstable();

    // Optimistic insert: new appeals (the common case) need no lookup. Ids are
    // assigned here, under the write lock, so the rows that a conflict skipped
    // are simply the ids that do not exist afterwards.
    let max_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM appeals")
        .fetch_one(&mut *conn)
        .await?;
    let mut inserted: FastMap<usize, i64> = FastMap::default();
    let mut maybe_existing: Vec<usize> = Vec::new();
    for (c, chunk) in finals.chunks(INSERT_ROWS).enumerate() {
        let first_id = max_id + 1 + (c * INSERT_ROWS) as i64;
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO appeals (id, source, external_id, sector_id, category, lat, lon, cell, \
             created_at, status, resolved_at, address, text, seq, responsible_id, due_at, \
             first_response_at) ",
        );
        qb.push_values(chunk.iter().enumerate(), |mut b, (k, &i)| {
            let a = &appeals[i];
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
                .push_bind(a.responsible.as_ref().map(|_| i64::from(unit_of(a))))
                .push_bind(a.due_at)
                .push_bind(a.first_response_at);
        });
        qb.push(" ON CONFLICT (source, external_id) DO NOTHING");
        let done = qb.build().execute(&mut *conn).await?.rows_affected() as usize;
        if done == chunk.len() {
            inserted.extend(
                chunk
                    .iter()
                    .enumerate()
                    .map(|(k, &i)| (i, first_id + k as i64)),
            );
            continue;
        }
        let last_id = first_id + chunk.len() as i64 - 1;
        let present: FastSet<i64> =
            sqlx::query_scalar::<_, i64>("SELECT id FROM appeals WHERE id BETWEEN ? AND ?")
                .bind(first_id)
                .bind(last_id)
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
        for (k, &i) in chunk.iter().enumerate() {
            let id = first_id + k as i64;
            if present.contains(&id) {
                inserted.insert(i, id);
            } else {
                maybe_existing.push(i);
            }
        }
    }
    let found = lookup(conn, maybe_existing.iter().map(|&i| &appeals[i])).await?;
    // Keyed by borrowed strings of the batch, so the loops below never allocate.
    let stored: FastMap<(&str, &str), &Existing> = maybe_existing
        .iter()
        .filter_map(|&i| {
            let a = &appeals[i];
            let x = found.get(&(a.source.clone(), a.external_id.clone()))?;
            Some(((a.source.as_str(), a.external_id.as_str()), x))
        })
        .collect();

    // Outcomes in batch order: each record against the state before it (stored,
    // or an earlier copy in this batch).
    let mut state: FastMap<(&str, &str), State> = FastMap::default();
    let mut outcomes = Vec::with_capacity(appeals.len());
    for a in appeals {
        let key = (a.source.as_str(), a.external_id.as_str());
        let now = state_of(a);
        let before = state
            .get(&key)
            .copied()
            .or_else(|| stored.get(&key).map(|x| x.state));
        outcomes.push(match before {
            None => Outcome::Accepted,
            Some(b) if b == now => Outcome::Duplicate,
            Some(_) => Outcome::Updated,
        });
        state.insert(key, now);
    }

    let mut changed = Vec::with_capacity(inserted.len() + maybe_existing.len());
    for &i in &finals {
        if let Some(&id) = inserted.get(&i) {
            changed.push(IndexRow::from_appeal(id, &appeals[i], unit_of(&appeals[i])));
        }
    }
    for &i in &maybe_existing {
        let a = &appeals[i];
        let Some(x) = stored.get(&(a.source.as_str(), a.external_id.as_str())) else {
            return Err(StoreError::Corrupt(format!(
                "appeal {}/{} conflicted on insert but is not stored",
                a.source, a.external_id
            )));
        };
        if x.state == state_of(a) {
            continue;
        }
        sqlx::query(
            "UPDATE appeals SET status = ?, resolved_at = ?, seq = ?, responsible_id = ?, \
             due_at = ?, first_response_at = ? WHERE id = ?",
        )
        .bind(i64::from(a.status.code()))
        .bind(a.resolved_at)
        .bind(seq as i64)
        .bind(a.responsible.as_ref().map(|_| i64::from(unit_of(a))))
        .bind(a.due_at)
        .bind(a.first_response_at)
        .bind(x.id)
        .execute(&mut *conn)
        .await?;
        // The index keeps the stored (first) location and time; only state changes.
        let row: sqlx::sqlite::SqliteRow = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INDEX_COLUMNS} FROM appeals WHERE id = ?"
        )))
        .bind(x.id)
        .fetch_one(&mut *conn)
        .await?;
        changed.push(row_to_index(&row)?);
    }
    if changed.is_empty() {
        return Ok(WriteResult {
            outcomes,
            changed,
            seq: seq_now,
        });
    }
    write_seq(conn, seq).await?;
    Ok(WriteResult {
        outcomes,
        changed,
        seq,
    })
}

/// Sets the change sequence (inside the write transaction that earned it).
async fn write_seq(conn: &mut sqlx::SqliteConnection, seq: u64) -> Result<(), StoreError> {
    sqlx::query("UPDATE meta SET value = ? WHERE key = 'seq'")
        .bind(seq.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
