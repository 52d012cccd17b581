//! How background appeals fall on days and hours: the day counts of the
//! whole span and the time of one appeal within its day.

use super::calendar::{DAY, Span, holiday_factor, weekday_factor};
use super::sectors::SectorTables;
use anyhow::{Context, Result};
use chrono::Datelike;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};

/// Digital channels grow year on year; the data set shows it.
const YEARLY_GROWTH: f64 = 1.08;

/// Background appeals per day: proportional to the season's volume, the
/// weekday, holidays and growth, drawn as a multinomial so they sum exactly.
pub(super) fn spread(
    span: &Span,
    sectors: &SectorTables,
    total: u64,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<u64>> {
    let weights: Vec<f64> = (0..span.days())
        .map(|day| {
            let d = span.date(day);
            sectors.volume(d.month0() as usize)
                * weekday_factor(d.weekday())
                * holiday_factor(d)
                * YEARLY_GROWTH.powf(day as f64 / 365.25)
        })
        .collect();
    let mut left_w: f64 = weights.iter().sum();
    let mut left_n = total;
    let mut out = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let k = if i + 1 == weights.len() {
            left_n
        } else if left_n == 0 || left_w <= 0.0 {
            0
        } else {
            let p = (w / left_w).clamp(0.0, 1.0);
            Binomial::new(left_n, p).context("day share")?.sample(rng)
        };
        out.push(k);
        left_n -= k;
        left_w -= w;
    }
    Ok(out)
}

/// The Unix time of an appeal made at local `hour` by someone living at
/// `utc_offset_h`, on the Moscow day starting at `t0`, kept inside the span.
pub(super) fn slot_time(
    span: &Span,
    t0: i64,
    hour: u32,
    utc_offset_h: i32,
    rng: &mut ChaCha8Rng,
) -> i64 {
    let local = i64::from(hour) * 3600 + rng.random_range(0..3600);
    let t = t0 + local - i64::from(utc_offset_h - 3) * 3600;
    if t < span.start() {
        t + DAY
    } else if t >= span.as_of() {
        t - DAY
    } else {
        t
    }
}
