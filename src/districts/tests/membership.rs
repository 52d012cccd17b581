//! Membership: the border rule, covers against brute force, demo districts
//! and index queries with a district.

use super::*;

/// Districts 1–5 of the border-rule test: A | B side by side, C above both,
/// D a two-part district with a hole, E filling that hole exactly.
fn border_districts() -> Districts {
    let mp = |g: Value| parse::parse_geometry(Some(&g)).expect("valid").0;
    let hole = square(49.45, 55.75, 49.55, 55.85);
    let shapes = [
        ("A", mp(poly(vec![square(49.0, 55.7, 49.1, 55.8)]))),
        ("B", mp(poly(vec![square(49.1, 55.7, 49.2, 55.8)]))),
        ("C", mp(poly(vec![square(49.0, 55.8, 49.2, 55.9)]))),
        (
            "D",
            mp(json!({"type": "MultiPolygon", "coordinates": [
                [square(49.4, 55.7, 49.6, 55.9), hole.clone()],
                [square(49.7, 55.7, 49.8, 55.8)]]})),
        ),
        ("E", mp(poly(vec![hole]))),
    ];
    let inputs = shapes
        .into_iter()
        .enumerate()
        .map(|(i, (name, geometry))| DistrictInput {
            id: i as i64 + 1,
            name: name.into(),
            code: None,
            created_at: 0,
            geojson: parse::geometry_json(&geometry, true),
            geometry,
        })
        .collect();
    Districts::default().with(inputs)
}

/// Ids of the districts a point belongs to.
fn owners(ds: &Districts, lon: f64, lat: f64) -> Vec<i64> {
    ds.all()
        .iter()
        .filter(|d| d.mask.contains(lat, lon))
        .map(|d| d.id)
        .collect()
}

#[test]
fn border_points_go_to_exactly_one_district() {
    let ds = border_districts();
    // Interiors.
    assert_eq!(owners(&ds, 49.05, 55.75), [1]);
    assert_eq!(owners(&ds, 49.15, 55.75), [2]);
    assert_eq!(owners(&ds, 49.15, 55.85), [3]);
    // The shared edge of A and B: the lower id, A.
    assert_eq!(owners(&ds, 49.1, 55.75), [1]);
    // A's and C's shared edge, B's and C's shared edge.
    assert_eq!(owners(&ds, 49.05, 55.8), [1]);
    assert_eq!(owners(&ds, 49.15, 55.8), [2]);
    // The vertex shared by A, B and C.
    assert_eq!(owners(&ds, 49.1, 55.8), [1]);
    // An outer edge with no neighbour belongs to its district.
    assert_eq!(owners(&ds, 49.15, 55.9), [3]);
    assert_eq!(owners(&ds, 49.0, 55.7), [1], "outer corner");
    // D: both parts; its hole belongs to E; the hole's edge to D (4 < 5).
    assert_eq!(owners(&ds, 49.42, 55.8), [4]);
    assert_eq!(owners(&ds, 49.75, 55.75), [4], "second part");
    assert_eq!(owners(&ds, 49.5, 55.8), [5], "in the hole");
    assert_eq!(owners(&ds, 49.5, 55.75), [4], "on the hole's edge");
    assert_eq!(owners(&ds, 49.45, 55.75), [4], "on the hole's corner");
    // Outside everything.
    assert!(owners(&ds, 49.65, 55.75).is_empty());
    assert!(owners(&ds, 49.3, 55.75).is_empty());
}

/// Random points close to the districts' edges (within ~2 cells of the
/// cover), at res 15.
fn points_near_edges(ds: &Districts, n: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(n);
    let segs: Vec<(geo::Coord, geo::Coord)> = ds
        .all()
        .iter()
        .flat_map(|d| {
            geo::LinesIter::lines_iter(d.shape.geometry())
                .map(|l| (l.start, l.end))
                .collect::<Vec<_>>()
        })
        .collect();
    while out.len() < n {
        let (a, b) = segs[rng.random_range(0..segs.len())];
        let t: f64 = rng.random_range(0.0..=1.0);
        let spread = [1e-6, 1e-4, 1e-3, 4e-3, 2e-2, 1e-1][rng.random_range(0..6)];
        let lon = a.x + t * (b.x - a.x) + rng.random_range(-spread..spread);
        let lat = a.y + t * (b.y - a.y) + rng.random_range(-spread..spread);
        // Appeals have longitudes in [-180, 180]: wrap like the ingest would need.
        let lon = if lon > 180.0 {
            lon - 360.0
        } else if lon < -180.0 {
            lon + 360.0
        } else {
            lon
        };
        out.push((lat, lon));
    }
    out
}

/// Checks a mask against the exact rule: an appeal in an "inside" cell is in
/// the district's interior, and every appeal of the district lies in its cover.
fn check_masks(ds: &Districts, points: &[(f64, f64)]) -> (usize, usize) {
    let (mut inside, mut boundary) = (0, 0);
    for &(lat, lon) in points {
        let Some(cell) = cell_of(lat, lon).map(u64::from) else {
            continue;
        };
        let (flat, flon) = (to_fixed(lat), to_fixed(lon));
        for d in ds.all() {
            let m = &d.mask;
            let exact = m.contains_fixed(flat, flon);
            assert_eq!(
                m.keeps(cell, flat, flon),
                exact,
                "{lat},{lon} district {}",
                d.id
            );
            let ranges = m.cell_ranges().expect("a cover");
            let k = ranges.partition_point(|r| r.hi < cell);
            match ranges.get(k).filter(|r| r.lo <= cell) {
                Some(r) if r.inside => {
                    inside += 1;
                    let pos = d.shape.position(
                        crate::domain::from_fixed(flon),
                        crate::domain::from_fixed(flat),
                    );
                    // The one boundary an inside cell may hold: a seam where a
                    // district is split at ±180, which is no border on the sphere.
                    let seam = pos == Position::OnBoundary && flon.abs() == 1_800_000_000;
                    assert!(
                        pos == Position::Inside || seam,
                        "{lat},{lon} in an inside cell of {} but {pos:?}",
                        d.id
                    );
                }
                Some(_) => boundary += 1,
                None => assert!(!exact, "{lat},{lon} belongs to {} but is not covered", d.id),
            }
        }
    }
    (inside, boundary)
}

#[test]
fn cover_agrees_with_brute_force_near_edges() {
    let ds = border_districts();
    assert!(ds.all().iter().all(|d| d.mask.res() == mask::COVER_RES));
    let (inside, boundary) = check_masks(&ds, &points_near_edges(&ds, 40_000, 11));
    assert!(inside > 1_000 && boundary > 1_000, "{inside} {boundary}");
}

#[test]
fn coarse_covers_of_large_districts_are_safe_too() {
    // Large enough that the cover drops to a coarser resolution.
    let mp = |g: Value| parse::parse_geometry(Some(&g)).expect("valid").0;
    let geometry = mp(poly(vec![vec![
        [45.0, 52.0],
        [53.0, 52.5],
        [50.0, 57.0],
        [47.5, 55.0],
        [45.0, 52.0],
    ]]));
    let ds = Districts::default().with(vec![DistrictInput {
        id: 1,
        name: "big".into(),
        code: None,
        created_at: 0,
        geojson: String::new(),
        geometry,
    }]);
    let res = ds.all()[0].mask.res();
    assert!(res < mask::COVER_RES, "res {res}");
    let (inside, boundary) = check_masks(&ds, &points_near_edges(&ds, 20_000, 12));
    assert!(inside > 300 && boundary > 300, "{inside} {boundary}");
}

#[test]
fn demo_districts_tile_the_city_box() {
    let body = demo::kazan_geojson();
    let parsed = parse_collection(body.as_bytes()).expect("valid");
    assert_eq!(parsed.len(), 7);
    let ds = Districts::from_parsed(parsed);
    // Planar areas in square degrees: the parts add up to the box exactly.
    let area: f64 = ds
        .all()
        .iter()
        .map(|d| geo::Area::unsigned_area(d.shape.geometry()))
        .sum();
    let box_area = (49.35 - 48.80) * (55.91 - 55.69);
    assert!((area - box_area).abs() < 1e-9, "{area} vs {box_area}");
    // Every point of the box belongs to exactly one district, on borders too.
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..20_000 {
        let lat = rng.random_range(55.69..=55.91);
        let lon = rng.random_range(48.80..=49.35);
        assert_eq!(owners(&ds, lon, lat).len(), 1, "{lat},{lon}");
    }
    for d in ds.all() {
        for c in geo::CoordsIter::coords_iter(d.shape.geometry()) {
            assert_eq!(owners(&ds, c.x, c.y).len(), 1, "vertex {c:?}");
        }
    }
    let parts: usize = ds.all().iter().map(|d| d.shape.geometry().0.len()).sum();
    assert!(parts >= 7);
    let (inside, boundary) = check_masks(&ds, &points_near_edges(&ds, 30_000, 4));
    assert!(inside > 0 && boundary > 0);
}

#[test]
fn index_queries_with_a_district_match_a_direct_tally() {
    let ds = border_districts();
    let rows = crate::index::testdata::rows_in(40_000, 8, 1, 11);
    // Points on the test districts (Kazan's cluster spans 48.8–49.4 E; add
    // some on D and E further east, and some exactly on shared edges).
    let mut rows = rows;
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let extra: Vec<(f64, f64)> = (0..4_000)
        .map(|i| match i % 4 {
            0 => (rng.random_range(55.7..55.9), rng.random_range(49.4..49.8)),
            1 => (rng.random_range(55.7..55.8), 49.1),
            2 => (55.8, rng.random_range(49.0..49.2)),
            _ => (55.75, rng.random_range(49.4..49.6)),
        })
        .collect();
    for (k, &(lat, lon)) in extra.iter().enumerate() {
        let mut r = rows[k].clone();
        r.id = 100_000 + k as i64;
        r.lat = lat;
        r.lon = lon;
        r.cell = u64::from(cell_of(lat, lon).expect("cell"));
        rows.push(r);
    }
    let split = rows.len() - 3_000;
    let mut data = Data::from_rows(rows[..split].to_vec(), 1);
    data.apply(&rows[split..], 2);
    assert!(!data.delta.is_empty());
    let total: usize = ds
        .all()
        .iter()
        .map(|d| {
            let base = Filter {
                district: Some(d.mask.clone()),
                ..Filter::default()
            };
            let variants = [
                base.clone(),
                Filter {
                    sectors: Some(Filter::sector_set([2, 5, 7])),
                    from: Some(1_620_000_000),
                    to: Some(1_680_000_000),
                    ..base.clone()
                },
                Filter {
                    bbox: Some(crate::index::BBox {
                        min_lon: 49.05,
                        min_lat: 55.72,
                        max_lon: 49.5,
                        max_lat: 55.85,
                    }),
                    ..base.clone()
                },
            ];
            let mut n = 0;
            for f in variants {
                let mut got: Vec<i64> = Vec::new();
                data.visit(&f, |c, i, _| got.push(c.id[i]));
                got.sort_unstable();
                let mut want: Vec<i64> = rows
                    .iter()
                    .filter(|r| {
                        let (lat, lon) = (to_fixed(r.lat), to_fixed(r.lon));
                        d.mask.contains_fixed(lat, lon)
                            && f.bbox.is_none_or(|b| b.contains(r.lat, r.lon))
                            && f.sectors.is_none_or(|s| {
                                s[usize::from(r.sector / 64)] >> (r.sector % 64) & 1 == 1
                            })
                            && f.time_ok(r.created_at)
                    })
                    .map(|r| r.id)
                    .collect();
                want.sort_unstable();
                assert_eq!(got, want, "district {}", d.id);
                n += got.len();
            }
            n
        })
        .sum();
    assert!(total > 5_000, "{total}");
}

#[test]
fn a_district_split_at_the_antimeridian_works_on_both_sides() {
    let mp = |g: Value| parse::parse_geometry(Some(&g)).expect("valid").0;
    let geometry = mp(json!({"type": "MultiPolygon", "coordinates": [
        [square(178.0, 64.0, 180.0, 66.0)], [square(-180.0, 64.0, -178.0, 66.0)]]}));
    let ds = Districts::default().with(vec![DistrictInput {
        id: 1,
        name: "Chukotka".into(),
        code: None,
        created_at: 0,
        geojson: String::new(),
        geometry,
    }]);
    let m = &ds.all()[0].mask;
    assert!(m.contains(65.0, 179.999) && m.contains(65.0, -179.999));
    assert!(
        m.contains(65.0, 180.0) && m.contains(65.0, -180.0),
        "the seam"
    );
    assert!(!m.contains(65.0, 177.9) && !m.contains(65.0, -177.9));
    let (inside, boundary) = check_masks(&ds, &points_near_edges(&ds, 20_000, 13));
    assert!(inside > 300 && boundary > 300, "{inside} {boundary}");
}
