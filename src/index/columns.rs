//! The columnar appeal layout: one vector per field, 50 bytes per appeal.
//! Aggregation scans these without touching geometry.

use crate::domain::{Status, to_fixed};
use crate::store::IndexRow;

/// Marks "not resolved" in [`Columns::resolve`].
pub const UNRESOLVED: u32 = u32::MAX;

/// Marks "none" in the [`Columns::due`] and [`Columns::first_response`] deltas.
pub const NO_TIME: u32 = u32::MAX;

/// Appeals as parallel columns. Row `i` of every vector is one appeal.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Columns {
    /// Finest (res 15) H3 cell, raw bits.
    pub cell: Vec<u64>,
    /// Latitude, 1e-7 degrees.
    pub lat: Vec<i32>,
    /// Longitude, 1e-7 degrees.
    pub lon: Vec<i32>,
    /// Creation time, Unix seconds.
    pub created: Vec<i64>,
    /// Seconds from creation to resolution, or [`UNRESOLVED`].
    pub resolve: Vec<u32>,
    /// Sector id.
    pub sector: Vec<u8>,
    /// Status code.
    pub status: Vec<u8>,
    /// Source id (index into the index's source names).
    pub source: Vec<u16>,
    /// Database id.
    pub id: Vec<i64>,
    /// Seconds from creation to the deadline, or [`NO_TIME`].
    pub due: Vec<u32>,
    /// Seconds from creation to the first response, or [`NO_TIME`].
    pub first_response: Vec<u32>,
    /// Responsible unit id (0: none).
    pub responsible: Vec<u16>,
}

/// Bytes one appeal takes in [`Columns`].
pub const BYTES_PER_ROW: usize = 8 + 4 + 4 + 8 + 4 + 1 + 1 + 2 + 8 + 4 + 4 + 2;

impl Columns {
    /// Number of appeals.
    pub fn len(&self) -> usize {
        self.cell.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.cell.is_empty()
    }

    /// Reserves room for `n` more appeals.
    pub fn reserve(&mut self, n: usize) {
        self.cell.reserve(n);
        self.lat.reserve(n);
        self.lon.reserve(n);
        self.created.reserve(n);
        self.resolve.reserve(n);
        self.sector.reserve(n);
        self.status.reserve(n);
        self.source.reserve(n);
        self.id.reserve(n);
        self.due.reserve(n);
        self.first_response.reserve(n);
        self.responsible.reserve(n);
    }

    /// Appends one appeal.
    pub fn push(&mut self, row: &IndexRow, source: u16) {
        self.cell.push(row.cell);
        self.lat.push(to_fixed(row.lat));
        self.lon.push(to_fixed(row.lon));
        self.created.push(row.created_at);
        self.resolve
            .push(resolve_secs(row.created_at, row.resolved_at));
        self.sector.push(row.sector);
        self.status.push(row.status.code());
        self.source.push(source);
        self.id.push(row.id);
        self.due.push(delta_secs(row.created_at, row.due_at));
        self.first_response
            .push(delta_secs(row.created_at, row.first_response_at));
        self.responsible.push(row.responsible);
    }

    /// Overwrites the mutable state (status, resolution) of row `i`.
    pub fn set_state(&mut self, i: usize, row: &IndexRow) {
        self.status[i] = row.status.code();
        self.resolve[i] = resolve_secs(self.created[i], row.resolved_at);
        self.due[i] = delta_secs(self.created[i], row.due_at);
        self.first_response[i] = delta_secs(self.created[i], row.first_response_at);
        self.responsible[i] = row.responsible;
    }

    /// Status of row `i`.
    pub fn status_of(&self, i: usize) -> Status {
        Status::from_code(self.status[i])
    }

    /// Resolution time of row `i`, Unix seconds.
    pub fn resolved_at(&self, i: usize) -> Option<i64> {
        let r = self.resolve[i];
        (r != UNRESOLVED).then(|| self.created[i] + i64::from(r))
    }

    /// Heap bytes held by the columns.
    pub fn heap_bytes(&self) -> usize {
        self.cell.capacity() * 8
            + self.lat.capacity() * 4
            + self.lon.capacity() * 4
            + self.created.capacity() * 8
            + self.resolve.capacity() * 4
            + self.sector.capacity()
            + self.status.capacity()
            + self.source.capacity() * 2
            + self.id.capacity() * 8
            + self.due.capacity() * 4
            + self.first_response.capacity() * 4
            + self.responsible.capacity() * 2
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.cell.shrink_to_fit();
        self.lat.shrink_to_fit();
        self.lon.shrink_to_fit();
        self.created.shrink_to_fit();
        self.resolve.shrink_to_fit();
        self.sector.shrink_to_fit();
        self.status.shrink_to_fit();
        self.source.shrink_to_fit();
        self.id.shrink_to_fit();
        self.due.shrink_to_fit();
        self.first_response.shrink_to_fit();
        self.responsible.shrink_to_fit();
    }
}

/// A time as seconds after creation; validation keeps it at or after
/// creation, anything odd from the database is clamped.
fn delta_secs(created: i64, t: Option<i64>) -> u32 {
    t.map_or(NO_TIME, |t| {
        u32::try_from((t - created).max(0)).unwrap_or(NO_TIME - 1)
    })
}

fn resolve_secs(created: i64, resolved: Option<i64>) -> u32 {
    match resolved {
        // Validation guarantees resolved >= created; clamp anything odd from the database.
        Some(r) => u32::try_from((r - created).max(0)).unwrap_or(UNRESOLVED - 1),
        None => UNRESOLVED,
    }
}
