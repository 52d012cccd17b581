//! Bit-level H3 helpers for finest-resolution cells. All stored cells share
//! mode and resolution bits, so ordering raw indexes orders them by base cell
//! and then by digit: every cell's descendants form one contiguous range, and
//! the parent at any resolution is a prefix of the bits.

use crate::domain::FINEST_RES;
use h3o::{CellIndex, Resolution};

const RES_SHIFT: u32 = 52;
const RES_MASK: u64 = 0xF << RES_SHIFT;
const FINEST: u8 = FINEST_RES as u8;

fn digit_bits(res: u8) -> u32 {
    3 * u32::from(FINEST - res)
}

/// The parent at `res` of a finest-resolution cell, as raw bits
/// (the same value `CellIndex::parent` gives, without the checks).
#[inline]
pub fn parent_raw(cell: u64, res: u8) -> u64 {
    let low = digit_bits(res);
    let unused = if low == 0 { 0 } else { (1u64 << low) - 1 };
    (cell & !RES_MASK) | (u64::from(res) << RES_SHIFT) | unused
}

/// A key that orders like the cell and is equal exactly for cells sharing a
/// parent at `res`; cheaper than [`parent_raw`] in a scan.
#[inline]
pub fn group_key(cell: u64, res: u8) -> u64 {
    cell >> digit_bits(res)
}

/// The inclusive range of raw finest-resolution indexes descending from `cell`.
pub fn descendant_range(cell: CellIndex) -> (u64, u64) {
    let res = cell.resolution() as u8;
    let raw = u64::from(cell);
    let low = digit_bits(res);
    let unused = if low == 0 { 0 } else { (1u64 << low) - 1 };
    let base = (raw & !RES_MASK & !unused) | (u64::from(FINEST) << RES_SHIFT);
    // Digit 7 marks "unused"; real descendants use digits 0..=6, so the range ends
    // at all-sixes, which `base | unused` would overshoot harmlessly.
    (base, base | unused)
}

/// Sorts ranges and merges those that overlap or touch.
pub fn merge_ranges(mut ranges: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match merged.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    merged
}

/// Parses a raw cell; `None` if the bits are not a valid H3 cell.
pub fn cell(raw: u64) -> Option<CellIndex> {
    CellIndex::try_from(raw).ok()
}

/// The resolution as a number.
pub fn res_u8(res: Resolution) -> u8 {
    res as u8
}

/// A box holding every finest descendant of `cell`: the bounds of its first
/// ring, since descendants reach slightly past the parent's own outline.
/// `None` when that ring crosses ±180 or a pole (callers then scan everything).
pub fn disk_bbox(cell: CellIndex) -> Option<crate::index::BBox> {
    let (mut w, mut s, mut e, mut n) = (180.0f64, 90.0f64, -180.0f64, -90.0f64);
    for c in cell.grid_disk::<Vec<_>>(1) {
        for v in c.boundary().iter() {
            w = w.min(v.lng());
            e = e.max(v.lng());
            s = s.min(v.lat());
            n = n.max(v.lat());
        }
    }
    (e - w < 180.0 && n < 89.0 && s > -89.0).then_some(crate::index::BBox {
        min_lon: w,
        min_lat: s,
        max_lon: e,
        max_lat: n,
    })
}

/// The row ranges of the cell-sorted column `cells` holding the cell
/// ranges `ranges` (inclusive bounds), empty ones left out. Each search
/// gallops on from where the previous one ended: the ranges mostly ascend
/// and lie close together, so it touches a few nearby cache lines where two
/// binary searches over the whole column per range missed the cache at
/// every step (a sixth of a district table's time); a range that starts
/// lower than the one before searches from the start again.
pub(crate) fn row_ranges(
    cells: &[u64],
    ranges: impl IntoIterator<Item = (u64, u64)>,
) -> Vec<(usize, usize)> {
    let mut from = 0;
    let mut prev = 0;
    ranges
        .into_iter()
        .map(|(lo, hi)| {
            if lo < prev {
                from = 0;
            }
            prev = lo;
            let a = gallop(cells, from, |c| c < lo);
            let b = gallop(cells, a, |c| c <= hi);
            from = b;
            (a, b)
        })
        .filter(|(a, b)| a < b)
        .collect()
}

/// The first index at or after `from` where `before` turns false (`before`
/// must hold on a prefix of `v[from..]`): steps of 1, 2, 4, … then a binary
/// search in the last step.
pub(crate) fn gallop(v: &[u64], from: usize, before: impl Fn(u64) -> bool) -> usize {
    let mut lo = from;
    let mut step = 1;
    while lo + step <= v.len() && before(v[lo + step - 1]) {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step).min(v.len());
    lo + v[lo..hi].partition_point(|&c| before(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cell_of;

    #[test]
    fn parent_raw_matches_h3o() {
        let c = cell_of(55.7558, 37.6173).expect("cell");
        for r in 0..=15u8 {
            let res = Resolution::try_from(r).expect("res");
            assert_eq!(
                parent_raw(u64::from(c), r),
                u64::from(c.parent(res).expect("parent"))
            );
        }
    }

    #[test]
    fn descendants_lie_in_their_parents_range() {
        for (lat, lon) in [(55.75, 37.61), (64.73, 177.5), (-33.9, 18.4), (89.9, 0.0)] {
            let c = cell_of(lat, lon).expect("cell");
            for r in [0u8, 3, 7, 12, 15] {
                let p = c
                    .parent(Resolution::try_from(r).expect("res"))
                    .expect("parent");
                let (lo, hi) = descendant_range(p);
                assert!(lo <= u64::from(c) && u64::from(c) <= hi, "res {r}");
                let sib = p.center_child(FINEST_RES).expect("child");
                assert!(lo <= u64::from(sib) && u64::from(sib) <= hi);
            }
        }
    }

    #[test]
    fn group_key_orders_like_parents() {
        let a = u64::from(cell_of(55.75, 37.61).expect("cell"));
        let b = u64::from(cell_of(55.76, 37.62).expect("cell"));
        for r in 0..=15u8 {
            assert_eq!(
                group_key(a, r) == group_key(b, r),
                parent_raw(a, r) == parent_raw(b, r)
            );
            assert_eq!(
                group_key(a, r).cmp(&group_key(b, r)),
                parent_raw(a, r).cmp(&parent_raw(b, r))
            );
        }
    }
}
