//! The resolution table: Kaplan–Meier figures per group (sector, district,
//! responsible unit or source) and calendar period. One scan of the index
//! (two threads over the base; by district, one scan of each district's
//! cover, districts shared out between the cores) drops each appeal's
//! observations into a dense slot per (group, period); each slot's
//! quantiles then come from a bucketed Kaplan–Meier walk
//! (`stats::km_buckets`).

use super::acc::{Acc, Summary};
use super::period_lookup::PeriodLookup;
use crate::aggregate::Periods;
use crate::aggregate::parallel::{ANY_CUT, join, run_parts};
use crate::districts::{District, Districts};
use crate::index::{Columns, Data, Filter};
use serde::Deserialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What the rows are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// Sector id.
    Sector,
    /// District id (an appeal counts in every district holding it).
    District,
    /// Responsible unit id (0: appeals without one).
    Responsible,
    /// Source (channel) id of the index.
    Source,
}

impl GroupBy {
    /// Parses `sector|district|responsible|source`.
    pub fn parse(s: &str) -> Option<GroupBy> {
        match s {
            "sector" => Some(GroupBy::Sector),
            "district" => Some(GroupBy::District),
            "responsible" => Some(GroupBy::Responsible),
            "source" => Some(GroupBy::Source),
            _ => None,
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The group: sector id, district id, responsible id or source id.
    pub key: i64,
    /// Period index in the query's [`Periods`].
    pub period: u32,
    /// The figures.
    pub summary: Summary,
}

/// Builds the table for appeals passing `filter` (created in its range),
/// open appeals censored at `as_of`; rows ordered by key, then period.
pub fn table(
    data: &Data,
    filter: &Filter,
    group: GroupBy,
    periods: &Periods,
    districts: &Districts,
    as_of: i64,
) -> Vec<Row> {
    let np = periods.len();
    let lookup = PeriodLookup::new(periods);
    match group {
        GroupBy::District => {
            let chosen: Vec<&District> = districts
                .all()
                .iter()
                .map(AsRef::as_ref)
                .filter(|d| filter.district.as_ref().is_none_or(|x| x.id == d.id))
                .collect();
            // One scan per district, each reading only that district's cover
            // ranges; districts are shared out between the cores whole (most
            // are too small to split, and a district's slots stay in one
            // core's cache).
            let per = each_district(&chosen, |d| {
                let mut f = filter.clone();
                f.district = Some(Arc::clone(&d.mask));
                let ranges = data.base_ranges(&f);
                // Sized for an even spread over the periods.
                let rows: usize = ranges.iter().map(|(lo, hi)| hi - lo).sum();
                let mut slots: Vec<Acc> = (0..np)
                    .map(|_| Acc::with_capacity(rows / np.max(1)))
                    .collect();
                tally(
                    data,
                    &f,
                    &ranges,
                    true,
                    &lookup,
                    as_of,
                    &|_, _| 0,
                    &mut slots,
                );
                summarise(&mut slots, 0)
                    .into_iter()
                    .map(|(p, summary)| Row {
                        key: d.id,
                        period: p as u32,
                        summary,
                    })
                    .collect::<Vec<_>>()
            });
            per.into_iter().flatten().collect()
        }
        _ => {
            let keys = match group {
                GroupBy::Sector => 256,
                GroupBy::Source => data.sources.len().max(1),
                _ => {
                    let max = data
                        .base
                        .responsible
                        .iter()
                        .chain(&data.delta.columns().responsible)
                        .max();
                    usize::from(max.copied().unwrap_or(0)) + 1
                }
            };
            let key = move |c: &Columns, i: usize| match group {
                GroupBy::Sector => usize::from(c.sector[i]),
                GroupBy::Source => usize::from(c.source[i]),
                _ => usize::from(c.responsible[i]),
            };
            let slots = scan(data, filter, &lookup, keys, as_of, key);
            finish(slots, np, |k| k as i64)
        }
    }
}

/// Runs `work` for each district on all cores, results in district order.
fn each_district<T: Send>(list: &[&District], work: impl Fn(&District) -> T + Sync) -> Vec<T> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || list.len() < 2 {
        return list.iter().map(|d| work(d)).collect();
    }
    let next = AtomicUsize::new(0);
    let run = || {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(d) = list.get(i) else { break };
            mine.push((i, work(d)));
        }
        mine
    };
    let mut all: Vec<(usize, T)> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..cores.min(list.len())).map(|_| s.spawn(run)).collect();
        let mut all = run();
        for h in handles {
            all.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        all
    });
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, t)| t).collect()
}

/// Adds the base rows of `ranges` passing `filter` (and, with `delta`, the
/// delta's) to slot `key · np + period` of `slots`.
#[allow(clippy::too_many_arguments)]
fn tally(
    data: &Data,
    filter: &Filter,
    ranges: &[(usize, usize)],
    delta: bool,
    lookup: &PeriodLookup,
    as_of: i64,
    key: &(impl Fn(&Columns, usize) -> usize + Sync),
    slots: &mut [Acc],
) {
    let np = lookup.len();
    let mut add = |c: &Columns, i: usize| {
        if let Some(p) = lookup.index_of(c.created[i]) {
            slots[key(c, i) * np + p as usize].add(c, i, as_of);
        }
    };
    data.scan_base(ranges, filter, &mut add);
    if delta {
        data.delta.visit(filter, add);
    }
}

/// Tallies every appeal into slot `key · periods + period` (two threads
/// over the base).
fn scan(
    data: &Data,
    filter: &Filter,
    lookup: &PeriodLookup,
    keys: usize,
    as_of: i64,
    key: impl Fn(&Columns, usize) -> usize + Sync,
) -> Vec<Acc> {
    let n = keys * lookup.len();
    let ranges = data.base_ranges(filter);
    let parts = run_parts(data, &ranges, ANY_CUT, |part| {
        let mut slots = vec![Acc::default(); n];
        tally(data, filter, part, false, lookup, as_of, &key, &mut slots);
        slots
    });
    let mut it = parts.into_iter();
    let mut slots = it.next().unwrap_or_else(|| vec![Acc::default(); n]);
    for other in it {
        for (a, b) in slots.iter_mut().zip(other) {
            a.merge(b);
        }
    }
    tally(data, filter, &[], true, lookup, as_of, &key, &mut slots);
    slots
}

/// The non-empty slots' figures, with their positions from `offset`.
fn summarise(part: &mut [Acc], offset: usize) -> Vec<(usize, Summary)> {
    part.iter_mut()
        .enumerate()
        .filter(|(_, a)| a.count > 0)
        .map(|(j, a)| (offset + j, a.summary()))
        .collect()
}

/// Summarises the non-empty slots on two threads.
fn finish(mut slots: Vec<Acc>, np: usize, key_of: impl Fn(usize) -> i64) -> Vec<Row> {
    let mid = slots.len() / 2;
    let (lo, hi) = slots.split_at_mut(mid);
    let (a, b) = join(|| summarise(lo, 0), || summarise(hi, mid));
    a.into_iter()
        .chain(b)
        .map(|(slot, summary)| Row {
            key: key_of(slot / np.max(1)),
            period: (slot % np.max(1)) as u32,
            summary,
        })
        .collect()
}
