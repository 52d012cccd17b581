//! The generator proper: spreads the appeals over the days of the span, puts
//! each day's appeals in time order, fills in every field and streams them out.
//!
//! Only one day of appeal *slots* (time, source, place) is held at a time, so
//! memory stays flat however many appeals are asked for.

use super::calendar::{Span, ZONE, is_day_off, to_local};
use super::categories::write_text;
use super::cities::{KAZAN, KAZAN_BBOX, KAZAN_NAME, KAZAN_NAME_EN, RUSSIA_BBOX, RUSSIAN_CITIES};
use super::days::{slot_time, spread};
use super::lifecycle::{IN_PROGRESS, NEW, REJECTED, RESOLVED};
use super::places::Geography;
use super::plan::Plan;
use super::responsible::{self, PlantedChange, Unit};
use super::sectors::{SECTORS, SectorTables};
use super::sources::{IdCounter, SOURCES, SourceTables};
use super::truth::{PlaceCount, Region, Truth};
use super::{GenerateOptions, Record, Scenario};
use anyhow::{Context, Result};
use chrono::Datelike;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// Marks a slot as background rather than planted.
const BACKGROUND: u16 = u16::MAX;
/// Tries to move a background point out of an excluded area.
const EXCLUSION_TRIES: usize = 16;

/// One appeal-to-be: ordering by `t` first puts the day in time order; the
/// other fields make equal times order the same way every run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Slot {
    t: i64,
    who: u16,
    place: u16,
    source: u8,
}

/// Runs a scenario, handing every record to `sink` in time order within each day.
pub(crate) fn run(
    opts: &GenerateOptions,
    mut sink: impl FnMut(&Record) -> Result<()>,
) -> Result<Truth> {
    let span = Span::new(opts.end, opts.years)?;
    // Separate ChaCha streams for the plan, the day counts and the records, so
    // that one part drawing more numbers never shifts what another part draws.
    let root = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut plan_rng = root.clone();
    plan_rng.set_stream(1);
    let mut days_rng = root.clone();
    days_rng.set_stream(2);
    let mut rng = root;

    let (geo, plan) = match opts.scenario {
        Scenario::City => (
            Geography::kazan(),
            Plan::kazan(&span, opts.appeals, &mut plan_rng)?,
        ),
        Scenario::Country => (Geography::russia(), Plan::empty()),
    };
    let planted = plan.total();
    let background = (opts.appeals as u64)
        .checked_sub(planted)
        .context("planted appeals exceed the total")?;
    let sectors = SectorTables::new();
    let sources = SourceTables::new();
    let per_day = spread(&span, &sectors, background, &mut days_rng)?;

    let change = match opts.scenario {
        Scenario::City => Some(responsible::planted(&span)?),
        Scenario::Country => None,
    };
    let mut hrng = days_rng.clone();
    hrng.set_stream(3);
    let mut f = Filler::new(&span, &geo, plan, &sectors, change, hrng);
    let mut slots: Vec<Slot> = Vec::new();
    for (day, &count) in per_day.iter().enumerate() {
        let date = span.date(day);
        let day_off = is_day_off(date);
        let t0 = span.start_of(day);
        slots.clear();
        for _ in 0..count {
            let place = geo.place(&mut rng);
            let source = sources.source(day_off, &mut rng);
            let hour = sources.hour(source, &mut rng);
            let t = slot_time(&span, t0, hour, place.utc_offset_h, &mut rng);
            slots.push(Slot {
                t,
                who: BACKGROUND,
                place: place.id,
                source: source as u8,
            });
        }
        for (i, e) in f.plan.emitters().iter().enumerate() {
            for _ in 0..e.daily[day] {
                let source = sources.source(day_off, &mut rng);
                let hour = sources.hour(source, &mut rng);
                let t = slot_time(&span, t0, hour, 3, &mut rng);
                slots.push(Slot {
                    t,
                    who: i as u16,
                    place: 0,
                    source: source as u8,
                });
            }
        }
        slots.sort_unstable();
        let month0 = date.month0() as usize;
        for slot in &slots {
            f.fill(slot, month0, &mut rng);
            sink(&f.rec)?;
        }
    }
    Ok(f.truth(opts, background))
}

/// Fills the one reusable [`Record`] and keeps the tallies for Truth.
struct Filler<'a> {
    span: &'a Span,
    geo: &'a Geography,
    plan: Plan,
    sectors: &'a SectorTables,
    ids: IdCounter,
    rec: Record,
    spare_address: String,
    spare_text: String,
    by_sector: [u64; SECTORS.len()],
    by_status: [u64; 4],
    by_place: Vec<u64>,
    /// The planted process change (city scenario).
    change: Option<PlantedChange>,
    /// District administrations, in district order.
    admins: Vec<Unit>,
    /// The stream for first responses, so they shift no other draw.
    hrng: ChaCha8Rng,
}

impl<'a> Filler<'a> {
    fn new(
        span: &'a Span,
        geo: &'a Geography,
        plan: Plan,
        sectors: &'a SectorTables,
        change: Option<PlantedChange>,
        hrng: ChaCha8Rng,
    ) -> Self {
        Filler {
            change,
            admins: responsible::administrations(),
            hrng,
            span,
            geo,
            plan,
            sectors,
            ids: IdCounter::default(),
            rec: Record {
                source: SOURCES[0].name,
                external_id: String::new(),
                sector: SECTORS[0].code,
                category: "",
                lat: 0.0,
                lon: 0.0,
                created_at: 0,
                status: NEW,
                resolved_at: None,
                responsible: None,
                due_at: None,
                first_response_at: None,
                address: None,
                text: None,
            },
            spare_address: String::new(),
            spare_text: String::new(),
            by_sector: [0; SECTORS.len()],
            by_status: [0; 4],
            by_place: vec![0; geo.place_count()],
        }
    }

    fn fill(&mut self, slot: &Slot, month0: usize, rng: &mut ChaCha8Rng) {
        let source = usize::from(slot.source);
        // Buffers move between the record and the spares so no row allocates.
        let mut address = self
            .rec
            .address
            .take()
            .unwrap_or_else(|| std::mem::take(&mut self.spare_address));
        let mut text = self
            .rec
            .text
            .take()
            .unwrap_or_else(|| std::mem::take(&mut self.spare_text));

        let (sector, category, lat, lon) = if slot.who == BACKGROUND {
            let sector = self.sectors.sector(month0, rng);
            let category = self.sectors.category(sector, month0, rng);
            let (mut lat, mut lon) = self.geo.point(slot.place, rng);
            for _ in 0..EXCLUSION_TRIES {
                if !self.plan.excluded(sector, lat, lon) {
                    break;
                }
                (lat, lon) = self.geo.point(slot.place, rng);
            }
            self.geo.address(slot.place, rng, &mut address);
            self.by_place[usize::from(slot.place)] += 1;
            (sector, category, lat, lon)
        } else {
            let e = &self.plan.emitters()[usize::from(slot.who)];
            let (lat, lon) = e.area.sample(rng);
            address.clear();
            address.push_str("г. ");
            address.push_str(KAZAN_NAME);
            address.push_str(", ");
            address.push_str(e.street);
            let house = rng.random_range(e.houses.0..=e.houses.1);
            let flat = rng.random_range(1..=120);
            // Writing to a String cannot fail.
            let _ =
                std::fmt::Write::write_fmt(&mut address, format_args!(", д. {house}, кв. {flat}"));
            (e.sector, e.category, lat, lon)
        };
        let h = responsible::handle(
            sector,
            lat,
            lon,
            slot.t,
            self.span.as_of(),
            self.change.as_ref(),
            &self.admins,
            rng,
            &mut self.hrng,
        );
        let (status, resolved_at) = (h.status, h.resolved_at);
        self.rec.responsible = Some(h.responsible);
        self.rec.due_at = Some(h.due_at);
        self.rec.first_response_at = h.first_response_at;
        let src = &SOURCES[source];
        let with_address = rng.random::<f64>() < src.address_p;
        let with_text = rng.random::<f64>() < src.text_p;
        if with_text {
            write_text(category, rng, &mut text);
        }

        self.ids.next(source, &mut self.rec.external_id);
        self.rec.source = src.name;
        self.rec.sector = SECTORS[sector].code;
        self.rec.category = category.name;
        self.rec.lat = lat;
        self.rec.lon = lon;
        self.rec.created_at = slot.t;
        self.rec.status = status;
        self.rec.resolved_at = resolved_at;
        if with_address {
            self.rec.address = Some(address);
        } else {
            self.spare_address = address;
        }
        if with_text {
            self.rec.text = Some(text);
        } else {
            self.spare_text = text;
        }
        self.by_sector[sector] += 1;
        self.by_status[status_index(status)] += 1;
        self.plan.observe(sector, lat, lon, slot.t);
    }

    fn truth(&self, opts: &GenerateOptions, background: u64) -> Truth {
        let by_sector = SECTORS
            .iter()
            .zip(self.by_sector)
            .map(|(s, n)| (s.code.to_owned(), n))
            .collect();
        let by_source = SOURCES
            .iter()
            .zip(self.ids.issued())
            .map(|(s, n)| (s.name.to_owned(), n))
            .collect();
        let by_status: BTreeMap<String, u64> = [NEW, IN_PROGRESS, RESOLVED, REJECTED]
            .iter()
            .zip(self.by_status)
            .map(|(s, n)| ((*s).to_owned(), n))
            .collect();
        let (region, places, rural) = match opts.scenario {
            Scenario::City => {
                let places = KAZAN
                    .iter()
                    .zip(&self.by_place)
                    .map(|(d, &appeals)| PlaceCount {
                        name: d.name.to_owned(),
                        name_en: d.name_en.to_owned(),
                        lat: d.clusters[0].0,
                        lon: d.clusters[0].1,
                        appeals,
                    })
                    .collect();
                let region = Region {
                    name: KAZAN_NAME.to_owned(),
                    name_en: KAZAN_NAME_EN.to_owned(),
                    bbox: KAZAN_BBOX,
                };
                (region, places, 0)
            }
            Scenario::Country => {
                let places = RUSSIAN_CITIES
                    .iter()
                    .zip(&self.by_place)
                    .map(|(c, &appeals)| PlaceCount {
                        name: c.name.to_owned(),
                        name_en: c.name_en.to_owned(),
                        lat: c.lat,
                        lon: c.lon,
                        appeals,
                    })
                    .collect();
                let rural = self.by_place[RUSSIAN_CITIES.len()..].iter().sum();
                let region = Region {
                    name: "Россия".to_owned(),
                    name_en: "Russia".to_owned(),
                    bbox: RUSSIA_BBOX,
                };
                (region, places, rural)
            }
        };
        Truth {
            scenario: opts.scenario,
            seed: opts.seed,
            appeals: opts.appeals as u64,
            from: to_local(self.span.start()),
            to: to_local(self.span.as_of()),
            time_zone: ZONE.name().to_owned(),
            region,
            background,
            by_sector,
            by_source,
            by_status,
            places,
            rural,
            planted: self.plan.truth(self.span),
            process_change: self.change.clone(),
        }
    }
}

fn status_index(status: &str) -> usize {
    match status {
        NEW => 0,
        IN_PROGRESS => 1,
        RESOLVED => 2,
        _ => 3,
    }
}
