//! Mapbox Vector Tiles (MVT 2.1) of the index, and their TileJSON; nothing
//! here knows HTTP (that is `api::tiles`).
//!
//! * [`coord`]: tile addresses and the Web Mercator projection;
//! * [`zoom`]: which H3 resolution each zoom shows (the table is there);
//! * [`select`]: which appeals a tile must read so that every cell meeting it
//!   carries its full count;
//! * [`outline`]: cell outlines projected once and cached, antimeridian and
//!   polar cells included;
//! * [`clip`]: clipping rings to the buffered tile and snapping to integers;
//! * [`hexagons`], [`points`], [`fixes`]: the `hexagons`, `appeals` and `fixes` layers;
//! * [`hotspots`]: the `hotspots` layer, drawn from a finished analysis;
//! * [`cache`]: encoded tiles by layer, address, filters and data version;
//! * [`tilejson`]: TileJSON 3.0.0 documents and the source catalogue.
//!
//! Encoding uses `fast-mvt` (integer tile coordinates, rewinds each ring to
//! the MVT winding of its role); projection and clipping are ours.

pub mod cache;
pub mod cellhash;
pub mod change;
pub mod clip;
pub mod compressed;
pub mod coord;
pub mod fixes;
pub mod hexagons;
pub mod hexlayer;
pub mod hotspots;
pub mod outline;
pub mod points;
pub mod select;
pub mod tilejson;
pub mod zoom;

pub use cache::{TileCache, TileKey};
pub use coord::{BUFFER, EXTENT, MAX_ZOOM, TileCoord};
pub use outline::OutlineCache;

/// The layers (and tile sources) served; each tile holds one layer of the
/// same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// H3 cells with counts.
    Hexagons,
    /// Individual appeals as points (high zooms only).
    Appeals,
    /// Interventions (fixes).
    Fixes,
    /// Cells with their Gi* z-score and emerging hot-spot class.
    Hotspots,
    /// Cells with their counts in two periods and the difference.
    Change,
}

impl Layer {
    /// Every layer, in catalogue order.
    pub const ALL: [Layer; 5] = [
        Layer::Hexagons,
        Layer::Appeals,
        Layer::Fixes,
        Layer::Hotspots,
        Layer::Change,
    ];

    /// The name used in URLs and as the MVT layer name.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Hexagons => "hexagons",
            Layer::Appeals => "appeals",
            Layer::Fixes => "fixes",
            Layer::Hotspots => "hotspots",
            Layer::Change => "change",
        }
    }

    /// Parses a layer name.
    pub fn parse(s: &str) -> Result<Layer, TileError> {
        Layer::ALL
            .into_iter()
            .find(|l| l.name() == s)
            .ok_or_else(|| TileError::UnknownLayer(s.chars().take(40).collect()))
    }
}

/// An encoded tile.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    /// MVT bytes (uncompressed protobuf).
    pub bytes: Vec<u8>,
    /// Features in the tile's layer.
    pub features: usize,
}

/// Why a tile cannot be made; each names the request part at fault.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TileError {
    /// A path segment that is not a plain whole number.
    #[error("{field} must be a whole number, got {value:?}")]
    NotANumber {
        /// `z`, `x` or `y`.
        field: &'static str,
        /// What was sent (shortened).
        value: String,
    },
    /// A zoom or column/row beyond its range.
    #[error("{field} = {value} is out of range 0–{max}")]
    OutOfRange {
        /// `z`, `x` or `y`.
        field: &'static str,
        /// What was sent.
        value: u64,
        /// The largest allowed value.
        max: u64,
    },
    /// A tile path not ending in `.mvt`.
    #[error("tile paths end in {{y}}.mvt, got {0:?}")]
    NotMvt(String),
    /// A layer name that does not exist.
    #[error("unknown tile layer {0:?}; known: hexagons, appeals, fixes, hotspots, change")]
    UnknownLayer(String),
    /// A `res` override so fine that the tile would hold too many cells.
    #[error("res {res} is too fine for zoom {z}: at most {max} there (zoom in for finer cells)")]
    ResTooFine {
        /// Requested resolution.
        res: u8,
        /// The tile's zoom.
        z: u8,
        /// The finest allowed at that zoom.
        max: u8,
    },
    /// A query parameter that tiles do not take.
    #[error("tiles are addressed by z/x/y; {0} does not apply")]
    NotForTiles(&'static str),
    /// More features than the server's cap (`--max-cells`).
    #[error("the tile would hold more than {cap} features; zoom in or filter")]
    TooManyFeatures {
        /// The cap that was hit.
        cap: usize,
    },
    /// The encoder refused the data (a bug, not a client error).
    #[error("could not encode the tile: {0}")]
    Encode(String),
}

impl TileError {
    /// The request part at fault, for the API's error shape.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            TileError::NotANumber { field, .. } | TileError::OutOfRange { field, .. } => {
                Some(field)
            }
            TileError::NotMvt(_) => Some("y"),
            TileError::UnknownLayer(_) => Some("layer"),
            TileError::ResTooFine { .. } => Some("res"),
            TileError::TooManyFeatures { .. } => Some("z"),
            TileError::NotForTiles(p) => Some(p),
            TileError::Encode(_) => None,
        }
    }
}

impl From<fast_mvt::MvtError> for TileError {
    fn from(e: fast_mvt::MvtError) -> Self {
        TileError::Encode(e.to_string())
    }
}

/// Splits `"{y}.mvt"` into the row text.
pub fn strip_mvt(y: &str) -> Result<&str, TileError> {
    y.strip_suffix(".mvt")
        .ok_or_else(|| TileError::NotMvt(y.chars().take(40).collect()))
}

#[cfg(test)]
mod tests;
