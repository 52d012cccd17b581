//! What happened to an appeal by the end of the data set: its status and,
//! when closed, when.

use super::calendar::DAY;
use super::sectors::SECTORS;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Spread of resolution times (sigma of the log-normal): most close within a
/// few days, a long tail takes weeks.
const SIGMA: f64 = 0.9;
/// Share of closed appeals that are rejected (duplicates, out of scope).
const REJECTED_P: f64 = 0.05;
/// Share of appeals that get stuck and stay open however old they are.
const STUCK_P: f64 = 0.004;

/// Wire names of the statuses.
pub(crate) const NEW: &str = "new";
/// Being worked on.
pub(crate) const IN_PROGRESS: &str = "in_progress";
/// Closed, fixed.
pub(crate) const RESOLVED: &str = "resolved";
/// Closed without action.
pub(crate) const REJECTED: &str = "rejected";

/// Draws the status at `as_of` of an appeal of `sector` created at `created`,
/// and its resolution time when closed (never after `as_of`).
pub(crate) fn outcome(
    sector: usize,
    created: i64,
    as_of: i64,
    rng: &mut ChaCha8Rng,
) -> (&'static str, Option<i64>) {
    outcome_with(SECTORS[sector].median_days, REJECTED_P, created, as_of, rng)
}

/// [`outcome`] with a given median time to resolve (days) and share of quick
/// rejections.
pub(crate) fn outcome_with(
    median_days: f64,
    rejected_p: f64,
    created: i64,
    as_of: i64,
    rng: &mut ChaCha8Rng,
) -> (&'static str, Option<i64>) {
    let z: f64 = rng.sample(StandardNormal);
    let u = rng.random::<f64>();
    let rejected = u < rejected_p;
    // Rejections are quick: an operator spots a duplicate or a wrong address.
    let median = if rejected { 1.5 } else { median_days };
    let secs = (median * DAY as f64 * (SIGMA * z).exp()).clamp(600.0, 400.0 * DAY as f64) as i64;
    let closed_at = created + secs;
    let stuck = (rejected_p..rejected_p + STUCK_P).contains(&u);
    if closed_at <= as_of && !stuck {
        let status = if rejected { REJECTED } else { RESOLVED };
        return (status, Some(closed_at));
    }
    // Still open: fresh ones mostly wait in the queue, older ones are assigned.
    let age = as_of - created;
    let new_p = if age < DAY { 0.7 } else { 0.08 };
    let status = if rng.random::<f64>() < new_p {
        NEW
    } else {
        IN_PROGRESS
    };
    (status, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn closed_ones_close_in_order_and_recent_ones_stay_open() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let as_of = 1_000_000_000;
        let (mut open_recent, mut rejected, mut durations) = (0, 0, Vec::new());
        for i in 0..20_000 {
            let created = as_of - (i % 200) * DAY;
            let (status, resolved) = outcome(0, created, as_of, &mut rng);
            match resolved {
                Some(r) => {
                    assert!(r >= created && r <= as_of);
                    assert!(status == RESOLVED || status == REJECTED);
                    rejected += usize::from(status == REJECTED);
                    durations.push(r - created);
                }
                None => {
                    assert!(status == NEW || status == IN_PROGRESS);
                    open_recent += usize::from(as_of - created < 2 * DAY);
                }
            }
        }
        assert!(open_recent > 100);
        let share = rejected as f64 / durations.len() as f64;
        assert!((0.03..0.07).contains(&share), "rejected share {share}");
        durations.sort_unstable();
        let median = durations[durations.len() / 2] as f64 / DAY as f64;
        assert!((2.5..6.0).contains(&median), "median {median} days");
    }
}
