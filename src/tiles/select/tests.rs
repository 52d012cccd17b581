use super::*;
use crate::domain::cell_of;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[test]
fn box_grows_and_wraps_at_the_antimeridian() {
    // The easternmost z 8 tile at Chukotka's latitude.
    let t = TileCoord::new(8, 255, 70).expect("tile");
    let b = read_box(t, 7).expect("small box");
    assert!(b.wraps(), "{b:?}");
    let (w, s, e, n) = t.lon_lat_bounds(0.0);
    assert!(b.min_lat < s && b.max_lat > n && b.min_lon < w && e > 179.9);
}

#[test]
fn polar_and_world_tiles_read_everything() {
    assert!(read_box(TileCoord::new(0, 0, 0).expect("t"), 1).is_none());
    assert!(read_box(TileCoord::new(3, 4, 0).expect("t"), 3).is_none());
    assert!(read_box(TileCoord::new(12, 2476, 1280).expect("t"), 10).is_some());
}

#[test]
fn split_tallies_count_like_one() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for len in [0usize, 1, 5, 127, 128, 129, 130, 131, 1000, 5003] {
        let run: Vec<u8> = (0..len)
            .map(|_| match rng.random_range(0..3) {
                0 => rng.random_range(0..=255),
                _ => rng.random_range(1..12),
            })
            .collect();
        // Start from a tally that already holds two sectors, as a cell
        // whose rows arrive in two runs would.
        let (mut a, mut ta) = ([0u32; 256], vec![3u8, 200]);
        a[3] = 7;
        a[200] = 1;
        let (mut b, mut tb) = (a, ta.clone());
        tally_run(&run, &mut a, &mut ta);
        for &s in &run {
            bump(&mut b, &mut tb, s);
        }
        assert_eq!(a, b, "len {len}");
        ta.sort_unstable();
        tb.sort_unstable();
        assert_eq!(ta, tb, "len {len}");
        assert_eq!(a.iter().sum::<u32>(), 8 + len as u32);
    }
}

#[test]
fn group_ends_where_the_run_ends() {
    // Runs of every length from 1 to 40, then one to the very end.
    let mut v: Vec<u64> = Vec::new();
    for len in 1..=40u64 {
        v.extend(std::iter::repeat_n(len, len as usize));
    }
    v.extend(std::iter::repeat_n(99, 20));
    let mut at = 0;
    for len in 1..=40u64 {
        let end = group_end(&v, at, |c| c == len);
        assert_eq!(end - at, len as usize, "run {len}");
        at = end;
    }
    assert_eq!(group_end(&v, at, |c| c == 99), v.len());
    assert_eq!(group_end(&v, v.len() - 1, |c| c == 99), v.len());
}

#[test]
fn cover_holds_every_point_of_the_box() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut boxes: Vec<BBox> = Vec::new();
    for z in [4u32, 6, 8, 10, 12, 14, 16, 18] {
        for (lat, lon) in [
            (55.75, 37.6),
            (65.0, 179.99),
            (65.0, -179.99),
            (0.0, 0.0),
            (-33.9, 18.4),
            (80.0, 10.0),
        ] {
            let n = f64::from(1u32 << z);
            let x = ((lon + 180.0) / 360.0 * n).floor().min(n - 1.0) as u32;
            let y = (super::super::coord::world_y(lat) * n).floor() as u32;
            let t = TileCoord::new(z, x, y).expect("tile");
            boxes.extend(read_box(t, super::super::zoom::res_for_zoom(z as u8)));
        }
    }
    assert!(boxes.len() > 40);
    for b in boxes {
        let ranges = cover(&b).expect("a tile's box has a cover");
        for _ in 0..2_000 {
            let lat = rng.random_range(b.min_lat..=b.max_lat);
            let mut lon = rng.random_range(b.min_lon..=b.min_lon + b.width());
            if lon > 180.0 {
                lon -= 360.0;
            }
            let c = u64::from(cell_of(lat, lon).expect("cell"));
            assert!(
                ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi),
                "{lat},{lon} of {b:?}"
            );
        }
    }
}

/// Whenever an appeal lets the walk skip its ancestor, every descendant of
/// that ancestor lies outside the box: checked on the vertices and centres
/// of its descendants four resolutions down (and its own boundary).
#[test]
fn skipped_ancestors_lie_wholly_outside_the_box() {
    use crate::domain::to_fixed;
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let mut skipped = [0usize; 16];
    for (z, x, y) in [(12, 2476, 1280), (10, 619, 320), (8, 154, 80), (6, 40, 19)] {
        let tile = TileCoord::new(z, x, y).expect("tile");
        let res = crate::tiles::zoom::res_for_zoom(tile.z());
        let bbox = read_box(tile, res).expect("box");
        let skip = skip::Skip::new(&bbox).expect("skipper");
        let inside = bbox.fixed();
        let (dlat, dlon) = (bbox.max_lat - bbox.min_lat, bbox.width());
        for _ in 0..250 {
            let lat = rng.random_range(bbox.min_lat - 2.0 * dlat..bbox.max_lat + 2.0 * dlat);
            let lon = rng.random_range(bbox.min_lon - 2.0 * dlon..bbox.max_lon + 2.0 * dlon);
            let Some(l) = skip.level(to_fixed(lat), to_fixed(lon), res) else {
                continue;
            };
            skipped[usize::from(l)] += 1;
            let level = Resolution::try_from(l).expect("res");
            let ancestor = cell_of(lat, lon)
                .expect("cell")
                .parent(level)
                .expect("parent");
            let down = Resolution::try_from((l + 4).min(15)).expect("res");
            let mut points: Vec<LatLng> = ancestor.boundary().iter().copied().collect();
            for c in ancestor.children(down) {
                points.push(LatLng::from(c));
                points.extend(c.boundary().iter().copied());
            }
            for p in points {
                assert!(
                    !inside.contains(to_fixed(p.lat()), to_fixed(p.lng())),
                    "z {z}: {p:?} of skipped {ancestor} (res {l}) from ({lat}, {lon}) is in {bbox:?}"
                );
            }
        }
    }
    assert!(
        skipped.iter().filter(|&&n| n > 0).count() >= 4,
        "{skipped:?}"
    );
}
