//! Tiles gzip-compressed once and kept beside the plain ones.
//!
//! Browsers ask for every tile with `Accept-Encoding: gzip, deflate, br`.
//! Left to the HTTP compression layer, a cached 140 KB hexagon tile was
//! compressed again on every request (3–8 ms of CPU, brotli or gzip at their
//! default levels), so a map client got a fraction of the cached throughput.
//! Here each tile is gzipped once, at the fastest level (hexagon tiles still
//! shrink ~3.5×: their keys and values repeat), and the result is cached
//! under the same key and data version as the plain bytes.

use super::cache::{TileCache, TileKey};
use bytes::Bytes;
use std::io::Write as _;

/// Gzipped tiles by key; cheap to clone (shared). The same byte-bounded,
/// version-following store as the plain tiles, holding other bytes.
#[derive(Clone, Debug)]
pub struct CompressedTiles {
    store: TileCache,
}

impl CompressedTiles {
    /// A store of about `max_bytes` of gzipped tiles; 0 keeps none (every
    /// request then compresses its tile).
    pub fn new(max_bytes: u64) -> Self {
        CompressedTiles {
            store: TileCache::new(max_bytes),
        }
    }

    /// The stored gzipped tile of `key`, if any.
    pub fn get(&self, key: &TileKey) -> Option<Bytes> {
        self.store.get(key)
    }

    /// The gzipped form of `plain`, the tile stored under `key`: from the
    /// store, or compressed now and stored (unless older data than the
    /// newest stored, as [`TileCache::insert`] decides).
    pub fn gzip(&self, key: &TileKey, plain: &[u8]) -> Bytes {
        if let Some(z) = self.get(key) {
            return z;
        }
        let z = gzip(plain);
        self.store.insert(*key, z.clone());
        z
    }
}

/// `bytes` as a gzip member, at the fastest level.
pub fn gzip(bytes: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3 + 64),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    Bytes::from(enc.finish().unwrap_or_default())
}

/// True when an `Accept-Encoding` value accepts gzip (RFC 9110 §12.5.3:
/// `gzip` or `*`, unless its weight is zero).
pub fn accepts_gzip(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|part| {
        let mut it = part.split(';');
        let coding = it.next().unwrap_or("").trim();
        let zero = it.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=")
                .or_else(|| p.strip_prefix("Q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !zero
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiles::cache::test_key as key;
    use std::io::Read as _;

    fn gunzip(z: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(z)
            .read_to_end(&mut out)
            .expect("gzip");
        out
    }

    #[test]
    fn gzip_round_trips_and_shrinks_repetitive_tiles() {
        let plain: Vec<u8> = (0..20_000u32).flat_map(|i| [b'k', (i % 7) as u8]).collect();
        let z = gzip(&plain);
        assert_eq!(&z[..2], &[0x1f, 0x8b], "gzip magic");
        assert_eq!(gunzip(&z), plain);
        assert!(z.len() * 10 < plain.len());
        assert_eq!(gunzip(&gzip(b"")), b"");
    }

    #[test]
    fn stored_per_key_and_dropped_by_newer_data() {
        let store = CompressedTiles::new(1 << 20);
        let a = store.gzip(&key(1), b"first");
        // Same key: the stored bytes, even if asked with other plain bytes.
        assert_eq!(store.gzip(&key(1), b"ignored"), a);
        assert_eq!(gunzip(&store.gzip(&key(2), b"second")), b"second");
        // Version 1 is gone: a late request for it compresses its own bytes
        // and does not bring the old version back.
        assert_eq!(gunzip(&store.gzip(&key(1), b"again")), b"again");
        assert_eq!(gunzip(&store.gzip(&key(1), b"third")), b"third");
        // Without a store every call compresses.
        let none = CompressedTiles::new(0);
        assert_eq!(gunzip(&none.gzip(&key(1), b"x")), b"x");
        assert_eq!(gunzip(&none.gzip(&key(1), b"y")), b"y");
    }

    #[test]
    fn accept_encoding_is_read_with_weights() {
        for (v, want) in [
            ("gzip", true),
            ("gzip, deflate, br, zstd", true),
            ("br;q=1.0, gzip;q=0.8", true),
            ("GZIP", true),
            ("*", true),
            ("gzip;q=0", false),
            ("gzip; q=0.0, br", false),
            ("br", false),
            ("identity", false),
            ("", false),
            ("x-gzip", false),
        ] {
            assert_eq!(accepts_gzip(v), want, "{v:?}");
        }
    }
}
