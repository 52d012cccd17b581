//! The effect of a process change: time to resolve in `[changed_at − w,
//! changed_at)` against `[changed_at, changed_at + w)`, within the change's
//! scope and, as a control, everywhere outside it, with a log-rank test and
//! a verdict.

use super::acc::{Acc, Summary};
use super::window;
use crate::aggregate::parallel::join;
use crate::analysis::stats::logrank::{LogRank, logrank_sorted};
use crate::districts::DistrictMask;
use crate::index::{Columns, Data, Filter};
use serde::Serialize;
use std::sync::Arc;

/// Which appeals a process change is about; every given part must hold.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Only this sector.
    pub sector: Option<u8>,
    /// Only this responsible unit.
    pub responsible: Option<u16>,
    /// Only this district.
    pub district: Option<Arc<DistrictMask>>,
}

impl Scope {
    /// True when row `i` of `c` is in the scope.
    #[inline]
    pub fn holds(&self, c: &Columns, i: usize) -> bool {
        self.sector.is_none_or(|s| c.sector[i] == s)
            && self.responsible.is_none_or(|r| c.responsible[i] == r)
            && self
                .district
                .as_ref()
                .is_none_or(|d| d.keeps(c.cell[i], c.lat[i], c.lon[i]))
    }
}

/// The rules the verdict follows, echoed in every effect.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    /// Significance level of the log-rank test.
    pub alpha: f64,
    /// Fewest appeals each window of the scope needs.
    pub min_appeals: u32,
    /// `faster` needs median after / before at most this…
    pub faster_ratio: f64,
    /// …and `slower` at least this.
    pub slower_ratio: f64,
    /// `faster`/`slower` also need the scope's ratio relative to the
    /// control's beyond the same bounds (when the control has medians).
    pub relative_to_control: bool,
}

/// The defaults: α = 0.05, 20 appeals per window, a 10 % change of median.
pub const THRESHOLDS: Thresholds = Thresholds {
    alpha: 0.05,
    min_appeals: 20,
    faster_ratio: 0.9,
    slower_ratio: 1.1,
    relative_to_control: true,
};

/// One side of the comparison (the scope or the control).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// Before the change.
    pub before: Summary,
    /// After the change.
    pub after: Summary,
    /// Median after / median before (`None` when either is missing).
    pub ratio: Option<f64>,
    /// The log-rank test of after against before.
    pub test: Option<TestResult>,
}

/// A log-rank result as reported.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TestResult {
    /// Always `"logrank"`.
    pub name: &'static str,
    /// χ² with one degree of freedom.
    pub chi2: f64,
    /// Two-sided p-value.
    pub p: f64,
}

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Resolved significantly faster after the change.
    Faster,
    /// Resolved significantly slower.
    Slower,
    /// No significant or no material change.
    NoChange,
    /// Too few appeals, or a median not reached.
    InsufficientData,
}

/// A process change's effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    /// Window length, days.
    pub window_days: u32,
    /// Start of the before window, Unix seconds.
    pub before_from: i64,
    /// End of the after window, Unix seconds.
    pub after_to: i64,
    /// Open appeals are censored at this time.
    pub as_of: i64,
    /// Within the scope.
    pub scope: Side,
    /// Everything outside the scope.
    pub control: Side,
    /// Scope ratio / control ratio.
    pub relative_to_control: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, for a person.
    pub reason: String,
    /// The rules used.
    pub thresholds: Thresholds,
}

/// Judges a change at `changed_at` over windows of `window_days`: appeals of
/// the scope against all others, open ones censored at `as_of`.
pub fn effect(data: &Data, scope: &Scope, changed_at: i64, window_days: u32, as_of: i64) -> Effect {
    let w = i64::from(window_days) * 86_400;
    let (from, to) = (changed_at - w, changed_at + w);
    let filter = Filter {
        from: Some(from),
        to: Some(to),
        ..Filter::default()
    };
    // [scope before, scope after, control before, control after]
    let mut acc = window::tally_base(data, scope, (from, to, changed_at), as_of);
    let slot = |c: &Columns, i: usize| {
        2 * usize::from(!scope.holds(c, i)) + usize::from(c.created[i] >= changed_at)
    };
    data.delta
        .visit(&filter, |c, i| acc[slot(c, i)].add(c, i, as_of));
    let [mut sb, mut sa, mut cb, mut ca] = acc;
    let (scope_side, control) = join(|| side(&mut sb, &mut sa), || side(&mut cb, &mut ca));
    let relative = match (scope_side.ratio, control.ratio) {
        (Some(s), Some(c)) if c > 0.0 => Some(s / c),
        _ => None,
    };
    let (verdict, reason) = judge(&scope_side, relative, &THRESHOLDS);
    Effect {
        window_days,
        before_from: from,
        after_to: to,
        as_of,
        scope: scope_side,
        control,
        relative_to_control: relative,
        verdict,
        reason,
        thresholds: THRESHOLDS,
    }
}

/// One side's figures and test; the two windows summarised at once.
fn side(before: &mut Acc, after: &mut Acc) -> Side {
    // The test walks both samples in time order: the quantiles sort them.
    let (b, a) = join(|| before.summary_sorting(), || after.summary_sorting());
    let ratio = match (b.median_hours, a.median_hours) {
        (Some(x), Some(y)) if x > 0.0 => Some(y / x),
        _ => None,
    };
    let test = logrank_sorted(&after.resolve, &before.resolve).map(|r: LogRank| TestResult {
        name: "logrank",
        chi2: r.chi2,
        p: r.p,
    });
    Side {
        before: b,
        after: a,
        ratio,
        test,
    }
}

/// The verdict's rules, first that holds.
fn judge(s: &Side, relative: Option<f64>, t: &Thresholds) -> (Verdict, String) {
    let n = s.before.count.min(s.after.count);
    if n < t.min_appeals {
        return (
            Verdict::InsufficientData,
            format!(
                "{} appeals before and {} after in the scope; at least {} each are needed",
                s.before.count, s.after.count, t.min_appeals
            ),
        );
    }
    let (Some(ratio), Some(test)) = (s.ratio, s.test) else {
        return (
            Verdict::InsufficientData,
            "a median time to resolve is not reached (most appeals still open)".into(),
        );
    };
    let rel_ok = |bound: &dyn Fn(f64) -> bool| !t.relative_to_control || relative.is_none_or(bound);
    if test.p < t.alpha && ratio <= t.faster_ratio && rel_ok(&|r| r <= t.faster_ratio) {
        return (
            Verdict::Faster,
            format!(
                "median time to resolve fell to {:.0} % of before (log-rank p = {:.2e})",
                ratio * 100.0,
                test.p
            ),
        );
    }
    if test.p < t.alpha && ratio >= t.slower_ratio && rel_ok(&|r| r >= t.slower_ratio) {
        return (
            Verdict::Slower,
            format!(
                "median time to resolve rose to {:.0} % of before (log-rank p = {:.2e})",
                ratio * 100.0,
                test.p
            ),
        );
    }
    (
        Verdict::NoChange,
        format!(
            "median after / before = {ratio:.2}, log-rank p = {:.3}: not a significant change of at least 10 % (relative to the control: {})",
            test.p,
            relative.map_or("n/a".into(), |r| format!("{r:.2}"))
        ),
    )
}
