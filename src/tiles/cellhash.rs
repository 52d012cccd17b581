//! A hash for maps keyed by H3 cells that keeps neighbouring cells in
//! neighbouring buckets.
//!
//! A tile looks up the outlines of hundreds of cells that lie close together
//! in H3 order (siblings, cousins). Under a mixing hash each lookup landed on
//! a random page of a tens-of-megabytes table: in this VM a TLB miss plus a
//! cache miss, ~0.6 µs, which made the outline lookup a third of a tile's
//! time. Here the bucket bits (the low bits `hashbrown` indexes with) are the
//! cell's position in H3 order at its own resolution (base cell, then
//! digits), so a tile's cells share a few hundred pages; the top seven bits,
//! which `hashbrown` keeps as a tag to compare first, come from a full mix
//! so tags still tell keys apart.

use std::hash::{BuildHasher, Hasher};

/// Builds [`CellHasher`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct CellHash;

impl BuildHasher for CellHash {
    type Hasher = CellHasher;

    fn build_hasher(&self) -> CellHasher {
        CellHasher(0)
    }
}

/// Hashes one raw H3 cell index (see the module doc); other input is mixed.
#[derive(Debug, Clone, Copy, Default)]
pub struct CellHasher(u64);

impl Hasher for CellHasher {
    fn finish(&self) -> u64 {
        locality_hash(self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(MIX);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

const MIX: u64 = 0x9E37_79B9_7F4A_7C15;
/// Another multiplier for the tag: the outline cache picks its shard from
/// the top bits of `cell * MIX`, which are thus equal within a shard.
const TAG_MIX: u64 = 0xC2B2_AE3D_27D4_EB4F;
const TAG_BITS: u32 = 7;

/// The cell's place in H3 order at its resolution in the low bits, a mix of
/// all its bits in the top seven.
#[inline]
pub fn locality_hash(cell: u64) -> u64 {
    let res = ((cell >> 52) & 0xf) as u32;
    // Base cell (7 bits) and the `res` digits that are in use.
    let order = (cell >> (3 * (15 - res))) & ((1u64 << (7 + 3 * res)) - 1);
    let tag = cell.wrapping_mul(TAG_MIX) >> (64 - TAG_BITS);
    (tag << (64 - TAG_BITS)) | (order & ((1u64 << (64 - TAG_BITS)) - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cell_of;
    use h3o::Resolution;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn siblings_get_consecutive_buckets_and_varied_tags() {
        let parent = cell_of(55.75, 37.62)
            .expect("cell")
            .parent(Resolution::Seven)
            .expect("parent");
        let kids: Vec<u64> = parent.children(Resolution::Ten).map(u64::from).collect();
        assert_eq!(kids.len(), 343);
        let low = |c: u64| locality_hash(c) & ((1 << 20) - 1);
        // Children of one res-7 cell fill one run of 512 bucket numbers.
        let (lo, hi) = kids
            .iter()
            .fold((u64::MAX, 0), |(a, b), &c| (a.min(low(c)), b.max(low(c))));
        assert!(hi - lo < 512, "{lo}..{hi}");
        let lows: HashSet<u64> = kids.iter().map(|&c| low(c)).collect();
        assert_eq!(lows.len(), kids.len(), "no two siblings share a bucket");
        // Tags spread like random ones (343 draws of 128: ~119 distinct),
        // also among the cells of one outline shard.
        let tags: HashSet<u64> = kids.iter().map(|&c| locality_hash(c) >> 57).collect();
        assert!(tags.len() > 110, "tags: {}", tags.len());
        let shard0: HashSet<u64> = kids
            .iter()
            .chain(
                &parent
                    .parent(Resolution::Four)
                    .expect("p")
                    .children(Resolution::Nine)
                    .map(u64::from)
                    .collect::<Vec<_>>(),
            )
            .filter(|&&c| c.wrapping_mul(MIX) >> 60 == 0)
            .map(|&c| locality_hash(c) >> 57)
            .collect();
        assert!(shard0.len() > 100, "tags in one shard: {}", shard0.len());
    }

    #[test]
    fn a_map_with_it_finds_every_cell() {
        let mut m: HashMap<u64, u64, CellHash> = HashMap::default();
        let parent = cell_of(65.0, 179.99)
            .expect("cell")
            .parent(Resolution::Five)
            .expect("parent");
        let cells: Vec<u64> = (6..=9u8)
            .flat_map(|r| parent.children(Resolution::try_from(r).expect("res")))
            .map(u64::from)
            .collect();
        for (i, &c) in cells.iter().enumerate() {
            m.insert(c, i as u64);
        }
        assert_eq!(m.len(), cells.len());
        for (i, c) in cells.iter().enumerate() {
            assert_eq!(m.get(c), Some(&(i as u64)));
        }
    }
}
