//! The study area of a hotspot analysis and its neighbour lists.
//!
//! The study area is every cell at the requested resolution within `2k`
//! grid steps (`grid_disk`) of a cell holding at least one appeal of the
//! filter, the empty ones counted as zeros. Why: Gi* compares a
//! neighbourhood with the whole area's mean and spread, so the area must hold
//! the empty cells around the appeals (otherwise a lone busy cell among empty
//! streets looks average), yet it must not depend on an arbitrary polygon.
//! Why `2k` and not `k`: only cells within `k` of an appeal can have a
//! non-zero neighbourhood (the only possible hot spots), and with `2k` each
//! of them has its *complete* k-ring inside the area. With the area cut at
//! `k`, the empty petals around a lone busy cell keep only 4 of their 7
//! neighbours, and Gi*'s smaller W_i then scores them *above* the busy cell
//! itself. Cells beyond `k` hold only zeros in their neighbourhood: they can
//! be cold spots, never hot ones.

use crate::analysis::stats::gistar::Neighbours;
use h3o::CellIndex;

/// The study area: cells ascending, with neighbour lists by position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StudyArea {
    /// Raw cells, ascending.
    pub cells: Vec<u64>,
    /// Each cell's neighbours within `k` (itself included) inside the area.
    pub neighbours: Neighbours,
}

/// Why a study area cannot be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge {
    /// Cells the area would hold (at least).
    pub cells: usize,
}

/// The area around `occupied` (raw cells, ascending): every cell within `2k`
/// of one, with neighbours within `k`. Fails when it would hold more than `cap` cells.
pub fn study_area(occupied: &[u64], k: u32, cap: usize) -> Result<StudyArea, TooLarge> {
    let mut cells: Vec<u64> = Vec::with_capacity(occupied.len() * 3);
    let mut disk: Vec<CellIndex> = Vec::new();
    for &c in occupied {
        let Ok(ci) = CellIndex::try_from(c) else {
            continue;
        };
        disk.clear();
        disk.extend(ci.grid_disk::<Vec<_>>(2 * k));
        cells.extend(disk.iter().map(|&d| u64::from(d)));
        // Sort and dedup as we go so memory stays near the final size.
        if cells.len() > 4 * cap.max(1024) {
            cells.sort_unstable();
            cells.dedup();
            if cells.len() > cap {
                return Err(TooLarge { cells: cells.len() });
            }
        }
    }
    cells.sort_unstable();
    cells.dedup();
    if cells.len() > cap {
        return Err(TooLarge { cells: cells.len() });
    }
    Ok(StudyArea::of_cells(cells, k))
}

impl StudyArea {
    /// An area of exactly these cells (ascending, unique) with `grid_disk(k)`
    /// neighbours restricted to them.
    pub fn of_cells(cells: Vec<u64>, k: u32) -> StudyArea {
        let neighbours = neighbours(&cells, k);
        StudyArea { cells, neighbours }
    }
}

/// Neighbour lists (`grid_disk(k)` restricted to `cells`) by position.
fn neighbours(cells: &[u64], k: u32) -> Neighbours {
    let mut nb = Neighbours {
        start: Vec::with_capacity(cells.len() + 1),
        idx: Vec::with_capacity(cells.len() * (1 + 3 * k as usize * (k as usize + 1))),
    };
    nb.start.push(0);
    for &c in cells {
        if let Ok(ci) = CellIndex::try_from(c) {
            for d in ci.grid_disk::<Vec<_>>(k) {
                if let Ok(j) = cells.binary_search(&u64::from(d)) {
                    nb.idx.push(j as u32);
                }
            }
        }
        nb.start.push(nb.idx.len() as u32);
    }
    nb
}
