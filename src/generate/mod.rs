//! TEMPORARY stub until the generator lands.
#![allow(missing_docs)]
use serde_json::{Map, Value};

pub enum Scenario {
    City,
    Country,
}
pub struct GenerateOptions {
    pub appeals: usize,
    pub seed: u64,
    pub scenario: Scenario,
    pub years: u32,
    pub end: chrono::DateTime<chrono::Utc>,
}
#[derive(serde::Serialize)]
pub struct Truth {}
pub struct Record;
pub fn generate(
    _o: &GenerateOptions,
    _sink: impl FnMut(&Record) -> anyhow::Result<()>,
) -> anyhow::Result<Truth> {
    Ok(Truth {})
}
pub fn write_file(
    _o: &GenerateOptions,
    _p: &std::path::Path,
    _progress: impl FnMut(usize),
) -> anyhow::Result<Truth> {
    Ok(Truth {})
}
pub fn record_fields(_r: &Record) -> Map<String, Value> {
    Map::new()
}
