//! The base rows of a process change's two windows, split into the scope
//! and the control without a district test per row: rows outside the
//! scope's district cover are control as they stand, rows of the cover's
//! inside cells are in the district, and only boundary cells' rows take
//! the exact point test.

use super::acc::Acc;
use super::effect::Scope;
use crate::aggregate::parallel::{ANY_CUT, run_parts};
use crate::index::{Columns, Data, Filter};

/// `[scope before, scope after, control before, control after]`.
pub(super) type Four = [Acc; 4];

/// Tallies the base rows created in `[from, to)` into the four samples;
/// `changed_at` splits before from after.
pub(super) fn tally_base(
    data: &Data,
    scope: &Scope,
    (from, to, changed_at): (i64, i64, i64),
    as_of: i64,
) -> Four {
    let base = &data.base;
    let after = |i: usize| usize::from(base.created[i] >= changed_at);
    // Sector and unit are two byte compares; the district is decided by range.
    let rest = |c: &Columns, i: usize| {
        scope.sector.is_none_or(|s| c.sector[i] == s)
            && scope.responsible.is_none_or(|r| c.responsible[i] == r)
    };
    let mut out = Four::default();
    let merge = |out: &mut Four, parts: Vec<Four>| {
        for part in parts {
            for (a, b) in out.iter_mut().zip(part) {
                a.merge(b);
            }
        }
    };
    let Some(mask) = &scope.district else {
        let all = [(0, base.len())];
        let parts = run_parts(data, &all, ANY_CUT, |part| {
            let mut acc = Four::default();
            pick(base, part, from, to, |i| {
                acc[2 * usize::from(!rest(base, i)) + after(i)].add(base, i, as_of);
            });
            acc
        });
        merge(&mut out, parts);
        return out;
    };
    let cover = data.base_ranges(&Filter {
        district: Some(mask.clone()),
        ..Filter::default()
    });
    let outside = complement(&cover, base.len());
    let parts = run_parts(data, &outside, ANY_CUT, |part| {
        let mut acc = Four::default();
        pick(base, part, from, to, |i| {
            acc[2 + after(i)].add(base, i, as_of)
        });
        acc
    });
    merge(&mut out, parts);
    let parts = run_parts(data, &cover, ANY_CUT, |part| {
        let mut acc = Four::default();
        for &(lo, hi) in part {
            if lo >= hi {
                continue;
            }
            let inside = mask.inside_span(base.cell[lo], base.cell[hi - 1]);
            pick(base, &[(lo, hi)], from, to, |i| {
                let held =
                    (inside || mask.contains_fixed(base.lat[i], base.lon[i])) && rest(base, i);
                acc[2 * usize::from(!held) + after(i)].add(base, i, as_of);
            });
        }
        acc
    });
    merge(&mut out, parts);
    out
}

/// The row ranges of `0..len` not in the ascending, disjoint `ranges`.
fn complement(ranges: &[(usize, usize)], len: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(ranges.len() + 1);
    let mut at = 0;
    for &(lo, hi) in ranges {
        if lo > at {
            out.push((at, lo));
        }
        at = at.max(hi);
    }
    if at < len {
        out.push((at, len));
    }
    out
}

/// Calls `f` for the rows of `ranges` created in `[from, to)`: a bit mask
/// per 64 rows first, one unsigned compare each and no branch (rows come in
/// cell order, so their times are random and a branch per row mispredicts),
/// then only the set bits.
fn pick(base: &Columns, ranges: &[(usize, usize)], from: i64, to: i64, mut f: impl FnMut(usize)) {
    let width = to.saturating_sub(from).max(0) as u64;
    for &(lo, hi) in ranges {
        for (c, chunk) in base.created[lo..hi].chunks(64).enumerate() {
            let mut mask = chunk.iter().enumerate().fold(0u64, |m, (k, &t)| {
                m | (u64::from((t.wrapping_sub(from) as u64) < width) << k)
            });
            let at = lo + c * 64;
            while mask != 0 {
                f(at + mask.trailing_zeros() as usize);
                mask &= mask - 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pick_keeps_exactly_the_rows_of_the_window() {
        let (from, to) = (1_000, 2_000);
        // The edges, far outside on both sides, then a spread over 200 rows
        // so ranges cut masks of 64 in the middle.
        let mut created = vec![from - 1, from, to - 1, to, i64::MIN, i64::MAX, -5];
        created.extend((0..200).map(|k| 900 + k * 7));
        let base = Columns {
            created,
            ..Columns::default()
        };
        let n = base.created.len();
        for ranges in [
            vec![(0, n)],
            vec![(1, 3), (5, 70), (70, 71), (100, n)],
            vec![],
        ] {
            let mut got = Vec::new();
            pick(&base, &ranges, from, to, |i| got.push(i));
            let want: Vec<usize> = ranges
                .iter()
                .flat_map(|&(lo, hi)| lo..hi)
                .filter(|&i| (from..to).contains(&base.created[i]))
                .collect();
            assert_eq!(got, want, "{ranges:?}");
        }
        let mut none = Vec::new();
        pick(&base, &[(0, n)], to, from, |i| none.push(i));
        assert!(none.is_empty());
    }

    #[test]
    fn the_complement_fills_the_gaps() {
        assert_eq!(
            complement(&[(2, 4), (4, 6), (9, 10)], 12),
            vec![(0, 2), (6, 9), (10, 12)]
        );
        assert_eq!(complement(&[], 3), vec![(0, 3)]);
        assert_eq!(complement(&[(0, 3)], 3), vec![]);
    }
}
