//! The channels appeals arrive through: their shares, the hours people use
//! them, and the shape of their ids.

use super::pick::Pick;
use std::fmt::Write as _;

/// One intake channel.
#[derive(Debug)]
pub(crate) struct SourceInfo {
    /// Wire name.
    pub name: &'static str,
    /// Share on working days.
    pub weekday_share: f64,
    /// Share on days off (reception desks are closed then).
    pub day_off_share: f64,
    /// Relative volume per local hour, 0 to 23.
    pub hours: [f64; 24],
    /// Probability that the appeal carries a street address.
    pub address_p: f64,
    /// Probability that the appeal carries a complaint text.
    pub text_p: f64,
}

/// Online channels follow the waking day with an evening bump; the phone line
/// answers round the clock but mostly in office hours; reception only 9–18.
pub(crate) const SOURCES: [SourceInfo; 4] = [
    SourceInfo {
        name: "gosuslugi",
        weekday_share: 0.50,
        day_off_share: 0.58,
        hours: ONLINE,
        address_p: 0.95,
        text_p: 0.8,
    },
    SourceInfo {
        name: "vk",
        weekday_share: 0.24,
        day_off_share: 0.30,
        hours: ONLINE,
        address_p: 0.55,
        text_p: 0.9,
    },
    SourceInfo {
        name: "phone",
        weekday_share: 0.15,
        day_off_share: 0.12,
        hours: PHONE,
        address_p: 0.85,
        text_p: 0.5,
    },
    SourceInfo {
        name: "reception",
        weekday_share: 0.11,
        day_off_share: 0.0,
        hours: RECEPTION,
        address_p: 0.98,
        text_p: 0.6,
    },
];

const ONLINE: [f64; 24] = [
    0.35, 0.2, 0.12, 0.08, 0.08, 0.15, 0.4, 0.9, 1.5, 1.9, 2.0, 1.9, 1.8, 1.8, 1.8, 1.7, 1.7, 1.7,
    1.8, 1.9, 1.9, 1.6, 1.1, 0.6,
];
const PHONE: [f64; 24] = [
    0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.9, 2.0, 2.4, 2.4, 2.2, 1.8, 2.1, 2.2, 2.1, 1.9, 1.6,
    1.2, 0.9, 0.7, 0.5, 0.3, 0.2,
];
const RECEPTION: [f64; 24] = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 2.5, 2.5, 2.0, 0.5, 2.0, 2.2, 2.0, 1.5, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0,
];

/// Index of a source in [`SOURCES`].
pub(crate) type SourceId = usize;

/// Choice tables for sources and their hours.
#[derive(Debug)]
pub(crate) struct SourceTables {
    weekday: Pick,
    day_off: Pick,
    hours: Vec<Pick>,
}

impl SourceTables {
    /// Builds the tables.
    pub(crate) fn new() -> SourceTables {
        SourceTables {
            weekday: Pick::new(SOURCES.iter().map(|s| s.weekday_share)),
            day_off: Pick::new(SOURCES.iter().map(|s| s.day_off_share)),
            hours: SOURCES.iter().map(|s| Pick::new(s.hours)).collect(),
        }
    }

    /// Draws a channel for an appeal made on a working day or a day off.
    pub(crate) fn source(&self, day_off: bool, rng: &mut rand_chacha::ChaCha8Rng) -> SourceId {
        if day_off {
            self.day_off.draw(rng)
        } else {
            self.weekday.draw(rng)
        }
    }

    /// Draws the local hour an appeal through `source` was made.
    pub(crate) fn hour(&self, source: SourceId, rng: &mut rand_chacha::ChaCha8Rng) -> u32 {
        self.hours[source].draw(rng) as u32
    }
}

/// Hands out ids per source: a counter, so they are unique within the source,
/// never depend on the seed and grow with time as real registration numbers do.
#[derive(Debug, Default)]
pub(crate) struct IdCounter {
    next: [u64; SOURCES.len()],
}

impl IdCounter {
    /// Writes the next id of `source` into `out` (cleared first).
    pub(crate) fn next(&mut self, source: SourceId, out: &mut String) {
        let n = self.next[source];
        self.next[source] += 1;
        out.clear();
        // Writing to a String cannot fail.
        let _ = match source {
            0 => write!(out, "{}", 100_000_000 + n),
            1 => write!(out, "vk-{n}"),
            2 => write!(out, "T{n:07}"),
            _ => write!(out, "R{n:07}"),
        };
    }

    /// How many ids each source has handed out.
    pub(crate) fn issued(&self) -> [u64; SOURCES.len()] {
        self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_sum_to_one_and_reception_closes_on_days_off() {
        for day_off in [false, true] {
            let total: f64 = SOURCES
                .iter()
                .map(|s| {
                    if day_off {
                        s.day_off_share
                    } else {
                        s.weekday_share
                    }
                })
                .sum();
            assert!((total - 1.0).abs() < 1e-9);
        }
        assert_eq!(SOURCES[3].name, "reception");
        assert_eq!(SOURCES[3].hours[3], 0.0);
    }

    #[test]
    fn ids_are_unique_per_source() {
        let mut c = IdCounter::default();
        let mut s = String::new();
        c.next(0, &mut s);
        assert_eq!(s, "100000000");
        c.next(0, &mut s);
        assert_eq!(s, "100000001");
        c.next(3, &mut s);
        assert_eq!(s, "R0000000");
        assert_eq!(c.issued(), [2, 0, 0, 1]);
    }
}
