//! The verdict on a fix, from the counts and tests of [`super::effect`], by
//! rules with fixed, documented thresholds (all of them go out with every
//! effect under `thresholds`).
//!
//! In order, the first rule that holds decides:
//! 1. `insufficient_data`: either window is empty (the fix predates the data,
//!    or nothing has been recorded since), fewer than [`MIN_APPEALS`] appeals
//!    in the area in both windows together, or so few for the windows' lengths
//!    that not even a complete stop (no appeal after) would be significant —
//!    e.g. a fix made two days before the newest appeal;
//! 2. `displaced`: the area fell significantly (two-sided p < [`ALPHA`]), the
//!    ring rose significantly (one-sided p < [`ALPHA`]: the question is
//!    directional), and the ring's rise per 30 days is at least
//!    [`DISPLACED_MIN_ABSORBED`] (half) of the area's fall — a ring rise much
//!    smaller than the area's fall is more likely the ring's own seasonal
//!    trend than moved complaints (in the planted demo a roads ring rose 54 %
//!    with the season, a third of what the working fix removed, while moved
//!    complaints made up 73–108 % of the displaced fix's fall);
//! 3. `stopped`: the after rate is at most [`STOPPED_MAX_RATIO`] of the
//!    before rate, p < [`ALPHA`], and the area also fell relative to the ring
//!    by the `reduced` margin (a drop everywhere is not the fix's doing);
//! 4. `reduced`: p < [`ALPHA`] and the area's change relative to the ring's,
//!    `(after_area/before_area)/(after_ring/before_ring)`, is at most
//!    [`REDUCED_MAX_RELATIVE`] (it fell at least 30 % more than the ring);
//! 5. `worse`: the area rose, p < [`ALPHA`], and relative to the ring it rose
//!    by at least [`WORSE_MIN_RELATIVE`];
//! 6. otherwise `no_effect`.
//!
//! Significance alone is not enough for `reduced`/`worse`: with many appeals
//! a trivial change becomes significant, and the 30 % margins keep Poisson
//! noise in a busy area from reading as an effect. When the ring has no
//! appeals in one window there is no usable control and the area's own
//! change stands in for the relative one.

use serde::{Deserialize, Serialize};

/// Fewest appeals (before + after, in the area) to judge a fix on.
pub const MIN_APPEALS: u64 = 10;
/// Significance level of every test.
pub const ALPHA: f64 = 0.05;
/// `stopped`: the after rate is at most this share of the before rate.
pub const STOPPED_MAX_RATIO: f64 = 0.10;
/// `reduced`: the area's change relative to the ring's is at most this.
pub const REDUCED_MAX_RELATIVE: f64 = 0.70;
/// `worse`: the area's change relative to the ring's is at least this.
pub const WORSE_MIN_RELATIVE: f64 = 1.30;
/// `displaced`: the ring's rise is at least this share of the area's fall.
pub const DISPLACED_MIN_ABSORBED: f64 = 0.5;

/// What the evidence says about a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Appeals stopped.
    Stopped,
    /// Appeals fell markedly.
    Reduced,
    /// No significant, marked change.
    NoEffect,
    /// Appeals rose.
    Worse,
    /// Appeals moved into the ring around the area.
    Displaced,
    /// Too few appeals, or no observed time on one side.
    InsufficientData,
}

impl Verdict {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Stopped => "stopped",
            Verdict::Reduced => "reduced",
            Verdict::NoEffect => "no_effect",
            Verdict::Worse => "worse",
            Verdict::Displaced => "displaced",
            Verdict::InsufficientData => "insufficient_data",
        }
    }
}

/// The thresholds, as sent with every effect.
#[derive(Debug, Clone, Serialize)]
pub struct Thresholds {
    /// See [`MIN_APPEALS`].
    pub min_appeals: u64,
    /// See [`ALPHA`].
    pub alpha: f64,
    /// See [`STOPPED_MAX_RATIO`].
    pub stopped_max_ratio: f64,
    /// See [`REDUCED_MAX_RELATIVE`].
    pub reduced_max_relative: f64,
    /// See [`WORSE_MIN_RELATIVE`].
    pub worse_min_relative: f64,
    /// See [`DISPLACED_MIN_ABSORBED`].
    pub displaced_min_absorbed: f64,
    /// H3 resolution of areas and rings.
    pub area_res: u8,
    /// The ring: grid distances from the area, inclusive.
    pub ring_k: [u32; 2],
}

/// The thresholds in force.
pub fn thresholds() -> Thresholds {
    Thresholds {
        min_appeals: MIN_APPEALS,
        alpha: ALPHA,
        stopped_max_ratio: STOPPED_MAX_RATIO,
        reduced_max_relative: REDUCED_MAX_RELATIVE,
        worse_min_relative: WORSE_MIN_RELATIVE,
        displaced_min_absorbed: DISPLACED_MIN_ABSORBED,
        area_res: super::AREA_RES as u8,
        ring_k: [1, super::RING_K],
    }
}

/// The figures the rules read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Area appeals before + after.
    pub area_appeals: u64,
    /// Two-sided p of the area's test (`None`: a window is empty).
    pub p: Option<f64>,
    /// The area test's p had no appeal come after.
    pub p_if_none_after: Option<f64>,
    /// Area rate after / before (`None` when before is 0).
    pub ratio: Option<f64>,
    /// True when the area's rate rose.
    pub rose: bool,
    /// Area change relative to the ring's, or the area's own when the ring
    /// has no usable control (`None` when the area had nothing before).
    pub relative: Option<f64>,
    /// One-sided p of "the ring rose".
    pub ring_p_rose: Option<f64>,
    /// Ring rise / area fall, per 30 days (`None` unless the area fell).
    pub absorbed: Option<f64>,
}

/// The verdict and a one-line reason.
pub fn decide(e: &Evidence) -> (Verdict, String) {
    let (Some(p), Some(p_stop)) = (e.p, e.p_if_none_after) else {
        return (
            Verdict::InsufficientData,
            "no observed days on one side of the fix date".into(),
        );
    };
    if e.area_appeals < MIN_APPEALS {
        return (
            Verdict::InsufficientData,
            format!(
                "{} appeals in the area, fewer than {MIN_APPEALS}",
                e.area_appeals
            ),
        );
    }
    if p_stop >= ALPHA {
        return (
            Verdict::InsufficientData,
            format!(
                "over these windows not even a stop of all {} appeals would be significant",
                e.area_appeals
            ),
        );
    }
    let significant = p < ALPHA;
    let fell = significant && !e.rose;
    let ring_rose = e.ring_p_rose.is_some_and(|q| q < ALPHA);
    if fell && ring_rose && e.absorbed.is_some_and(|a| a >= DISPLACED_MIN_ABSORBED) {
        return (
            Verdict::Displaced,
            "the area fell while the ring around it rose by a comparable amount".into(),
        );
    }
    let relative_fell = e.relative.is_some_and(|r| r <= REDUCED_MAX_RELATIVE);
    if fell && relative_fell && e.ratio.is_some_and(|r| r <= STOPPED_MAX_RATIO) {
        return (
            Verdict::Stopped,
            "appeals all but stopped in the area".into(),
        );
    }
    if fell && relative_fell {
        return (
            Verdict::Reduced,
            "appeals fell significantly, and by more than around the area".into(),
        );
    }
    let relative_rose = e.relative.is_none_or(|r| r >= WORSE_MIN_RELATIVE);
    if significant && e.rose && relative_rose {
        return (
            Verdict::Worse,
            "appeals rose significantly, and by more than around the area".into(),
        );
    }
    (
        Verdict::NoEffect,
        "no significant and marked change relative to the ring".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev() -> Evidence {
        Evidence {
            area_appeals: 40,
            p: Some(0.001),
            p_if_none_after: Some(1e-12),
            ratio: Some(0.5),
            rose: false,
            relative: Some(0.5),
            ring_p_rose: Some(0.5),
            absorbed: None,
        }
    }

    #[test]
    fn each_rule_and_its_edges() {
        assert_eq!(decide(&ev()).0, Verdict::Reduced);
        let stopped = Evidence {
            ratio: Some(0.10),
            relative: Some(0.1),
            ..ev()
        };
        assert_eq!(decide(&stopped).0, Verdict::Stopped);
        let everywhere = Evidence {
            ratio: Some(0.05),
            relative: Some(0.9),
            ..ev()
        };
        assert_eq!(decide(&everywhere).0, Verdict::NoEffect, "everything fell");
        let weak = Evidence {
            relative: Some(0.71),
            ..ev()
        };
        assert_eq!(decide(&weak).0, Verdict::NoEffect);
        let noisy = Evidence {
            p: Some(0.05),
            ..ev()
        };
        assert_eq!(decide(&noisy).0, Verdict::NoEffect, "p must be below alpha");
        let moved = Evidence {
            ring_p_rose: Some(0.01),
            absorbed: Some(0.5),
            ..ev()
        };
        assert_eq!(decide(&moved).0, Verdict::Displaced);
        let trend = Evidence {
            absorbed: Some(0.4),
            ..moved
        };
        assert_eq!(
            decide(&trend).0,
            Verdict::Reduced,
            "a small ring rise is no displacement"
        );
        let worse = Evidence {
            rose: true,
            ratio: Some(2.0),
            relative: Some(1.3),
            ..ev()
        };
        assert_eq!(decide(&worse).0, Verdict::Worse);
        let from_nothing = Evidence {
            ratio: None,
            relative: None,
            ..worse
        };
        assert_eq!(decide(&from_nothing).0, Verdict::Worse);
        let with_ring = Evidence {
            relative: Some(1.2),
            ..worse
        };
        assert_eq!(decide(&with_ring).0, Verdict::NoEffect);
        let few = Evidence {
            area_appeals: 9,
            ..ev()
        };
        assert_eq!(decide(&few).0, Verdict::InsufficientData);
        let powerless = Evidence {
            p_if_none_after: Some(0.05),
            ..ev()
        };
        assert_eq!(decide(&powerless).0, Verdict::InsufficientData);
        let empty = Evidence { p: None, ..ev() };
        assert_eq!(decide(&empty).0, Verdict::InsufficientData);
    }

    #[test]
    fn thresholds_go_out_with_their_names() {
        let v = serde_json::to_value(thresholds()).unwrap();
        assert_eq!(v["min_appeals"], 10);
        assert_eq!(v["ring_k"], serde_json::json!([1, 4]));
        assert_eq!(v["area_res"], 10);
        let s = serde_json::to_string(&Verdict::InsufficientData).unwrap();
        assert_eq!(s, "\"insufficient_data\"");
    }
}
