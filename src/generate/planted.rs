//! The hotspots and fixes planted into the Kazan demo: where they are, what
//! they are about and how strong they are. `plan` turns these into days.
//!
//! Rates are appeals per month at the reference size (200 000 appeals over
//! 36 months); a run of another size scales them so the contrast with the
//! background stays the same. For scale: background appeals of one sector in a
//! 200 m circle in a dense district run at about one a month.

use super::truth::{PlantedKind, Verdict};

/// A month-by-month shape (January first), normalised to mean 1 when used.
pub(crate) type Shape = [f64; 12];

const FLAT: Shape = [1.0; 12];
const SUMMER: Shape = [0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.2, 1.1, 1.0, 0.9, 0.8];
const SPRING_THAW: Shape = [0.3, 0.4, 1.6, 2.6, 2.0, 0.8, 0.5, 0.4, 0.4, 0.6, 0.5, 0.3];
/// Worn-out hot-water pipes fail all year, worst when the network is loaded in
/// winter and during the summer pressure tests.
const WORN_PIPES: Shape = [1.3, 1.2, 1.0, 0.8, 0.8, 1.1, 1.1, 0.8, 0.8, 1.0, 1.2, 1.3];
const DARK: Shape = [1.4, 1.2, 1.0, 0.8, 0.6, 0.5, 0.5, 0.7, 0.9, 1.2, 1.4, 1.5];

/// One planted item of the city scenario.
#[derive(Debug)]
pub(crate) struct Spec {
    /// Stable id in Truth.
    pub id: &'static str,
    /// What it stands for.
    pub kind: PlantedKind,
    /// Sector code.
    pub sector: &'static str,
    /// Category; must be one of the sector's categories.
    pub category: &'static str,
    /// Centre latitude.
    pub lat: f64,
    /// Centre longitude.
    pub lon: f64,
    /// Radius, metres.
    pub radius_m: f64,
    /// Street of its addresses.
    pub street: &'static str,
    /// House numbers its addresses use (people near one spot live in a few houses).
    pub houses: (u32, u32),
    /// Appeals per month at the reference size (for the emerging hotspot: at its peak).
    pub rate: f64,
    /// Seasonal shape of the rate.
    pub shape: Shape,
    /// Months before the end when the fix is made (relative to the fix month
    /// of the run, see `plan`), or when an emerging hotspot starts.
    pub months_before_end: u32,
}

/// What a kind of fix should be judged as, and what else is acceptable.
pub(crate) fn verdicts(kind: PlantedKind) -> (Option<Verdict>, Vec<Verdict>) {
    match kind {
        PlantedKind::RecurringHotspot | PlantedKind::EmergingHotspot => (None, Vec::new()),
        PlantedKind::WorkingFix => (
            Some(Verdict::Stopped),
            vec![Verdict::Stopped, Verdict::Reduced],
        ),
        PlantedKind::UselessFix => (Some(Verdict::NoEffect), vec![Verdict::NoEffect]),
        PlantedKind::DisplacedFix => (
            Some(Verdict::Displaced),
            vec![Verdict::Displaced, Verdict::Stopped, Verdict::Reduced],
        ),
        PlantedKind::TinyFix => (
            Some(Verdict::InsufficientData),
            vec![Verdict::InsufficientData],
        ),
    }
}

/// Share of the pre-fix rate a working fix leaves behind.
pub(crate) const WORKING_FIX_RESIDUAL: f64 = 0.05;
/// Share of months a recurring hotspot is active in.
pub(crate) const RECURRING_ACTIVE_P: f64 = 0.85;
/// Appeals of the tiny fix: before and after its date.
pub(crate) const TINY_BEFORE: u32 = 2;
/// See [`TINY_BEFORE`].
pub(crate) const TINY_AFTER: u32 = 1;
/// How far a displaced fix pushes its appeals, metres east of the fix area.
pub(crate) const DISPLACEMENT_M: f64 = 500.0;
/// Radius of the spot the appeals move to.
pub(crate) const DISPLACED_RADIUS_M: f64 = 150.0;

/// Street of the spot the displaced fix's appeals move to.
pub(crate) const DISPLACED_STREET: &str = "ул. Мира";

/// The planted items, spread over the districts at least 1.5 km apart so
/// their areas never overlap.
pub(crate) const KAZAN_PLANTED: [Spec; 9] = [
    Spec {
        id: "recurring-garbage-yard",
        kind: PlantedKind::RecurringHotspot,
        sector: "ecology",
        category: "не вывезен мусор",
        lat: 55.8295,
        lon: 49.1390,
        radius_m: 150.0,
        street: "ул. Чистопольская",
        houses: (61, 67),
        rate: 8.0,
        shape: SUMMER,
        months_before_end: 0,
    },
    Spec {
        id: "recurring-potholes-spring",
        kind: PlantedKind::RecurringHotspot,
        sector: "roads",
        category: "яма на дороге",
        lat: 55.7485,
        lon: 49.1955,
        radius_m: 250.0,
        street: "пр. Победы",
        houses: (40, 60),
        rate: 7.0,
        shape: SPRING_THAW,
        months_before_end: 0,
    },
    Spec {
        id: "recurring-no-hot-water",
        kind: PlantedKind::RecurringHotspot,
        sector: "housing",
        category: "нет горячей воды",
        lat: 55.8560,
        lon: 49.0840,
        radius_m: 150.0,
        street: "ул. Копылова",
        houses: (5, 9),
        rate: 7.0,
        shape: WORN_PIPES,
        months_before_end: 0,
    },
    Spec {
        id: "recurring-dark-street",
        kind: PlantedKind::RecurringHotspot,
        sector: "energy",
        category: "не горит фонарь",
        lat: 55.8130,
        lon: 49.0420,
        radius_m: 200.0,
        street: "ул. Ватутина",
        houses: (10, 24),
        rate: 5.0,
        shape: DARK,
        months_before_end: 0,
    },
    Spec {
        id: "emerging-night-construction",
        kind: PlantedKind::EmergingHotspot,
        sector: "construction",
        category: "шум от стройки ночью",
        lat: 55.7560,
        lon: 49.2330,
        radius_m: 200.0,
        street: "ул. Академика Сахарова",
        houses: (20, 30),
        rate: 24.0,
        shape: FLAT,
        months_before_end: 5,
    },
    Spec {
        id: "working-fix-roads",
        kind: PlantedKind::WorkingFix,
        sector: "roads",
        category: "яма на дороге",
        lat: 55.8260,
        lon: 49.0760,
        radius_m: 200.0,
        street: "ул. Гагарина",
        houses: (15, 31),
        rate: 14.0,
        shape: FLAT,
        months_before_end: 0,
    },
    Spec {
        id: "useless-fix-yard",
        kind: PlantedKind::UselessFix,
        sector: "improvement",
        category: "ямы во дворе",
        lat: 55.7880,
        lon: 49.1330,
        radius_m: 150.0,
        street: "ул. Карла Маркса",
        houses: (40, 48),
        rate: 14.0,
        shape: FLAT,
        months_before_end: 1,
    },
    Spec {
        id: "displaced-fix-dump",
        kind: PlantedKind::DisplacedFix,
        sector: "ecology",
        category: "стихийная свалка",
        lat: 55.8600,
        lon: 49.2250,
        radius_m: 250.0,
        street: "ул. Главная",
        houses: (2, 6),
        rate: 12.0,
        shape: FLAT,
        months_before_end: 2,
    },
    Spec {
        id: "tiny-fix-bus-stop",
        kind: PlantedKind::TinyFix,
        sector: "transport",
        category: "неисправная остановка",
        lat: 55.7080,
        lon: 49.1250,
        radius_m: 120.0,
        street: "ул. Кул Гали",
        houses: (3, 3),
        rate: 0.0,
        shape: FLAT,
        months_before_end: 0,
    },
];

#[cfg(test)]
mod tests {
    use super::super::sectors::{SECTORS, sector_id};
    use super::super::space::distance_m;
    use super::*;

    #[test]
    fn specs_name_real_categories_and_keep_apart() {
        for s in &KAZAN_PLANTED {
            let sector = sector_id(s.sector).expect("sector");
            assert!(
                SECTORS[sector]
                    .categories
                    .iter()
                    .any(|c| c.name == s.category),
                "{}",
                s.id
            );
        }
        for (i, a) in KAZAN_PLANTED.iter().enumerate() {
            for b in &KAZAN_PLANTED[i + 1..] {
                let d = distance_m(a.lat, a.lon, b.lat, b.lon);
                assert!(d > 1_500.0, "{} and {} are {d:.0} m apart", a.id, b.id);
            }
        }
    }
}
