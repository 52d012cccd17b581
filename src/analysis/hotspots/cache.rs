//! Finished analyses by everything that shapes them, data version included.
//!
//! Gi* needs the whole study area, so a map tile cannot be analysed on its
//! own: the analysis runs once per (res, k, period, α, filters, data version)
//! and every tile (and page of the list) of that query reads the cached
//! result. A write bumps the data version, so stale results are never
//! served; the first result stored under a newer version drops older ones.

use super::Hotspots;
use crate::aggregate::Period;
use crate::analysis::versioned::{VersionCache, Versioned};
use crate::index::FilterKey;

/// Everything a result depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HotspotKey {
    /// H3 resolution.
    pub res: u8,
    /// Neighbourhood radius.
    pub k: u32,
    /// Period length.
    pub period: Period,
    /// α as bits.
    pub alpha_bits: u64,
    /// The filter.
    pub filter: FilterKey,
    /// Data version.
    pub seq: u64,
}

impl Versioned for HotspotKey {
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// Finished analyses, shared by the list and the tiles.
pub type HotspotCache = VersionCache<HotspotKey, Hotspots>;
