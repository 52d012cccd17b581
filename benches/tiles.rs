//! Criterion benchmarks of vector tiles on the generated country data set:
//! an uncached z 12 hexagon tile (a random tile where appeals are, as a map
//! asks for them), the densest z 8 city tile, and a cached-tile lookup. A
//! latency survey over many distinct z 12 tiles prints p50 / p99 first.
//!
//! `HEXWATCH_BENCH_APPEALS` sets the data size (default 1 000 000);
//! `HEXWATCH_BENCH_SURVEY=0` skips the survey (for profiling).

use criterion::{BenchmarkId, Criterion};
use hexwatch::domain::Catalogue;
use hexwatch::index::{Data, Filter};
use hexwatch::store::IndexRow;
use hexwatch::tiles::coord::{world_x, world_y};
use hexwatch::tiles::hexagons::{self, HexagonQuery};
use hexwatch::tiles::select::{self, base_rows, read_box};
use hexwatch::tiles::zoom::res_for_zoom;
use hexwatch::tiles::{Layer, OutlineCache, TileCache, TileCoord, TileKey};
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

mod common;
use common::{bench_size, catalogue, rows};

fn tile_of(lat: f64, lon: f64, z: u8) -> TileCoord {
    let n = f64::from(1u32 << z);
    let x = (world_x(lon) * n).floor().clamp(0.0, n - 1.0);
    let y = (world_y(lat) * n).floor().clamp(0.0, n - 1.0);
    TileCoord::new(u32::from(z), x as u32, y as u32).expect("tile")
}

fn query(tile: TileCoord) -> HexagonQuery {
    HexagonQuery {
        tile,
        res: res_for_zoom(tile.z()),
        filter: Filter::default(),
        cap: usize::MAX,
    }
}

/// Distinct z 12 tiles under randomly picked appeals (dense places more
/// often, as users look there), distinct z 12 tiles picked evenly among all
/// tiles holding appeals, and the z 8 tile holding the most appeals.
fn pick_tiles(rows: &[IndexRow], k: usize) -> (Vec<TileCoord>, Vec<TileCoord>, TileCoord) {
    let mut z12: Vec<TileCoord> = Vec::new();
    let step = (rows.len() / (k * 3)).max(1);
    let mut seen = std::collections::HashSet::new();
    for r in rows.iter().step_by(step) {
        let t = tile_of(r.lat, r.lon, 12);
        if seen.insert(t) {
            z12.push(t);
        }
        if z12.len() == k {
            break;
        }
    }
    let mut all: Vec<TileCoord> = rows.iter().map(|r| tile_of(r.lat, r.lon, 12)).collect();
    all.sort_unstable();
    all.dedup();
    let even: Vec<TileCoord> = all
        .iter()
        .step_by((all.len() / k).max(1))
        .copied()
        .collect();
    let mut z8: HashMap<TileCoord, usize> = HashMap::new();
    for r in rows {
        *z8.entry(tile_of(r.lat, r.lon, 8)).or_default() += 1;
    }
    let densest = z8.into_iter().max_by_key(|&(t, n)| (n, t)).map(|(t, _)| t);
    (z12, even, densest.expect("data"))
}

/// p50 / p99 of building each tile once, outlines warm.
fn distribution(data: &Data, cat: &Catalogue, name: &str, tiles: &[TileCoord]) {
    let outlines = OutlineCache::new(256 << 20);
    for &t in tiles {
        black_box(hexagons::tile(data, cat, &outlines, &query(t)).expect("tile"));
    }
    let mut ms: Vec<f64> = Vec::with_capacity(tiles.len());
    let mut features = 0;
    for &t in tiles {
        let started = Instant::now();
        let e = hexagons::tile(data, cat, &outlines, &query(t)).expect("tile");
        ms.push(started.elapsed().as_secs_f64() * 1e3);
        features += e.features;
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "survey: {} z12 tiles {name}, outlines warm: p50 {:.3} ms, p99 {:.3} ms, {:.0} hexagons/tile",
        tiles.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        features as f64 / tiles.len() as f64
    );
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Builds each tile once (outlines warm from an earlier pass) and prints
/// the distribution: a map asks for many distinct tiles, not one repeatedly.
fn survey(data: &Data, cat: &Catalogue, tiles: &[TileCoord], dense: TileCoord) {
    let outlines = OutlineCache::new(256 << 20);
    for &t in tiles {
        black_box(hexagons::tile(data, cat, &outlines, &query(t)).expect("tile"));
    }
    for (name, cold) in [("outlines warm", false), ("outlines cold", true)] {
        let mut ms: Vec<f64> = Vec::with_capacity(tiles.len());
        let mut features = 0;
        for &t in tiles {
            let fresh;
            let cache = if cold {
                fresh = OutlineCache::new(256 << 20);
                &fresh
            } else {
                &outlines
            };
            let started = Instant::now();
            let e = hexagons::tile(data, cat, cache, &query(t)).expect("tile");
            ms.push(started.elapsed().as_secs_f64() * 1e3);
            features += e.features;
        }
        ms.sort_by(f64::total_cmp);
        println!(
            "survey: {} z12 tiles under random appeals, {name}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms, {:.0} hexagons/tile",
            tiles.len(),
            percentile(&ms, 0.5),
            percentile(&ms, 0.99),
            percentile(&ms, 1.0),
            features as f64 / tiles.len() as f64
        );
    }
    // Where the time goes (outlines warm): choosing rows, counting, encoding.
    let (mut t_rows, mut t_count, mut t_encode) = (Vec::new(), Vec::new(), Vec::new());
    for &t in tiles {
        let q = query(t);
        let s0 = Instant::now();
        black_box(base_rows(data, read_box(t, q.res).as_ref()));
        let s1 = Instant::now();
        let counts = select::count(data, t, q.res, &q.filter, usize::MAX).expect("counts");
        let s2 = Instant::now();
        black_box(hexagons::encode(&counts, None, cat, &outlines, t).expect("tile"));
        let s3 = Instant::now();
        t_rows.push((s1 - s0).as_secs_f64() * 1e3);
        t_count.push((s2 - s1).as_secs_f64() * 1e3);
        t_encode.push((s3 - s2).as_secs_f64() * 1e3);
    }
    // The encoding's parts over the same cells: outline lookups, clipping.
    let all: Vec<(TileCoord, Vec<hexwatch::aggregate::CellCount>)> = tiles
        .iter()
        .map(|&t| {
            let c = select::count(data, t, res_for_zoom(12), &Filter::default(), usize::MAX);
            (t, c.expect("counts"))
        })
        .collect();
    let n_cells: usize = all.iter().map(|(_, c)| c.len()).sum();
    let cell = |raw: u64| h3o::CellIndex::try_from(raw).expect("cell");
    let s0 = Instant::now();
    for (_, counts) in &all {
        for c in counts {
            black_box(outlines.with(cell(c.cell), |r, _| r.len()));
        }
    }
    let s1 = Instant::now();
    let mut geom = hexagons::Geometry::default();
    for (t, counts) in &all {
        for c in counts {
            black_box(outlines.with(cell(c.cell), |r, polar| geom.build_ring(r, polar, *t)));
        }
    }
    let s2 = Instant::now();
    for (t, counts) in &all {
        black_box(hexagons::encode(counts, None, cat, &outlines, *t).expect("tile"));
    }
    let s3 = Instant::now();
    let per = |d: std::time::Duration| d.as_secs_f64() * 1e9 / n_cells as f64;
    println!(
        "survey: per counted cell: outline lookup {:.0} ns, lookup + clip {:.0} ns, whole encode {:.0} ns",
        per(s1 - s0),
        per(s2 - s1),
        per(s3 - s2)
    );
    for (name, v) in [
        ("choose rows", &mut t_rows),
        ("choose rows + count", &mut t_count),
        ("encode", &mut t_encode),
    ] {
        v.sort_by(f64::total_cmp);
        println!(
            "survey: z12 {name}: p50 {:.3} ms, p99 {:.3} ms",
            percentile(v, 0.5),
            percentile(v, 0.99)
        );
    }
    let started = Instant::now();
    let e = hexagons::tile(data, cat, &outlines, &query(dense)).expect("tile");
    println!(
        "survey: densest z8 tile {dense}: {:.3} ms, {} hexagons, {} bytes",
        started.elapsed().as_secs_f64() * 1e3,
        e.features,
        e.bytes.len()
    );
}

fn main() {
    let (n, benching) = bench_size();
    let rows = rows(n);
    let (z12, even, dense) = pick_tiles(&rows, if benching { 1000 } else { 50 });
    let data = Data::from_rows(rows, 1);
    let cat = catalogue();
    if std::env::var("HEXWATCH_BENCH_SURVEY").as_deref() != Ok("0") {
        distribution(&data, &cat, "picked evenly among tiles with appeals", &even);
        survey(&data, &cat, &z12, dense);
    }

    let mut c = Criterion::default().configure_from_args();
    let outlines = OutlineCache::new(256 << 20);
    let mut g = c.benchmark_group("hexagon_tile_uncached");
    let mut k = 0;
    g.bench_function(BenchmarkId::new("z12_random", n), |b| {
        b.iter(|| {
            k = (k + 1) % z12.len();
            black_box(hexagons::tile(&data, &cat, &outlines, &query(z12[k])).expect("tile"))
        })
    });
    g.bench_function(BenchmarkId::new("z8_densest", n), |b| {
        b.iter(|| black_box(hexagons::tile(&data, &cat, &outlines, &query(dense)).expect("tile")))
    });
    g.finish();

    // The cached path: key construction and a lookup in a full cache.
    let cache = TileCache::new(256 << 20);
    let key = |t: TileCoord| TileKey {
        layer: Layer::Hexagons,
        tile: t,
        res: res_for_zoom(t.z()),
        sectors: None,
        from: None,
        to: None,
        district: None,
        seq: 1,
        extra: 0,
        metric: hexwatch::analysis::resolution::Metric::Count,
        min_count: 0,
    };
    for &t in &z12 {
        let e = hexagons::tile(&data, &cat, &outlines, &query(t)).expect("tile");
        cache.insert(key(t), bytes::Bytes::from(e.bytes));
    }
    let mut g = c.benchmark_group("hexagon_tile_cached");
    let mut k = 0;
    g.bench_function("lookup", |b| {
        b.iter(|| {
            k = (k + 1) % z12.len();
            black_box(cache.get(&key(z12[k])))
        })
    });
    g.finish();
    c.final_summary();
}
