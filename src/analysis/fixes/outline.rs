//! A fix area's outline: its cells dissolved into one (multi)polygon, for
//! GeoJSON answers and the `fixes` tile layer.

use geo::MultiPolygon;
use h3o::CellIndex;
use h3o::geom::SolventBuilder;

/// The union of the cells (lon/lat degrees); empty when they cannot be
/// dissolved (mixed resolutions or duplicates, which areas never hold).
pub fn dissolve(cells: &[u64]) -> MultiPolygon<f64> {
    let cells = cells.iter().filter_map(|&c| CellIndex::try_from(c).ok());
    SolventBuilder::new()
        .build()
        .dissolve(cells)
        .unwrap_or_else(|_| MultiPolygon::new(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use h3o::{LatLng, Resolution};

    #[test]
    fn a_disk_dissolves_into_one_ring_and_two_apart_into_two() {
        let c = LatLng::new(55.79, 49.12).unwrap().to_cell(Resolution::Ten);
        let mut disk: Vec<u64> = c
            .grid_disk::<Vec<_>>(1)
            .into_iter()
            .map(u64::from)
            .collect();
        disk.sort_unstable();
        let shape = dissolve(&disk);
        assert_eq!(shape.0.len(), 1);
        assert!(shape.0[0].interiors().is_empty());
        // 7 hexagons: the outline has 18 vertices, closed.
        assert_eq!(shape.0[0].exterior().0.len(), 19);
        let far = LatLng::new(55.80, 49.20).unwrap().to_cell(Resolution::Ten);
        let two = dissolve(&[u64::from(c), u64::from(far)]);
        assert_eq!(two.0.len(), 2);
    }
}
