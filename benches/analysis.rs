//! Criterion benchmarks of the analyses: hotspots over a city (Kazan, the
//! generated city scenario) at res 9 with 24 monthly periods, the issue's
//! target being ≤ 100 ms at 1 M appeals; and the parts of it (the count
//! scan alone).
//!
//! `HEXWATCH_BENCH_APPEALS` sets the data size (default 1 000 000).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hexwatch::aggregate::{Period, cell_series};
use hexwatch::analysis::hotspots::{HotspotQuery, compute, periods_for};
use hexwatch::generate::Scenario;
use hexwatch::index::{Data, Filter};
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
    }
    g.finish();
}

criterion_group!(group, benches);
criterion_main!(group);
