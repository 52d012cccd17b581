//! Finished analyses by everything that shapes them, data version included.
//!
//! Gi* needs the whole study area, so a map tile cannot be analysed on its
//! own: the analysis runs once per (res, k, period, α, filters, data version)
//! and every tile (and page of the list) of that query reads the cached
//! result. A write bumps the data version, so stale results are never
//! served; the first result stored under a newer version drops older ones.

use super::{HotspotError, Hotspots};
use crate::aggregate::Period;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

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
    /// The bbox as bits (`None` for none).
    pub bbox: Option<[u64; 4]>,
    /// Sector set.
    pub sectors: Option<[u64; 4]>,
    /// Created at or after.
    pub from: Option<i64>,
    /// Created before.
    pub to: Option<i64>,
    /// District id.
    pub district: Option<i64>,
    /// Data version.
    pub seq: u64,
}

/// A small shared cache of results, bounded in bytes.
#[derive(Clone)]
pub struct HotspotCache {
    cache: moka::sync::Cache<HotspotKey, Arc<Hotspots>>,
    newest: Arc<AtomicU64>,
}

impl std::fmt::Debug for HotspotCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HotspotCache")
            .field("entries", &self.cache.entry_count())
            .finish()
    }
}

impl HotspotCache {
    /// A cache of about `max_bytes`.
    pub fn new(max_bytes: u64) -> Self {
        let cache = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|_k: &HotspotKey, v: &Arc<Hotspots>| {
                u32::try_from(v.weight() + 256).unwrap_or(u32::MAX)
            })
            .build();
        HotspotCache {
            cache,
            newest: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The result under `key`, computing it with `make` when missing;
    /// concurrent requests for one key wait for one computation.
    pub fn get_or_compute(
        &self,
        key: HotspotKey,
        make: impl FnOnce() -> Result<Hotspots, HotspotError>,
    ) -> Result<Arc<Hotspots>, HotspotError> {
        if let Some(h) = self.cache.get(&key) {
            return Ok(h);
        }
        let before = self.newest.fetch_max(key.seq, Ordering::AcqRel);
        if key.seq > before {
            self.cache.invalidate_all();
        }
        if key.seq < before {
            // An old version: answer it without keeping it.
            return make().map(Arc::new);
        }
        self.cache
            .try_get_with(key, || make().map(Arc::new))
            .map_err(|e| (*e).clone())
    }
}
