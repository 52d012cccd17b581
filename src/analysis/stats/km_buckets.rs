//! Kaplan–Meier median and p90 without sorting the whole sample, with the
//! same answer as sorting it.
//!
//! One counting pass puts each observation in a log-linear bucket of its
//! time (exact below 2ᵏ seconds, then 2ᵏ⁻¹ buckets per doubling) and counts
//! events and censorings per bucket; one pass gathers, in bucket order, the
//! observations of buckets where events and censorings mix. The walk then
//! passes a bucket of only censorings by its count (S does not change), a
//! bucket of only events in one step (the product of 1 − dᵢ/nᵢ over its tie
//! groups is 1 − d/n, as no censoring falls between them), and sorts only
//! the mixed buckets (their order decides who is at risk) and those where S
//! reaches 0.5 or 0.1 (the exact time is needed there; gathered when met).
//! It stops once both levels are reached; buckets past the point where even
//! an upper bound of S has reached 0.1 are not gathered. A bucket holds
//! whole tie groups (bucketing is by time, the censored bit aside), so ties
//! keep "events before censorings". Float rounding may differ from the
//! sorted walk's in the last bits of S; both compare against a level with
//! the same 1e-12 tolerance.

use super::kaplan_meier::{Quantiles, Walk, median_p90_sorting};

/// Below this many observations a radix sort of the sample is as fast.
const SMALL: usize = 192;

/// Bucket of `t` seconds with `k` significant bits, ascending in `t`.
#[inline]
fn bucket(t: u32, k: u32) -> usize {
    let len = 32 - t.leading_zeros();
    if len <= k {
        t as usize
    } else {
        let e = len - k;
        ((e << (k - 1)) + (t >> e)) as usize
    }
}

/// Most runs of wanted buckets the range test takes.
const RUNS: usize = 4;

/// First time (seconds) of bucket `b` with `k` significant bits: the
/// inverse of [`bucket`] at its lower edge.
fn bucket_start(b: usize, k: u32) -> u64 {
    let b = b as u64;
    if b < 1 << k {
        return b;
    }
    let e = (b >> (k - 1)) - 1;
    (b - (e << (k - 1))) << e
}

/// The wanted buckets (`start[b] != usize::MAX`) as runs of packed
/// observations `(lowest, length)`; `None`-like empty runs never match.
fn wanted_runs(start: &[usize], k: u32) -> Vec<(u64, u64)> {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    let mut b = 0;
    while b < start.len() {
        if start[b] == usize::MAX {
            b += 1;
            continue;
        }
        let first = b;
        while b < start.len() && start[b] != usize::MAX {
            b += 1;
        }
        let lo = bucket_start(first, k) << 1;
        runs.push((lo, (bucket_start(b, k) << 1) - lo));
    }
    runs
}

/// Median and p90 of packed observations (as
/// [`super::kaplan_meier::median_p90`]); reorders only small samples.
pub fn median_p90(obs: &mut [u32]) -> Quantiles {
    let n = obs.len();
    if n < SMALL {
        return median_p90_sorting(obs);
    }
    // About 2ᵏ⁻¹ buckets per doubling, so a few observations per bucket
    // over the ten-odd doublings that hold most durations.
    let k = (n.ilog2().saturating_sub(4)).clamp(4, 10);
    let nb = bucket(u32::MAX >> 1, k) + 1;
    let mut count = vec![[0u32; 2]; nb];
    for &o in obs.iter() {
        count[bucket(o >> 1, k)][(o & 1) as usize] += 1;
    }
    // Bounds of S after each bucket: `hi` with its events before its
    // censorings, `lo` after them; S lies between. A bucket is gathered when
    // the order inside it matters: events and censorings mix, or a level
    // may be reached in it (`lo` reaches it by the bucket's end while `hi`
    // had not at its start). The walk is over by the first bucket where `hi`
    // reaches 0.1: later buckets are never read.
    const M: f64 = 1e-9;
    let (mut hi, mut lo, mut at_risk, mut last) = (1.0f64, 1.0f64, n as f64, nb - 1);
    let mut start = vec![usize::MAX; nb];
    let mut at = 0usize;
    let mut grouped = Vec::new();
    for (b, &[d, c]) in count.iter().enumerate() {
        if d == 0 {
            at_risk -= f64::from(c);
            continue;
        }
        let hi0 = hi;
        hi *= 1.0 - f64::from(d) / at_risk;
        lo *= 1.0 - f64::from(d) / (at_risk - f64::from(c)).max(1.0);
        at_risk -= f64::from(d + c);
        let crossing = [0.5, 0.1].iter().any(|&l| hi0 > l - M && lo <= l + M);
        if c > 0 || crossing {
            start[b] = at;
            at += (d + c) as usize;
        }
        if hi <= 0.1 - M {
            last = b;
            break;
        }
    }
    // Few observations wanted (the usual case: the two level-crossing buckets
    // and a few mixed ones) in a few runs of time: a range test per
    // observation finds them (no bucket computed, no table read; vectorised).
    let runs = if at > 0 && at < n / 8 {
        wanted_runs(&start[..=last], k)
    } else {
        Vec::new()
    };
    if !runs.is_empty() && runs.len() <= RUNS {
        let mut pos = start.clone();
        grouped.resize(at, 0);
        let mut r = [(0u64, 0u64); RUNS];
        r[..runs.len()].copy_from_slice(&runs);
        for &o in obs.iter() {
            let x = u64::from(o);
            let hit = r
                .iter()
                .fold(false, |h, &(lo, len)| h | (x.wrapping_sub(lo) < len));
            if hit {
                let b = bucket(o >> 1, k);
                grouped[pos[b]] = o;
                pos[b] += 1;
            }
        }
    } else if at > 0 {
        // Many wanted, or in many runs (mixed buckets everywhere; a branch on
        // the bucket measured no faster): branch-free, observations
        // of other buckets (and of those past `last`, all in one more) are
        // written to a sink slot at the end.
        let mut pos: Vec<usize> = start[..=last].iter().map(|&p| p.min(at)).collect();
        pos.push(at);
        let step: Vec<usize> = pos.iter().map(|&p| usize::from(p < at)).collect();
        grouped.resize(at + 1, 0);
        for &o in obs.iter() {
            let b = bucket(o >> 1, k).min(last + 1);
            let p = pos[b];
            grouped[p] = o;
            pos[b] = p + step[b];
        }
    }
    let mut walk = Walk::new(n, &[0.5, 0.1]);
    let mut one = Vec::new();
    for (b, &[d, c]) in count[..=last].iter().enumerate() {
        if walk.done() {
            break;
        }
        if d == 0 {
            walk.censored(c);
        } else if start[b] != usize::MAX {
            let seg = &mut grouped[start[b]..start[b] + (d + c) as usize];
            seg.sort_unstable();
            walk.sorted(seg);
        } else if !walk.events(d) {
            // Not expected (the bounds said no level is reached here), but
            // should float rounding disagree: the bucket's times, sorted.
            one.clear();
            one.extend(obs.iter().filter(|&&o| bucket(o >> 1, k) == b));
            one.sort_unstable();
            walk.sorted(&one);
        }
    }
    let events = count.iter().map(|x| x[0]).sum::<u32>();
    Quantiles {
        median: walk.out[0],
        p90: walk.out[1],
        events,
        censored: n as u32 - events,
    }
}

#[cfg(test)]
mod tests {
    use super::super::kaplan_meier::pack;
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn bucket_start_inverts_bucket() {
        for k in 4..=10 {
            for b in 1..bucket(u32::MAX >> 1, k) {
                let t = bucket_start(b, k);
                assert_eq!(bucket(t as u32, k), b, "k {k} b {b}");
                assert_eq!(bucket(t as u32 - 1, k), b - 1, "k {k} b {b}");
            }
        }
    }

    #[test]
    fn buckets_ascend_with_time() {
        for k in 4..=10 {
            let mut last = 0;
            for t in (0..1u32 << 16).chain((16..31).flat_map(|e| {
                let lo = 1u32 << e;
                [lo - 1, lo, lo + 1, lo + lo / 3, (lo << 1) - 1]
            })) {
                let b = bucket(t, k);
                assert!(b >= last, "k {k} t {t}");
                last = b;
            }
            assert!(bucket(u32::MAX >> 1, k) < 32 << k);
        }
    }

    /// Samples of many shapes: ties (whole hours), censorings mixed in among
    /// the events or all late, mostly open, all one time.
    fn sample(rng: &mut ChaCha8Rng, n: usize, shape: u32) -> Vec<u32> {
        (0..n)
            .map(|_| {
                let open = match shape {
                    0 => rng.random_bool(0.2),
                    1 => rng.random_bool(0.7),
                    _ => rng.random_bool(0.05),
                };
                let secs: u32 = match shape {
                    0 => 3600 * rng.random_range(1..400),
                    1 => rng.random_range(0..5_000_000),
                    2 => 7 * 86_400,
                    _ => rng.random_range(0..40_000) + if open { 30_000_000 } else { 0 },
                };
                pack(secs, open)
            })
            .collect()
    }

    #[test]
    fn agrees_with_sorting_the_whole_sample() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        for n in [0, 1, 5, 191, 192, 193, 500, 2_000, 20_000, 70_000] {
            for shape in 0..4 {
                let mut a = sample(&mut rng, n, shape);
                let mut b = a.clone();
                assert_eq!(
                    median_p90(&mut a),
                    median_p90_sorting(&mut b),
                    "n {n} shape {shape}"
                );
            }
        }
    }

    #[test]
    fn many_separate_mixed_buckets_and_few_ones_agree() {
        // A few censorings spread among many events make many separate mixed
        // buckets (more runs than the range test takes); one or two make few.
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for spread in [1usize, 2, 12, 40] {
            let mut a: Vec<u32> = (0..50_000)
                .map(|_| pack(rng.random_range(0..3_000_000), false))
                .collect();
            for j in 0..spread {
                a[j * 997] |= 1;
            }
            let mut b = a.clone();
            assert_eq!(median_p90(&mut a), median_p90_sorting(&mut b), "{spread}");
        }
    }

    #[test]
    fn the_largest_durations_and_all_censored_samples() {
        let mut big: Vec<u32> = (0..1000u32)
            .map(|i| pack(u32::MAX - i, i % 3 == 0))
            .collect();
        let mut b = big.clone();
        assert_eq!(median_p90(&mut big), median_p90_sorting(&mut b));
        let mut open: Vec<u32> = (0..1000).map(|i| pack(i, true)).collect();
        let q = median_p90(&mut open);
        assert_eq!(
            (q.median, q.p90, q.events, q.censored),
            (None, None, 0, 1000)
        );
    }
}
