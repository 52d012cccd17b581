//! All SQL lives here. [`Store`] is the narrow interface the rest of hexwatch
//! sees: write a batch of appeals in one transaction, read the catalogue, and
//! stream appeals (all of them, or those changed since a sequence number) to
//! build the in-memory index, store and list fixes.

mod sqlite;

use crate::domain::{Appeal, Responsible, Sector, Status};
use futures_util::stream::BoxStream;
pub use sqlite::SqliteStore;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not one hexwatch can open.
    #[error("unsupported database URL {0:?} (expected sqlite://PATH)")]
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

/// An appeal as the index needs it: no private fields.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    /// Database id.
    pub id: i64,
    /// Finest cell as raw H3 bits.
    pub cell: u64,
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// Sector id.
    pub sector: u8,
    /// Status code.
    pub status: Status,
    /// Resolution time, Unix seconds.
    pub resolved_at: Option<i64>,
    /// Channel name.
    pub source: String,
    /// Responsible unit id ([`crate::domain::NO_RESPONSIBLE`] for none).
    pub responsible: u16,
    /// Deadline, Unix seconds.
    pub due_at: Option<i64>,
    /// First answer to the citizen, Unix seconds.
    pub first_response_at: Option<i64>,
}

impl IndexRow {
    /// The index row of an appeal stored under `id`, its responsible unit
    /// stored as `responsible`.
    pub fn from_appeal(id: i64, a: &Appeal, responsible: u16) -> Self {
        IndexRow {
            id,
            cell: u64::from(a.cell),
            lat: a.lat,
            lon: a.lon,
            created_at: a.created_at,
            sector: a.sector,
            status: a.status,
            resolved_at: a.resolved_at,
            source: a.source.clone(),
            responsible,
            due_at: a.due_at,
            first_response_at: a.first_response_at,
        }
    }
}

/// The result of writing a batch.
#[derive(Debug, Default)]
pub struct WriteResult {
    /// One outcome per input appeal, in input order.
    pub outcomes: Vec<Outcome>,
    /// Rows inserted or updated, for the index.
    pub changed: Vec<IndexRow>,
    /// The change sequence number of this write (unchanged if nothing changed).
    pub seq: u64,
}

/// A district to store: its geometry as validated GeoJSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDistrict {
    /// Display name.
    pub name: String,
    /// Optional short code (e.g. an OKTMO number).
    pub code: Option<String>,
    /// GeoJSON Polygon or MultiPolygon geometry.
    pub geometry: String,
    /// Creation time, Unix seconds.
    pub created_at: i64,
}

/// A stored district.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDistrict {
    /// Database id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Optional short code.
    pub code: Option<String>,
    /// GeoJSON Polygon or MultiPolygon geometry.
    pub geometry: String,
    /// Creation time, Unix seconds.
    pub created_at: i64,
}

/// A fix (intervention) as stored: the client's area definition as JSON text
/// and the H3 cells it was turned into.
#[derive(Debug, Clone, PartialEq)]
pub struct FixRow {
    /// Database id (ignored when inserting).
    pub id: i64,
    /// What was done.
    pub title: String,
    /// Sector id.
    pub sector: u8,
    /// When it was done, Unix seconds.
    pub done_at: i64,
    /// The area definition, JSON text.
    pub area: String,
    /// Resolution of `cells`.
    pub area_res: u8,
    /// The covering cells, raw H3 bits, ascending.
    pub cells: Vec<u64>,
    /// When it was recorded, Unix seconds.
    pub created_at: i64,
}

/// An API token to store: only its hash.
#[derive(Debug, Clone, PartialEq)]
pub struct NewToken {
    /// Lower-case hex SHA-256 of the token text.
    pub hash: String,
    /// Who or what it is for.
    pub name: Option<String>,
    /// `viewer`, `analyst`, `operator` or `admin`.
    pub role: String,
    /// Comma list of district ids it is limited to; `None` for all.
    pub districts: Option<String>,
    /// Creation time, Unix seconds.
    pub created_at: i64,
}

/// A stored API token (without its hash).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRow {
    /// Database id.
    pub id: i64,
    /// Who or what it is for.
    pub name: Option<String>,
    /// `viewer`, `analyst`, `operator` or `admin`.
    pub role: String,
    /// Comma list of district ids it is limited to; `None` for all.
    pub districts: Option<String>,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// When it was revoked, Unix seconds.
    pub revoked_at: Option<i64>,
}

/// Which appeals a page of whole records holds (Open311 `GET requests.json`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestPage {
    /// Only these ids (none: any).
    pub ids: Vec<i64>,
    /// Only the appeal with this `(source, external_id)`.
    pub key: Option<(String, String)>,
    /// Only this sector id.
    pub sector: Option<u8>,
    /// Created at or after (Unix seconds).
    pub from: Option<i64>,
    /// Created before (Unix seconds).
    pub to: Option<i64>,
    /// Only these status codes.
    pub statuses: Option<Vec<u8>>,
    /// `[west, south, east, north]`; west > east crosses the antimeridian.
    pub bbox: Option<[f64; 4]>,
    /// Rows to skip.
    pub offset: usize,
    /// Rows to return.
    pub limit: usize,
}

/// A whole appeal as a page of requests shows it, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRow {
    /// Database id.
    pub id: i64,
    /// Sector code.
    pub sector: String,
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// Status code.
    pub status: u8,
    /// Resolution time, Unix seconds.
    pub resolved_at: Option<i64>,
    /// Postal address (private).
    pub address: Option<String>,
    /// Complainant's text (private).
    pub text: Option<String>,
    /// Code of the responsible unit, if any.
    pub responsible: Option<String>,
    /// Deadline, Unix seconds.
    pub due_at: Option<i64>,
}

/// A process change (a redesign of how appeals are handled) as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessChangeRow {
    /// Database id (ignored when inserting).
    pub id: i64,
    /// What was changed.
    pub title: String,
    /// When it took effect, Unix seconds.
    pub changed_at: i64,
    /// Scope: only this sector.
    pub sector: Option<u8>,
    /// Scope: only this responsible unit.
    pub responsible: Option<u16>,
    /// Scope: only this district.
    pub district: Option<i64>,
    /// When it was recorded, Unix seconds.
    pub created_at: i64,
}

/// The database behind hexwatch.
#[derive(Debug, Clone)]
pub enum Store {
    /// An embedded SQLite file.
    Sqlite(SqliteStore),
}

impl Store {
    /// Opens (creating if needed) the database at `url` and applies migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(SqliteStore::open(url).await?))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// The sector catalogue.
    pub async fn sectors(&self) -> Result<Vec<Sector>, StoreError> {
        match self {
            Store::Sqlite(s) => s.sectors().await,
        }
    }

    /// Writes a batch in one transaction: inserts new appeals, updates changed
    /// ones, skips exact re-sends. Nothing is written if any statement fails.
    pub async fn write_appeals(&self, appeals: &[Appeal]) -> Result<WriteResult, StoreError> {
        match self {
            Store::Sqlite(s) => s.write_appeals(appeals).await,
        }
    }

    /// Stores a fix with its cells in one transaction that bumps the change
    /// sequence; returns its id and that sequence number.
    pub async fn insert_fix(&self, fix: &FixRow) -> Result<(i64, u64), StoreError> {
        match self {
            Store::Sqlite(s) => s.insert_fix(fix).await,
        }
    }

    /// Every stored fix with its cells, by id.
    pub async fn fixes(&self) -> Result<Vec<FixRow>, StoreError> {
        match self {
            Store::Sqlite(s) => s.fixes().await,
        }
    }

    /// Streams every appeal changed after `seq` (all of them for 0); a catch-up
    /// comes in change order.
    pub fn rows_since(&self, seq: u64) -> BoxStream<'_, Result<IndexRow, StoreError>> {
        match self {
            Store::Sqlite(s) => s.rows_since(seq),
        }
    }

    /// The identity of this database and its current change sequence.
    pub async fn version(&self) -> Result<(String, u64), StoreError> {
        match self {
            Store::Sqlite(s) => s.version().await,
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
        }
    }

    /// Every stored district, by id.
    pub async fn districts(&self) -> Result<Vec<StoredDistrict>, StoreError> {
        match self {
            Store::Sqlite(s) => s.districts().await,
        }
    }

    /// Stores a new token; returns its id.
    pub async fn insert_token(&self, t: &NewToken) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(s) => s.insert_token(t).await,
        }
    }

    /// The token whose hash is `hash`, revoked or not.
    pub async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRow>, StoreError> {
        match self {
            Store::Sqlite(s) => s.token_by_hash(hash).await,
        }
    }

    /// Every token, by id.
    pub async fn tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        match self {
            Store::Sqlite(s) => s.tokens().await,
        }
    }

    /// Revokes a token at `at` (Unix seconds); false when no valid token has that id.
    pub async fn revoke_token(&self, id: i64, at: i64) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.revoke_token(id, at).await,
        }
    }

    /// A page of whole appeals, newest first.
    pub async fn requests(&self, q: &RequestPage) -> Result<Vec<RequestRow>, StoreError> {
        match self {
            Store::Sqlite(s) => s.requests(q).await,
        }
    }

    /// The responsible catalogue.
    pub async fn responsible(&self) -> Result<Vec<Responsible>, StoreError> {
        match self {
            Store::Sqlite(s) => s.responsible().await,
        }
    }

    /// Adds responsible units or renames existing ones (by code), in one
    /// transaction; returns the whole catalogue afterwards.
    pub async fn upsert_responsible(
        &self,
        units: &[Responsible],
    ) -> Result<Vec<Responsible>, StoreError> {
        match self {
            Store::Sqlite(s) => s.upsert_responsible(units).await,
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
        }
    }

    /// Every stored process change, by id.
    pub async fn process_changes(&self) -> Result<Vec<ProcessChangeRow>, StoreError> {
        match self {
            Store::Sqlite(s) => s.process_changes().await,
        }
    }

    /// Number of stored appeals.
    pub async fn count(&self) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.count().await,
        }
    }

    /// Where an index snapshot for this database may be kept, if anywhere.
    pub fn snapshot_path(&self) -> Option<std::path::PathBuf> {
        match self {
            Store::Sqlite(s) => s.snapshot_path(),
        }
    }

    /// Closes the pool, flushing what the database buffers.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close().await,
        }
    }
}
