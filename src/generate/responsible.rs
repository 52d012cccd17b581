//! Who answers an appeal, by when, and how soon they first reply: the
//! responsible units of the demo (city services by sector, district
//! administrations for the rest), their deadlines, and one planted process
//! change that makes one unit markedly faster from a known date.

use super::calendar::{DAY, Span, local_midnight};
use super::cities::KAZAN;
use super::lifecycle;
use super::sectors::SECTORS;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// A responsible unit of the demo.
#[derive(Debug, Clone, Copy)]
pub struct Unit {
    /// Code.
    pub code: &'static str,
    /// Russian name.
    pub name_ru: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Deadline after creation, days.
    pub deadline_days: i64,
    /// Median hours to a first response.
    pub first_median_h: f64,
}

/// City services by sector code; the other sectors go to the district
/// administration of the appeal's district.
pub const SERVICES: [(&str, Unit); 6] = [
    (
        "housing",
        Unit {
            code: "uk-zhilservis",
            name_ru: "УК «Жилсервис»",
            name_en: "Zhilservis housing company",
            deadline_days: 5,
            first_median_h: 6.0,
        },
    ),
    (
        "roads",
        Unit {
            code: "mku-dorogi",
            name_ru: "МКУ «Дорожное хозяйство»",
            name_en: "Municipal roads agency",
            deadline_days: 10,
            first_median_h: 20.0,
        },
    ),
    (
        "transport",
        Unit {
            code: "metroelektrotrans",
            name_ru: "МУП «Метроэлектротранс»",
            name_en: "Metroelektrotrans transit",
            deadline_days: 10,
            first_median_h: 12.0,
        },
    ),
    (
        "improvement",
        Unit {
            code: "mbu-blagoustroystvo",
            name_ru: "МБУ «Благоустройство и озеленение»",
            name_en: "Yards and parks service",
            deadline_days: 10,
            first_median_h: 10.0,
        },
    ),
    (
        "ecology",
        Unit {
            code: "ecoservice",
            name_ru: "ООО «Экосервис»",
            name_en: "Ecoservice waste company",
            deadline_days: 5,
            first_median_h: 4.0,
        },
    ),
    (
        "energy",
        Unit {
            code: "kazenergo",
            name_ru: "АО «Казэнерго»",
            name_en: "Kazenergo heating company",
            deadline_days: 5,
            first_median_h: 3.0,
        },
    ),
];

/// District administrations (one per Kazan district, in [`KAZAN`] order);
/// answers within the 30 days of the law on citizens' appeals (59-FZ).
pub fn administrations() -> Vec<Unit> {
    const CODES: [&str; 7] = [
        "adm-aviastroitelny",
        "adm-vakhitovsky",
        "adm-kirovsky",
        "adm-moskovsky",
        "adm-novo-savinovsky",
        "adm-privolzhsky",
        "adm-sovetsky",
    ];
    KAZAN
        .iter()
        .zip(CODES)
        .enumerate()
        .map(|(i, (d, code))| Unit {
            code,
            name_ru: d.name,
            name_en: d.name_en,
            deadline_days: 30,
            // Administrations register and forward: a day or more to reply.
            first_median_h: 24.0 + 6.0 * i as f64,
        })
        .collect()
}

/// Every unit of the demo: services, then administrations.
pub fn all_units() -> Vec<Unit> {
    SERVICES
        .iter()
        .map(|(_, u)| *u)
        .chain(administrations())
        .collect()
}

/// The planted process change, as written into the truth file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlantedChange {
    /// What changed.
    pub title: String,
    /// The unit whose appeals it concerns.
    pub responsible: String,
    /// When it took effect (local midnight), Unix seconds.
    pub changed_at: i64,
    /// Median time to resolve of the unit's appeals before, days.
    pub median_days_before: f64,
    /// …and after.
    pub median_days_after: f64,
    /// A unit with no change at that date (its median is its sector's throughout).
    pub unchanged: String,
}

/// The unit made faster, and by how much.
const PLANTED_UNIT: &str = "mbu-blagoustroystvo";
const BEFORE_DAYS: f64 = 7.0;
const AFTER_DAYS: f64 = 3.0;
/// Spread (log-normal sigma) of first responses around their median.
const FIRST_SIGMA: f64 = 1.0;

/// The planted change: at local midnight 60 % into the span (so both 90-day
/// windows fit in a span of a year or more).
pub(crate) fn planted(span: &Span) -> anyhow::Result<PlantedChange> {
    let day = span.days() * 3 / 5;
    let changed_at = local_midnight(span.date(day))?;
    Ok(PlantedChange {
        title: "Бережливый проект: диспетчеризация заявок по благоустройству".into(),
        responsible: PLANTED_UNIT.into(),
        changed_at,
        median_days_before: BEFORE_DAYS,
        median_days_after: AFTER_DAYS,
        unchanged: "uk-zhilservis".into(),
    })
}

/// The resolution fields of one appeal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Handling {
    /// Unit code.
    pub responsible: &'static str,
    /// Deadline, Unix seconds.
    pub due_at: i64,
    /// First answer, Unix seconds.
    pub first_response_at: Option<i64>,
    /// Status wire name.
    pub status: &'static str,
    /// Closing time.
    pub resolved_at: Option<i64>,
}

/// Decides who handles an appeal of `sector` created at `created` near
/// `(lat, lon)`, and what happened to it by `as_of`. `rng` gives the usual
/// outcome exactly as [`lifecycle::outcome`] always did, even where the
/// planted change replaces it; the replacement and the first response come
/// from their own stream `hrng`, so adding them changed no other field.
#[allow(clippy::too_many_arguments)]
pub(crate) fn handle(
    sector: usize,
    lat: f64,
    lon: f64,
    created: i64,
    as_of: i64,
    change: Option<&PlantedChange>,
    admins: &[Unit],
    rng: &mut ChaCha8Rng,
    hrng: &mut ChaCha8Rng,
) -> Handling {
    let code = SECTORS[sector].code;
    let unit = SERVICES
        .iter()
        .find(|(s, _)| *s == code)
        .map(|(_, u)| *u)
        .unwrap_or_else(|| admins[nearest_district(lat, lon)]);
    // Always drawn, so `rng` advances exactly as before units existed (how
    // many numbers an outcome takes depends on the outcome).
    let usual = lifecycle::outcome(sector, created, as_of, rng);
    let planted = change.filter(|c| c.responsible == unit.code);
    let (status, resolved_at) = match planted {
        // The planted unit's times follow their own medians, without quick
        // rejections, so the truth's medians are exact; drawn from `hrng`.
        Some(c) => {
            let median = if created < c.changed_at {
                c.median_days_before
            } else {
                c.median_days_after
            };
            lifecycle::outcome_with(median, 0.0, created, as_of, hrng)
        }
        None => usual,
    };
    let z: f64 = hrng.sample(StandardNormal);
    let first = created + (unit.first_median_h * 3600.0 * (FIRST_SIGMA * z).exp()) as i64;
    let first = match resolved_at {
        Some(r) => Some(first.min(r)),
        None => (first <= as_of).then_some(first),
    };
    Handling {
        responsible: unit.code,
        due_at: created + unit.deadline_days * DAY,
        first_response_at: first,
        status,
        resolved_at,
    }
}

/// The Kazan district whose nearest residential cluster is closest.
fn nearest_district(lat: f64, lon: f64) -> usize {
    let mut best = (f64::INFINITY, 0);
    for (i, d) in KAZAN.iter().enumerate() {
        for c in d.clusters {
            let (dy, dx) = (c.0 - lat, (c.1 - lon) * 0.56);
            let dist = dy * dy + dx * dx;
            if dist < best.0 {
                best = (dist, i);
            }
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_planted_change_shifts_no_other_draw() {
        let end = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .expect("end")
            .to_utc();
        let span = Span::new(end, 1).expect("span");
        let change = planted(&span).expect("change");
        let improvement = SECTORS
            .iter()
            .position(|s| s.code == "improvement")
            .expect("sector");
        let admins = administrations();
        let as_of = span.as_of();
        let (mut with, mut without) = (0, 0);
        for i in 0..500 {
            let created = change.changed_at + (i - 250) * 3 * 3600;
            let mut a = ChaCha8Rng::seed_from_u64(i as u64);
            let mut b = a.clone();
            let (mut ha, mut hb) = (a.clone(), a.clone());
            ha.set_stream(3);
            hb.set_stream(3);
            let x = handle(
                improvement,
                55.79,
                49.12,
                created,
                as_of,
                Some(&change),
                &admins,
                &mut a,
                &mut ha,
            );
            let y = handle(
                improvement,
                55.79,
                49.12,
                created,
                as_of,
                None,
                &admins,
                &mut b,
                &mut hb,
            );
            assert_eq!(x.responsible, PLANTED_UNIT);
            // The main stream is where it would be without the change.
            assert_eq!(a.random::<u64>(), b.random::<u64>(), "appeal {i}");
            with += u32::from(x.resolved_at != y.resolved_at);
            without += 1;
        }
        // …while the planted unit's own outcomes did change.
        assert!(with * 2 > without, "{with} of {without}");
    }
}
