//! Criterion benchmarks of the index's hot paths on generated data:
//! country-wide and city aggregation, and the parse/validate/cell step of
//! ingest. Each group carries a baseline measured in the same run (a plain
//! hash-map GROUP BY over the same rows) so results read as ratios.
//!
//! A district of the demo's Kazan is summarised and binned through its H3
//! cover (inside cells unchecked, boundary cells tested point by point).
//!
//! `HEXWATCH_BENCH_APPEALS` sets the data size (default 1 000 000).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hexwatch::aggregate::{Period, Periods, aggregate_rows, count_cells};
use hexwatch::districts::demo::kazan_geojson;
use hexwatch::districts::summary::summarize;
use hexwatch::districts::{Districts, parse_collection};
use hexwatch::generate::{GenerateOptions, Scenario};
use hexwatch::index::{BBox, Data, Filter};
use hexwatch::ingest::{self, Format};
use std::collections::HashMap;
use std::hint::black_box;

mod common;
use common::{bench_size, catalogue, end, rows};

/// The baseline: what a straightforward implementation does per query.
fn hashmap_group_by(data: &Data, f: &Filter, res: h3o::Resolution) -> usize {
    let mut m: HashMap<u64, u32> = HashMap::new();
    data.visit(f, |c, i, _| {
        let cell = h3o::CellIndex::try_from(c.cell[i]).expect("cell");
        *m.entry(u64::from(cell.parent(res).expect("parent")))
            .or_default() += 1;
    });
    m.len()
}

fn benches(c: &mut Criterion) {
    let (n, _) = bench_size();
    let data = Data::from_rows(rows(n), 1);
    let year = (
        chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00+03:00")
            .expect("t")
            .timestamp(),
        chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+03:00")
            .expect("t")
            .timestamp(),
    );
    let country = Filter {
        sectors: Some(Filter::sector_set([1])),
        from: Some(year.0),
        to: Some(year.1),
        ..Filter::default()
    };
    let moscow = Filter {
        bbox: Some(BBox {
            min_lon: 37.50,
            min_lat: 55.68,
            max_lon: 37.75,
            max_lat: 55.82,
        }),
        ..Filter::default()
    };

    let mut g = c.benchmark_group("country_year_sector");
    g.throughput(Throughput::Elements(n as u64));
    for res in [5u8, 6] {
        g.bench_with_input(BenchmarkId::new("hexwatch", res), &res, |b, &r| {
            b.iter(|| {
                black_box(
                    count_cells(&data, &country, r, usize::MAX)
                        .expect("counts")
                        .len(),
                )
            })
        });
        let h3res = h3o::Resolution::try_from(res).expect("res");
        g.bench_with_input(
            BenchmarkId::new("baseline_hashmap", res),
            &h3res,
            |b, &r| b.iter(|| black_box(hashmap_group_by(&data, &country, r))),
        );
    }
    g.finish();

    let mut g = c.benchmark_group("city_viewport");
    for res in [8u8, 9] {
        g.bench_with_input(BenchmarkId::new("hexwatch", res), &res, |b, &r| {
            b.iter(|| {
                black_box(
                    count_cells(&data, &moscow, r, usize::MAX)
                        .expect("counts")
                        .len(),
                )
            })
        });
        let h3res = h3o::Resolution::try_from(res).expect("res");
        let full_scan = Filter {
            bbox: None,
            ..moscow.clone()
        };
        let bbox = moscow.bbox.expect("bbox");
        g.bench_with_input(
            BenchmarkId::new("baseline_full_scan_hashmap", res),
            &h3res,
            |b, &r| {
                b.iter(|| {
                    let mut m: HashMap<u64, u32> = HashMap::new();
                    data.visit(&full_scan, |c, i, _| {
                        if bbox.contains(c.lat[i] as f64 / 1e7, c.lon[i] as f64 / 1e7) {
                            let cell = h3o::CellIndex::try_from(c.cell[i]).expect("cell");
                            *m.entry(u64::from(cell.parent(r).expect("parent")))
                                .or_default() += 1;
                        }
                    });
                    black_box(m.len())
                })
            },
        );
    }
    g.finish();

    let mut g = c.benchmark_group("aggregate_rows");
    let periods = Periods::covering(Period::Month, chrono_tz::Europe::Moscow, year.0, year.1)
        .expect("periods");
    g.bench_function("country_res5_month_one_sector", |b| {
        b.iter(|| {
            black_box(
                aggregate_rows(&data, &country, 5, &periods, usize::MAX)
                    .expect("rows")
                    .len(),
            )
        })
    });
    g.finish();

    // A district of Kazan (the demo's largest, Sovetsky): its summary over the
    // last 90 days of 2025 and the previous 90, and its res-9 hexagons.
    let districts = Districts::from_parsed(
        parse_collection(kazan_geojson().as_bytes()).expect("demo districts"),
    );
    let sovetsky = districts.get(7).expect("district 7").mask.clone();
    let district = Filter {
        district: Some(sovetsky.clone()),
        ..Filter::default()
    };
    let mut g = c.benchmark_group("district");
    g.bench_function("summary_90_days", |b| {
        b.iter(|| black_box(summarize(&data, &sovetsky, year.1 - 90 * 86_400, year.1)))
    });
    g.bench_function("hexagons_res9", |b| {
        b.iter(|| {
            black_box(
                count_cells(&data, &district, 9, usize::MAX)
                    .expect("cells")
                    .len(),
            )
        })
    });
    g.finish();

    // Parse + validate + cell of 20 000 records in each wire format, against
    // the bare cost of reading the same JSON into serde_json values.
    let cat = catalogue();
    let opts = GenerateOptions {
        appeals: 20_000,
        seed: 3,
        scenario: Scenario::City,
        years: 1,
        end: end(),
    };
    let dir = tempfile::tempdir().expect("dir");
    let mut g = c.benchmark_group("ingest_parse");
    g.throughput(Throughput::Elements(20_000));
    for (ext, format) in [
        ("csv", Format::Csv),
        ("json", Format::Json),
        ("ndjson", Format::Ndjson),
    ] {
        let path = dir.path().join(format!("b.{ext}"));
        hexwatch::generate::write_file(&opts, &path, |_| {}).expect("write");
        let body = std::fs::read(&path).expect("read");
        g.bench_function(format!("{ext}_validate_cell"), |b| {
            b.iter(|| {
                black_box(
                    ingest::parse(format, &body, &cat)
                        .expect("parse")
                        .valid
                        .len(),
                )
            })
        });
        if ext == "json" {
            g.bench_function("baseline_json_to_values", |b| {
                b.iter(|| {
                    black_box(serde_json::from_slice::<serde_json::Value>(&body).expect("json"))
                })
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = hot_paths;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = benches
}
criterion_main!(hot_paths);
