//! Joining two hexagon layers built side by side (one tile's cells split in
//! two halves, each on its own thread) into the tile one layer would have
//! written for all of them in order.
//!
//! Keys and values are numbered in order of first use. The first half's
//! numbers stand; the second half's keys and values that the first already
//! has take the first's numbers, and the others follow the first's in the
//! second's own order, which is exactly the order of first use over both.
//! Only the second half's tag lists are rewritten: geometry, ids and value
//! bytes are copied as they are.

use super::{HexLayer, NONE, layer_bytes, packed_len, varint, varint_len};

impl HexLayer {
    /// The tile of this layer's features followed by `next`'s: the bytes
    /// [`HexLayer::encode`] gives when all of them are pushed into one layer.
    pub fn encode_with(&self, next: &HexLayer) -> Vec<u8> {
        let (key_map, new_keys) = self.key_map(next);
        let (value_map, new_values) = self.value_map(next);
        let features = rewrite_tags(&next.features_buf, &key_map, &value_map);
        layer_bytes(
            [&self.features_buf, &features],
            [&self.keys_buf, &new_keys],
            [&self.values_buf, &new_values],
        )
    }

    /// The joined number of each of `next`'s keys, and the keys it adds.
    fn key_map(&self, next: &HexLayer) -> (Vec<u32>, Vec<u8>) {
        let mut slot_of = vec![0; next.keys_n as usize];
        for (slot, &k) in next.key_idx.iter().enumerate() {
            if k != NONE {
                slot_of[k as usize] = slot;
            }
        }
        let mut added = Vec::new();
        let mut n = self.keys_n;
        let map = slot_of
            .iter()
            .map(|&slot| match self.key_idx[slot] {
                NONE => {
                    let name = self.key_names[slot].as_bytes();
                    added.push(0x1a); // Layer.keys
                    varint(&mut added, name.len() as u64);
                    added.extend_from_slice(name);
                    n += 1;
                    n - 1
                }
                k => k,
            })
            .collect();
        (map, added)
    }

    /// The joined number of each of `next`'s values, and the values it adds.
    fn value_map(&self, next: &HexLayer) -> (Vec<u32>, Vec<u8>) {
        let mut map = vec![NONE; next.values_n as usize];
        // Only counts and sector codes are shared: `h3` strings and metric
        // doubles are new values wherever they occur.
        for (v, &k) in next.uint_idx.iter().enumerate() {
            match self.uint_idx.get(v) {
                Some(&mine) if mine != NONE && k != NONE => map[k as usize] = mine,
                _ => {}
            }
        }
        for &(v, k) in &next.big_uints {
            if let Some(&(_, mine)) = self.big_uints.iter().find(|e| e.0 == v) {
                map[k as usize] = mine;
            }
        }
        for (&k, &mine) in next.code_idx.iter().zip(&self.code_idx) {
            if k != NONE && mine != NONE {
                map[k as usize] = mine;
            }
        }
        let buf = &next.values_buf;
        let mut added = Vec::with_capacity(buf.len());
        let (mut n, mut at) = (self.values_n, 0);
        for m in &mut map {
            // Each value is `0x22, length, bytes`.
            let mut p = at + 1;
            let len = read_varint(buf, &mut p) as usize;
            let end = p + len;
            if *m == NONE {
                *m = n;
                n += 1;
                added.extend_from_slice(&buf[at..end]);
            }
            at = end;
        }
        (map, added)
    }
}

/// `features` (a run of `Layer.features` fields as [`HexLayer::push`]
/// writes them: id, tags, type, geometry) with every tag renumbered.
fn rewrite_tags(features: &[u8], keys: &[u32], values: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(features.len() + features.len() / 8);
    let mut tags: Vec<u32> = Vec::with_capacity(32);
    let mut at = 0;
    while at < features.len() {
        debug_assert_eq!(features[at], 0x12, "Layer.features");
        let mut p = at + 1;
        let len = read_varint(features, &mut p) as usize;
        let (start, end) = (p, p + len);
        debug_assert_eq!(features[p], 0x08, "Feature.id first");
        p += 1;
        read_varint(features, &mut p);
        let head = &features[start..p];
        debug_assert_eq!(features[p], 0x12, "Feature.tags next");
        p += 1;
        let tags_len = read_varint(features, &mut p) as usize;
        let tags_end = p + tags_len;
        tags.clear();
        let mut key = true;
        while p < tags_end {
            let t = read_varint(features, &mut p) as usize;
            tags.push(if key { keys[t] } else { values[t] });
            key = !key;
        }
        let rest = &features[tags_end..end];
        let new_len = packed_len(&tags);
        let feature_len = head.len() + 1 + varint_len(new_len as u64) + new_len + rest.len();
        out.push(0x12);
        varint(&mut out, feature_len as u64);
        out.extend_from_slice(head);
        out.push(0x12);
        varint(&mut out, new_len as u64);
        for &t in &tags {
            varint(&mut out, u64::from(t));
        }
        out.extend_from_slice(rest);
        at = end;
    }
    out
}

/// Reads the varint at `*p`, moving `*p` past it.
fn read_varint(buf: &[u8], p: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = buf[*p];
        *p += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}
