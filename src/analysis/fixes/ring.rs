//! The control ring around a fix's area: the cells 1 to [`super::RING_K`] grid steps
//! from it (see [`super::area`] for how far that reaches and why).

use h3o::CellIndex;
use std::collections::HashSet;

/// The control ring: cells 1 to `k` grid steps from the area, excluding it,
/// ascending. Only border cells need their disks: a path from inside the
/// area to any outside cell leaves it through one.
pub fn ring(cells: &[u64], k: u32) -> Vec<u64> {
    let inside: HashSet<u64> = cells.iter().copied().collect();
    let mut out: HashSet<u64> = HashSet::new();
    for c in cells.iter().filter_map(|&c| CellIndex::try_from(c).ok()) {
        let border = c
            .grid_disk::<Vec<CellIndex>>(1)
            .into_iter()
            .any(|n| !inside.contains(&u64::from(n)));
        if !border {
            continue;
        }
        for n in c.grid_disk::<Vec<CellIndex>>(k) {
            let n = u64::from(n);
            if !inside.contains(&n) {
                out.insert(n);
            }
        }
    }
    let mut out: Vec<u64> = out.into_iter().collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::super::area::{AREA_RES, RING_K, circle};
    use super::*;
    use h3o::LatLng;

    fn dist_to_area(cells: &[u64], at: LatLng) -> f64 {
        cells
            .iter()
            .map(|&c| LatLng::from(CellIndex::try_from(c).unwrap()).distance_m(at))
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn the_ring_reaches_the_planted_displacement() {
        // The planted displaced fix: 250 m around the point; its appeals move
        // to a 150 m circle 500 m east. Every res-10 cell with its centre in
        // that circle must be in the ring, none in the area.
        let (lat, lon) = (55.86, 49.225);
        let area = circle(lat, lon, 250.0).unwrap();
        let ring = ring(&area, RING_K);
        let east = 500.0 / (6_371_008.8 * lat.to_radians().cos()) * 180.0 / std::f64::consts::PI;
        let moved = circle(lat, lon + east, 150.0).unwrap();
        for c in &moved {
            assert!(ring.binary_search(c).is_ok(), "{c:x} not in the ring");
            assert!(area.binary_search(c).is_err());
        }
        // How far the ring reaches beyond the area, in every direction: at
        // least 450 m, at most ~650 m (K = 4 steps of 1.5–1.73 edges).
        let origin = LatLng::new(lat, lon).unwrap().to_cell(AREA_RES);
        let far = origin.grid_disk::<Vec<CellIndex>>(RING_K + 8);
        let beyond: Vec<f64> = far
            .iter()
            .filter(|c| ring.binary_search(&u64::from(**c)).is_err())
            .filter(|c| area.binary_search(&u64::from(**c)).is_err())
            .map(|&c| dist_to_area(&area, LatLng::from(c)))
            .collect();
        let nearest_outside = beyond.iter().copied().fold(f64::INFINITY, f64::min);
        assert!(nearest_outside > 450.0, "{nearest_outside}");
        let reach = ring
            .iter()
            .map(|&c| dist_to_area(&area, LatLng::from(CellIndex::try_from(c).unwrap())))
            .fold(0.0, f64::max);
        assert!(reach < 650.0, "{reach}");
    }
}
