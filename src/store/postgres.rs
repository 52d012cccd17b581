//! The PostgreSQL backend: one database shared by several server instances.
//! Every write transaction locks the `meta.seq` row first (`SELECT … FOR
//! UPDATE`), so writes from all instances are serialised, ids and change
//! sequence numbers follow commit order without gaps, and a `NOTIFY` inside the
//! transaction tells the other instances once it commits.

mod batch;
mod changes;
mod copy;
mod copy_out;
mod districts;
mod fixes;
mod load;
mod resolution;

pub use changes::ChangeFeed;

use super::rows::{SECTORS_SQL, SectorRecord};
use super::{IndexRow, StoreError, StoreOptions, WriteResult};
use crate::domain::{Appeal, Sector};
use futures_util::stream::BoxStream;
use sqlx::PgConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The channel writes notify with their new sequence number as payload.
pub(super) const CHANNEL: &str = "hexwatch_changes";

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
        let r = super::batch::write(
            &mut batch::PgBatch {
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
