//! Synthetic appeals for demos, tests and benchmarks (`hexwatch generate`).
//!
//! Two scenarios:
//! * [`Scenario::City`]: Kazan over a few years, population-weighted over its
//!   seven districts, with planted recurring and emerging hotspots and four
//!   fixes (working, useless, displaced, too small to judge) whose exact
//!   numbers go into a [`Truth`] file.
//! * [`Scenario::Country`]: appeals around ~27 Russian cities plus a rural
//!   share over the whole country, across the antimeridian, for benchmarks.
//!
//! Output is deterministic: the same [`GenerateOptions`] give byte-identical
//! files (on the same platform; all randomness is ChaCha8 from the seed).
//! Records stream through [`generate`]'s sink, so ten million of them take
//! no more memory than ten.
//!
//! Module map:
//! * `scenario` — the day loop: counts per day, time order, filling records.
//! * `plan`, `planted` — the planted items of the city scenario, their exact counts.
//! * `truth` — the answer key ([`Truth`]).
//! * `writer`, `spool` — CSV / NDJSON / JSON / GeoJSON output, written on a
//!   second thread.
//! * `calendar` — days, seasons, weekdays, RFC 3339 in Europe/Moscow.
//! * `sectors`, `categories`, `sources`, `lifecycle` — what an appeal says,
//!   how it arrives and how it ends.
//! * `cities`, `places`, `space` — where appeals come from.
//! * `responsible` — who answers (units, deadlines, first responses) and the
//!   planted process change.
//! * `pick` — weighted choice tables.

mod calendar;
mod categories;
mod cities;
mod days;
mod lifecycle;
mod pick;
mod places;
mod plan;
mod planted;
pub mod responsible;
mod scenario;
mod sectors;
mod sources;
mod space;
mod spool;
mod truth;
mod writer;

#[cfg(test)]
mod tests;

pub use sectors::sector_codes;
pub use truth::{
    Area, Counts, Displaced, PlaceCount, Planted, PlantedKind, Region, Truth, Verdict,
    default_truth_path,
};
pub use writer::{CSV_HEADER, Format};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Kazan's city box `[min_lon, min_lat, max_lon, max_lat]` and its districts
/// as (Russian name, English name, residential cluster centres `(lat, lon)`),
/// for the demo's district polygons.
#[allow(clippy::type_complexity)]
pub fn kazan_districts() -> ([f64; 4], Vec<(&'static str, &'static str, Vec<(f64, f64)>)>) {
    let districts = cities::KAZAN
        .iter()
        .map(|d| {
            let centres = d.clusters.iter().map(|c| (c.0, c.1)).collect();
            (d.name, d.name_en, centres)
        })
        .collect();
    (cities::KAZAN_BBOX, districts)
}

/// Years of data when the caller does not say.
pub const DEFAULT_YEARS: u32 = 3;

/// The size of the city demo the planted rates are tuned for.
pub const DEFAULT_CITY_APPEALS: usize = 200_000;

/// How often [`write_file`] reports progress, in records.
pub const PROGRESS_EVERY: usize = 100_000;

/// Which synthetic world to generate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scenario {
    /// Kazan with planted hotspots and fixes: the demo.
    #[default]
    City,
    /// Russia-wide, clustered around large cities: for benchmarks.
    Country,
}

impl std::str::FromStr for Scenario {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Scenario> {
        match s.trim().to_ascii_lowercase().as_str() {
            "city" => Ok(Scenario::City),
            "country" => Ok(Scenario::Country),
            other => bail!("unknown scenario {other:?} (city, country)"),
        }
    }
}

impl std::fmt::Display for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Scenario::City => "city",
            Scenario::Country => "country",
        })
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Total appeals, planted ones included.
    pub appeals: usize,
    /// Seed of all randomness.
    pub seed: u64,
    /// Which world.
    pub scenario: Scenario,
    /// Years of data, 1 to 50.
    pub years: u32,
    /// A moment on the last day of data (in Europe/Moscow); statuses describe
    /// the end of that day. Pass a fixed date for reproducible output.
    pub end: DateTime<Utc>,
}

impl GenerateOptions {
    /// Options with [`DEFAULT_YEARS`] of data.
    pub fn new(appeals: usize, seed: u64, scenario: Scenario, end: DateTime<Utc>) -> Self {
        GenerateOptions {
            appeals,
            seed,
            scenario,
            years: DEFAULT_YEARS,
            end,
        }
    }
}

/// One generated appeal, in the server's wire vocabulary.
///
/// [`generate`] reuses one record for the whole run: copy what you keep.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Channel: `gosuslugi`, `vk`, `phone` or `reception`.
    pub source: &'static str,
    /// Unique within the source: a per-source counter, independent of the seed.
    pub external_id: String,
    /// Sector code of the default catalogue.
    pub sector: &'static str,
    /// Free-text category in Russian, e.g. "яма на дороге".
    pub category: &'static str,
    /// WGS84 latitude, six decimals.
    pub lat: f64,
    /// WGS84 longitude in [-180, 180], six decimals.
    pub lon: f64,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// `new`, `in_progress`, `resolved` or `rejected`.
    pub status: &'static str,
    /// Closing time for `resolved` and `rejected`, never before `created_at`.
    pub resolved_at: Option<i64>,
    /// Responsible unit code.
    pub responsible: Option<&'static str>,
    /// Deadline.
    pub due_at: Option<i64>,
    /// First answer, never before `created_at` nor after `resolved_at`.
    pub first_response_at: Option<i64>,
    /// Postal address (personal data when it names a flat).
    pub address: Option<String>,
    /// Complaint text (personal data).
    pub text: Option<String>,
}

/// Generates the scenario, handing each record to `sink` (in time order within
/// each day), and returns the Truth. Stops at the first error of `sink`.
pub fn generate(opts: &GenerateOptions, sink: impl FnMut(&Record) -> Result<()>) -> Result<Truth> {
    scenario::run(opts, sink)
}

/// Generates into `out`, in the format its extension names (see [`Format`]),
/// calling `progress` with the running count every [`PROGRESS_EVERY`] records
/// and once more at the end.
///
/// The data goes to a temporary file beside `out` that is renamed into place
/// only when complete, so a failed run never leaves a truncated data set.
pub fn write_file(
    opts: &GenerateOptions,
    out: &Path,
    mut progress: impl FnMut(usize),
) -> Result<Truth> {
    let format = Format::from_path(out)?;
    let name = out
        .file_name()
        .with_context(|| format!("{} is not a file path", out.display()))?;
    let tmp = out.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    let result = (|| {
        let mut w = writer::RecordWriter::create(&tmp, format)?;
        let mut n = 0usize;
        let truth = generate(opts, |r| {
            w.write(r)?;
            n += 1;
            if n.is_multiple_of(PROGRESS_EVERY) {
                progress(n);
            }
            Ok(())
        })?;
        w.finish()?.finish()?;
        progress(n);
        Ok(truth)
    })();
    match result {
        Ok(truth) => {
            std::fs::rename(&tmp, out)
                .with_context(|| format!("cannot move the output to {}", out.display()))?;
            Ok(truth)
        }
        Err(e) => {
            // Best effort: the error that matters is the one being returned.
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// A record as the field map the ingest validator reads, so in-process seeding
/// (the demo, tests) goes through exactly the checks an HTTP client meets.
pub fn record_fields(r: &Record) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    let mut m = serde_json::Map::with_capacity(11);
    let time = |t: i64| Value::String(calendar::to_local(t).to_rfc3339());
    m.insert("source".into(), Value::from(r.source));
    m.insert("external_id".into(), Value::from(r.external_id.as_str()));
    m.insert("sector".into(), Value::from(r.sector));
    m.insert("category".into(), Value::from(r.category));
    m.insert("lat".into(), Value::from(r.lat));
    m.insert("lon".into(), Value::from(r.lon));
    m.insert("created_at".into(), time(r.created_at));
    m.insert("status".into(), Value::from(r.status));
    if let Some(t) = r.resolved_at {
        m.insert("resolved_at".into(), time(t));
    }
    if let Some(u) = r.responsible {
        m.insert("responsible".into(), Value::from(u));
    }
    if let Some(t) = r.due_at {
        m.insert("due_at".into(), time(t));
    }
    if let Some(t) = r.first_response_at {
        m.insert("first_response_at".into(), time(t));
    }
    if let Some(a) = &r.address {
        m.insert("address".into(), Value::from(a.as_str()));
    }
    if let Some(t) = &r.text {
        m.insert("text".into(), Value::from(t.as_str()));
    }
    m
}
