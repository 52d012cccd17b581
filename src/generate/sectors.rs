//! The default sector catalogue as the generator sees it: how large each sector
//! is, how it moves through the year and how fast it gets resolved.

use super::categories::{self, Category};
use super::pick::Pick;

/// One sector of the default catalogue.
#[derive(Debug)]
pub(crate) struct SectorInfo {
    /// The catalogue code the server validates against.
    pub code: &'static str,
    /// Share of all appeals over a year (the shares sum to 1).
    pub share: f64,
    /// Relative volume per calendar month, January first (mean about 1).
    pub season: [f64; 12],
    /// Median days from creation to resolution.
    pub median_days: f64,
    /// Free-text categories people choose within the sector.
    pub categories: &'static [Category],
}

/// Index of a sector in [`SECTORS`], kept small because it travels with every appeal.
pub(crate) type SectorId = usize;

/// Shares follow what regional coordination centres report: housing and
/// utilities lead, then yards, roads and transport; the rest are a few percent
/// each. Seasons: heating in winter, potholes in the thaw, yards and waste in
/// summer, school enrolment in August, flu in winter.
pub(crate) const SECTORS: [SectorInfo; 11] = [
    SectorInfo {
        code: "housing",
        share: 0.30,
        season: [1.5, 1.4, 1.2, 1.0, 0.7, 0.6, 0.6, 0.6, 0.8, 1.3, 1.4, 1.5],
        median_days: 4.0,
        categories: categories::HOUSING,
    },
    SectorInfo {
        code: "roads",
        share: 0.14,
        season: [1.0, 1.0, 1.5, 1.9, 1.5, 0.9, 0.7, 0.7, 0.7, 0.8, 0.8, 1.0],
        median_days: 9.0,
        categories: categories::ROADS,
    },
    SectorInfo {
        code: "transport",
        share: 0.08,
        season: [1.1, 1.1, 1.0, 1.0, 0.9, 0.8, 0.8, 0.9, 1.2, 1.1, 1.1, 1.1],
        median_days: 5.0,
        categories: categories::TRANSPORT,
    },
    SectorInfo {
        code: "improvement",
        share: 0.18,
        season: [0.9, 0.8, 0.8, 1.0, 1.3, 1.5, 1.5, 1.3, 1.0, 0.8, 0.7, 0.9],
        median_days: 7.0,
        categories: categories::IMPROVEMENT,
    },
    SectorInfo {
        code: "social",
        share: 0.05,
        season: [1.1, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9, 0.9, 1.0, 1.0, 1.0, 1.2],
        median_days: 6.0,
        categories: categories::SOCIAL,
    },
    SectorInfo {
        code: "health",
        share: 0.07,
        season: [1.3, 1.3, 1.1, 1.0, 0.9, 0.8, 0.8, 0.8, 0.9, 1.1, 1.2, 1.2],
        median_days: 3.0,
        categories: categories::HEALTH,
    },
    SectorInfo {
        code: "education",
        share: 0.05,
        season: [1.0, 1.0, 1.0, 1.0, 1.1, 0.8, 0.7, 1.3, 1.4, 1.0, 0.9, 0.9],
        median_days: 5.0,
        categories: categories::EDUCATION,
    },
    SectorInfo {
        code: "labour",
        share: 0.02,
        season: [1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9, 1.0, 1.0, 1.0, 1.1],
        median_days: 8.0,
        categories: categories::LABOUR,
    },
    SectorInfo {
        code: "ecology",
        share: 0.05,
        season: [0.7, 0.7, 0.8, 1.0, 1.3, 1.5, 1.6, 1.5, 1.1, 0.9, 0.7, 0.7],
        median_days: 5.0,
        categories: categories::ECOLOGY,
    },
    SectorInfo {
        code: "construction",
        share: 0.03,
        season: [0.7, 0.7, 0.8, 1.0, 1.2, 1.3, 1.3, 1.3, 1.2, 1.0, 0.9, 0.8],
        median_days: 14.0,
        categories: categories::CONSTRUCTION,
    },
    SectorInfo {
        code: "energy",
        share: 0.03,
        season: [1.3, 1.2, 1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.9, 1.1, 1.3, 1.4],
        median_days: 2.0,
        categories: categories::ENERGY,
    },
];

/// Every sector code of the default catalogue, in catalogue order.
pub fn sector_codes() -> impl Iterator<Item = &'static str> {
    SECTORS.iter().map(|s| s.code)
}

/// The index of a sector code.
pub(crate) fn sector_id(code: &str) -> Option<SectorId> {
    SECTORS.iter().position(|s| s.code == code)
}

/// Month-dependent choice tables for sectors and their categories, built once
/// per run so that drawing costs a uniform number and a search.
#[derive(Debug)]
pub(crate) struct SectorTables {
    by_month: Vec<Pick>,
    categories: Vec<Vec<Pick>>,
    volume: [f64; 12],
}

impl SectorTables {
    /// Builds the tables for all twelve months.
    pub(crate) fn new() -> SectorTables {
        let by_month = (0..12)
            .map(|m| Pick::new(SECTORS.iter().map(|s| s.share * s.season[m])))
            .collect::<Vec<_>>();
        let mut volume = [0.0; 12];
        for (v, p) in volume.iter_mut().zip(&by_month) {
            *v = p.total();
        }
        let categories = SECTORS
            .iter()
            .map(|s| {
                (0..12)
                    .map(|m| Pick::new(s.categories.iter().map(|c| c.weight * c.season.weight(m))))
                    .collect()
            })
            .collect();
        SectorTables {
            by_month,
            categories,
            volume,
        }
    }

    /// Relative appeal volume of a calendar month (`month0` 0 = January).
    pub(crate) fn volume(&self, month0: usize) -> f64 {
        self.volume[month0]
    }

    /// Draws a sector for an appeal made in `month0`.
    pub(crate) fn sector(&self, month0: usize, rng: &mut rand_chacha::ChaCha8Rng) -> SectorId {
        self.by_month[month0].draw(rng)
    }

    /// Draws a category of `sector` for an appeal made in `month0`.
    pub(crate) fn category(
        &self,
        sector: SectorId,
        month0: usize,
        rng: &mut rand_chacha::ChaCha8Rng,
    ) -> &'static Category {
        let i = self.categories[sector][month0].draw(rng);
        &SECTORS[sector].categories[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_sum_to_one_and_every_sector_has_categories() {
        let total: f64 = SECTORS.iter().map(|s| s.share).sum();
        assert!((total - 1.0).abs() < 1e-9);
        for s in &SECTORS {
            assert!(!s.categories.is_empty(), "{}", s.code);
            let mean: f64 = s.season.iter().sum::<f64>() / 12.0;
            assert!((0.9..1.15).contains(&mean), "{} season mean {mean}", s.code);
        }
        assert_eq!(sector_codes().count(), 11);
        assert_eq!(sector_id("energy"), Some(10));
    }
}
