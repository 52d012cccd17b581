//! Which appeals a query wants: box, sectors, time range and district.

use super::{BBox, Columns};
use crate::districts::DistrictMask;
use std::sync::Arc;

/// Which appeals a query wants. All conditions must hold.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only points in this box.
    pub bbox: Option<BBox>,
    /// Only these sector ids (a 256-bit set); `None` for all.
    pub sectors: Option<[u64; 4]>,
    /// Created at or after (Unix seconds).
    pub from: Option<i64>,
    /// Created before (Unix seconds).
    pub to: Option<i64>,
    /// Only appeals belonging to this district (see [`crate::districts::mask`]).
    pub district: Option<Arc<DistrictMask>>,
}

/// A [`Filter`] as a hashable key: the box as bits, the district by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilterKey {
    /// The box's edges as bits.
    pub bbox: Option<[u64; 4]>,
    /// Sector set.
    pub sectors: Option<[u64; 4]>,
    /// Created at or after.
    pub from: Option<i64>,
    /// Created before.
    pub to: Option<i64>,
    /// District id.
    pub district: Option<i64>,
}

impl Filter {
    /// This filter as a cache key.
    pub fn key(&self) -> FilterKey {
        FilterKey {
            bbox: self
                .bbox
                .map(|b| [b.min_lon, b.min_lat, b.max_lon, b.max_lat].map(f64::to_bits)),
            sectors: self.sectors,
            from: self.from,
            to: self.to,
            district: self.district.as_ref().map(|d| d.id),
        }
    }

    /// A sector set holding these ids.
    pub fn sector_set(ids: impl IntoIterator<Item = u8>) -> [u64; 4] {
        let mut set = [0u64; 4];
        for id in ids {
            set[usize::from(id / 64)] |= 1 << (id % 64);
        }
        set
    }

    /// True when row `i` of `c` passes the sector, time and district
    /// conditions (everything but the box).
    #[inline]
    pub fn keeps(&self, c: &Columns, i: usize) -> bool {
        if let Some(set) = &self.sectors {
            let s = c.sector[i];
            if set[usize::from(s / 64)] & (1 << (s % 64)) == 0 {
                return false;
            }
        }
        self.time_ok(c.created[i]) && self.place_ok(c, i)
    }

    /// True when row `i` of `c` belongs to the filter's district (or there is none).
    #[inline]
    pub fn place_ok(&self, c: &Columns, i: usize) -> bool {
        self.district
            .as_ref()
            .is_none_or(|d| d.keeps(c.cell[i], c.lat[i], c.lon[i]))
    }

    /// True when a creation time is within `[from, to)`.
    #[inline]
    pub fn time_ok(&self, t: i64) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|to| t < to)
    }
}
