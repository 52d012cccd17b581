//! Criterion benchmarks of resolution performance over the generated country
//! scenario (seed 7): the resolution table by district and month (districts:
//! a 1.2° × 2° box around each of its cities; target ≤ 100 ms p50 at 10 M),
//! by sector and month, and a process change's effect (target ≤ 20 ms),
//! each beside a baseline measured in the same run, and the table as the
//! server answers it again within one data version (its cache).
//!
//! `HEXWATCH_BENCH_APPEALS` sets the data size (default 1 000 000).

use criterion::{Criterion, criterion_group, criterion_main};
use hexwatch::aggregate::{Period, Periods};
use hexwatch::analysis::resolution::{GroupBy, ResolutionCache, Scope, TableKey, effect, table};
use hexwatch::districts::{Districts, parse_collection};
use hexwatch::generate::Scenario;
use hexwatch::index::{Data, Filter, UNRESOLVED};
use std::convert::Infallible;
use std::hint::black_box;

mod common;
use common::{bench_size, rows_and_truth};

/// Districts: a box around each city of the scenario.
fn city_boxes(truth: &hexwatch::generate::Truth) -> Districts {
    let features: Vec<serde_json::Value> = truth
        .places
        .iter()
        .map(|p| {
            let (w, e, s, n) = (p.lon - 1.0, p.lon + 1.0, p.lat - 0.6, p.lat + 0.6);
            serde_json::json!({"type": "Feature", "properties": {"name": p.name_en},
                "geometry": {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}})
        })
        .collect();
    let fc = serde_json::json!({"type": "FeatureCollection", "features": features});
    Districts::from_parsed(parse_collection(fc.to_string().as_bytes()).expect("districts"))
}

/// Baseline: what a straightforward implementation does per (district,
/// month): a filtered visit, the resolved appeals' durations into a vector
/// per month (open ones dropped: no censoring), a sort and the middle value.
fn baseline(data: &Data, districts: &Districts, periods: &Periods) -> usize {
    let mut rows = 0;
    for d in districts.all() {
        let f = Filter {
            district: Some(d.mask.clone()),
            ..Filter::default()
        };
        let mut per: Vec<Vec<u32>> = vec![Vec::new(); periods.len()];
        data.visit(&f, |c, i, _| {
            if let Some(p) = periods.index_of(c.created[i])
                && c.resolve[i] != UNRESOLVED
            {
                per[p as usize].push(c.resolve[i]);
            }
        });
        for v in &mut per {
            if !v.is_empty() {
                v.sort_unstable();
                black_box(v[v.len() / 2]);
                rows += 1;
            }
        }
    }
    rows
}

fn benches(c: &mut Criterion) {
    let (n, _) = bench_size();
    let (rows, truth) = rows_and_truth(n, Scenario::Country);
    let data = Data::from_rows(rows, 1);
    let districts = city_boxes(&truth);
    let (lo, hi) = data.time_span().expect("data");
    let periods =
        Periods::covering(Period::Month, chrono_tz::Europe::Moscow, lo, hi + 1).expect("periods");
    let as_of = hi;
    let all = Filter::default();
    let t = table(&data, &all, GroupBy::District, &periods, &districts, as_of);
    let in_districts: u32 = t.iter().map(|r| r.summary.count).sum();
    eprintln!(
        "{n} appeals, {} districts ({in_districts} appeals in them), {} months, {} rows",
        districts.all().len(),
        periods.len(),
        t.len()
    );
    let mut g = c.benchmark_group("resolution_table");
    g.sample_size(20);
    g.bench_function("district_month", |b| {
        b.iter(|| {
            black_box(table(&data, &all, GroupBy::District, &periods, &districts, as_of).len())
        })
    });
    g.bench_function("district_month_baseline_sort_median", |b| {
        b.iter(|| black_box(baseline(&data, &districts, &periods)))
    });
    g.bench_function("sector_month", |b| {
        b.iter(|| black_box(table(&data, &all, GroupBy::Sector, &periods, &districts, as_of).len()))
    });
    // What the server does with a table it already made for this data version.
    let cache = ResolutionCache::new(32 << 20);
    let key = TableKey {
        group: GroupBy::District,
        period: Period::Month,
        filter: all.key(),
        as_of,
        seq: data.seq,
    };
    let make = || {
        Ok::<_, Infallible>(table(
            &data,
            &all,
            GroupBy::District,
            &periods,
            &districts,
            as_of,
        ))
    };
    g.bench_function("district_month_cached", |b| {
        b.iter(|| black_box(cache.tables.get_or_compute(key, make).map(|t| t.len())))
    });
    g.finish();

    // A process change of one unit, 90-day windows in the middle of the data.
    let changed_at = lo + (hi - lo) * 3 / 5;
    let scope = Scope {
        responsible: Some(4),
        ..Scope::default()
    };
    let e = effect(&data, &scope, changed_at, 90, as_of);
    eprintln!(
        "effect: scope {} + {} appeals, control {} + {}, verdict {:?}",
        e.scope.before.count,
        e.scope.after.count,
        e.control.before.count,
        e.control.after.count,
        e.verdict
    );
    let mut g = c.benchmark_group("process_change_effect");
    g.sample_size(20);
    g.bench_function("unit_90_days", |b| {
        b.iter(|| black_box(effect(&data, &scope, changed_at, 90, as_of).verdict))
    });
    // Baseline: the same two windows through a plain visit, durations of the
    // scope's resolved appeals into two vectors, sorted for their medians.
    g.bench_function("unit_90_days_baseline_sort_median", |b| {
        b.iter(|| {
            let w = 90 * 86_400;
            let f = Filter {
                from: Some(changed_at - w),
                to: Some(changed_at + w),
                ..Filter::default()
            };
            let mut v: [Vec<u32>; 2] = Default::default();
            data.visit(&f, |c, i, _| {
                if c.responsible[i] == 4 && c.resolve[i] != UNRESOLVED {
                    v[usize::from(c.created[i] >= changed_at)].push(c.resolve[i]);
                }
            });
            for x in &mut v {
                x.sort_unstable();
            }
            black_box((
                v[0].get(v[0].len() / 2).copied(),
                v[1].get(v[1].len() / 2).copied(),
            ))
        })
    });
    g.finish();
}

criterion_group!(group, benches);
criterion_main!(group);
