//! Tile coordinates (`z/x/y`, XYZ scheme) and the Web Mercator projection.
//!
//! Positions go through three frames: longitude/latitude in degrees; *world*
//! units, where the whole Web Mercator square is `[0, 1]²` (x east, y south);
//! and *tile* units of one tile, `[0, EXTENT]²` plus a buffer.

use super::TileError;

/// Finest zoom a request may ask for.
pub const MAX_ZOOM: u8 = 24;
/// Tile units per tile side (MVT's default extent).
pub const EXTENT: u32 = 4096;
/// Tile units drawn beyond each tile edge, so strokes and symbols at the edge
/// are not cut off; geometry is clipped to `[-BUFFER, EXTENT + BUFFER]`.
pub const BUFFER: u32 = 64;
/// The latitude where Web Mercator's square ends (`atan(sinh(π))`).
pub const MAX_LAT: f64 = 85.051_128_779_806_59;

/// A validated tile address: `z ≤ MAX_ZOOM`, `x, y < 2^z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileCoord {
    z: u8,
    x: u32,
    y: u32,
}

impl TileCoord {
    /// Checks the ranges.
    pub fn new(z: u32, x: u32, y: u32) -> Result<Self, TileError> {
        if z > u32::from(MAX_ZOOM) {
            return Err(TileError::OutOfRange {
                field: "z",
                value: u64::from(z),
                max: u64::from(MAX_ZOOM),
            });
        }
        let n = 1u64 << z;
        for (field, v) in [("x", x), ("y", y)] {
            if u64::from(v) >= n {
                return Err(TileError::OutOfRange {
                    field,
                    value: u64::from(v),
                    max: n - 1,
                });
            }
        }
        Ok(TileCoord { z: z as u8, x, y })
    }

    /// Parses the three path segments, naming the one at fault.
    pub fn parse(z: &str, x: &str, y: &str) -> Result<Self, TileError> {
        let num = |field: &'static str, s: &str| {
            // Digits only: no sign, no spaces, no fractions; at most 10 of them.
            if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(TileError::NotANumber {
                    field,
                    value: s.chars().take(40).collect(),
                });
            }
            s.parse::<u64>()
                .map_err(|_| TileError::NotANumber {
                    field,
                    value: s.to_owned(),
                })
                .and_then(|v| {
                    u32::try_from(v).map_err(|_| TileError::OutOfRange {
                        field,
                        value: v,
                        max: u64::from(u32::MAX),
                    })
                })
        };
        TileCoord::new(num("z", z)?, num("x", x)?, num("y", y)?)
    }

    /// Zoom level.
    pub fn z(self) -> u8 {
        self.z
    }

    /// Column, west to east.
    pub fn x(self) -> u32 {
        self.x
    }

    /// Row, north to south.
    pub fn y(self) -> u32 {
        self.y
    }

    /// Tiles per side of the world at this zoom.
    pub fn tiles_per_side(self) -> f64 {
        f64::from(1u32 << self.z)
    }

    /// World units → this tile's units (before clipping).
    #[inline]
    pub fn to_tile(self, world: [f64; 2]) -> [f64; 2] {
        let n = self.tiles_per_side();
        let e = f64::from(EXTENT);
        [
            (world[0] * n - f64::from(self.x)) * e,
            (world[1] * n - f64::from(self.y)) * e,
        ]
    }

    /// The tile grown by `buffer` tile units on each side, as
    /// `(west, south, east, north)` in degrees. West may be below -180 and east
    /// above 180 at the edges of the world; latitudes are clamped to ±90, and
    /// a tile touching the top (bottom) of the square reaches the pole.
    pub fn lon_lat_bounds(self, buffer: f64) -> (f64, f64, f64, f64) {
        let n = self.tiles_per_side();
        let b = buffer / f64::from(EXTENT);
        let west = lon_of((f64::from(self.x) - b) / n);
        let east = lon_of((f64::from(self.x) + 1.0 + b) / n);
        let north = if self.y == 0 {
            90.0
        } else {
            lat_of((f64::from(self.y) - b) / n)
        };
        let south = if f64::from(self.y) + 1.0 >= n {
            -90.0
        } else {
            lat_of((f64::from(self.y) + 1.0 + b) / n)
        };
        (west, south, east, north)
    }
}

impl std::fmt::Display for TileCoord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// Longitude (any, not wrapped) → world x.
#[inline]
pub fn world_x(lon: f64) -> f64 {
    (lon + 180.0) / 360.0
}

/// Latitude → world y; beyond ±`MAX_LAT` it sticks to the square's edge.
#[inline]
pub fn world_y(lat: f64) -> f64 {
    let s = lat.clamp(-MAX_LAT, MAX_LAT).to_radians().sin();
    (0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * std::f64::consts::PI)).clamp(0.0, 1.0)
}

/// World x → longitude (not wrapped).
#[inline]
pub fn lon_of(wx: f64) -> f64 {
    wx * 360.0 - 180.0
}

/// World y → latitude.
#[inline]
pub fn lat_of(wy: f64) -> f64 {
    let t = std::f64::consts::PI * (1.0 - 2.0 * wy);
    t.sinh().atan().to_degrees()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks_ranges() {
        assert_eq!(
            TileCoord::parse("0", "0", "0").map(|t| (t.z(), t.x(), t.y())),
            Ok((0, 0, 0))
        );
        assert!(TileCoord::parse("24", "16777215", "16777215").is_ok());
        for (z, x, y, field) in [
            ("25", "0", "0", "z"),
            ("1", "2", "0", "x"),
            ("1", "0", "2", "y"),
            ("a", "0", "0", "z"),
            ("1", "-1", "0", "x"),
            ("1", "0", "1.0", "y"),
            ("1", "0", "", "y"),
            ("1", " 0", "0", "x"),
            ("99999999999", "0", "0", "z"),
            ("4294967296", "0", "0", "z"),
        ] {
            let e = TileCoord::parse(z, x, y).expect_err(z);
            assert_eq!(e.field(), Some(field), "{z}/{x}/{y}: {e}");
        }
    }

    #[test]
    fn projection_round_trips_and_matches_known_values() {
        assert!((world_y(0.0) - 0.5).abs() < 1e-15);
        assert!(world_y(MAX_LAT).abs() < 1e-12);
        assert!((world_y(-MAX_LAT) - 1.0).abs() < 1e-12);
        assert_eq!(world_y(90.0), 0.0);
        for lat in [-80.0, -33.9, 0.0, 12.5, 55.75, 64.7] {
            assert!((lat_of(world_y(lat)) - lat).abs() < 1e-9, "{lat}");
        }
        // Moscow's z 10 tile, as every slippy-map tool names it.
        let t = TileCoord::new(10, 619, 320).expect("tile");
        let p = t.to_tile([world_x(37.6173), world_y(55.7558)]);
        assert!((0.0..4096.0).contains(&p[0]) && (0.0..4096.0).contains(&p[1]));
    }

    #[test]
    fn bounds_reach_the_poles_at_the_edges() {
        let (w, s, e, n) = TileCoord::new(0, 0, 0).expect("t").lon_lat_bounds(0.0);
        assert_eq!((w, s, e, n), (-180.0, -90.0, 180.0, 90.0));
        let (w, _, e, n) = TileCoord::new(1, 1, 0).expect("t").lon_lat_bounds(64.0);
        assert!(w < 0.0 && e > 180.0 && n == 90.0);
    }
}
