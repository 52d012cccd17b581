//! Fixed-seed appeal rows for tests: clusters around Kazan, in Chukotka
//! across the antimeridian, and around Moscow.

use crate::domain::{Status, cell_of};
use crate::store::IndexRow;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` rows cycling over the first `clusters` (1–3) of Kazan, Chukotka and
/// Moscow, with sectors 1..=`max_sector` and times over ~3 years from 2020-09.
pub fn rows_in(n: usize, seed: u64, clusters: usize, max_sector: u8) -> Vec<IndexRow> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let (lat, lon) = match i % clusters.clamp(1, 3) {
                0 => (rng.random_range(55.6..56.0), rng.random_range(48.8..49.4)),
                1 => {
                    let x: f64 = rng.random_range(178.0..182.0);
                    (
                        rng.random_range(64.0..66.0),
                        if x > 180.0 { x - 360.0 } else { x },
                    )
                }
                _ => (rng.random_range(55.5..56.0), rng.random_range(37.3..37.9)),
            };
            // Deadlines and responses after every creation time below.
            IndexRow {
                id: i as i64 + 1,
                cell: u64::from(cell_of(lat, lon).expect("cell")),
                lat,
                lon,
                created_at: 1_600_000_000 + rng.random_range(0..100_000_000),
                sector: rng.random_range(1..=max_sector),
                status: Status::New,
                resolved_at: None,
                source: ["vk", "phone"][i % 2].to_owned(),
                responsible: (i % 4) as u16,
                due_at: (i % 3 != 0).then_some(1_700_000_000 + i as i64),
                first_response_at: (i % 5 == 0).then_some(1_700_000_000 + 2 * i as i64),
            }
        })
        .collect()
}

/// A box around central Kazan (inside the Kazan cluster).
pub const KAZAN_BOX: crate::index::BBox = crate::index::BBox {
    min_lon: 48.9,
    min_lat: 55.65,
    max_lon: 49.3,
    max_lat: 55.95,
};

/// Kazan and Chukotka, all eleven sectors.
pub fn random_rows(n: usize, seed: u64) -> Vec<IndexRow> {
    rows_in(n, seed, 2, 11)
}
