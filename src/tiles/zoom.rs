//! Which H3 resolution a hexagon tile uses at each zoom.
//!
//! A hexagon should stay roughly 8–40 px across on a 512-px tile. Web
//! Mercator stretches the map by 1/cos(latitude), so one table cannot hit a
//! fixed size everywhere; it is tuned for 55° N (Moscow, Kazan), where the
//! cells come out 12–28 px across, about 7–16 px at the equator and 20–47 px
//! at 70° N (Chukotka). Each zoom doubles pixel sizes while each resolution
//! shrinks cells by √7 ≈ 2.65, so the resolution steps up on most zooms.
//!
//! | zoom | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | ≥ 19 |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | res | 1 | 2 | 3 | 3 | 4 | 5 | 5 | 6 | 7 | 8 | 8 | 9 | 10 | 10 | 11 | 12 | 13 | 13 | 14 | 15 |

use super::coord::MAX_ZOOM;

/// The resolution for each zoom 0..=24 (see the module table).
const ZOOM_RES: [u8; MAX_ZOOM as usize + 1] = [
    1, 2, 3, 3, 4, 5, 5, 6, 7, 8, 8, 9, 10, 10, 11, 12, 13, 13, 14, 15, 15, 15, 15, 15, 15,
];

/// A request's `res` override may be at most this much finer than the zoom's
/// own resolution: each step multiplies the cells in a tile by seven.
pub const MAX_RES_OVER_ZOOM: u8 = 2;

/// The resolution hexagon tiles use at zoom `z` (clamped to `MAX_ZOOM`).
pub fn res_for_zoom(z: u8) -> u8 {
    ZOOM_RES[usize::from(z.min(MAX_ZOOM))]
}

/// The finest resolution a request may ask for at zoom `z`.
pub fn finest_res_for_zoom(z: u8) -> u8 {
    (res_for_zoom(z) + MAX_RES_OVER_ZOOM).min(15)
}

/// The first zoom whose resolution reaches `res`: past it tiles get no finer,
/// so it is the source's `maxzoom` for clients that overzoom.
pub fn zoom_reaching(res: u8) -> u8 {
    (0..=MAX_ZOOM)
        .find(|&z| res_for_zoom(z) >= res)
        .unwrap_or(MAX_ZOOM)
}

#[cfg(test)]
mod tests {
    use super::*;
    use h3o::Resolution;

    /// Pixels across a hexagon (two edge lengths) on a 512-px tile at `lat`.
    fn px(z: u8, lat: f64) -> f64 {
        let res = Resolution::try_from(res_for_zoom(z)).expect("res");
        let metres_per_px = 40_075_016.686 * lat.to_radians().cos() / (512.0 * 2f64.powi(z.into()));
        2.0 * res.edge_length_m() / metres_per_px
    }

    #[test]
    fn hexagons_stay_8_to_40_px_at_55_north() {
        for z in 0..=19 {
            let p = px(z, 55.0);
            assert!((8.0..=40.0).contains(&p), "z {z}: {p:.1} px");
            assert!((5.0..=60.0).contains(&px(z, 0.0)), "z {z} at the equator");
        }
    }

    #[test]
    fn resolution_never_gets_coarser_with_zoom() {
        for z in 1..=MAX_ZOOM {
            assert!(res_for_zoom(z) >= res_for_zoom(z - 1));
        }
        assert_eq!(zoom_reaching(15), 19);
        assert_eq!(zoom_reaching(10), 12);
        assert_eq!(finest_res_for_zoom(0), 3);
        assert_eq!(finest_res_for_zoom(24), 15);
    }
}
