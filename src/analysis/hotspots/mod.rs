//! Hotspots: Getis-Ord Gi* over H3 cells with k-ring neighbours, corrected
//! for false discoveries, per period, with emerging hot-spot classes.
//!
//! The recipe, step by step (an analyst can redo it from `/api/v1/aggregate`):
//!
//! 1. Periods (`period`, default month) cover `[from, to)` aligned in the
//!    region's zone; without bounds they span the data, as `/aggregate` does.
//! 2. Counts per cell at `res` and period, over the filter (one cell-ordered
//!    scan, [`crate::aggregate::cell_series`]); the whole-range count is the
//!    sum over periods.
//! 3. The study area ([`area`]): every cell within 2k steps of a cell with
//!    appeals, zeros included; binary weights over `grid_disk(k)`, the cell
//!    itself included.
//! 4. Gi* ([`crate::analysis::stats::gistar`], Ord & Getis 1995) of the
//!    whole-range counts, with the global mean and S over the whole area;
//!    two-sided p; Benjamini–Hochberg adjusted p across all cells of the area.
//! 5. Gi* of each period's counts, BH-adjusted within the period. A cell is
//!    *hot* in a period when z > 0 and adjusted p < α, *cold* when z < 0 and
//!    adjusted p < α (α default 0.05); `periods_hot` counts its hot periods.
//! 6. Mann–Kendall of the cell's per-period z-scores (trend significant at
//!    the same α) and the emerging class
//!    ([`crate::analysis::stats::emerging`]).
//! 7. Cells ranked by whole-range z descending; ties (a lone busy cell and
//!    its empty petals share one neighbourhood sum) go to the larger own
//!    count, then the smaller cell index.

mod area;
pub mod cache;

pub use area::{StudyArea, study_area};
pub use cache::{HotspotCache, HotspotKey};

use crate::aggregate::{AggError, Period, Periods, cell_series};
use crate::analysis::stats::emerging::{Class, Flag, classify};
use crate::analysis::stats::fdr::{bh_adjust, bh_reject};
use crate::analysis::stats::gistar::gi_star;
use crate::analysis::stats::mann_kendall::{Trend, mann_kendall};
use crate::index::{Data, Filter};
use chrono_tz::Tz;

/// Most periods one analysis takes (20 years of months, 4½ of weeks): the
/// trend test is quadratic in them.
pub const MAX_PERIODS: usize = 240;
/// Most cell-periods (study-area cells × periods) one analysis holds in memory.
pub const MAX_CELL_PERIODS: usize = 10_000_000;

/// What to analyse.
#[derive(Debug, Clone)]
pub struct HotspotQuery {
    /// Which appeals (bbox, sectors, time range).
    pub filter: Filter,
    /// H3 resolution.
    pub res: u8,
    /// Neighbourhood radius in grid steps (1..=5).
    pub k: u32,
    /// Period length for the per-period tests.
    pub period: Period,
    /// Zone periods are aligned in.
    pub tz: Tz,
    /// Significance level for the adjusted p-values and the trend.
    pub alpha: f64,
    /// Most study-area cells.
    pub max_cells: usize,
}

/// Why an analysis cannot run; each names the parameter to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HotspotError {
    /// The study area is larger than the server allows.
    #[error(
        "the study area would hold {cells} or more cells (the limit is {cap}); choose a coarser res, a smaller bbox or a sector"
    )]
    TooManyCells {
        /// Cells counted so far.
        cells: usize,
        /// The limit.
        cap: usize,
    },
    /// Too many periods (or cell-periods) for one analysis.
    #[error("{0}; choose a longer period or a shorter from–to range")]
    TooManyPeriods(String),
}

impl HotspotError {
    /// The request parameter to change.
    pub fn field(&self) -> &'static str {
        match self {
            HotspotError::TooManyCells { .. } => "res",
            HotspotError::TooManyPeriods(_) => "period",
        }
    }
}

/// One cell's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct CellHotspot {
    /// Raw cell.
    pub cell: u64,
    /// Appeals over the whole range.
    pub count: u64,
    /// Gi* z-score of the whole-range counts.
    pub z: f64,
    /// Its two-sided p.
    pub p: f64,
    /// Benjamini–Hochberg adjusted p across the study area.
    pub p_fdr: f64,
    /// Emerging hot-spot class.
    pub class: Class,
    /// Periods in which the cell was hot.
    pub periods_hot: u32,
    /// Mann–Kendall trend of the per-period z-scores.
    pub trend: Trend,
}

/// The result of one analysis.
#[derive(Debug, Clone)]
pub struct Hotspots {
    /// The periods used.
    pub periods: Periods,
    /// Every cell of the study area, ascending by cell.
    pub cells: Vec<CellHotspot>,
    /// Positions in `cells`, by z descending.
    pub ranked: Vec<u32>,
    /// Outline boxes for tiles, computed on first use.
    pub(crate) boxes: std::sync::OnceLock<Vec<[f64; 4]>>,
}

impl Hotspots {
    /// The cells in rank order.
    pub fn ranked(&self) -> impl Iterator<Item = &CellHotspot> {
        self.ranked.iter().map(|&i| &self.cells[i as usize])
    }

    /// Approximate bytes held, for the cache's weigher.
    pub fn weight(&self) -> usize {
        self.cells.len() * (std::mem::size_of::<CellHotspot>() + 4 + 32)
    }
}

/// The periods an analysis of `filter` uses.
pub fn periods_for(
    data: &Data,
    filter: &Filter,
    period: Period,
    tz: Tz,
) -> Result<Periods, HotspotError> {
    let (from, to) = match (filter.from, filter.to) {
        (Some(f), Some(t)) => (f, t),
        (f, t) => {
            let (lo, hi) = data.time_span().unwrap_or((0, 1));
            (f.unwrap_or(lo), t.unwrap_or(hi + 1))
        }
    };
    let too_many =
        || HotspotError::TooManyPeriods(format!("more than {MAX_PERIODS} periods in the range"));
    let periods = Periods::covering(period, tz, from, to).ok_or_else(too_many)?;
    if periods.len() > MAX_PERIODS {
        return Err(too_many());
    }
    Ok(periods)
}

/// Runs the analysis over the index.
pub fn compute(data: &Data, q: &HotspotQuery) -> Result<Hotspots, HotspotError> {
    let periods = periods_for(data, &q.filter, q.period, q.tz)?;
    let too_many = |cells| HotspotError::TooManyCells {
        cells,
        cap: q.max_cells,
    };
    let series = cell_series(data, &q.filter, q.res, &periods, q.max_cells)
        .map_err(|AggError::TooManyCells { cap }| too_many(cap + 1))?;
    let area = study_area(&series.cells, q.k, q.max_cells).map_err(|e| too_many(e.cells))?;
    let np = periods.len();
    if area.cells.len().saturating_mul(np) > MAX_CELL_PERIODS {
        return Err(HotspotError::TooManyPeriods(format!(
            "{} cells × {np} periods is more than {MAX_CELL_PERIODS} cell-periods",
            area.cells.len()
        )));
    }
    // Counts over the study area, period-major: one column per period.
    let n = area.cells.len();
    let mut cols = vec![0.0f64; n * np];
    let mut pos = 0;
    for (i, &c) in series.cells.iter().enumerate() {
        // Both lists ascend and the area holds every occupied cell.
        while area.cells[pos] != c {
            pos += 1;
        }
        for (t, &v) in series.row(i).iter().enumerate() {
            cols[t * n + pos] = f64::from(v);
        }
    }
    Ok(analyse(area, &cols, periods, q.alpha))
}

/// Steps 4–7 of the module recipe over counts `cols[t * n + i]`.
pub fn analyse(area: StudyArea, cols: &[f64], periods: Periods, alpha: f64) -> Hotspots {
    let n = area.cells.len();
    let np = periods.len();
    let mut totals = vec![0.0f64; n];
    for col in cols.chunks_exact(n.max(1)) {
        for (a, v) in totals.iter_mut().zip(col) {
            *a += v;
        }
    }
    let overall = gi_star(&totals, &area.neighbours);
    let overall_fdr = bh_adjust(&overall.iter().map(|s| s.p).collect::<Vec<_>>());
    // Per-period z (cell-major, for the trend test) and flags.
    let mut z = vec![0.0f64; n * np];
    let mut flags = vec![Flag::Not; n * np];
    for t in 0..np {
        let scores = gi_star(&cols[t * n..(t + 1) * n], &area.neighbours);
        // Only the verdicts are needed per period, not every adjusted p.
        let reject = bh_reject(&scores.iter().map(|s| s.p).collect::<Vec<_>>(), alpha);
        for (i, (s, &sig)) in scores.iter().zip(&reject).enumerate() {
            z[i * np + t] = s.z;
            flags[i * np + t] = match (sig, s.z) {
                (true, z) if z > 0.0 => Flag::Hot,
                (true, z) if z < 0.0 => Flag::Cold,
                _ => Flag::Not,
            };
        }
    }
    let cells: Vec<CellHotspot> = (0..n)
        .map(|i| {
            let row = &flags[i * np..(i + 1) * np];
            let trend = mann_kendall(&z[i * np..(i + 1) * np]);
            CellHotspot {
                cell: area.cells[i],
                count: totals[i] as u64,
                z: overall[i].z,
                p: overall[i].p,
                p_fdr: overall_fdr[i],
                class: classify(row, trend.direction(alpha)),
                periods_hot: row.iter().filter(|&&f| f == Flag::Hot).count() as u32,
                trend,
            }
        })
        .collect();
    let mut ranked: Vec<u32> = (0..n as u32).collect();
    // Cells ascend, so a stable sort breaks the last ties by cell.
    ranked.sort_by(|&a, &b| {
        let (a, b) = (&cells[a as usize], &cells[b as usize]);
        b.z.total_cmp(&a.z).then(b.count.cmp(&a.count))
    });
    Hotspots {
        periods,
        cells,
        ranked,
        boxes: std::sync::OnceLock::new(),
    }
}

#[cfg(test)]
mod tests;
