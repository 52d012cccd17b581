//! Criterion benchmarks of the analyses over a city (Kazan, the generated
//! city scenario, every appeal in one city: the densest case): hotspots at
//! res 9 with 24 monthly periods (target ≤ 100 ms at 1 M appeals) and the
//! count scan alone; a fix's effect (target ≤ 10 ms at 10 M); a district
//! summary, its counts and its hotspot analysis (target ≤ 50 ms at 10 M);
//! one cell's details and a two-period change map.
//!
//! `HEXWATCH_BENCH_APPEALS` sets the data size (default 1 000 000).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hexwatch::aggregate::{Period, cell_series};
use hexwatch::analysis::cell::{CellQuery, describe};
use hexwatch::analysis::change::change;
use hexwatch::analysis::fixes;
use hexwatch::analysis::hotspots::{HotspotQuery, compute, periods_for};
use hexwatch::districts::demo::kazan_geojson;
use hexwatch::districts::summary::summarize;
use hexwatch::districts::{Districts, parse_collection};
use hexwatch::generate::Scenario;
use hexwatch::index::cells::parent_raw;
use hexwatch::index::{Data, Filter};
use std::collections::{HashMap, HashSet};
use std::hint::black_box;

mod common;
use common::{bench_size, rows_of};

fn benches(c: &mut Criterion) {
    let (n, _) = bench_size();
    let data = Data::from_rows(rows_of(n, Scenario::City), 1);
    let tz = chrono_tz::Europe::Moscow;
    let t = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("t")
            .timestamp()
    };
    // The last 24 whole months of the generated range.
    let filter = Filter {
        from: Some(t("2024-10-01T00:00:00+03:00")),
        to: Some(t("2026-10-01T00:00:00+03:00")),
        ..Filter::default()
    };
    let mut g = c.benchmark_group("hotspots_city_24_months");
    g.sample_size(20);
    for res in [8u8, 9] {
        let q = HotspotQuery {
            filter: filter.clone(),
            res,
            k: 1,
            period: Period::Month,
            tz,
            alpha: 0.05,
            max_cells: 1_000_000,
        };
        let h = compute(&data, &q).expect("hotspots");
        eprintln!(
            "hotspots res {res}: {} appeals, {} study-area cells, {} periods",
            n,
            h.cells.len(),
            h.periods.len()
        );
        g.bench_with_input(BenchmarkId::new("compute", res), &q, |b, q| {
            b.iter(|| black_box(compute(&data, q).expect("hotspots").cells.len()))
        });
        let periods = periods_for(&data, &q.filter, q.period, tz).expect("periods");
        g.bench_with_input(BenchmarkId::new("count_scan", res), &q, |b, q| {
            b.iter(|| {
                black_box(
                    cell_series(&data, &q.filter, q.res, &periods, usize::MAX)
                        .expect("series")
                        .cells
                        .len(),
                )
            })
        });
        // Baseline: what a straightforward implementation does, a hash map
        // keyed by (checked H3 parent, period) over every matching appeal.
        g.bench_with_input(
            BenchmarkId::new("count_baseline_hashmap", res),
            &q,
            |b, q| {
                let r = h3o::Resolution::try_from(q.res).expect("res");
                b.iter(|| {
                    let mut m: HashMap<(u64, u32), u32> = HashMap::new();
                    data.visit(&q.filter, |c, i, _| {
                        let cell = h3o::CellIndex::try_from(c.cell[i]).expect("cell");
                        if let Some(p) = periods.index_of(c.created[i]) {
                            let parent = u64::from(cell.parent(r).expect("parent"));
                            *m.entry((parent, p)).or_default() += 1;
                        }
                    });
                    black_box(m.len())
                })
            },
        );
    }
    g.finish();
    others(c, &data, tz, t);
}

/// Fix effect, district summary, cell details and change over the same data.
fn others(c: &mut Criterion, data: &Data, tz: chrono_tz::Tz, t: impl Fn(&str) -> i64) {
    let mut g = c.benchmark_group("analysis_city");
    g.sample_size(20);
    // A 250 m fix in the centre of Kazan (dense: the worst case for counting).
    let body = br#"{"title":"bench","sector":"roads","done_at":"2025-10-01",
        "lat":55.7903,"lon":49.1347,"radius_m":250}"#;
    let cat = common::catalogue();
    let input = fixes::input::parse(body, &cat, tz, t("2026-11-01T00:00:00+03:00")).expect("fix");
    let fix = fixes::Fix::from_row(input.into_row(0).expect("row")).expect("fix");
    let span = data.time_span();
    g.bench_function("fix_effect_90d", |b| {
        b.iter(|| black_box(fixes::effect(data, span, &fix, 90).verdict))
    });
    // Baseline: every appeal of the sector in the windows, its parent looked
    // up in a hash set of the area's and the ring's cells.
    let (area, ring): (HashSet<u64>, HashSet<u64>) = (
        fix.cells.iter().copied().collect(),
        fix.ring.iter().copied().collect(),
    );
    let day = 86_400;
    let wf = Filter {
        sectors: Some(Filter::sector_set([fix.sector])),
        from: Some(fix.done_at - 90 * day),
        to: Some(fix.done_at + 90 * day),
        ..Filter::default()
    };
    g.bench_function("fix_effect_baseline_scan", |b| {
        b.iter(|| {
            let mut n = [0u32; 4];
            data.visit(&wf, |c, i, _| {
                let p = parent_raw(c.cell[i], 10);
                let after = usize::from(c.created[i] >= fix.done_at);
                if area.contains(&p) {
                    n[after] += 1;
                } else if ring.contains(&p) {
                    n[2 + after] += 1;
                }
            });
            black_box(n)
        })
    });
    g.bench_function("time_span", |b| b.iter(|| black_box(data.time_span())));

    let districts =
        Districts::from_parsed(parse_collection(kazan_geojson().as_bytes()).expect("demo"));
    let (from, to) = (
        t("2026-08-01T00:00:00+03:00"),
        t("2026-11-01T00:00:00+03:00"),
    );
    for d in districts.all() {
        if ![2, 7].contains(&d.id) {
            continue;
        }
        let name = format!("{}_{}", d.id, d.code.as_deref().unwrap_or(""));
        g.bench_with_input(
            BenchmarkId::new("district_summary_counts", &name),
            &d.mask,
            |b, m| b.iter(|| black_box(summarize(data, m, from, to).count)),
        );
        // Baseline: the same two periods, every appeal tested point-in-polygon
        // (no H3 cover), tallied by sector.
        let both = Filter {
            from: Some(from - (to - from)),
            to: Some(to),
            ..Filter::default()
        };
        g.bench_with_input(
            BenchmarkId::new("district_counts_baseline_pip", &name),
            &d.mask,
            |b, m| {
                b.iter(|| {
                    let mut n = [[0u32; 256]; 2];
                    data.visit(&both, |c, i, _| {
                        let (lat, lon) = (f64::from(c.lat[i]) * 1e-7, f64::from(c.lon[i]) * 1e-7);
                        if m.contains(lat, lon) {
                            n[usize::from(c.created[i] >= from)][usize::from(c.sector[i])] += 1;
                        }
                    });
                    black_box(n[1][2])
                })
            },
        );
        let q = HotspotQuery {
            filter: Filter {
                from: Some(from),
                to: Some(to),
                district: Some(d.mask.clone()),
                ..Filter::default()
            },
            res: 9,
            k: 1,
            period: Period::Month,
            tz,
            alpha: 0.05,
            max_cells: 1_000_000,
        };
        g.bench_with_input(
            BenchmarkId::new("district_summary_hotspots", &name),
            &q,
            |b, q| b.iter(|| black_box(compute(data, q).expect("hotspots").cells.len())),
        );
    }

    let centre = h3o::LatLng::new(55.7903, 49.1347)
        .expect("ll")
        .to_cell(h3o::Resolution::Nine);
    let q = CellQuery {
        cell: centre,
        filter: Filter::default(),
        period: Period::Month,
        tz,
        repeat_days: 30,
    };
    g.bench_function("cell_detail_res9", |b| {
        b.iter(|| black_box(describe(data, &q).expect("cell").count))
    });
    let (a, bb) = (
        (
            t("2025-07-01T00:00:00+03:00"),
            t("2025-10-01T00:00:00+03:00"),
        ),
        (
            t("2026-07-01T00:00:00+03:00"),
            t("2026-10-01T00:00:00+03:00"),
        ),
    );
    g.bench_function("change_res8_quarter", |b| {
        b.iter(|| {
            black_box(
                change(data, &Filter::default(), 8, a, bb, usize::MAX)
                    .expect("change")
                    .len(),
            )
        })
    });
    g.finish();
}

criterion_group!(group, benches);
criterion_main!(group);
