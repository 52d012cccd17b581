//! The SQLite backend: one file in WAL mode with `synchronous=FULL`, so an
//! acknowledged (committed) write survives a crash of the process or the machine.

mod batch;
mod changes;
mod fixes;
mod resolution;

use super::rows::{INDEX_COLUMNS, SECTORS_SQL, SectorRecord, index_row};
use super::{IndexRow, StoreError, StoreOptions, WriteResult};
use crate::domain::{Appeal, Sector};
use futures_util::{StreamExt, TryStreamExt, stream::BoxStream};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

mod districts;

/// A SQLite-backed store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(super) pool: SqlitePool,
    path: Option<PathBuf>,
    snapshot: Option<PathBuf>,
}

impl SqliteStore {
    /// Opens the file named by `sqlite://PATH` (created if missing), migrated.
    pub async fn open(url: &str, store: &StoreOptions) -> Result<Self, StoreError> {
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
        Ok(SqliteStore {
            pool,
            path,
            snapshot: store.snapshot.clone(),
        })
    }

    pub(super) fn snapshot_path(&self) -> Option<PathBuf> {
        if let Some(p) = &self.snapshot {
            return Some(p.clone());
        }
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
        let rows: Vec<SectorRecord> = sqlx::query_as(SECTORS_SQL).fetch_all(&self.pool).await?;
        rows.into_iter().map(SectorRecord::into_sector).collect()
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
        self.in_write_tx(async |conn| {
            super::batch::write(&mut batch::SqliteBatch(conn), appeals).await
        })
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
            .and_then(|r| async move { index_row(&r) })
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

/// Sets the change sequence (inside the write transaction that earned it).
async fn write_seq(conn: &mut sqlx::SqliteConnection, seq: u64) -> Result<(), StoreError> {
    sqlx::query("UPDATE meta SET value = ? WHERE key = 'seq'")
        .bind(seq.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
