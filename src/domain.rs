//! The vocabulary of hexwatch: appeals, sectors, statuses and the finest H3
//! resolution every appeal is indexed at.

mod responsible;

use h3o::{CellIndex, LatLng, Resolution};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use responsible::{NO_RESPONSIBLE, Responsible, ResponsibleBook, check_code};

/// The resolution each appeal's cell is stored at; coarser cells are its parents.
///
/// Resolution 15 (about 0.9 m² per cell) keeps every map zoom served by a parent
/// and costs the same 8 bytes as any coarser cell.
pub const FINEST_RES: Resolution = Resolution::Fifteen;

/// Lifecycle state of an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Status {
    /// Received, nobody works on it yet.
    New = 0,
    /// Assigned and being worked on.
    InProgress = 1,
    /// Closed with the problem fixed.
    Resolved = 2,
    /// Closed without action (duplicate, out of scope, spam).
    Rejected = 3,
}

impl Status {
    /// All statuses, in code order.
    pub const ALL: [Status; 4] = [
        Status::New,
        Status::InProgress,
        Status::Resolved,
        Status::Rejected,
    ];

    /// The wire name (`new`, `in_progress`, `resolved`, `rejected`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
            Status::Rejected => "rejected",
        }
    }

    /// Parses a wire name; `None` when unknown.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The compact code stored in the database and the index.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The status for a stored code; unknown codes read as `New`.
    pub fn from_code(code: u8) -> Status {
        Status::ALL
            .get(code as usize)
            .copied()
            .unwrap_or(Status::New)
    }
}

/// A sector of the catalogue (roads, housing, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sector {
    /// Dense numeric id, used in the index (fits a byte).
    pub id: u8,
    /// Stable code used on the wire (`roads`).
    pub code: String,
    /// Russian display name.
    pub name_ru: String,
    /// English display name.
    pub name_en: String,
    /// Display colour as `#rrggbb`.
    pub color: String,
}

/// The sector catalogue, looked up by code or id.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    sectors: Vec<Sector>,
    /// Set when the responsible catalogue is strict: only its codes are accepted.
    strict_responsible: Option<Arc<ResponsibleBook>>,
}

impl Catalogue {
    /// Builds a catalogue from stored sectors.
    pub fn new(mut sectors: Vec<Sector>) -> Self {
        sectors.sort_by_key(|s| s.id);
        Catalogue {
            sectors,
            strict_responsible: None,
        }
    }

    /// The same catalogue that accepts only the responsible codes of `book`.
    pub fn with_strict_responsible(mut self, book: Arc<ResponsibleBook>) -> Self {
        self.strict_responsible = Some(book);
        self
    }

    /// The responsible units a strict catalogue accepts (`None`: any code,
    /// new ones are added to the catalogue when written).
    pub fn strict_responsible(&self) -> Option<&ResponsibleBook> {
        self.strict_responsible.as_deref()
    }

    /// All sectors, ordered by id.
    pub fn all(&self) -> &[Sector] {
        &self.sectors
    }

    /// The sector with this code.
    pub fn by_code(&self, code: &str) -> Option<&Sector> {
        self.sectors.iter().find(|s| s.code == code)
    }

    /// The sector with this id.
    pub fn by_id(&self, id: u8) -> Option<&Sector> {
        self.sectors.iter().find(|s| s.id == id)
    }

    /// The code of a sector id, or `"unknown"`.
    pub fn code_of(&self, id: u8) -> &str {
        self.by_id(id).map_or("unknown", |s| s.code.as_str())
    }
}

/// A validated appeal, ready to store and index.
#[derive(Debug, Clone, PartialEq)]
pub struct Appeal {
    /// Channel the appeal came from (`gosuslugi`, `vk`, …).
    pub source: String,
    /// Id unique within the source.
    pub external_id: String,
    /// Sector id from the catalogue.
    pub sector: u8,
    /// Free-text category such as "pothole".
    pub category: Option<String>,
    /// WGS84 latitude in degrees.
    pub lat: f64,
    /// WGS84 longitude in degrees.
    pub lon: f64,
    /// The finest-resolution cell of (lat, lon).
    pub cell: CellIndex,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// Current status.
    pub status: Status,
    /// Resolution time, Unix seconds.
    pub resolved_at: Option<i64>,
    /// Code of the unit in charge.
    pub responsible: Option<String>,
    /// Deadline, Unix seconds.
    pub due_at: Option<i64>,
    /// First answer to the citizen, Unix seconds.
    pub first_response_at: Option<i64>,
    /// Postal address (private).
    pub address: Option<String>,
    /// Complainant's text (private: personal data).
    pub text: Option<String>,
}

/// The finest cell of a point; `None` for invalid coordinates.
pub fn cell_of(lat: f64, lon: f64) -> Option<CellIndex> {
    LatLng::new(lat, lon).ok().map(|ll| ll.to_cell(FINEST_RES))
}

/// Coordinates in the index are fixed-point with this many units per degree
/// (1e-7°, about 1 cm), so a point takes 8 bytes and compares as integers.
pub const COORD_SCALE: f64 = 1e7;

/// Degrees to the index's fixed-point units.
pub fn to_fixed(deg: f64) -> i32 {
    (deg * COORD_SCALE).round() as i32
}

/// The index's fixed-point units to degrees.
pub fn from_fixed(v: i32) -> f64 {
    f64::from(v) / COORD_SCALE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_through_code_and_name() {
        for st in Status::ALL {
            assert_eq!(Status::from_code(st.code()), st);
            assert_eq!(Status::parse(st.as_str()), Some(st));
        }
        assert_eq!(Status::parse("done"), None);
    }

    #[test]
    fn fixed_point_keeps_centimetres() {
        for deg in [
            -180.0,
            -179.999_999_9,
            0.0,
            55.755_826,
            179.999_999_9,
            180.0,
        ] {
            assert!((from_fixed(to_fixed(deg)) - deg).abs() < 1e-7);
        }
    }
}
