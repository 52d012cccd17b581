//! Data shared by the benchmarks: the default sector catalogue and rows of
//! the generated country scenario (seed 7), as the index would hold them.

#![allow(dead_code)]

use hexwatch::domain::{Catalogue, Sector, Status, cell_of};
use hexwatch::generate::{GenerateOptions, Scenario, generate};
use hexwatch::store::IndexRow;

/// Sector codes in id order (ids 1..=11), as the first migration seeds them.
pub const SECTORS: [&str; 11] = [
    "housing",
    "roads",
    "transport",
    "improvement",
    "social",
    "health",
    "education",
    "labour",
    "ecology",
    "construction",
    "energy",
];

/// The default catalogue.
pub fn catalogue() -> Catalogue {
    Catalogue::new(
        SECTORS
            .iter()
            .enumerate()
            .map(|(i, c)| Sector {
                id: i as u8 + 1,
                code: (*c).into(),
                name_ru: (*c).into(),
                name_en: (*c).into(),
                color: "#000".into(),
            })
            .collect(),
    )
}

/// How many appeals to bench, and whether this is a real `cargo bench` run:
/// `cargo test --all-targets` runs benches once as a smoke test, kept small.
pub fn bench_size() -> (usize, bool) {
    let benching = std::env::args().any(|a| a == "--bench");
    let default_n = if benching { 1_000_000 } else { 20_000 };
    let n = std::env::var("HEXWATCH_BENCH_APPEALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_n);
    (n, benching)
}

/// The last moment of the generated data, fixed for reproducibility.
pub fn end() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-10-31T23:59:59+03:00")
        .expect("end")
        .to_utc()
}

/// `n` appeals of the country scenario as index rows.
pub fn rows(n: usize) -> Vec<IndexRow> {
    rows_of(n, Scenario::Country)
}

/// `n` appeals of a scenario (seed 7) as index rows.
pub fn rows_of(n: usize, scenario: Scenario) -> Vec<IndexRow> {
    rows_and_truth(n, scenario).0
}

/// `n` appeals of a scenario (seed 7) as index rows, with the truth file.
/// Responsible units get ids in the order of the generator's catalogue.
pub fn rows_and_truth(n: usize, scenario: Scenario) -> (Vec<IndexRow>, hexwatch::generate::Truth) {
    let opts = GenerateOptions::new(n, 7, scenario, end());
    let units = hexwatch::generate::responsible::all_units();
    let mut out = Vec::with_capacity(n);
    let truth = generate(&opts, |r| {
        out.push(IndexRow {
            id: out.len() as i64 + 1,
            cell: u64::from(cell_of(r.lat, r.lon).expect("cell")),
            lat: r.lat,
            lon: r.lon,
            created_at: r.created_at,
            sector: SECTORS.iter().position(|s| *s == r.sector).expect("sector") as u8 + 1,
            status: Status::parse(r.status).expect("status"),
            resolved_at: r.resolved_at,
            source: r.source.to_owned(),
            responsible: r
                .responsible
                .and_then(|c| units.iter().position(|u| u.code == c))
                .map_or(0, |i| i as u16 + 1),
            due_at: r.due_at,
            first_response_at: r.first_response_at,
        });
        Ok(())
    })
    .expect("generate");
    (out, truth)
}
