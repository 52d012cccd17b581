//! Resolution tables and process-change effects kept per data version: they
//! are read far more often than appeals are written, and each one sorts the
//! durations of every appeal it covers.

use super::{Effect, GroupBy, Row};
use crate::aggregate::Period;
use crate::analysis::versioned::{VersionCache, Versioned};
use crate::index::FilterKey;

/// Everything a resolution table depends on (the server's time zone is fixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableKey {
    /// Grouping.
    pub group: GroupBy,
    /// Period length.
    pub period: Period,
    /// The filter.
    pub filter: FilterKey,
    /// Censoring time.
    pub as_of: i64,
    /// Data version.
    pub seq: u64,
}

/// Everything a process change's effect depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EffectKey {
    /// Scope: sector.
    pub sector: Option<u8>,
    /// Scope: responsible unit.
    pub responsible: Option<u16>,
    /// Scope: district id.
    pub district: Option<i64>,
    /// When the change took effect.
    pub changed_at: i64,
    /// Window, days.
    pub window_days: u32,
    /// Data version.
    pub seq: u64,
}

impl Versioned for TableKey {
    fn seq(&self) -> u64 {
        self.seq
    }
}

impl Versioned for EffectKey {
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// The two caches; cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct ResolutionCache {
    /// Finished tables (before any k-anonymity: that is per caller).
    pub tables: VersionCache<TableKey, Vec<Row>>,
    /// Finished effects.
    pub effects: VersionCache<EffectKey, Effect>,
}

impl ResolutionCache {
    /// Caches of about `max_bytes` each.
    pub fn new(max_bytes: u64) -> Self {
        ResolutionCache {
            tables: VersionCache::new(max_bytes, |rows: &Vec<Row>| {
                rows.len() * std::mem::size_of::<Row>()
            }),
            effects: VersionCache::new(max_bytes, |_: &Effect| std::mem::size_of::<Effect>()),
        }
    }
}
