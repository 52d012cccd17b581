//! Whole-run tests: determinism, the server's field rules, exact counts, and
//! the planted effects, each checked against a direct tally of the records
//! (an oracle independent of the generator's own bookkeeping).

use super::*;
use chrono::{Datelike, TimeZone};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 30, 12, 0, 0).unwrap()
}

fn opts(appeals: usize, seed: u64, scenario: Scenario) -> GenerateOptions {
    GenerateOptions::new(appeals, seed, scenario, end())
}

fn collect(o: &GenerateOptions) -> (Truth, Vec<Record>) {
    let mut out = Vec::new();
    let truth = generate(o, |r| {
        out.push(r.clone());
        Ok(())
    })
    .unwrap();
    (truth, out)
}

/// The demo-sized city run, generated once for all the effect tests.
fn city() -> &'static (Truth, Vec<Record>) {
    static CITY: OnceLock<(Truth, Vec<Record>)> = OnceLock::new();
    CITY.get_or_init(|| collect(&opts(DEFAULT_CITY_APPEALS, 42, Scenario::City)))
}

/// Haversine again, written out here so the oracle shares no code with the generator.
fn metres(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let r = 6_371_008.8_f64;
    let (a1, a2) = (lat1.to_radians(), lat2.to_radians());
    let h = ((a2 - a1) / 2.0).sin().powi(2)
        + a1.cos() * a2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().min(1.0).asin()
}

/// Appeals of `sector` inside `area`, before and after `split`.
fn tally(records: &[Record], sector: &str, area: &Area, split: i64) -> (u64, u64) {
    let mut n = (0, 0);
    for r in records.iter().filter(|r| r.sector == sector) {
        if metres(area.lat, area.lon, r.lat, r.lon) <= area.radius_m {
            if r.created_at < split {
                n.0 += 1;
            } else {
                n.1 += 1;
            }
        }
    }
    n
}

/// Per-month rates before and after a fix, from the records; checks Truth agrees.
fn rates(p: &Planted, area: &Area, observed: &Counts, truth: &Truth) -> (f64, f64) {
    let (records, done) = (&city().1, p.done_at.unwrap());
    let (before, after) = tally(records, &p.sector, area, done.timestamp());
    assert_eq!(
        (Some(before), Some(after)),
        (observed.before, observed.after),
        "{}",
        p.id
    );
    let month = 30.44 * 86_400.0;
    let b_months = (done.timestamp() - truth.from.timestamp()) as f64 / month;
    let a_months = (truth.to.timestamp() - done.timestamp()) as f64 / month;
    (before as f64 / b_months, after as f64 / a_months)
}

fn check_rules(records: &[Record], truth: &Truth) {
    let sectors: HashSet<&str> = sector_codes().collect();
    let mut ids = HashSet::new();
    for r in records {
        assert!(sectors.contains(r.sector), "{r:?}");
        assert!(["gosuslugi", "vk", "reception", "phone"].contains(&r.source));
        assert!(
            ids.insert((r.source, r.external_id.clone())),
            "duplicate id {r:?}"
        );
        assert!((-90.0..=90.0).contains(&r.lat) && (-180.0..=180.0).contains(&r.lon));
        assert!(r.created_at >= truth.from.timestamp() && r.created_at < truth.to.timestamp());
        match r.status {
            "resolved" | "rejected" => {
                let t = r.resolved_at.expect("closed appeals have resolved_at");
                assert!(t >= r.created_at && t <= truth.to.timestamp(), "{r:?}");
            }
            "new" | "in_progress" => assert!(r.resolved_at.is_none(), "{r:?}"),
            other => panic!("bad status {other}"),
        }
        assert!(!r.category.is_empty() && r.category.chars().count() <= 256);
        assert!(r.address.as_ref().is_none_or(|a| a.chars().count() <= 512));
        assert!(
            r.text
                .as_ref()
                .is_none_or(|t| !t.is_empty() && t.chars().count() <= 10_000)
        );
    }
}

#[test]
fn same_seed_same_records_other_seed_other_records() {
    let a = collect(&opts(3_000, 7, Scenario::City));
    let b = collect(&opts(3_000, 7, Scenario::City));
    let c = collect(&opts(3_000, 8, Scenario::City));
    assert_eq!(a.1, b.1);
    assert_eq!(a.0, b.0);
    assert_ne!(a.1[..100], c.1[..100]);
    let d = collect(&opts(3_000, 7, Scenario::Country));
    assert_eq!(d.1, collect(&opts(3_000, 7, Scenario::Country)).1);
}

#[test]
fn every_record_passes_the_servers_field_rules() {
    let (truth, records) = city();
    check_rules(records, truth);
    // One zone, one clock: the city's records come out in time order.
    assert!(
        records
            .windows(2)
            .all(|w| w[0].created_at <= w[1].created_at)
    );
    let (truth, records) = collect(&opts(50_000, 1, Scenario::Country));
    check_rules(&records, &truth);
}

#[test]
fn counts_add_up_to_the_total() {
    for (n, scenario) in [
        (0, Scenario::City),
        (1, Scenario::City),
        (999, Scenario::City),
        (1_000, Scenario::City),
        (12_345, Scenario::City),
        (12_345, Scenario::Country),
    ] {
        let (t, records) = collect(&opts(n, 3, scenario));
        assert_eq!(records.len(), n);
        assert_eq!(t.appeals, n as u64);
        for map in [&t.by_sector, &t.by_source, &t.by_status] {
            assert_eq!(map.values().sum::<u64>(), n as u64);
        }
        let planted: u64 = t
            .planted
            .iter()
            .map(|p| p.planted.total + p.displaced_to.as_ref().map_or(0, |d| d.planted.total))
            .sum();
        let places: u64 = t.places.iter().map(|p| p.appeals).sum::<u64>() + t.rural;
        assert_eq!(t.background + planted, n as u64);
        assert_eq!(places, t.background);
    }
    let (t, records) = city();
    assert_eq!(records.len(), DEFAULT_CITY_APPEALS);
    assert_eq!(t.planted.len(), 9);
    let mut by_sector: HashMap<&str, u64> = HashMap::new();
    for r in records {
        *by_sector.entry(r.sector).or_default() += 1;
    }
    for (code, n) in &t.by_sector {
        assert_eq!(
            by_sector.get(code.as_str()).copied().unwrap_or(0),
            *n,
            "{code}"
        );
    }
}

#[test]
fn short_and_long_spans_keep_every_planted_item() {
    for years in [1, 10] {
        let mut o = opts(DEFAULT_CITY_APPEALS / 2, 4, Scenario::City);
        o.years = years;
        let (t, records) = collect(&o);
        assert_eq!(records.len(), o.appeals);
        assert_eq!(t.planted.len(), 9, "{years} years");
        for p in &t.planted {
            assert!(p.planted.total >= 3, "{years} years: {} is empty", p.id);
            if let (Some(done), Some(b), Some(a)) = (p.done_at, p.planted.before, p.planted.after) {
                assert!(p.active_from < done && done < t.to, "{}", p.id);
                assert!(
                    b > 0 && (a > 0 || p.kind != PlantedKind::UselessFix),
                    "{}",
                    p.id
                );
            }
        }
    }
    let mut o = opts(10, 4, Scenario::City);
    o.years = 0;
    assert!(generate(&o, |_| Ok(())).is_err());
}

#[test]
fn housing_peaks_in_winter_roads_in_the_thaw() {
    let (_, records) = city();
    let share = |sector: &str, month: u32| {
        let in_month: Vec<_> = records
            .iter()
            .filter(|r| DateTime::from_timestamp(r.created_at, 0).unwrap().month() == month)
            .collect();
        in_month.iter().filter(|r| r.sector == sector).count() as f64 / in_month.len() as f64
    };
    assert!(share("housing", 1) > 1.5 * share("housing", 7));
    assert!(share("roads", 4) > 1.5 * share("roads", 8));
    assert!(share("ecology", 7) > 1.5 * share("ecology", 1));
}

#[test]
fn working_fix_cuts_appeals_by_80_percent() {
    let t = &city().0;
    let p = t.planted_of(PlantedKind::WorkingFix).unwrap();
    let (before, after) = rates(p, &p.area, &p.observed, t);
    assert!(before > 10.0, "before {before}/month");
    assert!(after <= 0.2 * before, "before {before}, after {after}");
    assert!(p.acceptable_verdicts.contains(&Verdict::Stopped));
}

#[test]
fn useless_fix_changes_nothing() {
    let t = &city().0;
    let p = t.planted_of(PlantedKind::UselessFix).unwrap();
    let (before, after) = rates(p, &p.area, &p.observed, t);
    assert!(before > 10.0);
    assert!(
        (after / before - 1.0).abs() < 0.3,
        "before {before}, after {after}"
    );
    assert_eq!(p.expected_verdict, Some(Verdict::NoEffect));
}

#[test]
fn displaced_fix_moves_appeals_500_m_away() {
    let t = &city().0;
    let p = t.planted_of(PlantedKind::DisplacedFix).unwrap();
    let d = p.displaced_to.as_ref().unwrap();
    let (a_before, a_after) = rates(p, &p.area, &p.observed, t);
    let (b_before, b_after) = rates(p, &d.area, &d.observed, t);
    assert!(
        a_after <= 0.2 * a_before,
        "fix area {a_before} -> {a_after}"
    );
    assert!(
        b_after >= 5.0 * b_before.max(0.5),
        "new spot {b_before} -> {b_after}"
    );
    let dist = metres(p.area.lat, p.area.lon, d.area.lat, d.area.lon);
    assert!((450.0..550.0).contains(&dist) && dist > p.area.radius_m + d.area.radius_m);
}

#[test]
fn tiny_fix_has_too_few_appeals_to_judge() {
    let t = &city().0;
    let p = t.planted_of(PlantedKind::TinyFix).unwrap();
    let (before, after) = tally(
        &city().1,
        &p.sector,
        &p.area,
        p.done_at.unwrap().timestamp(),
    );
    assert!(before + after <= 5, "{before} + {after}");
    assert_eq!(p.observed.total, before + after);
    assert_eq!(p.planted.total, 3);
}

#[test]
fn recurring_hotspots_recur_and_the_emerging_one_grows() {
    let t = &city().0;
    let recurring: Vec<_> = t
        .planted
        .iter()
        .filter(|p| p.kind == PlantedKind::RecurringHotspot)
        .collect();
    assert!((3..=4).contains(&recurring.len()));
    for p in recurring {
        let busy = p.monthly.iter().filter(|&&n| n > 0).count();
        assert!(
            busy * 10 >= p.monthly.len() * 6,
            "{}: {busy} busy months",
            p.id
        );
        let (n, _) = tally(&city().1, &p.sector, &p.area, i64::MAX);
        assert_eq!(n, p.observed.total);
        assert!(
            n >= 3 * (n - p.planted.total).max(1),
            "{}: planted stand out",
            p.id
        );
    }
    let e = t.planted_of(PlantedKind::EmergingHotspot).unwrap();
    let months = (e.active_to - e.active_from).num_days() / 30;
    assert!((4..=6).contains(&months));
    let m = &e.monthly;
    let first = m.iter().position(|&n| n > 0).unwrap();
    assert!(first + 6 >= m.len(), "emerging started in month {first}");
    assert!(m[m.len() - 1] > 2 * m[first].max(1));
}

#[test]
fn country_crosses_the_antimeridian() {
    let (t, records) = collect(&opts(20_000, 5, Scenario::Country));
    assert!(records.iter().any(|r| (169.0..=180.0).contains(&r.lon)));
    assert!(records.iter().any(|r| (-180.0..=-169.0).contains(&r.lon)));
    assert!(t.planted.is_empty());
    let moscow = &t.places[0];
    assert_eq!(moscow.name_en, "Moscow");
    assert!(t.places.iter().all(|p| moscow.appeals >= p.appeals));
    assert!((1_500..2_500).contains(&t.rural), "rural {}", t.rural);
}

mod output;
