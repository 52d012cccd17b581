//! A writer for the `hexagons` layer alone: the bytes `fast-mvt`'s general
//! layer builder writes for the same features, without its per-tag hashing.
//!
//! A dense hexagon feature carries up to fourteen tags (`h3`, `count`,
//! `sector`, a `count_<code>` per sector present). The general builder finds
//! each key by hashing its string and each value in a hash map, ~0.5 µs per
//! feature. Here the keys are known slots (an array lookup), counts index a
//! dense table, sector codes a per-sector slot, and the `h3` strings need no
//! lookup at all: every cell occurs once in a tile. Keys and values are
//! numbered in order of first use and written in that order, as `fast-mvt`
//! does, so tiles stay byte for byte what they were (tested against it).
//!
//! Protobuf layout (MVT 2.1, `vector_tile.proto`): `Tile.layers` = 3;
//! `Layer` name = 1, features = 2, keys = 3, values = 4, extent = 5,
//! version = 15; `Feature` id = 1, tags = 2 (packed), type = 3, geometry = 4
//! (packed); `Value` string = 1, double = 3, uint = 5.

use super::coord::EXTENT;
use crate::aggregate::CellCount;
use crate::domain::Catalogue;

/// Key slots: `h3`, `count`, `sector`, `value` (a metric other than the
/// count); the `count_<code>` keys follow.
const KEY_H3: usize = 0;
const KEY_COUNT: usize = 1;
const KEY_SECTOR: usize = 2;
const KEY_VALUE: usize = 3;
const NONE: u32 = u32::MAX;
/// Counts below this index a dense table; larger ones a short list.
const DENSE_UINTS: u64 = 1 << 16;

/// Builds one hexagon layer; reuse with [`HexLayer::reset`].
#[derive(Debug)]
pub struct HexLayer {
    /// Key strings by slot.
    key_names: Vec<String>,
    /// Slot of `count_<code>` by sector id (`usize::MAX`: unknown sector).
    sector_key: [usize; 256],
    /// Code of each sector id.
    sector_code: Vec<Option<String>>,
    keys_n: u32,
    /// Key index by slot, `NONE` until first used.
    key_idx: Vec<u32>,
    /// Value index of each sector's code string.
    code_idx: [u32; 256],
    /// Value index of each small count.
    uint_idx: Vec<u32>,
    /// Value index of larger counts.
    big_uints: Vec<(u64, u32)>,
    values_n: u32,
    keys_buf: Vec<u8>,
    values_buf: Vec<u8>,
    features_buf: Vec<u8>,
    features: usize,
    tags: Vec<u32>,
    geom: Vec<u32>,
}

impl HexLayer {
    /// A writer for the sectors of `cat`.
    pub fn new(cat: &Catalogue) -> Self {
        let mut key_names = vec![
            "h3".to_owned(),
            "count".into(),
            "sector".into(),
            "value".into(),
        ];
        let mut sector_key = [usize::MAX; 256];
        let mut sector_code = vec![None; 256];
        for s in cat.all() {
            sector_key[usize::from(s.id)] = key_names.len();
            sector_code[usize::from(s.id)] = Some(s.code.clone());
            key_names.push(format!("count_{}", s.code));
        }
        let slots = key_names.len();
        HexLayer {
            key_names,
            sector_key,
            sector_code,
            keys_n: 0,
            key_idx: vec![NONE; slots],
            code_idx: [NONE; 256],
            uint_idx: Vec::new(),
            big_uints: Vec::new(),
            values_n: 0,
            keys_buf: Vec::new(),
            values_buf: Vec::new(),
            features_buf: Vec::new(),
            features: 0,
            tags: Vec::with_capacity(32),
            geom: Vec::with_capacity(64),
        }
    }

    /// Empties the layer, keeping its buffers.
    pub fn reset(&mut self) {
        self.key_idx.fill(NONE);
        self.keys_n = 0;
        self.code_idx.fill(NONE);
        self.uint_idx.fill(NONE);
        self.big_uints.clear();
        self.values_n = 0;
        self.keys_buf.clear();
        self.values_buf.clear();
        self.features_buf.clear();
        self.features = 0;
    }

    /// Features written so far.
    pub fn features(&self) -> usize {
        self.features
    }

    /// Adds the cell `c` drawn as `parts` (exterior rings in tile units,
    /// without closing vertex, any winding: each is wound as MVT wants).
    pub fn push(&mut self, c: &CellCount, parts: &[Vec<(i32, i32)>]) {
        self.push_with_value(c, None, parts);
    }

    /// [`HexLayer::push`] with a metric `value` tag (a double) when given.
    pub fn push_with_value(
        &mut self,
        c: &CellCount,
        value: Option<f64>,
        parts: &[Vec<(i32, i32)>],
    ) {
        self.tags.clear();
        let h3 = self.h3_value(c.cell);
        self.tag(KEY_H3, h3);
        let v = self.uint_value(u64::from(c.total));
        self.tag(KEY_COUNT, v);
        if let Some(x) = value {
            let b = &mut self.values_buf;
            b.extend_from_slice(&[0x22, 9, 0x19]); // Layer.values, Value.double_value
            b.extend_from_slice(&x.to_le_bytes());
            self.values_n += 1;
            let k = self.values_n - 1;
            self.tag(KEY_VALUE, k);
        }
        if let Some(v) = c.dominant().and_then(|s| self.code_value(s)) {
            self.tag(KEY_SECTOR, v);
        }
        for &(s, n) in &c.by_sector {
            let slot = self.sector_key[usize::from(s)];
            if slot != usize::MAX {
                let v = self.uint_value(u64::from(n));
                self.tag(slot, v);
            }
        }
        self.geom.clear();
        let mut cursor = (0i32, 0i32);
        for ring in parts {
            ring_commands(ring, &mut cursor, &mut self.geom);
        }
        let tags_len = packed_len(&self.tags);
        let geom_len = packed_len(&self.geom);
        let len =
            1 + varint_len(c.cell) + packed_field_len(tags_len) + 2 + packed_field_len(geom_len);
        let b = &mut self.features_buf;
        b.push(0x12); // Layer.features
        varint(b, len as u64);
        b.push(0x08); // Feature.id
        varint(b, c.cell);
        put_packed(b, 0x12, &self.tags, tags_len);
        b.extend_from_slice(&[0x18, 3]); // Feature.type = POLYGON
        put_packed(b, 0x22, &self.geom, geom_len);
        self.features += 1;
    }

    /// The tile: this one layer, named `hexagons`.
    pub fn encode(&self) -> Vec<u8> {
        layer_bytes(
            [&self.features_buf, &[]],
            [&self.keys_buf, &[]],
            [&self.values_buf, &[]],
        )
    }

    fn tag(&mut self, slot: usize, value: u32) {
        let mut k = self.key_idx[slot];
        if k == NONE {
            k = self.keys_n;
            self.keys_n += 1;
            self.key_idx[slot] = k;
            let name = self.key_names[slot].as_bytes();
            self.keys_buf.push(0x1a); // Layer.keys
            varint(&mut self.keys_buf, name.len() as u64);
            self.keys_buf.extend_from_slice(name);
        }
        self.tags.extend([k, value]);
    }

    /// Every cell occurs once per tile, so its string is always a new value.
    fn h3_value(&mut self, cell: u64) -> u32 {
        let mut hex = [0u8; 16];
        let digits = (64 - cell.leading_zeros()).div_ceil(4).max(1) as usize;
        for (i, d) in hex[..digits].iter_mut().rev().enumerate() {
            *d = b"0123456789abcdef"[((cell >> (4 * i)) & 0xf) as usize];
        }
        push_string(&mut self.values_buf, &mut self.values_n, &hex[..digits])
    }

    fn code_value(&mut self, sector: u8) -> Option<u32> {
        let i = usize::from(sector);
        if self.code_idx[i] == NONE {
            let code = self.sector_code[i].as_deref()?;
            self.code_idx[i] =
                push_string(&mut self.values_buf, &mut self.values_n, code.as_bytes());
        }
        Some(self.code_idx[i])
    }

    fn uint_value(&mut self, v: u64) -> u32 {
        if v < DENSE_UINTS {
            let i = v as usize;
            if i >= self.uint_idx.len() {
                self.uint_idx.resize((i + 1).next_power_of_two(), NONE);
            }
            if self.uint_idx[i] == NONE {
                self.uint_idx[i] = self.write_uint(v);
            }
            return self.uint_idx[i];
        }
        if let Some(&(_, k)) = self.big_uints.iter().find(|e| e.0 == v) {
            return k;
        }
        let k = self.write_uint(v);
        self.big_uints.push((v, k));
        k
    }

    fn write_uint(&mut self, v: u64) -> u32 {
        let b = &mut self.values_buf;
        b.push(0x22); // Layer.values
        varint(b, (1 + varint_len(v)) as u64);
        b.push(0x28); // Value.uint_value
        varint(b, v);
        self.values_n += 1;
        self.values_n - 1
    }
}

/// The tile of one `hexagons` layer whose features, keys and values are the
/// concatenations of the given parts.
fn layer_bytes(features: [&[u8]; 2], keys: [&[u8]; 2], values: [&[u8]; 2]) -> Vec<u8> {
    const NAME: &[u8] = b"hexagons";
    let parts = features.iter().chain(&keys).chain(&values);
    let body: usize = parts.clone().map(|p| p.len()).sum();
    let len = 2 + NAME.len() + body + 1 + varint_len(u64::from(EXTENT)) + 2;
    let mut out = Vec::with_capacity(len + 6);
    out.push(0x1a); // Tile.layers
    varint(&mut out, len as u64);
    out.extend_from_slice(&[0x0a, NAME.len() as u8]);
    out.extend_from_slice(NAME);
    for p in parts {
        out.extend_from_slice(p);
    }
    out.push(0x28); // Layer.extent
    varint(&mut out, u64::from(EXTENT));
    out.extend_from_slice(&[0x78, 2]); // Layer.version = 2
    out
}

/// Appends a string value; its index.
fn push_string(b: &mut Vec<u8>, n: &mut u32, s: &[u8]) -> u32 {
    b.push(0x22); // Layer.values
    varint(b, (1 + varint_len(s.len() as u64) + s.len()) as u64);
    b.push(0x0a); // Value.string_value
    varint(b, s.len() as u64);
    b.extend_from_slice(s);
    *n += 1;
    *n - 1
}

/// MoveTo, LineTo and ClosePath of one ring, wound clockwise in tile space
/// (positive shoelace area with y down: an MVT 2.1 exterior ring).
fn ring_commands(ring: &[(i32, i32)], cursor: &mut (i32, i32), out: &mut Vec<u32>) {
    let n = ring.len();
    if n == 0 {
        return;
    }
    let area: i64 = (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            i64::from(a.0) * i64::from(b.1) - i64::from(a.1) * i64::from(b.0)
        })
        .sum();
    let reverse = area < 0;
    let at = |i: usize| if reverse { ring[n - 1 - i] } else { ring[i] };
    let mut delta = |p: (i32, i32), out: &mut Vec<u32>| {
        out.push(zigzag(p.0.saturating_sub(cursor.0)));
        out.push(zigzag(p.1.saturating_sub(cursor.1)));
        *cursor = p;
    };
    out.push(1 | (1 << 3)); // MoveTo, 1
    delta(at(0), out);
    if n > 1 {
        out.push(2 | ((n as u32 - 1) << 3)); // LineTo, n - 1
        for i in 1..n {
            delta(at(i), out);
        }
    }
    out.push(7 | (1 << 3)); // ClosePath
}

#[inline]
fn zigzag(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

#[inline]
fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

#[inline]
fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn packed_len(v: &[u32]) -> usize {
    v.iter().map(|&x| varint_len(u64::from(x))).sum()
}

fn packed_field_len(len: usize) -> usize {
    if len == 0 {
        0
    } else {
        1 + varint_len(len as u64) + len
    }
}

fn put_packed(out: &mut Vec<u8>, tag: u8, v: &[u32], len: usize) {
    if v.is_empty() {
        return;
    }
    out.push(tag);
    varint(out, len as u64);
    for &x in v {
        varint(out, u64::from(x));
    }
}

mod merge;
#[cfg(test)]
mod tests;
