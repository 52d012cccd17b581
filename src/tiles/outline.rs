//! Cell outlines projected to world Web Mercator units, computed once per
//! cell and cached: boundaries and projection are most of a tile's cost.
//!
//! An outline is one ring. Its longitudes are *unwrapped* (consecutive
//! vertices never jump by 360°), so a cell straddling ±180 is one continuous
//! ring whose x leaves `[0, 1]` on one side; tiles draw it shifted by a
//! whole world as well, so it shows on both sides of the antimeridian. A
//! cell holding a pole wraps all longitudes: its ring runs along its boundary
//! from x = 0 to x = 1 and closes along the edge of the Mercator square.

use super::cellhash::CellHash;
use super::coord::{world_x, world_y};
use h3o::{CellIndex, LatLng, Resolution};
use std::collections::HashMap;
use std::sync::Arc;

/// A projected outline: world units, one ring without its closing vertex.
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    /// The ring.
    pub ring: Vec<[f64; 2]>,
    /// True for a cell holding a pole: its ring is not convex, and vertices
    /// beyond Web Mercator's square lie on its edge.
    pub polar: bool,
}

/// The cell's ring in world units.
pub fn project(cell: CellIndex) -> Arc<Outline> {
    let verts: Vec<(f64, f64)> = cell
        .boundary()
        .iter()
        .map(|ll| (ll.lng(), ll.lat()))
        .collect();
    if let Some(pole) = pole_of(cell) {
        return polar_cap(verts, pole);
    }
    let mut ring: Vec<[f64; 2]> = Vec::with_capacity(verts.len());
    let mut prev: Option<f64> = None;
    for (lon, lat) in verts {
        let lon = match prev {
            Some(p) => lon + 360.0 * ((p - lon) / 360.0).round(),
            None => lon,
        };
        prev = Some(lon);
        ring.push([world_x(lon), world_y(lat)]);
    }
    // Keep the ring's middle inside the world square so "the cell" means the
    // copy centred in [0, 1]; its ±1 copies are drawn by the tiles at the edges.
    let mid = ring.iter().map(|p| p[0]).sum::<f64>() / ring.len().max(1) as f64;
    let shift = -mid.floor();
    if shift != 0.0 {
        ring.iter_mut().for_each(|p| p[0] += shift);
    }
    Arc::new(Outline { ring, polar: false })
}

/// 90 for the cell holding the north pole, -90 for the south pole's.
fn pole_of(cell: CellIndex) -> Option<f64> {
    // The two polar cells of every resolution, found once: locating them
    // per outline cost two `to_cell`s, half of projecting a hexagon.
    static POLES: std::sync::OnceLock<Vec<(CellIndex, f64)>> = std::sync::OnceLock::new();
    let poles = POLES.get_or_init(|| {
        let mut v = Vec::with_capacity(32);
        for res in Resolution::range(Resolution::Zero, Resolution::Fifteen) {
            for lat in [90.0, -90.0] {
                if let Ok(ll) = LatLng::new(lat, 0.0) {
                    v.push((ll.to_cell(res), lat));
                }
            }
        }
        v
    });
    poles.iter().find(|p| p.0 == cell).map(|p| p.1)
}

/// The band between a polar cell's boundary and the pole: along the boundary
/// west to east, then back along the square's edge (world y 0 or 1).
fn polar_cap(mut verts: Vec<(f64, f64)>, pole: f64) -> Arc<Outline> {
    verts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (Some(&first), Some(&last)) = (verts.first(), verts.last()) else {
        return Arc::new(Outline {
            ring: Vec::new(),
            polar: true,
        });
    };
    // Where the boundary crosses ±180, between the last and the first vertex.
    let span = first.0 + 360.0 - last.0;
    let lat180 = if span > 0.0 {
        last.1 + (first.1 - last.1) * (180.0 - last.0) / span
    } else {
        last.1
    };
    let edge = world_y(pole);
    let mut ring: Vec<[f64; 2]> = Vec::with_capacity(verts.len() + 4);
    ring.push([0.0, world_y(lat180)]);
    ring.extend(verts.iter().map(|&(lon, lat)| [world_x(lon), world_y(lat)]));
    ring.extend([[1.0, world_y(lat180)], [1.0, edge], [0.0, edge]]);
    Arc::new(Outline { ring, polar: true })
}

/// Shards of the outline cache: readers of different shards never meet.
const SHARDS: usize = 16; // the top four bits of a 64-bit mix pick one

/// Cells are cached in blocks of the descendants, `BLOCK_DIGITS` levels
/// down, of one coarser cell (49 cells, 5 KB), in H3 digit order. Two
/// levels, not three: blocks of 343 (36 KB) held so few cells each in
/// sparse tiles that 1 000 random z 12 tiles at 10 M no longer fit the
/// cache (lookups 467 ns per cell, recomputing; 37 ns with 49).
const BLOCK_DIGITS: u8 = 2;

/// Vertices of a hexagon; other outlines (pentagons' distorted cells with up
/// to ten vertices, polar caps) live in a small side map.
const HEX: usize = 6;

/// One cell's place in a block: `n` vertices in `ring` (0: not cached yet,
/// `ELSEWHERE`: in the side map).
#[derive(Debug, Clone, Copy)]
struct Slot {
    n: u8,
    ring: [[f64; 2]; HEX],
}

const EMPTY: Slot = Slot {
    n: 0,
    ring: [[0.0; 2]; HEX],
};
const ELSEWHERE: u8 = u8::MAX;

#[derive(Debug, Default)]
struct Shard {
    blocks: HashMap<u64, Box<[Slot]>, CellHash>,
    others: HashMap<u64, Arc<Outline>, CellHash>,
    bytes: usize,
}

/// The block a cell belongs to (its ancestor `BLOCK_DIGITS` levels up, with
/// the cell's own resolution in the resolution bits, so blocks of different
/// resolutions never share a key), its slot there and the block's size.
#[inline]
fn block_of(raw: u64) -> (u64, usize, usize) {
    let res = ((raw >> 52) & 0xf) as u8;
    let top = res.saturating_sub(BLOCK_DIGITS);
    let mut slot = 0usize;
    for r in top + 1..=res {
        slot = slot * 7 + ((raw >> (3 * u32::from(15 - r))) & 7) as usize;
    }
    let low = 3 * u32::from(15 - top);
    let key = (raw | ((1u64 << low) - 1)) & !(0xf << 52) | (u64::from(res) << 52);
    (key, slot, 7usize.pow(u32::from(res - top)))
}

/// Projected outlines by cell, bounded in bytes.
///
/// A tile reads the outlines of hundreds of neighbouring cells in H3 order.
/// Kept one per hash-map entry, each read was a cache miss on its own line
/// (in this VM with a TLB miss too: ~0.4–0.6 µs, a third of a tile's time).
/// Kept in blocks of siblings' descendants in digit order, consecutive cells
/// of a tile are consecutive in memory, which the processor prefetches. A
/// sharded map behind read-write locks rather than moka, whose per-read
/// bookkeeping cost more than the geometry it saves; a full shard is emptied
/// at once (outlines are recomputed on demand, so any eviction is correct).
#[derive(Clone)]
pub struct OutlineCache {
    shards: Arc<[parking_lot::RwLock<Shard>; SHARDS]>,
    per_shard: usize,
}

impl std::fmt::Debug for OutlineCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bytes: usize = self.shards.iter().map(|s| s.read().bytes).sum();
        f.debug_struct("OutlineCache")
            .field("bytes", &bytes)
            .finish()
    }
}

impl OutlineCache {
    /// A cache of about `max_bytes` (~104 bytes per hexagon, allocated a
    /// block of 49 at a time).
    pub fn new(max_bytes: u64) -> Self {
        let per_shard = (max_bytes / SHARDS as u64).max(1);
        OutlineCache {
            shards: Arc::new(std::array::from_fn(|_| Default::default())),
            per_shard: usize::try_from(per_shard).unwrap_or(usize::MAX),
        }
    }

    /// The cell's projected outline (a copy; [`OutlineCache::with`] lends it).
    pub fn get(&self, cell: CellIndex) -> Arc<Outline> {
        self.with(cell, |ring, polar| {
            Arc::new(Outline {
                ring: ring.to_vec(),
                polar,
            })
        })
    }

    /// Calls `f(ring, polar)` with the cell's projected outline (see
    /// [`Outline`]), computing and caching it when missing. `f` runs under
    /// the shard's read lock: keep it short.
    pub fn with<R>(&self, cell: CellIndex, f: impl FnOnce(&[[f64; 2]], bool) -> R) -> R {
        let raw = u64::from(cell);
        let (key, at, size) = block_of(raw);
        let shard = &self.shards[(key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60) as usize];
        {
            let s = shard.read();
            if let Some(slot) = s.blocks.get(&key).and_then(|b| b.get(at)) {
                match slot.n {
                    0 => {}
                    ELSEWHERE => {
                        if let Some(o) = s.others.get(&raw) {
                            return f(&o.ring, o.polar);
                        }
                    }
                    n => return f(&slot.ring[..usize::from(n)], false),
                }
            }
        }
        let o = project(cell);
        let hexagon = !o.polar && o.ring.len() <= HEX;
        let mut s = shard.write();
        if s.bytes >= self.per_shard {
            *s = Shard::default();
        }
        if !s.blocks.contains_key(&key) {
            s.bytes += size * std::mem::size_of::<Slot>() + 64;
            s.blocks.insert(key, vec![EMPTY; size].into_boxed_slice());
        }
        if !hexagon {
            s.bytes += o.ring.len() * 16 + 96;
            s.others.insert(raw, o.clone());
        }
        if let Some(slot) = s.blocks.get_mut(&key).and_then(|b| b.get_mut(at)) {
            if hexagon {
                slot.ring[..o.ring.len()].copy_from_slice(&o.ring);
                slot.n = o.ring.len() as u8;
            } else {
                slot.n = ELSEWHERE;
            }
        }
        drop(s);
        f(&o.ring, o.polar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cells in a full block.
    const BLOCK: usize = 7usize.pow(BLOCK_DIGITS as u32);
    use crate::domain::cell_of;

    #[test]
    fn ordinary_cell_stays_in_the_world_square() {
        let c = cell_of(55.7558, 37.6173)
            .expect("cell")
            .parent(Resolution::Nine)
            .expect("parent");
        let o = project(c);
        assert!(!o.polar);
        assert_eq!(o.ring.len(), 6);
        for p in &o.ring {
            assert!((0.0..=1.0).contains(&p[0]) && (0.0..=1.0).contains(&p[1]));
        }
    }

    #[test]
    fn antimeridian_cell_is_continuous() {
        // A res-3 cell on 180° in Chukotka.
        let c = cell_of(65.0, 180.0)
            .expect("cell")
            .parent(Resolution::Three)
            .expect("parent");
        let xs: Vec<f64> = project(c).ring.iter().map(|p| p[0]).collect();
        let (lo, hi) = xs
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
        assert!(hi - lo < 0.01, "ring jumps across the world: {xs:?}");
        assert!(lo < 1.0 && hi > 1.0 || lo < 0.0 && hi > 0.0, "{xs:?}");
    }

    #[test]
    fn polar_cap_spans_the_world() {
        let c = LatLng::new(90.0, 0.0).expect("ll").to_cell(Resolution::Two);
        let o = project(c);
        assert!(o.polar);
        assert_eq!(o.ring.first().map(|p| p[0]), Some(0.0));
        assert!(o.ring.iter().any(|p| p[0] == 1.0 && p[1] == 0.0));
        let at = |lat: f64, lon: f64, res| LatLng::new(lat, lon).expect("ll").to_cell(res);
        for res in Resolution::range(Resolution::Zero, Resolution::Fifteen) {
            let north = at(90.0, 0.0, res);
            assert_eq!(pole_of(north), Some(90.0), "res {res}");
            assert_eq!(pole_of(at(-90.0, 0.0, res)), Some(-90.0), "res {res}");
            assert_eq!(pole_of(at(55.75, 37.6, res)), None, "res {res}");
            let near = at(89.0, 0.0, res);
            assert_eq!(pole_of(near), (near == north).then_some(90.0), "res {res}");
        }
    }

    #[test]
    fn cache_lends_what_project_computes_and_stays_bounded() {
        // Room for about five blocks of res-9 cells per shard.
        let cache = OutlineCache::new((5 * BLOCK * 104 * SHARDS) as u64);
        let moscow = cell_of(55.7558, 37.6173).expect("cell");
        let pentagon = CellIndex::base_cells()
            .find(|c| c.is_pentagon())
            .expect("pentagon");
        let mut cells = vec![
            moscow.parent(Resolution::Nine).expect("p"),
            LatLng::new(90.0, 0.0).expect("ll").to_cell(Resolution::Two),
            LatLng::new(-90.0, 0.0)
                .expect("ll")
                .to_cell(Resolution::Zero),
            pentagon,
        ];
        // A pentagon's children: five-vertex cells and distorted ones (up
        // to ten vertices), kept in the side map.
        cells.extend(pentagon.children(Resolution::Three));
        assert!(cells.iter().any(|&c| project(c).ring.len() > HEX));
        for _ in 0..2 {
            for &c in &cells {
                assert_eq!(*cache.get(c), *project(c), "{c}");
                let polar = cache.with(c, |_, polar| polar);
                assert_eq!(polar, project(c).polar);
            }
        }
        // Many more cells than it holds: every answer still right, and the
        // shards never grow much past their share.
        for c in moscow
            .parent(Resolution::Five)
            .expect("p")
            .children(Resolution::Nine)
        {
            let want = project(c);
            cache.with(c, |ring, polar| {
                assert_eq!((ring, polar), (&want.ring[..], false))
            });
        }
        for s in cache.shards.iter() {
            assert!(s.read().bytes <= cache.per_shard + BLOCK * 104 + 64);
        }
    }

    #[test]
    fn blocks_hold_each_cell_in_its_own_slot() {
        let p = cell_of(55.75, 37.62)
            .expect("cell")
            .parent(Resolution::Eight)
            .expect("p");
        let kids: Vec<u64> = p.children(Resolution::Ten).map(u64::from).collect();
        let mut slots: Vec<usize> = kids.iter().map(|&c| block_of(c).1).collect();
        assert!(kids.iter().all(|&c| block_of(c).0 == block_of(kids[0]).0));
        assert!(kids.iter().all(|&c| block_of(c).2 == BLOCK));
        // Digit order: consecutive cells, consecutive slots.
        assert!(slots.windows(2).all(|w| w[0] < w[1]));
        slots.dedup();
        assert_eq!(slots.len(), BLOCK);
        // Another resolution or another parent: another block.
        let p9 = u64::from(p.center_child(Resolution::Nine).expect("c"));
        assert_ne!(block_of(p9).0, block_of(kids[0]).0);
        let other = u64::from(
            cell_of(59.9, 30.3)
                .expect("c")
                .parent(Resolution::Ten)
                .expect("p"),
        );
        assert_ne!(block_of(other).0, block_of(kids[0]).0);
        // Coarse resolutions: one block per base cell.
        let r1 = u64::from(p.parent(Resolution::One).expect("p"));
        assert_eq!(block_of(r1).2, 7);
    }
}
