//! The SQLite backend: one file in WAL mode with `synchronous=FULL`, so an
//! acknowledged (committed) write survives a crash of the process or the machine.

mod changes;
mod fixes;

use super::batch::{self, BatchTx, Existing, FastMap, FastSet};
use super::rows::{SECTORS_SQL, SectorRecord, index_row};
use super::{IndexRow, StoreError, StoreOptions, WriteResult};
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

/// Keys looked up per `IN (VALUES …)` query (2 variables each).
const LOOKUP_ROWS: usize = 8_000;

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
        self.in_write_tx(async |conn| batch::write(&mut SqliteBatch(conn), appeals).await)
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
            "SELECT id, cell, lat, lon, created_at, sector_id, status, resolved_at, source FROM appeals"
        } else {
            "SELECT id, cell, lat, lon, created_at, sector_id, status, resolved_at, source \
             FROM appeals WHERE seq > ? ORDER BY seq"
        };
        let q = sqlx::query(sql);
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

/// A write transaction's connection, for the shared batch logic.
struct SqliteBatch<'c>(&'c mut sqlx::SqliteConnection);

impl BatchTx for SqliteBatch<'_> {
    /// SQLite allows 32 766 bound variables per statement; 14 columns per row.
    const INSERT_ROWS: usize = 2_000;

    async fn seq(&mut self) -> Result<u64, StoreError> {
        read_seq(self.0).await
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
        appeals: &[&Appeal],
        first_id: i64,
        seq: u64,
    ) -> Result<Option<FastSet<i64>>, StoreError> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO appeals (id, source, external_id, sector_id, category, lat, lon, cell, \
             created_at, status, resolved_at, address, text, seq) ",
        );
        qb.push_values(appeals.iter().enumerate(), |mut b, (k, a)| {
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
                .push_bind(seq as i64);
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
                "SELECT id, source, external_id, status, resolved_at FROM appeals \
                 WHERE (source, external_id) IN (",
            );
            qb.push_values(chunk, |mut b, a| {
                b.push_bind(a.source.as_str())
                    .push_bind(a.external_id.as_str());
            });
            qb.push(")");
            for r in qb.build().fetch_all(&mut *self.0).await? {
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

    async fn update(
        &mut self,
        rows: &[(i64, &Appeal)],
        seq: u64,
    ) -> Result<Vec<IndexRow>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for &(id, a) in rows {
            // The index keeps the stored (first) location and time; only state changes.
            let row = sqlx::query(
                "UPDATE appeals SET status = ?, resolved_at = ?, seq = ? WHERE id = ? \
                 RETURNING id, cell, lat, lon, created_at, sector_id, status, resolved_at, source",
            )
            .bind(i64::from(a.status.code()))
            .bind(a.resolved_at)
            .bind(seq as i64)
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
