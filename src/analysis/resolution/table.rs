//! The resolution table: Kaplan–Meier figures per group (sector, district,
//! responsible unit or source) and calendar period. One scan of the index
//! (two threads over the base) drops each appeal's observations into a dense
//! slot per (group, period); each slot is then sorted and walked once.

use super::acc::{Acc, Summary};
use crate::aggregate::Periods;
use crate::aggregate::parallel::run_parts;
use crate::districts::Districts;
use crate::index::{Columns, Data, Filter};
use serde::Deserialize;
use std::sync::Arc;

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
    let mut rows = Vec::new();
    match group {
        GroupBy::District => {
            // One scan per district, each reading only that district's rows.
            for d in districts.all() {
                let mut f = filter.clone();
                if filter.district.as_ref().is_some_and(|x| x.id != d.id) {
                    continue;
                }
                f.district = Some(Arc::clone(&d.mask));
                let slots = scan(data, &f, periods, 1, as_of, |_, _| 0);
                rows.extend(finish(slots, np, |_| d.id));
            }
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
            let slots = scan(data, filter, periods, keys, as_of, key);
            rows = finish(slots, np, |k| k as i64);
        }
    }
    rows
}

/// Tallies every appeal into slot `key · periods + period`.
pub(super) fn scan(
    data: &Data,
    filter: &Filter,
    periods: &Periods,
    keys: usize,
    as_of: i64,
    key: impl Fn(&Columns, usize) -> usize + Sync,
) -> Vec<Acc> {
    let np = periods.len();
    let n = keys * np;
    let ranges = data.base_ranges(filter);
    let parts = run_parts(data, &ranges, 0, |part| {
        let mut slots = vec![Acc::default(); n];
        data.scan_base(part, filter, |c, i| {
            if let Some(p) = periods.index_of(c.created[i]) {
                slots[key(c, i) * np + p as usize].add(c, i, as_of);
            }
        });
        slots
    });
    let mut it = parts.into_iter();
    let mut slots = it.next().unwrap_or_else(|| vec![Acc::default(); n]);
    for other in it {
        for (a, b) in slots.iter_mut().zip(other) {
            a.merge(b);
        }
    }
    data.delta.visit(filter, |c, i| {
        if let Some(p) = periods.index_of(c.created[i]) {
            slots[key(c, i) * np + p as usize].add(c, i, as_of);
        }
    });
    slots
}

/// Summarises the non-empty slots (on two threads: sorting dominates).
fn finish(mut slots: Vec<Acc>, np: usize, key_of: impl Fn(usize) -> i64) -> Vec<Row> {
    let mid = slots.len() / 2;
    let (lo, hi) = slots.split_at_mut(mid);
    let summarise = |part: &mut [Acc], offset: usize| -> Vec<(usize, Summary)> {
        part.iter_mut()
            .enumerate()
            .filter(|(_, a)| a.count > 0)
            .map(|(j, a)| (offset + j, a.summary()))
            .collect()
    };
    let (a, b) = std::thread::scope(|s| {
        let h = s.spawn(|| summarise(hi, mid));
        let a = summarise(lo, 0);
        (a, h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    a.into_iter()
        .chain(b)
        .map(|(slot, summary)| Row {
            key: key_of(slot / np.max(1)),
            period: (slot % np.max(1)) as u32,
            summary,
        })
        .collect()
}
