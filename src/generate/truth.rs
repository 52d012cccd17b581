//! The answer key of a generated data set: what was planted where and when,
//! how many appeals of each kind were made, and what an analysis should find.
//!
//! Written as JSON beside the data so tests and demos can check hotspot and
//! fix-effect results against known numbers.

use super::Scenario;
use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Everything known about a generated data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// Which scenario made it.
    pub scenario: Scenario,
    /// The seed it was made from.
    pub seed: u64,
    /// Total appeals written (background plus planted).
    pub appeals: u64,
    /// Start of the first day of data (inclusive).
    pub from: DateTime<FixedOffset>,
    /// End of the last day (exclusive); statuses describe this moment.
    pub to: DateTime<FixedOffset>,
    /// The zone timestamps are written in.
    pub time_zone: String,
    /// The city or country covered.
    pub region: Region,
    /// Appeals that are not part of any planted item.
    pub background: u64,
    /// Appeals per sector code.
    pub by_sector: BTreeMap<String, u64>,
    /// Appeals per source.
    pub by_source: BTreeMap<String, u64>,
    /// Appeals per status.
    pub by_status: BTreeMap<String, u64>,
    /// Background appeals per place: Kazan's districts, or Russia's cities.
    pub places: Vec<PlaceCount>,
    /// Background appeals spread over rural regions (country scenario).
    pub rural: u64,
    /// Planted hotspots and fixes (city scenario).
    pub planted: Vec<Planted>,
    /// The planted process change (city scenario): one responsible unit
    /// resolves faster from a known date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_change: Option<super::responsible::PlantedChange>,
}

/// The area a data set covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// Russian name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// `[min_lon, min_lat, max_lon, max_lat]`; `min_lon > max_lon` when the
    /// box crosses the antimeridian (RFC 7946 §5.2).
    pub bbox: [f64; 4],
}

/// Background appeals drawn around one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceCount {
    /// Russian name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Centre latitude.
    pub lat: f64,
    /// Centre longitude.
    pub lon: f64,
    /// Background appeals generated there.
    pub appeals: u64,
}

/// What a planted item stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlantedKind {
    /// Elevated rate of one sector in most months of the whole range.
    RecurringHotspot,
    /// Starts in the last months and grows.
    EmergingHotspot,
    /// High rate until the fix, almost nothing after.
    WorkingFix,
    /// Same rate before and after the fix.
    UselessFix,
    /// Stops in the fix area, reappears about 500 m away.
    DisplacedFix,
    /// Only a handful of appeals: too little to judge.
    TinyFix,
}

/// A fix-effect verdict: the server's own, so the truth names them as the
/// effect endpoint does.
pub use crate::analysis::fixes::Verdict;

/// A circle on the map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Area {
    /// Centre latitude.
    pub lat: f64,
    /// Centre longitude.
    pub lon: f64,
    /// Radius, metres (great-circle distance).
    pub radius_m: f64,
}

/// Appeal counts of an area, split at the fix date where there is one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// All of them.
    pub total: u64,
    /// Created before `done_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<u64>,
    /// Created at or after `done_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
}

/// One planted hotspot or fix.
///
/// `planted` counts only the appeals generated for the item; `observed` counts
/// every appeal of the item's sector inside the area, background included,
/// which is what an analysis of the data will see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Planted {
    /// Stable name, e.g. `working-fix-roads`.
    pub id: String,
    /// What it stands for.
    pub kind: PlantedKind,
    /// Sector code of its appeals.
    pub sector: String,
    /// Category of its appeals.
    pub category: String,
    /// Where its appeals are.
    pub area: Area,
    /// First moment it may produce appeals.
    pub active_from: DateTime<FixedOffset>,
    /// Moment after which it produces none (or, for a working fix, only a trickle).
    pub active_to: DateTime<FixedOffset>,
    /// When the fix was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<DateTime<FixedOffset>>,
    /// What a fix-effect analysis should say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_verdict: Option<Verdict>,
    /// Verdicts that are also right (a working fix may read as reduced or stopped).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acceptable_verdicts: Vec<Verdict>,
    /// Appeals generated for the item.
    pub planted: Counts,
    /// All appeals of the sector in the area.
    pub observed: Counts,
    /// Planted appeals per calendar month, the first month of the data first.
    pub monthly: Vec<u32>,
    /// Where the complaints went after a displaced fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub displaced_to: Option<Displaced>,
}

/// The spot a displaced fix pushed its appeals to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Displaced {
    /// Where.
    pub area: Area,
    /// Distance from the fix area's centre, metres.
    pub distance_m: f64,
    /// Appeals generated there, split at the fix date.
    pub planted: Counts,
    /// All appeals of the sector there, split at the fix date.
    pub observed: Counts,
    /// Planted appeals per calendar month.
    pub monthly: Vec<u32>,
}

impl Truth {
    /// The planted item with this id.
    pub fn planted(&self, id: &str) -> Option<&Planted> {
        self.planted.iter().find(|p| p.id == id)
    }

    /// The first planted item of this kind.
    pub fn planted_of(&self, kind: PlantedKind) -> Option<&Planted> {
        self.planted.iter().find(|p| p.kind == kind)
    }

    /// Writes the truth as pretty JSON.
    pub fn write(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Reads a truth file written by [`Truth::write`].
    pub fn read(path: &Path) -> Result<Truth> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a truth file", path.display()))
    }
}

/// Where the truth goes when no path is given: `appeals.csv` → `appeals.truth.json`.
pub fn default_truth_path(data: &Path) -> PathBuf {
    let stem = data
        .file_stem()
        .map_or_else(|| "appeals".into(), |s| s.to_string_lossy().into_owned());
    data.with_file_name(format!("{stem}.truth.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_path_sits_beside_the_data() {
        assert_eq!(
            default_truth_path(Path::new("/tmp/x/appeals.csv")),
            PathBuf::from("/tmp/x/appeals.truth.json")
        );
        assert_eq!(
            default_truth_path(Path::new("a")),
            PathBuf::from("a.truth.json")
        );
    }

    #[test]
    fn verdicts_use_the_server_names() {
        let s = serde_json::to_string(&[Verdict::NoEffect, Verdict::InsufficientData]).unwrap();
        assert_eq!(s, r#"["no_effect","insufficient_data"]"#);
    }
}
