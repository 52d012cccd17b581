//! The effect of a fix: appeals of its sector in its area and in the control
//! ring, before vs after its date, as rates per 30 days; the exact
//! conditional binomial test of the area's two rates (Przyborowski &
//! Wilenski 1940, see [`crate::analysis::stats::rates`]); the area's change
//! relative to the ring's (a difference-in-differences ratio,
//! `(after_area/before_area)/(after_ring/before_ring)`, rates per day so
//! unequal clipped windows cancel); displacement (did the ring rise while
//! the area fell); and the verdict of [`super::verdict`].

use super::Fix;
use super::count::{Counts, Windows, count};
use super::verdict::{self, Evidence, Verdict};
use crate::analysis::stats::rates::{RateTest, compare_rates};
use crate::index::Data;
use chrono::SecondsFormat;
use chrono_tz::Tz;
use serde_json::{Value, json};

/// Rates are per this many days.
pub const RATE_DAYS: f64 = 30.0;
/// The window when a request names none.
pub const DEFAULT_WINDOW_DAYS: u32 = 90;
/// Longest window a request may ask for.
pub const MAX_WINDOW_DAYS: u32 = 730;
/// The test's name as the API reports it.
pub const TEST_NAME: &str = "exact conditional binomial test of two Poisson rates \
    (Przyborowski & Wilenski 1940), two-sided, minimum-likelihood p";

/// Counts and rates of one set of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    /// Number of cells.
    pub cells: usize,
    /// Appeals before and after.
    pub counts: Counts,
    /// Appeals per 30 days before (`None`: no observed day).
    pub rate_before: Option<f64>,
    /// Appeals per 30 days after.
    pub rate_after: Option<f64>,
    /// The rate test (`None`: a window is empty).
    pub test: Option<RateTest>,
}

impl Side {
    /// Counts and rates of `cells` cells over the windows `w`.
    pub fn new(cells: usize, counts: Counts, w: &Windows) -> Side {
        let per = |n: u64, days: f64| (days > 0.0).then(|| n as f64 / days * RATE_DAYS);
        Side {
            cells,
            counts,
            rate_before: per(counts.before, w.days_before()),
            rate_after: per(counts.after, w.days_after()),
            test: compare_rates(counts.before, w.days_before(), counts.after, w.days_after()),
        }
    }

    /// Rate after / rate before (`None` when there was nothing before).
    pub fn ratio(&self) -> Option<f64> {
        match (self.rate_before, self.rate_after) {
            (Some(b), Some(a)) if b > 0.0 => Some(a / b),
            _ => None,
        }
    }

    /// The side as the API shows it.
    pub fn json(&self) -> Value {
        json!({
            "cells": self.cells,
            "before": self.counts.before,
            "after": self.counts.after,
            "rate_before": self.rate_before,
            "rate_after": self.rate_after,
            "change": self.ratio().map(|r| r - 1.0),
            "p": self.test.map(|t| t.p_two_sided),
        })
    }
}

/// The effect of one fix over one window.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    /// The fix.
    pub fix_id: i64,
    /// The window asked for, days each side.
    pub window_days: u32,
    /// The windows after clipping to the data.
    pub windows: Windows,
    /// The fix's area.
    pub area: Side,
    /// The control ring.
    pub ring: Side,
    /// Area change relative to the ring's (`None`: no usable ratio).
    pub relative_to_ring: Option<f64>,
    /// Ring rise per 30 days / area fall per 30 days, when the area fell.
    pub absorbed: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in one line.
    pub reason: String,
}

/// Computes the effect of `fix` over `window_days` each side of its date;
/// `span` is the data's time span ([`Data::time_span`], cached per write).
pub fn effect(data: &Data, span: Option<(i64, i64)>, fix: &Fix, window_days: u32) -> Effect {
    let w = Windows::new(fix.done_at, window_days, span);
    let area = Side::new(
        fix.cells.len(),
        count(data, &fix.cells, fix.res, fix.sector, &w),
        &w,
    );
    let ring = Side::new(
        fix.ring.len(),
        count(data, &fix.ring, fix.res, fix.sector, &w),
        &w,
    );
    let ring_usable = ring.counts.before > 0 && ring.counts.after > 0;
    let relative_to_ring = match (area.ratio(), ring.ratio()) {
        (Some(a), Some(r)) if ring_usable => Some(a / r),
        _ => None,
    };
    let absorbed = match (
        area.rate_before,
        area.rate_after,
        ring.rate_before,
        ring.rate_after,
    ) {
        (Some(ab), Some(aa), Some(rb), Some(ra)) if ab > aa => Some((ra - rb) / (ab - aa)),
        _ => None,
    };
    let rose = match (area.rate_before, area.rate_after) {
        (Some(b), Some(a)) => a > b,
        _ => false,
    };
    let evidence = Evidence {
        area_appeals: area.counts.before + area.counts.after,
        p: area.test.map(|t| t.p_two_sided),
        p_if_none_after: area.test.map(|t| t.p_if_none_after),
        ratio: area.ratio(),
        rose,
        relative: if ring_usable {
            relative_to_ring
        } else {
            area.ratio()
        },
        ring_p_rose: ring.test.map(|t| t.p_rose),
        absorbed,
    };
    let (verdict, reason) = verdict::decide(&evidence);
    Effect {
        fix_id: fix.id,
        window_days,
        windows: w,
        area,
        ring,
        relative_to_ring,
        absorbed,
        verdict,
        reason,
    }
}

impl Effect {
    /// The API's JSON (times in `tz`).
    pub fn to_json(&self, tz: Tz) -> Value {
        let w = &self.windows;
        let window = |from: i64, to: i64, days: f64| json!({ "from": stamp(from, tz), "to": stamp(to, tz), "days": days });
        let ring_rose = self.ring.test.is_some_and(|t| t.p_rose < verdict::ALPHA);
        let mut ring = self.ring.json();
        ring["k"] = json!([1, super::RING_K]);
        json!({
            "fix_id": self.fix_id,
            "window_days": self.window_days,
            "windows": {
                "before": window(w.before_from, w.done_at, w.days_before()),
                "after": window(w.done_at, w.after_to, w.days_after()),
            },
            "area": self.area.json(),
            "ring": ring,
            // Filled by the caller when the fix lies in a district (see `district`).
            "district": null,
            "relative_to_ring": self.relative_to_ring,
            "test": {
                "name": TEST_NAME,
                "p": self.area.test.map(|t| t.p_two_sided),
                "expected_after": self.area.test.map(|t| t.expected_after),
                "p_if_none_after": self.area.test.map(|t| t.p_if_none_after),
            },
            "displacement": {
                "ring_rose": ring_rose,
                "p": self.ring.test.map(|t| t.p_rose),
                "absorbed": self.absorbed,
                "displaced": self.verdict == Verdict::Displaced,
            },
            "verdict": self.verdict,
            "reason": self.reason,
            "thresholds": verdict::thresholds(),
        })
    }
}

/// RFC 3339 in the region's zone.
pub fn stamp(t: i64, tz: Tz) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| {
            d.with_timezone(&tz)
                .to_rfc3339_opts(SecondsFormat::Secs, true)
        })
        .unwrap_or_default()
}
