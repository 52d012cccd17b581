//! The two-sample log-rank test (Mantel 1966; Peto & Peto 1972) for
//! right-censored durations: do two groups resolve at the same rate?
//!
//! Chosen over Mann–Whitney U because appeals still open at the end of a
//! window are censored, not missing: Mann–Whitney would have to drop them
//! (biasing the "after" window, whose appeals had less time to close) or
//! treat their open time as a resolution time. The log-rank statistic uses
//! every appeal while it is at risk. Observations are packed as in
//! [`super::kaplan_meier`].

use super::normal::p_two_sided;
use crate::aggregate::parallel::join;

/// The outcome of a log-rank test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogRank {
    /// Observed events in group A.
    pub observed_a: f64,
    /// Expected events in group A if both groups had the same hazard.
    pub expected_a: f64,
    /// The χ² statistic (1 degree of freedom): (O − E)² / V.
    pub chi2: f64,
    /// Two-sided p-value.
    pub p: f64,
}

/// Compares samples `a` and `b` (packed, each sorted ascending).
///
/// At each distinct event time t with nₐ, n_b at risk and dₐ, d_b events
/// (n = nₐ + n_b, d = dₐ + d_b): E = Σ d·nₐ/n and the hypergeometric
/// variance V = Σ d·(nₐ/n)·(n_b/n)·(n − d)/(n − 1); χ² = (Σ dₐ − E)²/V, and
/// p = P(χ²₁ ≥ χ²) = P(|Z| ≥ √χ²). `None` when V = 0 (no events, or one
/// group empty): there is nothing to compare.
pub fn logrank_sorted(a: &[u32], b: &[u32]) -> Option<LogRank> {
    // The sums add over spans of time, and the numbers at risk where a span
    // starts are the observations from there on: large samples are cut at a
    // time in the middle and the halves walked at once (no tie group spans
    // the cut).
    let sums = if a.len() + b.len() >= PARALLEL && !a.is_empty() {
        let t = a[a.len() / 2] >> 1;
        let ia = a.partition_point(|&x| x >> 1 < t);
        let ib = b.partition_point(|&x| x >> 1 < t);
        let (lo, hi) = join(
            || walk(&a[..ia], &b[..ib], a.len(), b.len()),
            || walk(&a[ia..], &b[ib..], a.len() - ia, b.len() - ib),
        );
        Sums {
            o: lo.o + hi.o,
            e: lo.e + hi.e,
            v: lo.v + hi.v,
            ..lo
        }
    } else {
        walk(a, b, a.len(), b.len())
    };
    let Sums { o, e, v, .. } = sums;
    if v <= 0.0 {
        return None;
    }
    let chi2 = (o - e) * (o - e) / v;
    Some(LogRank {
        observed_a: o,
        expected_a: e,
        chi2,
        p: p_two_sided(chi2.sqrt()),
    })
}

/// Samples this large walk their two halves of time on two threads.
const PARALLEL: usize = 200_000;

/// The sums over sorted spans `a`, `b` of the samples, with `na`, `nb` at
/// risk where the spans start.
fn walk(a: &[u32], b: &[u32], na: usize, nb: usize) -> Sums {
    let mut sums = Sums {
        na: na as f64,
        nb: nb as f64,
        ..Sums::default()
    };
    // One observation per step from whichever sample's head is smaller, the
    // choice made without a branch (which sample comes next is a coin toss);
    // a tie group is closed when the time changes.
    let head = |s: &[u32], k: usize| s.get(k).map_or(u64::MAX, |&x| u64::from(x));
    let (mut i, mut j) = (0, 0);
    let mut at = u64::MAX;
    let mut group = [0u32; 4];
    while i < a.len() || j < b.len() {
        let (xa, xb) = (head(a, i), head(b, j));
        let from_a = xa <= xb;
        let x = if from_a { xa } else { xb };
        if x >> 1 != at {
            sums.close(&mut group);
            at = x >> 1;
        }
        group[2 * usize::from(!from_a) + (x & 1) as usize] += 1;
        i += usize::from(from_a);
        j += usize::from(!from_a);
    }
    sums.close(&mut group);
    sums
}

/// Running sums of the test and the numbers at risk.
#[derive(Default)]
struct Sums {
    na: f64,
    nb: f64,
    o: f64,
    e: f64,
    v: f64,
}

impl Sums {
    /// Adds one tie group `[events a, censored a, events b, censored b]`
    /// (at one time) and empties it.
    #[inline]
    fn close(&mut self, g: &mut [u32; 4]) {
        let [da, ca, db, cb] = g.map(f64::from);
        *g = [0; 4];
        let d = da + db;
        let n = self.na + self.nb;
        if d > 0.0 && n > 0.0 {
            // One division: durations in seconds rarely tie, and with d = 1
            // the factor (n − d)/(n − 1) is 1.
            let inv = 1.0 / n;
            let share = self.na * inv;
            self.o += da;
            self.e += d * share;
            if n > 1.0 {
                let w = d * share * (self.nb * inv);
                self.v += if d == 1.0 { w } else { w * (n - d) / (n - 1.0) };
            }
        }
        self.na -= da + ca;
        self.nb -= db + cb;
    }
}

#[cfg(test)]
mod tests {
    use super::super::kaplan_meier::pack;
    use super::*;

    fn obs(v: &[(u32, bool)]) -> Vec<u32> {
        let mut o: Vec<u32> = v.iter().map(|&(t, c)| pack(t, c)).collect();
        o.sort_unstable();
        o
    }

    #[test]
    fn matches_a_hand_computed_table() {
        // A: 1, 3, 4+   B: 2, 5, 6
        // t=1: nA=3 nB=3 d=1 dA=1: E=0.5, V=1·(1/2)(1/2)(5/5)=0.25
        // t=2: nA=2 nB=3 d=1 dA=0: E=0.4, V=(2/5)(3/5)=0.24
        // t=3: nA=2 nB=2 d=1 dA=1: E=0.5, V=0.25
        // (4+ leaves A) t=5: nA=0 nB=2: E=0, V=0; t=6 likewise.
        // O=2, E=1.4, V=0.74: χ² = 0.36/0.74 = 0.486486…
        let r = logrank_sorted(
            &obs(&[(1, false), (3, false), (4, true)]),
            &obs(&[(2, false), (5, false), (6, false)]),
        )
        .expect("test");
        assert_eq!(r.observed_a, 2.0);
        assert!((r.expected_a - 1.4).abs() < 1e-12);
        assert!((r.chi2 - 0.36 / 0.74).abs() < 1e-12);
        // p = P(χ²₁ ≥ 0.486486) = 0.48554 (scipy.stats.chi2.sf: 0.485499).
        assert!((r.p - 0.485_499).abs() < 1e-5, "{}", r.p);
    }

    #[test]
    fn identical_samples_give_p_one_and_empty_ones_nothing() {
        let a = obs(&[(1, false), (2, false), (3, true)]);
        let r = logrank_sorted(&a, &a).expect("test");
        assert!(r.chi2.abs() < 1e-12 && (r.p - 1.0).abs() < 1e-12);
        assert_eq!(logrank_sorted(&a, &[]), None);
        assert_eq!(logrank_sorted(&obs(&[(1, true)]), &obs(&[(2, true)])), None);
    }

    #[test]
    fn halves_walked_apart_sum_to_the_whole_walk() {
        use rand::{RngExt, SeedableRng};
        // Whole hours, so tie groups straddle both samples and the cut.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut draw = |n: usize, shift: u32| {
            let v: Vec<(u32, bool)> = (0..n)
                .map(|_| {
                    (
                        3600 * (rng.random_range(1..300) + shift),
                        rng.random_bool(0.2),
                    )
                })
                .collect();
            obs(&v)
        };
        let (a, b) = (draw(150_000, 0), draw(120_000, 3));
        assert!(a.len() + b.len() >= PARALLEL);
        let whole = walk(&a, &b, a.len(), b.len());
        let split = logrank_sorted(&a, &b).expect("test");
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * y.abs().max(1.0);
        assert!(close(split.observed_a, whole.o) && close(split.expected_a, whole.e));
        let chi2 = (whole.o - whole.e).powi(2) / whole.v;
        assert!(close(split.chi2, chi2), "{} {chi2}", split.chi2);
    }

    #[test]
    fn a_clear_shift_is_significant() {
        let fast: Vec<(u32, bool)> = (0..60).map(|i| (100 + i, false)).collect();
        let slow: Vec<(u32, bool)> = (0..60).map(|i| (150 + i, i % 7 == 0)).collect();
        let r = logrank_sorted(&obs(&fast), &obs(&slow)).expect("test");
        assert!(r.p < 1e-6 && r.observed_a > r.expected_a, "{r:?}");
    }
}
