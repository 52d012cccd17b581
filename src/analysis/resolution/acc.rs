//! One group's tally: every appeal's time to resolve and to first response
//! as a (possibly censored) observation, plus counts of deadlines missed.
//! Shared by the resolution table, the ranking and process-change effects.

use crate::analysis::stats::kaplan_meier::{self, Quantiles, pack};
use crate::index::{Columns, NO_TIME, UNRESOLVED};
use serde::Serialize;

/// Observations of one group.
#[derive(Debug, Default, Clone)]
pub struct Acc {
    /// Time to resolve, packed (censored at `as_of` when open).
    pub resolve: Vec<u32>,
    /// Time to first response, packed.
    pub first: Vec<u32>,
    /// Appeals.
    pub count: u32,
    /// Appeals with a resolution time (resolved or rejected).
    pub resolved: u32,
    /// Appeals with a deadline.
    pub with_due: u32,
    /// Appeals with a deadline that was (or, still open, is by `as_of`) missed.
    pub overdue: u32,
}

impl Acc {
    /// An empty tally with room for `n` appeals (spares a district's slots
    /// the copies of growing from nothing).
    pub fn with_capacity(n: usize) -> Acc {
        Acc {
            resolve: Vec::with_capacity(n),
            first: Vec::with_capacity(n),
            ..Acc::default()
        }
    }

    /// Adds row `i` of `c`, open appeals censored at `as_of` (Unix seconds).
    ///
    /// The first response is the `first_response_at`, else the resolution
    /// (closing an appeal answers it), else censored at `as_of`.
    #[inline]
    pub fn add(&mut self, c: &Columns, i: usize, as_of: i64) {
        // Written as selects, not branches: in cell order whether an appeal
        // is closed, answered or has a deadline is a coin toss per row.
        let open_for = u32::try_from((as_of - c.created[i]).max(0)).unwrap_or(u32::MAX);
        let r = c.resolve[i];
        let closed = r != UNRESOLVED;
        let end = if closed { r } else { open_for };
        self.count += 1;
        self.resolved += u32::from(closed);
        self.resolve.push(pack(end, !closed));
        let f = c.first_response[i];
        let answered = f != NO_TIME;
        self.first
            .push(pack(if answered { f } else { end }, !answered && !closed));
        let due = c.due[i];
        let with_due = due != NO_TIME;
        self.with_due += u32::from(with_due);
        self.overdue += u32::from(with_due & (end > due));
    }

    /// Adds another group's observations.
    pub fn merge(&mut self, other: Acc) {
        self.resolve.extend(other.resolve);
        self.first.extend(other.first);
        self.count += other.count;
        self.resolved += other.resolved;
        self.with_due += other.with_due;
        self.overdue += other.overdue;
    }

    /// The group's figures (reorders its observations).
    pub fn summary(&mut self) -> Summary {
        let r = kaplan_meier::median_p90(&mut self.resolve);
        self.summary_with(r)
    }

    /// [`Acc::summary`], leaving `resolve` sorted ascending for a test that
    /// walks it in time order: one sort serves both.
    pub fn summary_sorting(&mut self) -> Summary {
        let r = kaplan_meier::median_p90_sorting(&mut self.resolve);
        self.summary_with(r)
    }

    fn summary_with(&mut self, r: Quantiles) -> Summary {
        let f = kaplan_meier::median_p90(&mut self.first);
        Summary {
            count: self.count,
            resolved: self.resolved,
            open: self.count - self.resolved,
            median_hours: r.median.map(hours),
            p90_hours: r.p90.map(hours),
            overdue_share: (self.with_due > 0)
                .then(|| f64::from(self.overdue) / f64::from(self.with_due)),
            median_first_response_hours: f.median.map(hours),
        }
    }
}

/// Seconds as hours.
pub fn hours(secs: u32) -> f64 {
    f64::from(secs) / 3600.0
}

/// A group's resolution figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Appeals.
    pub count: u32,
    /// Appeals with a resolution time.
    pub resolved: u32,
    /// Appeals still open (censored in the medians).
    pub open: u32,
    /// Kaplan–Meier median time to resolve, hours (`None`: not reached).
    pub median_hours: Option<f64>,
    /// Kaplan–Meier 90th percentile, hours (`None`: not reached).
    pub p90_hours: Option<f64>,
    /// Share of appeals with a deadline that missed it (`None`: no deadlines).
    pub overdue_share: Option<f64>,
    /// Kaplan–Meier median time to first response, hours.
    pub median_first_response_hours: Option<f64>,
}
