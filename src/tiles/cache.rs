//! Encoded tiles kept in memory, bounded in bytes, keyed by everything that
//! shapes a tile: layer, address, resolution, filters and the data version.
//! A write bumps the version, so older tiles are never served again; the
//! first tile stored under a newer version also drops the older ones at once
//! instead of waiting for them to age out.

use super::{Layer, TileCoord};
use crate::analysis::resolution::Metric;
use bytes::Bytes;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// Bump when the bytes of a tile change for the same data (new properties,
/// another encoder), so clients' ETags stop matching.
pub const FORMAT_VERSION: u32 = 1;

/// Everything a tile's bytes depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileKey {
    /// Which layer.
    pub layer: Layer,
    /// Which tile.
    pub tile: TileCoord,
    /// Cell resolution (hexagons; 0 for the other layers).
    pub res: u8,
    /// Sector set, `None` for all.
    pub sectors: Option<[u64; 4]>,
    /// Created at or after.
    pub from: Option<i64>,
    /// Created before.
    pub to: Option<i64>,
    /// District id (districts never change once stored; adding one bumps `seq`).
    pub district: Option<i64>,
    /// Data version (the index's change sequence number).
    pub seq: u64,
    /// A digest of the layer's own parameters (hotspots: period, k, α);
    /// 0 for layers without any.
    pub extra: u64,
    /// What a hexagon cell's `value` holds (`Count` for the other layers).
    pub metric: Metric,
    /// Cells with fewer appeals are left out (k-anonymity; 0: none), so
    /// callers under different rules never share a tile.
    pub min_count: u32,
}

impl TileKey {
    /// A 64-bit digest of the key and `salt` (the database's identity), for an
    /// ETag: equal digests mean equal tile bytes.
    pub fn digest(&self, salt: &str) -> u64 {
        // `DefaultHasher::new` has fixed keys: stable across processes and
        // restarts of one build, so instances and a restarted server agree.
        let mut h = std::hash::DefaultHasher::new();
        FORMAT_VERSION.hash(&mut h);
        salt.hash(&mut h);
        self.hash(&mut h);
        h.finish()
    }
}

/// The tile cache; cheap to clone (shared).
#[derive(Clone)]
pub struct TileCache {
    cache: Option<moka::sync::Cache<TileKey, Bytes>>,
    newest: std::sync::Arc<AtomicU64>,
}

impl std::fmt::Debug for TileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileCache")
            .field("entries", &self.cache.as_ref().map(|c| c.entry_count()))
            .finish()
    }
}

impl TileCache {
    /// A cache of about `max_bytes` of tiles; 0 turns caching off.
    pub fn new(max_bytes: u64) -> Self {
        let cache = (max_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|_k: &TileKey, v: &Bytes| u32::try_from(v.len() + 96).unwrap_or(u32::MAX))
                .build()
        });
        TileCache {
            cache,
            newest: std::sync::Arc::new(AtomicU64::new(0)),
        }
    }

    /// The tile stored under `key`.
    pub fn get(&self, key: &TileKey) -> Option<Bytes> {
        self.cache.as_ref()?.get(key)
    }

    /// Stores a tile; a key newer than every stored one drops the older data
    /// versions first.
    pub fn insert(&self, key: TileKey, bytes: Bytes) {
        let Some(cache) = &self.cache else { return };
        let before = self.newest.fetch_max(key.seq, Ordering::AcqRel);
        if key.seq > before {
            cache.invalidate_all();
        }
        if key.seq >= before {
            cache.insert(key, bytes);
        }
    }

    /// Tiles held (approximate; moka counts lazily).
    pub fn len(&self) -> u64 {
        self.cache.as_ref().map_or(0, |c| {
            c.run_pending_tasks();
            c.entry_count()
        })
    }

    /// True when no tile is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A fixed hexagon tile's key at data version `seq`, for tests of the stores.
#[cfg(test)]
pub(crate) fn test_key(seq: u64) -> TileKey {
    TileKey {
        layer: Layer::Hexagons,
        tile: TileCoord::new(3, 1, 2).expect("tile"),
        res: 3,
        sectors: None,
        from: None,
        to: None,
        district: None,
        seq,
        extra: 0,
        metric: Metric::Count,
        min_count: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::test_key as key;
    use super::*;

    #[test]
    fn newer_data_drops_older_tiles() {
        let c = TileCache::new(1 << 20);
        c.insert(key(1), Bytes::from_static(b"one"));
        assert_eq!(c.get(&key(1)).as_deref(), Some(&b"one"[..]));
        c.insert(key(2), Bytes::from_static(b"two"));
        assert_eq!(c.get(&key(1)), None);
        assert_eq!(c.get(&key(2)).as_deref(), Some(&b"two"[..]));
        // A slow request finishing with old data does not bring it back.
        c.insert(key(1), Bytes::from_static(b"old"));
        assert_eq!(c.get(&key(1)), None);
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn digests_differ_by_filter_version_and_database() {
        let a = key(1);
        let b = TileKey {
            sectors: Some([2, 0, 0, 0]),
            ..a
        };
        assert_ne!(a.digest("db"), b.digest("db"));
        assert_ne!(a.digest("db"), key(2).digest("db"));
        assert_ne!(a.digest("db"), a.digest("other"));
        assert_eq!(a.digest("db"), key(1).digest("db"));
    }

    #[test]
    fn metric_and_k_are_keys_of_their_own() {
        let c = TileCache::new(1 << 20);
        let count = key(1);
        let median = TileKey {
            metric: Metric::MedianHours,
            ..count
        };
        let viewer = TileKey {
            min_count: 3,
            ..count
        };
        let viewer_median = TileKey {
            min_count: 3,
            ..median
        };
        let keys = [count, median, viewer, viewer_median];
        for (i, k) in keys.iter().enumerate() {
            c.insert(*k, Bytes::from(vec![i as u8]));
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(c.get(k).as_deref(), Some(&[i as u8][..]), "{k:?}");
            for other in &keys[i + 1..] {
                assert_ne!(k.digest("db"), other.digest("db"), "{k:?} vs {other:?}");
            }
        }
    }
}
