//! Kaplan–Meier survival quantiles for right-censored durations (Kaplan &
//! Meier 1958): open appeals are not dropped but count as "not resolved yet
//! after this long".
//!
//! Observations are packed into one `u32` each, `seconds << 1 | censored`,
//! so a plain integer sort orders by time with events before censorings at
//! equal times: the usual convention (a case censored at t was at risk at t),
//! and the one `lifelines` follows.

/// Largest duration an observation can carry (2³¹ − 1 seconds, ~68 years).
pub const MAX_SECS: u32 = u32::MAX >> 1;

/// Packs one observation: `secs` until the event, or until censoring when
/// `censored` (longer durations are clamped to [`MAX_SECS`]).
#[inline]
pub fn pack(secs: u32, censored: bool) -> u32 {
    (secs.min(MAX_SECS) << 1) | u32::from(censored)
}

/// Survival quantiles of one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantiles {
    /// First time at which S(t) ≤ 0.5, seconds; `None` when S stays above.
    pub median: Option<u32>,
    /// First time at which S(t) ≤ 0.1 (90 % have had the event); `None` when not reached.
    pub p90: Option<u32>,
    /// Observations with the event.
    pub events: u32,
    /// Censored observations.
    pub censored: u32,
}

/// The first times at which the Kaplan–Meier estimate S(t) drops to or below
/// each of `levels` (at most two, descending, e.g. `[0.5, 0.1]`), for
/// observations sorted ascending by their packed value; also the event and
/// censoring counts.
///
/// S(t) = Π over event times tᵢ ≤ t of (1 − dᵢ / nᵢ), with dᵢ events at tᵢ and
/// nᵢ observations still at risk just before tᵢ.
pub fn quantiles_sorted(obs: &[u32], levels: &[f64], out: &mut [Option<u32>]) -> (u32, u32) {
    let mut walk = Walk::new(obs.len(), levels);
    walk.sorted(obs);
    out.copy_from_slice(&walk.out[..out.len()]);
    let events = obs.iter().filter(|&&o| o & 1 == 0).count() as u32;
    (events, obs.len() as u32 - events)
}

/// The Kaplan–Meier walk over one sample in ascending order, fed in sorted
/// pieces (or, by [`super::km_buckets`], whole buckets of events at once);
/// stops caring once every level is reached.
pub(crate) struct Walk<'a> {
    /// Observations not yet passed.
    pub at_risk: f64,
    /// S just after the last event passed.
    pub s: f64,
    levels: &'a [f64],
    next: usize,
    /// The time each level was reached at, in `levels` order (at most 2).
    pub out: [Option<u32>; 2],
}

/// A tiny tolerance, so S = 0.5 reached through rounding counts as 0.5.
const TOL: f64 = 1e-12;

impl<'a> Walk<'a> {
    /// A walk over `n` observations for (at most two) descending `levels`.
    pub fn new(n: usize, levels: &'a [f64]) -> Self {
        Walk {
            at_risk: n as f64,
            s: 1.0,
            levels: &levels[..levels.len().min(2)],
            next: 0,
            out: [None; 2],
        }
    }

    /// True once every level is reached.
    pub fn done(&self) -> bool {
        self.next == self.levels.len()
    }

    /// Passes observations sorted ascending, all later than those passed.
    pub fn sorted(&mut self, obs: &[u32]) {
        let mut i = 0;
        while i < obs.len() && !self.done() {
            let t = obs[i] >> 1;
            let mut d = 0u32;
            let mut c = 0u32;
            while i < obs.len() && obs[i] >> 1 == t {
                if obs[i] & 1 == 0 {
                    d += 1;
                } else {
                    c += 1;
                }
                i += 1;
            }
            if d > 0 {
                self.s *= 1.0 - f64::from(d) / self.at_risk;
                while !self.done() && self.s <= self.levels[self.next] + TOL {
                    self.out[self.next] = Some(t);
                    self.next += 1;
                }
            }
            self.at_risk -= f64::from(d + c);
        }
    }

    /// Passes `d` events, all later than those passed and earlier than those
    /// to come, in one step (1 − d/n is the product of the steps of any tie
    /// structure among them, as no censoring falls between), unless S would
    /// reach the next level among them: then returns false and passes
    /// nothing, and the caller feeds them sorted.
    pub fn events(&mut self, d: u32) -> bool {
        let s = self.s * (1.0 - f64::from(d) / self.at_risk);
        if !self.done() && s <= self.levels[self.next] + TOL {
            return false;
        }
        self.s = s;
        self.at_risk -= f64::from(d);
        true
    }

    /// Passes `c` censorings (S does not change).
    pub fn censored(&mut self, c: u32) {
        self.at_risk -= f64::from(c);
    }
}

/// Median and p90 (first times with S(t) ≤ 0.5 and ≤ 0.1) of packed
/// observations; reorders them (not necessarily into sorted order: see
/// [`super::km_buckets`]).
pub fn median_p90(obs: &mut [u32]) -> Quantiles {
    super::km_buckets::median_p90(obs)
}

/// [`median_p90`] by sorting the whole sample (an LSD radix sort) and
/// walking it: the reference the bucketed walk is tested against.
pub fn median_p90_sorting(obs: &mut [u32]) -> Quantiles {
    radsort::sort(obs);
    let mut out = [None; 2];
    let (events, censored) = quantiles_sorted(obs, &[0.5, 0.1], &mut out);
    Quantiles {
        median: out[0],
        p90: out[1],
        events,
        censored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(v: &[(u32, bool)]) -> Vec<u32> {
        v.iter().map(|&(t, c)| pack(t, c)).collect()
    }

    #[test]
    fn without_censoring_the_median_is_the_first_half_crossing() {
        // 1 2 3 4: S = 3/4, 2/4 at t = 2, so the median is 2 (lifelines:
        // median_survival_time_ = 2.0); p90: S = 1/4 at 3, 0 at 4 → 4.
        let q = median_p90(&mut obs(&[(4, false), (1, false), (3, false), (2, false)]));
        assert_eq!((q.median, q.p90), (Some(2), Some(4)));
        assert_eq!((q.events, q.censored), (4, 0));
    }

    #[test]
    fn censored_cases_stay_at_risk_until_they_drop_out() {
        // Times 1, 2+, 3, 4+, 5 (+ = censored), computed by hand:
        // t=1: 5 at risk, S = 4/5 = 0.8; t=2+ leaves (3 at risk);
        // t=3: S = 0.8·(1 − 1/3) = 0.5333; t=4+ leaves (1 at risk);
        // t=5: S = 0.5333·(1 − 1/1) = 0. Median and p90 are both 5.
        // Dropping the open cases instead would give the median 3.
        let q = median_p90(&mut obs(&[
            (3, false),
            (1, false),
            (4, true),
            (2, true),
            (5, false),
        ]));
        assert_eq!((q.median, q.p90), (Some(5), Some(5)));
        assert_eq!((q.events, q.censored), (3, 2));
    }

    #[test]
    fn events_come_before_censorings_at_the_same_time() {
        // 2, 2+, 2+, 2+: at t = 2 one event among 4 at risk: S = 0.75, never
        // reaching 0.5, so no median (the three open cases could still be long).
        let q = median_p90(&mut obs(&[(2, true), (2, false), (2, true), (2, true)]));
        assert_eq!((q.median, q.p90), (None, None));
        // Ties of events: 1, 1, 3, 3+: S(1) = 0.5 exactly → median 1.
        let q = median_p90(&mut obs(&[(1, false), (3, true), (1, false), (3, false)]));
        assert_eq!(q.median, Some(1));
        // t = 3: 2 at risk, one event: S = 0.25 → p90 not reached.
        assert_eq!(q.p90, None);
    }

    #[test]
    fn empty_and_all_censored_samples_have_no_quantiles() {
        assert_eq!(median_p90(&mut []).median, None);
        let q = median_p90(&mut obs(&[(5, true), (9, true)]));
        assert_eq!((q.median, q.events, q.censored), (None, 0, 2));
    }
}
