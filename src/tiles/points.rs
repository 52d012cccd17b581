//! The point layer `appeals`: one point per appeal, from zoom
//! [`APPEALS_MIN_ZOOM`].
//!
//! An appeal point carries only `sector`, `status` and `created_at` (RFC 3339
//! in the region's zone): never its text, address, source or ids, which are
//! personal data or lead to them.

use super::coord::{BUFFER, EXTENT, TileCoord, world_x, world_y};
use super::{Encoded, Layer, TileError};
use crate::domain::{Catalogue, Status, from_fixed};
use crate::index::{BBox, Data, Filter};
use chrono::SecondsFormat;
use chrono_tz::Tz;
use fast_mvt::{MvtGeomType, MvtLayerBuilder, MvtValueRef};

/// Appeals are drawn one by one from this zoom on (a city block per tile).
pub const APPEALS_MIN_ZOOM: u8 = 13;

/// What an appeal tile shows.
#[derive(Debug, Clone)]
pub struct AppealQuery {
    /// The tile.
    pub tile: TileCoord,
    /// Sector and time conditions (its `bbox` is replaced by the tile's).
    pub filter: Filter,
    /// Most points a tile may hold.
    pub cap: usize,
    /// Zone `created_at` is written in.
    pub tz: Tz,
}

/// The appeals inside the buffered tile as points; an empty layer below
/// [`APPEALS_MIN_ZOOM`].
pub fn appeal_tile(data: &Data, cat: &Catalogue, q: &AppealQuery) -> Result<Encoded, TileError> {
    let mut layer = MvtLayerBuilder::new(Layer::Appeals.name())?;
    if q.tile.z() < APPEALS_MIN_ZOOM {
        return Ok(Encoded {
            bytes: layer.encode(),
            features: 0,
        });
    }
    let filter = Filter {
        bbox: Some(buffered_box(q.tile)),
        ..q.filter.clone()
    };
    let mut rows: Vec<(usize, [i32; 2])> = Vec::new();
    let mut too_many = false;
    data.visit(&filter, |c, i, part| {
        if too_many {
            return;
        }
        if rows.len() >= q.cap {
            too_many = true;
            return;
        }
        let wx = world_x(from_fixed(c.lon[i]));
        let wy = world_y(from_fixed(c.lat[i]));
        if let Some(p) = place(q.tile, wx, wy) {
            // Base rows are addressed by position; delta rows after all of them.
            let at = match part {
                crate::index::Part::Base => i,
                crate::index::Part::Delta => data.base.len() + i,
            };
            rows.push((at, p));
        }
    });
    if too_many {
        return Err(TileError::TooManyFeatures { cap: q.cap });
    }
    let delta = data.delta.columns();
    let mut stamp = String::with_capacity(32);
    for &(at, [x, y]) in &rows {
        let (cols, i) = if at < data.base.len() {
            (&data.base, at)
        } else {
            (delta, at - data.base.len())
        };
        let mut f = layer.feature_of(MvtGeomType::Point);
        f.points([geo::Coord { x, y }])?;
        f.tag_ref("sector", MvtValueRef::String(cat.code_of(cols.sector[i])))?;
        f.tag_ref(
            "status",
            MvtValueRef::String(Status::from_code(cols.status[i]).as_str()),
        )?;
        stamp.clear();
        if let Some(t) = chrono::DateTime::from_timestamp(cols.created[i], 0) {
            stamp.push_str(
                &t.with_timezone(&q.tz)
                    .to_rfc3339_opts(SecondsFormat::Secs, true),
            );
        }
        f.tag_ref("created_at", MvtValueRef::String(&stamp))?;
        layer = f.end();
    }
    Ok(Encoded {
        bytes: layer.encode(),
        features: rows.len(),
    })
}

/// The tile with its buffer as a lon/lat box (wrapping across ±180 at the
/// world's east and west edges).
pub fn buffered_box(tile: TileCoord) -> BBox {
    let (west, south, east, north) = tile.lon_lat_bounds(f64::from(BUFFER));
    let (mut min_lon, mut max_lon) = (west, east);
    if east - west >= 360.0 {
        (min_lon, max_lon) = (-180.0, 180.0);
    } else if west < -180.0 {
        min_lon = west + 360.0;
    } else if east > 180.0 {
        max_lon = east - 360.0;
    }
    BBox {
        min_lon,
        min_lat: south,
        max_lon,
        max_lat: north,
    }
}

/// A world position in tile units, taking the copy one world east or west
/// when that is the one inside the buffered tile.
fn place(tile: TileCoord, wx: f64, wy: f64) -> Option<[i32; 2]> {
    let (lo, hi) = (-f64::from(BUFFER), f64::from(EXTENT + BUFFER));
    [0.0, -1.0, 1.0].into_iter().find_map(|shift| {
        let [x, y] = tile.to_tile([wx + shift, wy]);
        let (x, y) = (x.round(), y.round());
        ((lo..=hi).contains(&x) && (lo..=hi).contains(&y)).then_some([x as i32, y as i32])
    })
}
