//! Turns the planted specs into exact appeal counts per day before anything is
//! generated, so Truth can state them, and counts what an analysis will see in
//! each planted area while the data streams past.

use super::calendar::{Span, WEEKDAY_MEAN, to_local, weekday_factor};
use super::categories::Category;
use super::planted::{
    DISPLACED_RADIUS_M, DISPLACED_STREET, DISPLACEMENT_M, KAZAN_PLANTED, RECURRING_ACTIVE_P, Spec,
    TINY_AFTER, TINY_BEFORE, WORKING_FIX_RESIDUAL, verdicts,
};
use super::sectors::{SECTORS, SectorId, sector_id};
use super::space::{Circle, distance_m, offset, round6};
use super::truth::{Area, Counts, Displaced, Planted, PlantedKind};
use anyhow::{Context, Result};
use chrono::Datelike;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};

/// The size the planted rates are stated for.
const REFERENCE_APPEALS: f64 = 200_000.0;
/// The span the planted rates are stated for, in months.
const REFERENCE_MONTHS: f64 = 36.0;
/// Below this many appeals nothing is planted: the items would be noise.
pub(crate) const MIN_APPEALS_TO_PLANT: usize = 1_000;
/// Days around a tiny fix its few appeals fall in.
const TINY_WINDOW_DAYS: usize = 60;

/// A source of planted appeals: one area of one item, with its count per day.
#[derive(Debug)]
pub(crate) struct Emitter {
    /// Index of its item.
    pub item: usize,
    /// Where its appeals fall.
    pub area: Circle,
    /// Their sector.
    pub sector: SectorId,
    /// Their category.
    pub category: &'static Category,
    /// Street of their addresses.
    pub street: &'static str,
    /// House numbers of their addresses.
    pub houses: (u32, u32),
    /// Appeals per day of the span.
    pub daily: Vec<u32>,
}

#[derive(Debug)]
struct Item {
    spec: &'static Spec,
    sector: SectorId,
    area: Circle,
    active: (i64, i64),
    done_at: Option<i64>,
    displaced: Option<Circle>,
    /// Observed appeals before/after `done_at` (all in `[0]` without one), per area.
    observed: [[u64; 2]; 2],
}

/// All planted items of a run.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    items: Vec<Item>,
    emitters: Vec<Emitter>,
}

impl Plan {
    /// A plan with nothing planted.
    pub(crate) fn empty() -> Plan {
        Plan::default()
    }

    /// The Kazan items for a run of `appeals` over `span`; empty when the run is
    /// too small to hold them.
    pub(crate) fn kazan(span: &Span, appeals: usize, rng: &mut ChaCha8Rng) -> Result<Plan> {
        if appeals < MIN_APPEALS_TO_PLANT {
            return Ok(Plan::empty());
        }
        let scale =
            appeals as f64 / REFERENCE_APPEALS * REFERENCE_MONTHS / f64::from(span.months());
        // A third of the span, at most a year: "the fix was made a year ago" in
        // the three-year demo, and still leaves a before period in short runs.
        let fix_months = (span.months() / 3).clamp(2, 12);
        let mut plan = Plan::empty();
        for spec in &KAZAN_PLANTED {
            plan.add(spec, span, scale, fix_months, rng)?;
        }
        if plan.total() > appeals as u64 / 2 {
            return Ok(Plan::empty());
        }
        Ok(plan)
    }

    fn add(
        &mut self,
        spec: &'static Spec,
        span: &Span,
        scale: f64,
        fix_months: u32,
        rng: &mut ChaCha8Rng,
    ) -> Result<()> {
        let sector = sector_id(spec.sector).context("planted sector is not in the catalogue")?;
        let category = SECTORS[sector]
            .categories
            .iter()
            .find(|c| c.name == spec.category)
            .context("planted category is not in its sector")?;
        let area = Circle {
            lat: spec.lat,
            lon: spec.lon,
            radius_m: spec.radius_m,
        };
        let (start, as_of) = (span.start(), span.as_of());
        let kind = spec.kind;
        let done_at = match kind {
            PlantedKind::RecurringHotspot | PlantedKind::EmergingHotspot => None,
            PlantedKind::TinyFix => Some(span.months_before_end((fix_months / 2).max(1))?),
            _ => Some(
                span.months_before_end(fix_months.saturating_sub(spec.months_before_end).max(1))?,
            ),
        };
        let emerging_from = match kind {
            PlantedKind::EmergingHotspot => {
                span.months_before_end(spec.months_before_end.min(span.months() / 2).max(1))?
            }
            _ => start,
        };
        let done = done_at.unwrap_or(as_of);
        let shape_mean = spec.shape.iter().sum::<f64>() / 12.0;
        let active_months: Vec<bool> = (0..span.months())
            .map(|_| rng.random::<f64>() < RECURRING_ACTIVE_P)
            .collect();
        // Monthly rate of area A and area B (the displaced spot) at day start `t`.
        let rate = |t: i64, month0: usize, month: usize| -> (f64, f64) {
            let r = spec.rate * spec.shape[month0] / shape_mean;
            match kind {
                PlantedKind::RecurringHotspot if active_months[month] => (r, 0.0),
                PlantedKind::RecurringHotspot | PlantedKind::TinyFix => (0.0, 0.0),
                PlantedKind::EmergingHotspot if t >= emerging_from => {
                    let f = (t - emerging_from) as f64 / (as_of - emerging_from) as f64;
                    (r * (0.1 + 0.9 * f.powf(1.5)), 0.0)
                }
                PlantedKind::EmergingHotspot => (0.0, 0.0),
                PlantedKind::WorkingFix if t < done => (r, 0.0),
                PlantedKind::WorkingFix => (r * WORKING_FIX_RESIDUAL, 0.0),
                PlantedKind::UselessFix => (r, 0.0),
                PlantedKind::DisplacedFix if t < done => (r, 0.0),
                PlantedKind::DisplacedFix => (0.0, r),
            }
        };
        let mut daily_a = vec![0u32; span.days()];
        let mut daily_b = vec![0u32; span.days()];
        for (day, (a, b)) in daily_a.iter_mut().zip(daily_b.iter_mut()).enumerate() {
            let date = span.date(day);
            let t = span.start_of(day);
            let (ra, rb) = rate(t, date.month0() as usize, span.month_index(day) as usize);
            let per_day = scale * weekday_factor(date.weekday()) / WEEKDAY_MEAN / 30.44;
            *a = poisson(ra * per_day, rng)?;
            *b = poisson(rb * per_day, rng)?;
        }
        if kind == PlantedKind::TinyFix {
            let d = span.day_of(done);
            let days = span.days();
            let before = d.saturating_sub(TINY_WINDOW_DAYS)..d.max(1);
            let after = d.min(days - 1)..(d + TINY_WINDOW_DAYS).min(days);
            for _ in 0..TINY_BEFORE {
                daily_a[rng.random_range(before.clone())] += 1;
            }
            for _ in 0..TINY_AFTER {
                daily_a[rng.random_range(after.clone())] += 1;
            }
        }
        let active = match kind {
            PlantedKind::EmergingHotspot => (emerging_from, as_of),
            PlantedKind::WorkingFix | PlantedKind::DisplacedFix => (start, done),
            PlantedKind::TinyFix => {
                let first = daily_a.iter().position(|&n| n > 0).unwrap_or(0);
                let last = daily_a.iter().rposition(|&n| n > 0).unwrap_or(0);
                (span.start_of(first), span.start_of(last + 1))
            }
            _ => (start, as_of),
        };
        let displaced = (kind == PlantedKind::DisplacedFix).then(|| {
            let (lat, lon) = offset(spec.lat, spec.lon, DISPLACEMENT_M, 0.0);
            Circle {
                lat: round6(lat),
                lon: round6(lon),
                radius_m: DISPLACED_RADIUS_M,
            }
        });
        let item = self.items.len();
        let emitter = |area, street, houses, daily| Emitter {
            item,
            area,
            sector,
            category,
            street,
            houses,
            daily,
        };
        self.emitters
            .push(emitter(area, spec.street, spec.houses, daily_a));
        if let Some(b) = displaced {
            self.emitters
                .push(emitter(b, DISPLACED_STREET, (1, 9), daily_b));
        }
        self.items.push(Item {
            spec,
            sector,
            area,
            active,
            done_at,
            displaced,
            observed: [[0; 2]; 2],
        });
        Ok(())
    }

    /// The sources of planted appeals.
    pub(crate) fn emitters(&self) -> &[Emitter] {
        &self.emitters
    }

    /// Planted appeals in all.
    pub(crate) fn total(&self) -> u64 {
        self.emitters
            .iter()
            .flat_map(|e| &e.daily)
            .map(|&n| u64::from(n))
            .sum()
    }

    /// Whether background appeals of `sector` must stay out of (lat, lon): only
    /// the tiny fix's area, so its verdict rests on exactly its planted appeals.
    pub(crate) fn excluded(&self, sector: SectorId, lat: f64, lon: f64) -> bool {
        self.items.iter().any(|i| {
            i.spec.kind == PlantedKind::TinyFix && i.sector == sector && i.area.contains(lat, lon)
        })
    }

    /// Counts an appeal towards every planted area of its sector it falls in.
    pub(crate) fn observe(&mut self, sector: SectorId, lat: f64, lon: f64, t: i64) {
        for item in self.items.iter_mut().filter(|i| i.sector == sector) {
            let half = item.done_at.map_or(0, |d| usize::from(t >= d));
            if item.area.contains(lat, lon) {
                item.observed[0][half] += 1;
            }
            if item.displaced.is_some_and(|b| b.contains(lat, lon)) {
                item.observed[1][half] += 1;
            }
        }
    }

    /// The planted items as Truth states them.
    pub(crate) fn truth(&self, span: &Span) -> Vec<Planted> {
        self.items
            .iter()
            .enumerate()
            .map(|(idx, item)| {
                let mut areas = self.emitters.iter().filter(|e| e.item == idx);
                let a = areas.next();
                let b = areas.next();
                let (expected_verdict, acceptable_verdicts) = verdicts(item.spec.kind);
                let done_day = item.done_at.map(|d| span.day_of(d));
                let displaced_to = match (item.displaced, b) {
                    (Some(circle), Some(e)) => Some(Displaced {
                        area: area_of(circle),
                        distance_m: distance_m(
                            item.area.lat,
                            item.area.lon,
                            circle.lat,
                            circle.lon,
                        ),
                        planted: planted_counts(&e.daily, done_day),
                        observed: counts(item.observed[1], item.done_at.is_some()),
                        monthly: monthly(span, &e.daily),
                    }),
                    _ => None,
                };
                let daily: &[u32] = a.map_or(&[], |e| &e.daily);
                Planted {
                    id: item.spec.id.to_owned(),
                    kind: item.spec.kind,
                    sector: SECTORS[item.sector].code.to_owned(),
                    category: item.spec.category.to_owned(),
                    area: area_of(item.area),
                    active_from: to_local(item.active.0),
                    active_to: to_local(item.active.1),
                    done_at: item.done_at.map(to_local),
                    expected_verdict,
                    acceptable_verdicts,
                    planted: planted_counts(daily, done_day),
                    observed: counts(item.observed[0], item.done_at.is_some()),
                    monthly: monthly(span, daily),
                    displaced_to,
                }
            })
            .collect()
    }
}

fn poisson(lambda: f64, rng: &mut ChaCha8Rng) -> Result<u32> {
    if lambda <= 0.0 {
        return Ok(0);
    }
    let d = Poisson::new(lambda).context("planted rate")?;
    Ok(d.sample(rng) as u32)
}

fn area_of(c: Circle) -> Area {
    Area {
        lat: c.lat,
        lon: c.lon,
        radius_m: c.radius_m,
    }
}

fn counts(halves: [u64; 2], split: bool) -> Counts {
    Counts {
        total: halves[0] + halves[1],
        before: split.then_some(halves[0]),
        after: split.then_some(halves[1]),
    }
}

fn planted_counts(daily: &[u32], done_day: Option<usize>) -> Counts {
    let sum = |d: &[u32]| d.iter().map(|&n| u64::from(n)).sum::<u64>();
    match done_day {
        Some(d) => {
            let d = d.min(daily.len());
            counts([sum(&daily[..d]), sum(&daily[d..])], true)
        }
        None => counts([sum(daily), 0], false),
    }
}

fn monthly(span: &Span, daily: &[u32]) -> Vec<u32> {
    let mut out = vec![0u32; span.months() as usize];
    for (day, &n) in daily.iter().enumerate() {
        out[span.month_index(day) as usize] += n;
    }
    out
}
