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

/// Vertices kept inside a cache entry: hexagons have 6, cells whose edges
/// cross an icosahedron face up to 10. Polar caps (more) are shared.
const INLINE: usize = 10;

/// Bytes one cached outline takes, map overhead included.
const ENTRY_BYTES: u64 = 8 + std::mem::size_of::<Stored>() as u64 + 24;

/// A cached outline. The ring lives in the map entry itself: a tile looks
/// up hundreds of outlines, and each extra pointer (an `Arc`, then its `Vec`)
/// was another cache miss, and the `Arc` count a write to shared memory.
#[derive(Debug, Clone)]
enum Stored {
    Inline { n: u8, ring: [[f64; 2]; INLINE] },
    Shared(Arc<Outline>),
}

impl Stored {
    fn of(o: &Arc<Outline>) -> Stored {
        if o.polar || o.ring.len() > INLINE {
            return Stored::Shared(o.clone());
        }
        let mut ring = [[0.0; 2]; INLINE];
        ring[..o.ring.len()].copy_from_slice(&o.ring);
        Stored::Inline {
            n: o.ring.len() as u8,
            ring,
        }
    }

    fn ring(&self) -> (&[[f64; 2]], bool) {
        match self {
            Stored::Inline { n, ring } => (&ring[..usize::from(*n)], false),
            Stored::Shared(o) => (&o.ring, o.polar),
        }
    }
}

type Shard = parking_lot::RwLock<HashMap<u64, Stored, CellHash>>;

/// Projected outlines by cell, bounded in bytes.
///
/// A sharded map behind read-write locks rather than moka: a tile looks up
/// hundreds of outlines, and moka's per-read bookkeeping cost more than the
/// geometry it saves. A full shard is emptied at once (outlines are
/// recomputed on demand, so any eviction order is correct).
#[derive(Clone)]
pub struct OutlineCache {
    shards: Arc<[Shard; SHARDS]>,
    per_shard: usize,
}

impl std::fmt::Debug for OutlineCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let entries: usize = self.shards.iter().map(|s| s.read().len()).sum();
        f.debug_struct("OutlineCache")
            .field("entries", &entries)
            .finish()
    }
}

impl OutlineCache {
    /// A cache of about `max_bytes` (~200 bytes per cell).
    pub fn new(max_bytes: u64) -> Self {
        let per_shard = (max_bytes / ENTRY_BYTES / SHARDS as u64).max(1);
        OutlineCache {
            shards: Arc::new(std::array::from_fn(|_| Shard::default())),
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
        // Fibonacci hashing: neighbouring cells differ in a few middle bits
        // only, so take the top bits of a multiplicative mix.
        let shard = &self.shards[(raw.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60) as usize];
        {
            let map = shard.read();
            if let Some(s) = map.get(&raw) {
                let (ring, polar) = s.ring();
                return f(ring, polar);
            }
        }
        let o = project(cell);
        {
            let mut map = shard.write();
            if map.len() >= self.per_shard {
                map.clear();
            }
            map.insert(raw, Stored::of(&o));
        }
        f(&o.ring, o.polar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let cache = OutlineCache::new(40 * ENTRY_BYTES * SHARDS as u64);
        let moscow = cell_of(55.7558, 37.6173).expect("cell");
        let pole = LatLng::new(90.0, 0.0).expect("ll").to_cell(Resolution::Two);
        let pentagon = CellIndex::base_cells()
            .find(|c| c.is_pentagon())
            .expect("pentagon")
            .center_child(Resolution::Five)
            .expect("child");
        for _ in 0..2 {
            for c in [moscow.parent(Resolution::Nine).expect("p"), pole, pentagon] {
                assert_eq!(*cache.get(c), *project(c), "{c}");
                let polar = cache.with(c, |_, polar| polar);
                assert_eq!(polar, project(c).polar);
            }
        }
        // Many more cells than it holds: every answer still right, and the
        // shards never grow past their share.
        for c in moscow
            .parent(Resolution::Six)
            .expect("p")
            .children(Resolution::Nine)
        {
            let want = project(c);
            cache.with(c, |ring, polar| {
                assert_eq!((ring, polar), (&want.ring[..], false))
            });
        }
        assert!(
            cache
                .shards
                .iter()
                .all(|s| s.read().len() <= cache.per_shard)
        );
    }
}
