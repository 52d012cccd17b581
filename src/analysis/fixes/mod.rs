//! Fixes (interventions) and their effect on the appeals around them.
//!
//! * [`area`]: a fix's area as H3 cells at [`AREA_RES`];
//! * [`ring`]: the control ring around it;
//! * [`polygon`]: GeoJSON polygons checked position by position;
//! * [`input`]: the `POST /api/v1/fixes` body, validated field by field;
//! * [`count`]: appeals of the fix's sector in the area and the ring, before
//!   and after its date, clipped to the data's time span;
//! * [`effect`]: rates per 30 days, the exact rate test, the change relative
//!   to the ring and displacement;
//! * [`verdict`]: the verdict rules and their documented thresholds;
//! * [`outline`]: the area's cells dissolved into a polygon;
//! * [`book`]: the fixes in memory, loaded at start and kept in step with
//!   the database.

pub mod area;
pub mod book;
pub mod count;
pub mod district;
pub mod effect;
pub mod input;
pub mod outline;
pub mod polygon;
pub mod ring;
pub mod verdict;

pub use area::{AREA_RES, AreaDef, RING_K};
pub use book::FixBook;
pub use effect::{Effect, effect};
pub use verdict::Verdict;

use crate::store::FixRow;
use h3o::{CellIndex, Resolution};

/// A recorded fix with its area's cells and control ring.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// Database id.
    pub id: i64,
    /// What was done.
    pub title: String,
    /// Sector id.
    pub sector: u8,
    /// When it was done, Unix seconds.
    pub done_at: i64,
    /// When it was recorded, Unix seconds.
    pub created_at: i64,
    /// The area as defined by the client.
    pub area: AreaDef,
    /// Resolution of `cells` and `ring`.
    pub res: Resolution,
    /// The area's cells, raw, ascending.
    pub cells: Vec<u64>,
    /// The control ring's cells, raw, ascending.
    pub ring: Vec<u64>,
    /// `[lon, lat]`: the circle's centre, or the mean of the cell centres.
    pub center: [f64; 2],
    /// The area's cells dissolved into one outline (lon/lat).
    pub outline: geo::MultiPolygon<f64>,
}

impl Fix {
    /// A fix from its stored row; the ring is derived from the stored cells
    /// at the stored resolution, so a fix is judged on the area it was given.
    pub fn from_row(row: FixRow) -> Result<Fix, String> {
        let area: AreaDef = serde_json::from_str(&row.area)
            .map_err(|e| format!("fix {}: area is not readable: {e}", row.id))?;
        let res = Resolution::try_from(row.area_res)
            .map_err(|_| format!("fix {}: area_res {}", row.id, row.area_res))?;
        let mut cells = row.cells;
        cells.sort_unstable();
        cells.dedup();
        let ring = ring::ring(&cells, RING_K);
        let outline = outline::dissolve(&cells);
        let center = match &area {
            AreaDef::Circle { lat, lon, .. } => Some([*lon, *lat]),
            _ => area::center_of(&cells),
        }
        .ok_or_else(|| format!("fix {}: no valid cell", row.id))?;
        Ok(Fix {
            id: row.id,
            title: row.title,
            sector: row.sector,
            done_at: row.done_at,
            created_at: row.created_at,
            area,
            res,
            cells,
            ring,
            center,
            outline,
        })
    }

    /// True when the fix's area lies in or contains `cell` (any resolution).
    pub fn touches(&self, cell: CellIndex) -> bool {
        area::touches(&self.cells, self.res, cell)
    }
}
