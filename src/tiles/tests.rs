//! The tile layers against brute-force oracles on fixed-seed points: every
//! cell meeting a tile is in it, with the count of a direct tally over all
//! appeals, whichever part of the index (sorted base or delta) holds them.

use super::hexagons::{self, Geometry, HexagonQuery};
use super::points::{AppealQuery, appeal_tile};
use super::select::PARALLEL_ROWS;
use super::zoom::res_for_zoom;
use super::*;
use crate::domain::{Catalogue, Sector, Status, cell_of};
use crate::index::cells::{cell, parent_raw};
use crate::index::{Data, Filter};
use crate::store::IndexRow;
use fast_mvt::{MvtGeometry, MvtReaderRef, MvtValueRef};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;

fn catalogue() -> Catalogue {
    Catalogue::new(
        (1..=11u8)
            .map(|id| Sector {
                id,
                code: format!("s{id}"),
                name_ru: format!("s{id}"),
                name_en: format!("s{id}"),
                color: "#000000".into(),
            })
            .collect(),
    )
}

/// Moscow, Chukotka on both sides of 180°, the whole world and both poles.
fn rows(n: usize, seed: u64) -> Vec<IndexRow> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let (lat, lon): (f64, f64) = match i % 5 {
                0 | 1 => (
                    55.75 + rng.random_range(-0.15..0.15),
                    37.6 + rng.random_range(-0.25..0.25),
                ),
                2 => {
                    let x: f64 = rng.random_range(178.5..181.5);
                    (
                        rng.random_range(64.0..66.5),
                        if x > 180.0 { x - 360.0 } else { x },
                    )
                }
                3 => (
                    rng.random_range(-1.0f64..1.0).asin().to_degrees(),
                    rng.random_range(-180.0..180.0),
                ),
                _ => (
                    rng.random_range(86.0..90.0) * if i % 2 == 0 { 1.0 } else { -1.0 },
                    rng.random_range(-180.0..180.0),
                ),
            };
            IndexRow {
                id: i as i64 + 1,
                cell: u64::from(cell_of(lat, lon).expect("cell")),
                lat,
                lon,
                created_at: 1_700_000_000 + rng.random_range(0..50_000_000),
                sector: rng.random_range(1..=11),
                status: Status::from_code(rng.random_range(0..4)),
                resolved_at: None,
                source: "vk".into(),
                responsible: 0,
                due_at: None,
                first_response_at: None,
            }
        })
        .collect()
}

/// A decoded hexagon feature: id, count, dominant sector, per-sector counts.
#[derive(Debug, PartialEq)]
struct Hex {
    count: u64,
    sector: String,
    by_sector: BTreeMap<String, u64>,
}

fn decode(bytes: &[u8], layer: &str) -> BTreeMap<u64, Hex> {
    let tile = MvtReaderRef::new(bytes).expect("decodes");
    let layers: Vec<_> = tile.layers().collect();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0].name(), layer);
    assert_eq!(layers[0].extent(), EXTENT);
    let mut out = BTreeMap::new();
    for f in layers[0].features() {
        let id = f.id().expect("id");
        match f.geometry().expect("geometry") {
            MvtGeometry::Polygon(p) => assert!(p.interiors().is_empty()),
            MvtGeometry::MultiPolygon(mp) => {
                assert!(mp.0.iter().all(|p| p.interiors().is_empty()))
            }
            g => panic!("not a polygon: {g:?}"),
        }
        let mut hex = Hex {
            count: 0,
            sector: String::new(),
            by_sector: BTreeMap::new(),
        };
        for kv in f.properties() {
            let (k, v) = kv.expect("property");
            match (k, v) {
                ("h3", MvtValueRef::String(s)) => assert_eq!(s, format!("{id:x}")),
                ("count", MvtValueRef::UInt(n)) => hex.count = n,
                ("sector", MvtValueRef::String(s)) => hex.sector = s.to_owned(),
                (k, MvtValueRef::UInt(n)) => {
                    hex.by_sector.insert(k.to_owned(), n);
                }
                (k, v) => panic!("unexpected property {k} = {:?}", v.into_owned()),
            }
        }
        assert!(out.insert(id, hex).is_none(), "cell {id:x} twice");
    }
    out
}

/// What the tile must hold: every cell of a direct tally whose outline meets
/// the buffered tile, with its full count.
fn expected(rows: &[IndexRow], q: &HexagonQuery, outlines: &OutlineCache) -> BTreeMap<u64, Hex> {
    let mut tally: HashMap<u64, BTreeMap<u8, u64>> = HashMap::new();
    for r in rows {
        let keep = q
            .filter
            .sectors
            .is_none_or(|s| s[usize::from(r.sector / 64)] & (1 << (r.sector % 64)) != 0);
        if keep {
            *tally
                .entry(parent_raw(r.cell, q.res))
                .or_default()
                .entry(r.sector)
                .or_default() += 1;
        }
    }
    let mut geom = Geometry::default();
    tally
        .into_iter()
        .filter(|(c, _)| geom.build(&outlines.get(cell(*c).expect("cell")), q.tile))
        .map(|(c, by)| {
            let top = by.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
            let hex = Hex {
                count: by.values().sum(),
                sector: top.map(|(s, _)| format!("s{s}")).unwrap_or_default(),
                by_sector: by
                    .iter()
                    .map(|(s, n)| (format!("count_s{s}"), *n))
                    .collect(),
            };
            (c, hex)
        })
        .collect()
}

fn tile_containing(lat: f64, lon: f64, z: u8) -> TileCoord {
    let n = f64::from(1u32 << z);
    let x = (coord::world_x(lon) * n).floor().clamp(0.0, n - 1.0);
    let y = (coord::world_y(lat) * n).floor().clamp(0.0, n - 1.0);
    TileCoord::new(u32::from(z), x as u32, y as u32).expect("tile")
}

#[test]
fn hexagon_tiles_match_a_direct_tally_in_base_and_delta() {
    let rows = rows(6_000, 11);
    let cat = catalogue();
    let outlines = OutlineCache::new(1 << 26);
    let in_base = Data::from_rows(rows.clone(), 1);
    let mut in_delta = Data::default();
    in_delta.apply(&rows, 1);
    assert!(in_delta.base.is_empty(), "rows stay in the delta");
    // Half and half: the two-thread path must hand recent writes to the half
    // holding their cell.
    let mut mixed = Data::from_rows(rows[..3_000].to_vec(), 1);
    mixed.apply(&rows[3_000..], 2);
    assert!(!mixed.base.is_empty() && !mixed.delta.is_empty());
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut tiles: Vec<TileCoord> = Vec::new();
    for z in [0u8, 1, 2] {
        let n = 1u32 << z;
        for x in 0..n {
            for y in 0..n {
                tiles.push(TileCoord::new(u32::from(z), x, y).expect("tile"));
            }
        }
    }
    for _ in 0..60 {
        let r = &rows[rng.random_range(0..rows.len())];
        let z = rng.random_range(3..=14u8);
        let t = tile_containing(r.lat, r.lon, z);
        // The tile and its east neighbour, which wraps at the antimeridian.
        let east = (t.x() + 1) % (1 << z);
        tiles.push(t);
        tiles.push(TileCoord::new(u32::from(z), east, t.y()).expect("tile"));
    }
    let mut nonempty = 0;
    let default_rows = PARALLEL_ROWS.load(Ordering::Relaxed);
    for (k, t) in tiles.into_iter().enumerate() {
        let filter = Filter {
            sectors: (k % 3 == 0).then(|| Filter::sector_set([2, 5, 7])),
            ..Filter::default()
        };
        let q = HexagonQuery {
            tile: t,
            res: res_for_zoom(t.z()),
            filter,
            cap: usize::MAX,
        };
        let want = expected(&rows, &q, &outlines);
        for data in [&in_base, &in_delta, &mixed] {
            // One thread, then every tile split over two: the same bytes.
            let mut bytes = Vec::new();
            for threshold in [usize::MAX, 2] {
                PARALLEL_ROWS.store(threshold, Ordering::Relaxed);
                let got = hexagons::tile(data, &cat, &outlines, &q).expect("tile");
                assert_eq!(got.features, want.len(), "tile {t}");
                assert_eq!(decode(&got.bytes, "hexagons"), want, "tile {t}");
                bytes.push(got.bytes);
            }
            assert_eq!(bytes[0], bytes[1], "tile {t}: two threads, other bytes");
        }
        nonempty += usize::from(!want.is_empty());
    }
    PARALLEL_ROWS.store(default_rows, Ordering::Relaxed);
    assert!(nonempty > 60, "the test should see many non-empty tiles");
}

#[test]
fn cells_straddling_the_antimeridian_show_on_both_sides() {
    let cat = catalogue();
    let outlines = OutlineCache::new(1 << 24);
    let mk = |id: i64, lat: f64, lon: f64| IndexRow {
        id,
        cell: u64::from(cell_of(lat, lon).expect("cell")),
        lat,
        lon,
        created_at: 1_700_000_000,
        sector: 3,
        status: Status::New,
        resolved_at: None,
        source: "vk".into(),
        responsible: 0,
        due_at: None,
        first_response_at: None,
    };
    let data = Data::from_rows(vec![mk(1, 65.0, 179.99), mk(2, 65.0, -179.99)], 1);
    for z in [4u8, 6, 8] {
        let res = res_for_zoom(z);
        let east = tile_containing(65.0, 179.99, z);
        let west = tile_containing(65.0, -179.99, z);
        assert_eq!((east.x(), west.x()), ((1 << z) - 1, 0));
        let c15 = cell_of(65.0, 179.99).expect("cell");
        let straddling = parent_raw(u64::from(c15), res);
        for t in [east, west] {
            let q = HexagonQuery {
                tile: t,
                res,
                filter: Filter::default(),
                cap: usize::MAX,
            };
            let got = decode(
                &hexagons::tile(&data, &cat, &outlines, &q)
                    .expect("tile")
                    .bytes,
                "hexagons",
            );
            let total: u64 = got.values().map(|h| h.count).sum();
            assert!(
                total >= 2,
                "z {z} tile {t}: both appeals counted, got {got:?}"
            );
            if parent_raw(u64::from(cell_of(65.0, -179.99).expect("c")), res) == straddling {
                assert_eq!(got.get(&straddling).map(|h| h.count), Some(2), "z {z} {t}");
            }
        }
    }
}

#[test]
fn appeal_points_carry_no_private_fields_and_wrap() {
    let cat = catalogue();
    let rows = rows(3_000, 3);
    let data = Data::from_rows(rows.clone(), 1);
    let chukotka = rows.iter().find(|r| r.lon > 179.99 || r.lon < -179.99);
    let r = chukotka.unwrap_or(&rows[2]);
    for z in [12u8, 13, 16] {
        let q = AppealQuery {
            tile: tile_containing(r.lat, r.lon, z),
            filter: Filter::default(),
            cap: usize::MAX,
            tz: chrono_tz::Europe::Moscow,
        };
        let got = appeal_tile(&data, &cat, &q).expect("tile");
        let tile = MvtReaderRef::new(&got.bytes).expect("decodes");
        let layer = tile.layers().next().expect("layer");
        assert_eq!(layer.name(), "appeals");
        if z < 13 {
            assert_eq!(layer.feature_count(), 0);
            continue;
        }
        assert!(layer.feature_count() >= 1, "z {z}");
        let keys: Vec<&str> = layer.keys().to_vec();
        assert_eq!(keys, ["sector", "status", "created_at"]);
        for f in layer.features() {
            let MvtGeometry::Point(p) = f.geometry().expect("geometry") else {
                panic!("not a point")
            };
            let b = BUFFER as i32;
            assert!((-b..=EXTENT as i32 + b).contains(&p.x()));
            assert!((-b..=EXTENT as i32 + b).contains(&p.y()));
        }
    }
}
