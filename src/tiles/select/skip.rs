//! Jumping over cells far from a tile's read box.
//!
//! The rows a tile reads come from a coarse cover, and three in four of them
//! lie outside its read box: walking those cell by cell was most of a city
//! tile's counting (a load of the cell column per finest cell). An appeal
//! far enough from the box says that its whole ancestor at some coarser
//! resolution misses the box too — every descendant of a cell lies within a
//! few of its edge lengths of any other — so the walk jumps to that
//! ancestor's last row at once.

use crate::domain::from_fixed;
use crate::index::BBox;
use h3o::Resolution;

/// Edge lengths an appeal must be away from the box for its ancestor's rows
/// to be skipped: a cell spans two edges, H3 edges vary ~1.4× around their
/// average, children stick out of their parent a little; twice that.
const EDGES_AWAY: f64 = 6.0;

/// The coarsest ancestor resolution ever skipped by: its edges (59 km at
/// res 3) stay small enough for distances along parallels to be close to
/// great-circle ones.
const COARSEST: u8 = 3;

/// Kilometres per degree of latitude, at their smallest (the equator).
const KM_PER_LAT: f64 = 110.57;

/// Latitudes beyond which nothing is skipped (parallels shrink too fast).
const POLAR_LAT: f64 = 80.0;

/// A read box, ready to tell how far outside it an appeal lies.
#[derive(Debug, Clone, Copy)]
pub struct Skip {
    bbox: BBox,
    /// Kilometres per degree of longitude at `lat_ref`, the poleward edge
    /// of the box plus a margin: no more than anywhere nearer the equator.
    km_per_lon: f64,
    lat_ref: f64,
    /// `EDGES_AWAY` average edges of each resolution, in kilometres.
    away_km: [f64; 16],
}

impl Skip {
    /// The skipper of `bbox`; `None` for boxes across the antimeridian or
    /// near a pole (those walk every cell).
    pub fn new(bbox: &BBox) -> Option<Self> {
        let poleward = bbox.min_lat.abs().max(bbox.max_lat.abs());
        if bbox.min_lon > bbox.max_lon || poleward > POLAR_LAT - 5.0 {
            return None;
        }
        let lat_ref = poleward + 5.0;
        let mut away_km = [f64::INFINITY; 16];
        for (r, a) in away_km.iter_mut().enumerate() {
            if let Ok(res) = Resolution::try_from(r as u8) {
                *a = EDGES_AWAY * res.edge_length_km();
            }
        }
        Some(Skip {
            bbox: *bbox,
            km_per_lon: 111.32 * lat_ref.to_radians().cos(),
            lat_ref,
            away_km,
        })
    }

    /// A lower bound of the distance (km) from the appeal at fixed-point
    /// `lat`, `lon` to the box.
    fn km_outside(&self, lat: i32, lon: i32) -> f64 {
        let (lat, lon) = (from_fixed(lat), from_fixed(lon));
        let b = &self.bbox;
        let dlat = (b.min_lat - lat).max(lat - b.max_lat).max(0.0) * KM_PER_LAT;
        if lat.abs() > self.lat_ref {
            return dlat;
        }
        let dlon = (b.min_lon - lon).max(lon - b.max_lon).max(0.0) * self.km_per_lon;
        dlat.max(dlon)
    }

    /// The coarsest resolution, coarser than `res`, whose cell holding the
    /// appeal at `lat`, `lon` lies wholly outside the box; `None` when none.
    pub fn level(&self, lat: i32, lon: i32, res: u8) -> Option<u8> {
        let far = self.km_outside(lat, lon);
        (COARSEST..res).find(|&l| self.away_km[usize::from(l)] < far)
    }
}
