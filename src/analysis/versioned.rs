//! Finished analyses by everything that shapes them, data version included.
//!
//! A write bumps the data version, so stale results are never served; the
//! first result stored under a newer version drops the older ones at once.
//! Concurrent requests for one key wait for one computation.

use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A cache key that names the data version it was computed from.
pub trait Versioned {
    /// The index's change sequence number the result belongs to.
    fn seq(&self) -> u64;
}

/// A small shared cache of results, bounded in bytes; cheap to clone.
pub struct VersionCache<K, V> {
    cache: moka::sync::Cache<K, Arc<V>>,
    newest: Arc<AtomicU64>,
}

impl<K, V> Clone for VersionCache<K, V> {
    fn clone(&self) -> Self {
        VersionCache {
            cache: self.cache.clone(),
            newest: Arc::clone(&self.newest),
        }
    }
}

impl<K, V> std::fmt::Debug for VersionCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VersionCache")
            .field("entries", &self.cache.entry_count())
            .finish()
    }
}

impl<K, V> VersionCache<K, V>
where
    K: Versioned + Hash + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    /// A cache of about `max_bytes`, each result weighing `weight(v) + 256`.
    pub fn new(max_bytes: u64, weight: fn(&V) -> usize) -> Self {
        let cache = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(move |_k: &K, v: &Arc<V>| u32::try_from(weight(v) + 256).unwrap_or(u32::MAX))
            .build();
        VersionCache {
            cache,
            newest: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The result under `key`, computing it with `make` when missing.
    pub fn get_or_compute<E>(
        &self,
        key: K,
        make: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E>
    where
        E: Clone + Send + Sync + 'static,
    {
        if let Some(v) = self.cache.get(&key) {
            return Ok(v);
        }
        let seq = key.seq();
        let before = self.newest.fetch_max(seq, Ordering::AcqRel);
        if seq > before {
            self.cache.invalidate_all();
        }
        if seq < before {
            // An old version: answer it without keeping it.
            return make().map(Arc::new);
        }
        self.cache
            .try_get_with(key, || make().map(Arc::new))
            .map_err(|e| (*e).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    struct Key(u32, u64);

    impl Versioned for Key {
        fn seq(&self) -> u64 {
            self.1
        }
    }

    fn get(c: &VersionCache<Key, String>, k: Key, v: &str) -> String {
        let r = c.get_or_compute(k, || Ok::<_, Infallible>(v.to_owned()));
        r.unwrap_or_else(|never| match never {}).as_str().to_owned()
    }

    #[test]
    fn a_result_is_kept_until_the_data_changes() {
        let c = VersionCache::new(1 << 20, String::len);
        assert_eq!(get(&c, Key(1, 1), "first"), "first");
        // Cached: the second computation is not run.
        assert_eq!(get(&c, Key(1, 1), "second"), "first");
        assert_eq!(get(&c, Key(2, 1), "other query"), "other query");
        // A newer version computes anew and drops the older results…
        assert_eq!(get(&c, Key(1, 2), "newer"), "newer");
        assert_eq!(get(&c, Key(2, 1), "recomputed"), "recomputed");
        // …and a slow request of the old version is answered, not kept.
        assert_eq!(get(&c, Key(2, 1), "again"), "again");
        assert_eq!(get(&c, Key(1, 2), "x"), "newer");
    }
}
