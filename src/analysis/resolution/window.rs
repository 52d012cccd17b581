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

/// Rows per block of the branch-free time pick.
const BLOCK: usize = 1024;

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

/// Calls `f` for the rows of `ranges` created in `[from, to)`: a branch-free
/// pick per block first (rows come in cell order, so their times are
/// random and a branch per row mispredicts), then only the picked rows.
fn pick(base: &Columns, ranges: &[(usize, usize)], from: i64, to: i64, mut f: impl FnMut(usize)) {
    let mut picked = [0u32; BLOCK];
    for &(lo, hi) in ranges {
        let mut start = lo;
        while start < hi {
            let end = (start + BLOCK).min(hi);
            let mut n = 0;
            for (k, &t) in base.created[start..end].iter().enumerate() {
                picked[n] = k as u32;
                n += usize::from(t >= from && t < to);
            }
            for &k in &picked[..n] {
                f(start + k as usize);
            }
            start = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
