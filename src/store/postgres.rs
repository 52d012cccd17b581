//! The PostgreSQL backend: one database shared by several server instances.
//! Every write transaction locks the `meta.seq` row first (`SELECT … FOR
//! UPDATE`), so writes from all instances are serialised, ids and change
//! sequence numbers follow commit order without gaps, and a `NOTIFY` inside the
//! transaction tells the other instances once it commits.

mod changes;
mod copy;
mod districts;
mod fixes;
mod load;

pub use changes::ChangeFeed;

use super::batch::{self, BatchTx, Existing, FastMap, FastSet};
use super::rows::{SECTORS_SQL, SectorRecord, index_row};
use super::{IndexRow, StoreError, StoreOptions, WriteResult};
use crate::domain::{Appeal, Sector};
use futures_util::stream::BoxStream;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{PgConnection, Row};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The channel writes notify with their new sequence number as payload.
pub(super) const CHANNEL: &str = "hexwatch_changes";

/// The columns the index reads, in [`index_row`]'s order.
pub(super) const INDEX_COLUMNS: &str =
    "id, cell, lat, lon, created_at, sector_id, status, resolved_at, source";

/// A PostgreSQL-backed store.
#[derive(Debug, Clone)]
pub struct PgStore {
    pub(super) pool: PgPool,
    snapshot: Option<PathBuf>,
    /// Bulk loading (imports): batches go through COPY.
    bulk: Arc<AtomicBool>,
}

impl PgStore {
    /// Connects to `postgres://…` with the given pool and session settings and
    /// applies the migrations.
    pub async fn open(url: &str, opts: &StoreOptions) -> Result<Self, StoreError> {
        let mut connect = PgConnectOptions::from_str(url)?.application_name("hexwatch");
        if let Some(mode) = opts.tls {
            connect = connect.ssl_mode(mode);
        }
        if let Some(t) = opts.statement_timeout {
            connect = connect.options([("statement_timeout", format!("{}ms", t.as_millis()))]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(opts.pool_size.max(2))
            // Requests fail fast (503) while the database is away instead of
            // queueing behind a dead pool; sqlx reconnects on the next acquire.
            .acquire_timeout(opts.acquire_timeout)
            .connect_with(connect)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PgStore {
            pool,
            snapshot: opts.snapshot.clone(),
            bulk: Arc::default(),
        })
    }

    pub(super) fn set_bulk(&self, on: bool) {
        self.bulk.store(on, Ordering::Relaxed);
    }

    pub(super) fn snapshot_path(&self) -> Option<PathBuf> {
        self.snapshot.clone()
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
        let seq = read_seq(&self.pool).await?;
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
        let mut tx = self.pool.begin().await?;
        let copy = self.bulk.load(Ordering::Relaxed);
        let r = batch::write(
            &mut PgBatch {
                conn: &mut tx,
                copy,
            },
            appeals,
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    pub(super) fn rows_since(&self, seq: u64) -> BoxStream<'static, Result<IndexRow, StoreError>> {
        load::rows_since(self.pool.clone(), seq)
    }
}

/// The committed change sequence.
pub(super) async fn read_seq<'e>(conn: impl sqlx::PgExecutor<'e>) -> Result<u64, StoreError> {
    let seq: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'seq'")
        .fetch_one(conn)
        .await?;
    seq.parse()
        .map_err(|_| StoreError::Corrupt(format!("meta.seq = {seq:?}")))
}

/// Locks `meta.seq` for the rest of the transaction and returns it: the
/// write lock every instance's writers queue on.
pub(super) async fn lock_seq(conn: &mut PgConnection) -> Result<u64, StoreError> {
    let seq: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'seq' FOR UPDATE")
        .fetch_one(&mut *conn)
        .await?;
    seq.parse()
        .map_err(|_| StoreError::Corrupt(format!("meta.seq = {seq:?}")))
}

/// Stores the new sequence and queues the notification, both delivered only
/// if the transaction commits.
pub(super) async fn publish_seq(conn: &mut PgConnection, seq: u64) -> Result<(), StoreError> {
    sqlx::query("UPDATE meta SET value = $1 WHERE key = 'seq'")
        .bind(seq.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(seq.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A write transaction's connection, for the shared batch logic. Rows travel
/// as one array per column (`UNNEST`), so a statement's size does not depend
/// on the number of rows and the plan is prepared once; imports use COPY.
struct PgBatch<'c> {
    conn: &'c mut PgConnection,
    copy: bool,
}

impl BatchTx for PgBatch<'_> {
    const INSERT_ROWS: usize = 20_000;

    async fn seq(&mut self) -> Result<u64, StoreError> {
        lock_seq(self.conn).await
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
        appeals: &[&Appeal],
        first_id: i64,
        seq: u64,
    ) -> Result<Option<FastSet<i64>>, StoreError> {
        if self.copy {
            let inserted = copy::insert(self.conn, appeals, first_id, seq).await?;
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
        let inserted: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO appeals (id, source, external_id, sector_id, category, lat, lon, cell, \
             created_at, status, resolved_at, address, text, seq) \
             SELECT u.*, $14 FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], \
             $5::TEXT[], $6::FLOAT8[], $7::FLOAT8[], $8::BIGINT[], $9::BIGINT[], $10::BIGINT[], \
             $11::BIGINT[], $12::TEXT[], $13::TEXT[]) AS u \
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
            "SELECT a.id, a.source, a.external_id, a.status, a.resolved_at FROM appeals a \
             JOIN UNNEST($1::TEXT[], $2::TEXT[]) AS k (source, external_id) \
             ON a.source = k.source AND a.external_id = k.external_id",
        )
        .bind(&source)
        .bind(&external)
        .fetch_all(&mut *self.conn)
        .await?;
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
        Ok(found)
    }

    async fn update(
        &mut self,
        rows: &[(i64, &Appeal)],
        seq: u64,
    ) -> Result<Vec<IndexRow>, StoreError> {
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let status: Vec<i64> = rows.iter().map(|r| i64::from(r.1.status.code())).collect();
        let resolved: Vec<Option<i64>> = rows.iter().map(|r| r.1.resolved_at).collect();
        // The index keeps the stored (first) location and time; only state changes.
        let out = sqlx::query(
            "UPDATE appeals AS a SET status = u.status, resolved_at = u.resolved_at, seq = $4 \
             FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[]) AS u (id, status, resolved_at) \
             WHERE a.id = u.id RETURNING a.id, a.cell, a.lat, a.lon, a.created_at, a.sector_id, \
             a.status, a.resolved_at, a.source",
        )
        .bind(&ids)
        .bind(&status)
        .bind(&resolved)
        .bind(seq as i64)
        .fetch_all(&mut *self.conn)
        .await?;
        out.iter().map(index_row).collect()
    }

    async fn set_seq(&mut self, seq: u64) -> Result<(), StoreError> {
        publish_seq(self.conn, seq).await
    }
}
