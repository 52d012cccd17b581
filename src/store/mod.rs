//! All SQL lives here. [`Store`] is the narrow interface the rest of hexwatch
//! sees: write a batch of appeals in one transaction, read the catalogue, and
//! stream appeals (all of them, or those changed since a sequence number) to
//! build the in-memory index, store and list fixes, and follow what other
//! server instances write. Two implementations, SQLite and PostgreSQL; what
//! they share (the batch write's logic, row decoding) is written once.

mod batch;
mod options;
mod postgres;
mod records;
mod resolution;
mod rows;
mod sqlite;
mod trust;

use crate::domain::{Appeal, Responsible, Sector};
use futures_util::stream::BoxStream;
pub use options::{StoreOptions, TlsMode};
pub use postgres::{ChangeFeed, PgStore};
pub use records::*;
pub use sqlite::SqliteStore;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not one hexwatch can open.
    #[error("unsupported database URL {0:?} (expected sqlite://PATH or postgres://…)")]
    UnsupportedUrl(String),
    /// The database reported an error.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// Applying migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database holds something hexwatch did not expect.
    #[error("corrupt data: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// True when the database could not be reached (down, restarting, the
    /// connection lost or the pool exhausted): worth a 503 and a retry, not a 500.
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Db(e) = self else {
            return false;
        };
        match e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => true,
            // Class 08 (connection exception), 57P01-03 (admin shutdown,
            // crash shutdown, cannot connect now).
            sqlx::Error::Database(d) => d
                .code()
                .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
            _ => false,
        }
    }
}

/// What a write did to one record of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new appeal was inserted.
    Accepted,
    /// An existing appeal changed its status or resolution time.
    Updated,
    /// The appeal was already stored as sent.
    Duplicate,
}

/// The database behind hexwatch.
#[derive(Debug, Clone)]
pub enum Store {
    /// An embedded SQLite file.
    Sqlite(SqliteStore),
    /// A PostgreSQL database, possibly shared by several instances.
    Postgres(PgStore),
}

impl Store {
    /// Opens (creating if needed) the database at `url` with default
    /// options and applies migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Self::open_with(url, &StoreOptions::default()).await
    }

    /// Opens the database at `url` (`sqlite://PATH` or `postgres://…`) and
    /// applies migrations.
    pub async fn open_with(url: &str, opts: &StoreOptions) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(SqliteStore::open(url, opts).await?))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store::Postgres(PgStore::open(url, opts).await?))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// True when other server instances may write to this database, so the
    /// index must follow their changes.
    pub fn is_shared(&self) -> bool {
        matches!(self, Store::Postgres(_))
    }

    /// Everything changed after `seq`: appeals, and districts and fixes with
    /// ids above the given ones; from one snapshot, so `Changes::seq` is
    /// complete.
    pub async fn changes_since(
        &self,
        seq: u64,
        district_after: i64,
        fix_after: i64,
    ) -> Result<Changes, StoreError> {
        match self {
            Store::Sqlite(s) => s.changes_since(seq, district_after, fix_after).await,
            Store::Postgres(s) => s.changes_since(seq, district_after, fix_after).await,
        }
    }

    /// A feed of change notifications from other instances, if the backend has one.
    pub async fn feed(&self) -> Result<Option<ChangeFeed>, StoreError> {
        match self {
            Store::Sqlite(_) => Ok(None),
            Store::Postgres(s) => Ok(Some(s.feed().await?)),
        }
    }

    /// Starts or ends a bulk load (imports): PostgreSQL then writes batches
    /// with COPY.
    pub fn set_bulk(&self, on: bool) {
        if let Store::Postgres(s) = self {
            s.set_bulk(on);
        }
    }

    /// The sector catalogue.
    pub async fn sectors(&self) -> Result<Vec<Sector>, StoreError> {
        match self {
            Store::Sqlite(s) => s.sectors().await,
            Store::Postgres(s) => s.sectors().await,
        }
    }

    /// Writes a batch in one transaction: inserts new appeals, updates changed
    /// ones, skips exact re-sends. Nothing is written if any statement fails.
    pub async fn write_appeals(&self, appeals: &[Appeal]) -> Result<WriteResult, StoreError> {
        match self {
            Store::Sqlite(s) => s.write_appeals(appeals).await,
            Store::Postgres(s) => s.write_appeals(appeals).await,
        }
    }

    /// Stores a fix with its cells in one transaction that bumps the change
    /// sequence; returns its id and that sequence number.
    pub async fn insert_fix(&self, fix: &FixRow) -> Result<(i64, u64), StoreError> {
        match self {
            Store::Sqlite(s) => s.insert_fix(fix).await,
            Store::Postgres(s) => s.insert_fix(fix).await,
        }
    }

    /// Every stored fix with its cells, by id.
    pub async fn fixes(&self) -> Result<Vec<FixRow>, StoreError> {
        match self {
            Store::Sqlite(s) => s.fixes().await,
            Store::Postgres(s) => s.fixes().await,
        }
    }

    /// Streams every appeal changed after `seq` (all of them for 0); a catch-up
    /// comes in change order.
    pub fn rows_since(&self, seq: u64) -> BoxStream<'_, Result<IndexRow, StoreError>> {
        match self {
            Store::Sqlite(s) => s.rows_since(seq),
            Store::Postgres(s) => s.rows_since(seq),
        }
    }

    /// The identity of this database and its current change sequence.
    pub async fn version(&self) -> Result<(String, u64), StoreError> {
        match self {
            Store::Sqlite(s) => s.version().await,
            Store::Postgres(s) => s.version().await,
        }
    }

    /// Inserts districts in one transaction that bumps the data version;
    /// returns their ids (in input order) and the new change sequence.
    pub async fn insert_districts(
        &self,
        districts: &[NewDistrict],
    ) -> Result<(Vec<i64>, u64), StoreError> {
        match self {
            Store::Sqlite(s) => s.insert_districts(districts).await,
            Store::Postgres(s) => s.insert_districts(districts).await,
        }
    }

    /// Every stored district, by id.
    pub async fn districts(&self) -> Result<Vec<StoredDistrict>, StoreError> {
        match self {
            Store::Sqlite(s) => s.districts().await,
            Store::Postgres(s) => s.districts().await,
        }
    }

    /// Stores a new token; returns its id.
    pub async fn insert_token(&self, t: &NewToken) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(s) => s.insert_token(t).await,
            Store::Postgres(s) => s.insert_token(t).await,
        }
    }

    /// The token whose hash is `hash`, revoked or not.
    pub async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRow>, StoreError> {
        match self {
            Store::Sqlite(s) => s.token_by_hash(hash).await,
            Store::Postgres(s) => s.token_by_hash(hash).await,
        }
    }

    /// Every token, by id.
    pub async fn tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        match self {
            Store::Sqlite(s) => s.tokens().await,
            Store::Postgres(s) => s.tokens().await,
        }
    }

    /// Revokes a token at `at` (Unix seconds); false when no valid token has that id.
    pub async fn revoke_token(&self, id: i64, at: i64) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.revoke_token(id, at).await,
            Store::Postgres(s) => s.revoke_token(id, at).await,
        }
    }

    /// A page of whole appeals, newest first.
    pub async fn requests(&self, q: &RequestPage) -> Result<Vec<RequestRow>, StoreError> {
        match self {
            Store::Sqlite(s) => s.requests(q).await,
            Store::Postgres(s) => s.requests(q).await,
        }
    }

    /// The responsible catalogue.
    pub async fn responsible(&self) -> Result<Vec<Responsible>, StoreError> {
        match self {
            Store::Sqlite(s) => s.responsible().await,
            Store::Postgres(s) => s.responsible().await,
        }
    }

    /// Adds responsible units or renames existing ones (by code), in one
    /// transaction that bumps the change sequence; returns the whole
    /// catalogue afterwards and that sequence number.
    pub async fn upsert_responsible(
        &self,
        units: &[Responsible],
    ) -> Result<(Vec<Responsible>, u64), StoreError> {
        match self {
            Store::Sqlite(s) => s.upsert_responsible(units).await,
            Store::Postgres(s) => s.upsert_responsible(units).await,
        }
    }

    /// Stores a process change in a transaction that bumps the change
    /// sequence; returns its id and that sequence number.
    pub async fn insert_process_change(
        &self,
        row: &ProcessChangeRow,
    ) -> Result<(i64, u64), StoreError> {
        match self {
            Store::Sqlite(s) => s.insert_process_change(row).await,
            Store::Postgres(s) => s.insert_process_change(row).await,
        }
    }

    /// Every stored process change, by id.
    pub async fn process_changes(&self) -> Result<Vec<ProcessChangeRow>, StoreError> {
        match self {
            Store::Sqlite(s) => s.process_changes().await,
            Store::Postgres(s) => s.process_changes().await,
        }
    }

    /// Number of stored appeals.
    pub async fn count(&self) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.count().await,
            Store::Postgres(s) => s.count().await,
        }
    }

    /// Where an index snapshot for this database may be kept, if anywhere.
    pub fn snapshot_path(&self) -> Option<std::path::PathBuf> {
        match self {
            Store::Sqlite(s) => s.snapshot_path(),
            Store::Postgres(s) => s.snapshot_path(),
        }
    }

    /// Closes the pool, flushing what the database buffers.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close().await,
            Store::Postgres(s) => s.close().await,
        }
    }
}
