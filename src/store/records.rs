//! The records the store reads and writes, as the rest of hexwatch sees
//! them (no SQL types).

use super::Outcome;
use crate::domain::{Appeal, Status};

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
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
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

/// Everything other writers changed after a sequence number, read from one
/// consistent snapshot of the database.
#[derive(Debug, Default)]
pub struct Changes {
    /// The change sequence the snapshot includes, completely.
    pub seq: u64,
    /// Appeals changed after the asked-for sequence, in change order.
    pub rows: Vec<IndexRow>,
    /// Districts with an id above the asked-for one.
    pub districts: Vec<StoredDistrict>,
    /// Fixes with an id above the asked-for one.
    pub fixes: Vec<FixRow>,
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
