//! The hexagon layer writer against `fast-mvt`'s general builder (the
//! encoder it replaces): the same features must give the same bytes, and a
//! hand-made feature must decode to hand-written properties.

use super::*;
use crate::domain::{Sector, cell_of};
use crate::tiles::coord::TileCoord;
use crate::tiles::hexagons::Geometry;
use crate::tiles::outline::project;
use fast_mvt::{MvtGeomType, MvtLayerBuilder, MvtReaderRef, MvtValueRef};
use h3o::Resolution;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A counted cell and its clipped rings.
type Cell = (CellCount, Vec<Vec<(i32, i32)>>);

fn catalogue() -> Catalogue {
    let codes = ["housing", "roads", "transport", "improvement", "social"];
    Catalogue::new(
        codes
            .iter()
            .enumerate()
            .map(|(i, c)| Sector {
                id: i as u8 + 1,
                code: (*c).into(),
                name_ru: (*c).into(),
                name_en: (*c).into(),
                color: "#000000".into(),
            })
            .collect(),
    )
}

/// The general builder, tagging exactly as the hexagon layer did before.
fn reference(cat: &Catalogue, cells: &[Cell]) -> Vec<u8> {
    let mut layer = MvtLayerBuilder::new("hexagons").expect("layer");
    for (c, parts) in cells {
        let mut f = layer.feature_of(MvtGeomType::Polygon);
        for part in parts {
            f.ring(part.iter().map(|&(x, y)| geo::Coord { x, y }), true)
                .expect("ring");
        }
        f.id(Some(c.cell));
        f.tag_ref("h3", MvtValueRef::String(&format!("{:x}", c.cell)))
            .expect("tag");
        f.tag_ref("count", MvtValueRef::UInt(u64::from(c.total)))
            .expect("tag");
        let code = |id: u8| cat.all().iter().find(|s| s.id == id).map(|s| &s.code);
        if let Some(code) = c.dominant().and_then(code) {
            f.tag_ref("sector", MvtValueRef::String(code)).expect("tag");
        }
        for &(s, n) in &c.by_sector {
            if let Some(code) = code(s) {
                f.tag_ref(&format!("count_{code}"), MvtValueRef::UInt(u64::from(n)))
                    .expect("tag");
            }
        }
        layer = f.end();
    }
    layer.encode()
}

/// Real clipped cell outlines around Moscow in a z 12 tile (some cut by its
/// edges), with random sector counts: sectors absent, unknown to the
/// catalogue (id 9), ties, and counts past the dense table.
fn cells(seed: u64, n: usize) -> Vec<Cell> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let tile = TileCoord::new(12, 2476, 1280).expect("tile");
    let (west, south, east, north) = tile.lon_lat_bounds(64.0);
    let mut geom = Geometry::default();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while out.len() < n {
        let lat = rng.random_range(south - 0.01..north + 0.01);
        let lon = rng.random_range(west - 0.01..east + 0.01);
        let ci = cell_of(lat, lon)
            .expect("cell")
            .parent(Resolution::Ten)
            .expect("parent");
        if !seen.insert(ci) || !geom.build(&project(ci), tile) {
            continue;
        }
        let mut by_sector = Vec::new();
        for s in [1u8, 2, 3, 4, 5, 9] {
            if rng.random_bool(0.5) {
                let n = match rng.random_range(0..10) {
                    0 => rng.random_range(65_000..70_000),
                    1 => 1 << 20,
                    _ => rng.random_range(1..6),
                };
                by_sector.push((s, n));
            }
        }
        let total = by_sector.iter().map(|&(_, n)| n).sum::<u32>();
        out.push((
            CellCount {
                cell: u64::from(ci),
                total,
                by_sector,
            },
            geom.parts.clone(),
        ));
    }
    out
}

fn encode(cells: &[Cell], w: &mut HexLayer) -> Vec<u8> {
    w.reset();
    for (c, parts) in cells {
        w.push(c, parts);
    }
    assert_eq!(w.features(), cells.len());
    w.encode()
}

#[test]
fn bytes_equal_the_general_builders() {
    let cat = catalogue();
    let mut w = HexLayer::new(&cat);
    for seed in 0..20 {
        let cs = cells(seed, 1 + seed as usize * 13);
        assert_eq!(encode(&cs, &mut w), reference(&cat, &cs), "seed {seed}");
    }
    // Empty layers, and reuse after a bigger one.
    assert_eq!(encode(&[], &mut w), reference(&cat, &[]));
}

#[test]
fn a_feature_decodes_to_its_properties() {
    let cat = catalogue();
    let ci = cell_of(55.75, 37.62)
        .expect("cell")
        .parent(Resolution::Ten)
        .expect("parent");
    let c = CellCount {
        cell: u64::from(ci),
        total: 8,
        // roads 5 > housing 3: roads dominates; sector 9 is not in the catalogue.
        by_sector: vec![(1, 3), (2, 5), (9, 4)],
    };
    // Wound anticlockwise with y down: it must come out clockwise.
    let ring = vec![(0, 0), (0, 100), (100, 100), (100, 0)];
    let mut w = HexLayer::new(&cat);
    w.push(&c, &[ring]);
    let bytes = w.encode();
    let tile = MvtReaderRef::new(&bytes).expect("decode");
    let layer = tile.layers().next().expect("layer");
    assert_eq!(layer.name(), "hexagons");
    let dump = format!("{tile:?}");
    for want in [
        "extent: 4096",
        &format!("h3 = \"{ci}\""),
        "count = 8",
        "sector = \"roads\"",
        "count_housing = 3",
        "count_roads = 5",
        &format!("id: {}", u64::from(ci)),
    ] {
        assert!(dump.contains(want), "{want} missing in {dump}");
    }
    assert!(!dump.contains("count_9"), "{dump}");
    // Reversed to clockwise (y down), starting from the last vertex given;
    // the decoder closes the ring and calls it an exterior.
    assert!(
        dump.contains("RING[count=5](100 0,100 100,0 100,0 0,100 0)[OUTER]"),
        "{dump}"
    );
}

#[test]
fn two_halves_join_to_the_bytes_of_one_layer() {
    let cat = catalogue();
    let (mut one, mut a, mut b) = (
        HexLayer::new(&cat),
        HexLayer::new(&cat),
        HexLayer::new(&cat),
    );
    for seed in 0..12 {
        let cs = cells(100 + seed, 2 + seed as usize * 17);
        // Metric values on some seeds: doubles are never shared.
        let value = |k: usize| (seed % 2 == 1 && !k.is_multiple_of(3)).then_some(k as f64 * 0.25);
        for mid in [0, 1, cs.len() / 3, cs.len() / 2, cs.len() - 1, cs.len()] {
            for w in [&mut one, &mut a, &mut b] {
                w.reset();
            }
            for (k, (c, parts)) in cs.iter().enumerate() {
                one.push_with_value(c, value(k), parts);
                let half = if k < mid { &mut a } else { &mut b };
                half.push_with_value(c, value(k), parts);
            }
            assert_eq!(
                a.encode_with(&b),
                one.encode(),
                "seed {seed} split at {mid}"
            );
            assert_eq!(a.features() + b.features(), cs.len());
        }
    }
}
