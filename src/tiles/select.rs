//! Which appeals a hexagon tile reads, and their counts per cell.
//!
//! A hexagon tile shows every cell whose outline meets the buffered tile, and
//! each with its *full* count, also when most of the cell lies outside the
//! tile. So the rows read are those of a *read box* grown around the tile by
//! more than a cell's diameter: every appeal of a cell meeting the tile lies
//! in it (H3 children stick out of their parent by a fraction of an edge).
//! Conversely a cell none of whose appeals lies in the read box cannot meet
//! the tile, so it is dropped before any geometry is looked at. Cells binned
//! from the margin that do not meet the tile may be incomplete; they are
//! exactly the ones that clipping then drops.
//!
//! The read box becomes base row ranges through a cheap H3 cover: cells of a
//! coarse resolution at sample points spaced well under an edge apart, plus
//! their neighbours (a point less than an edge from a sample lies in the
//! sample's cell or a neighbour). That costs tens of microseconds where a
//! polygon tiler costs a millisecond.

use super::TileError;
use super::coord::{BUFFER, TileCoord};
use crate::aggregate::CellCount;
use crate::index::cells::{
    descendant_range, gallop, group_key, merge_ranges, parent_raw, row_ranges,
};
use crate::index::{BBox, Data, Filter};
use h3o::{CellIndex, LatLng, Resolution};

/// The margin in cell edge lengths: a cell's diameter is two edges, H3 edges
/// vary by up to ~1.4× around their average, and children stick out a little.
const MARGIN_EDGES: f64 = 3.5;

/// The read box (in degrees) of a tile at `res`, or `None` when it spans so
/// much (or comes so near a pole) that all appeals are read.
pub fn read_box(tile: TileCoord, res: u8) -> Option<BBox> {
    let (west, south, east, north) = tile.lon_lat_bounds(f64::from(BUFFER));
    let edge_km = Resolution::try_from(res).map_or(1281.0, |r| r.edge_length_km());
    let margin_km = MARGIN_EDGES * edge_km;
    let dlat = margin_km / 110.574;
    let (south, north) = (south - dlat, north + dlat);
    if south <= -85.0 || north >= 85.0 {
        // Near the poles cells wrap all longitudes: read everything.
        return None;
    }
    let widest = south.abs().max(north.abs()).to_radians().cos();
    let dlon = margin_km / (111.320 * widest);
    let (west, east) = (west - dlon, east + dlon);
    if east - west >= 90.0 {
        return None;
    }
    let wrap = |lon: f64| {
        if lon < -180.0 {
            lon + 360.0
        } else if lon > 180.0 {
            lon - 360.0
        } else {
            lon
        }
    };
    Some(BBox {
        min_lon: wrap(west),
        min_lat: south,
        max_lon: wrap(east),
        max_lat: north,
    })
}

/// Samples per box side the cover aims at: the cover's cells are about a
/// quarter of the box across, sampled every half edge.
const SAMPLES_PER_SIDE: f64 = 9.0;

/// Sorted, merged, inclusive ranges of finest cells holding every appeal
/// located in `bbox`; `None` when the box is too odd to sample (then read all).
pub fn cover(bbox: &BBox) -> Option<Vec<(u64, u64)>> {
    // Kilometres per degree, taken where they are largest so the sample
    // spacing in degrees errs on the small side.
    let min_abs_lat = if bbox.min_lat <= 0.0 && bbox.max_lat >= 0.0 {
        0.0
    } else {
        bbox.min_lat.abs().min(bbox.max_lat.abs())
    };
    let km_lat = 111.7;
    let km_lon = 111.32 * min_abs_lat.to_radians().cos();
    let height_km = (bbox.max_lat - bbox.min_lat) * km_lat;
    let width_km = bbox.width() * km_lon;
    let size_km = height_km.max(width_km);
    // The finest resolution whose edge is at least a quarter of the box;
    // samples every half edge (under the smallest H3 edges' 0.6 of average).
    let res = (0..=15u8)
        .rev()
        .filter_map(|r| Resolution::try_from(r).ok())
        .find(|r| r.edge_length_km() * (SAMPLES_PER_SIDE - 1.0) / 2.0 >= size_km)
        .unwrap_or(Resolution::Zero);
    let step_km = res.edge_length_km() / 2.0;
    let n_lat = (height_km / step_km).ceil().max(1.0) as usize + 1;
    let n_lon = (width_km / step_km).ceil().max(1.0) as usize + 1;
    if n_lat * n_lon > 400 {
        return None;
    }
    let mut cells: Vec<CellIndex> = Vec::with_capacity(n_lat * n_lon);
    for i in 0..n_lat {
        let lat = bbox.min_lat + (bbox.max_lat - bbox.min_lat) * i as f64 / (n_lat - 1) as f64;
        for j in 0..n_lon {
            let mut lon = bbox.min_lon + bbox.width() * j as f64 / (n_lon - 1) as f64;
            if lon > 180.0 {
                lon -= 360.0;
            }
            cells.push(LatLng::new(lat, lon).ok()?.to_cell(res));
        }
    }
    cells.sort_unstable();
    cells.dedup();
    let mut ranges: Vec<(u64, u64)> = Vec::with_capacity(cells.len() * 7);
    for c in cells {
        ranges.extend(c.grid_disk::<Vec<_>>(1).into_iter().map(descendant_range));
    }
    Some(merge_ranges(ranges))
}

/// Base row ranges holding every appeal in `bbox` (all rows for `None`).
pub fn base_rows(data: &Data, bbox: Option<&BBox>) -> Vec<(usize, usize)> {
    let cells = &data.base.cell;
    match bbox.and_then(cover) {
        Some(ranges) => row_ranges(cells, ranges),
        None => vec![(0, cells.len())],
    }
}

/// Rows a group's end is looked for one by one before galloping.
pub(super) const LINEAR_ROWS: usize = 16;

/// The end of the run of rows from `start` for which `same` holds (it holds
/// at `start`). Most cells of a fine-resolution tile hold a handful of
/// appeals: stepping through the next few rows reads memory in order, where
/// galloping's probes jump back and forth (its loads were most of a dense
/// tile's counting under perf); long runs still gallop.
fn group_end(v: &[u64], start: usize, same: impl Fn(u64) -> bool) -> usize {
    let lim = (start + LINEAR_ROWS).min(v.len());
    let mut k = start + 1;
    while k < lim && same(v[k]) {
        k += 1;
    }
    if k < lim { k } else { gallop(v, k, same) }
}

/// Counts, per cell at `res`, the appeals passing `filter` (its `bbox` is
/// ignored; its district is tested per appeal) of every cell that may meet
/// the tile: whole cells, ordered by cell, each with at least one appeal in
/// the read box. One thread; [`count_piece`] counts one piece of a tile.
pub fn count(
    data: &Data,
    tile: TileCoord,
    res: u8,
    filter: &Filter,
    cap: usize,
) -> Result<Vec<CellCount>, TileError> {
    let plan = Plan::new(data, tile, res);
    let delta = plan.delta(data, res, filter);
    count_piece(data, &plan, &plan.ranges, &delta, res, filter, cap)
}

/// [`count`] over the base rows `ranges` (a piece of `plan`'s) and the
/// recent writes `delta` of the same cells.
///
/// The base is walked cell by cell rather than row by row: a cell's rows are
/// found by galloping over the cell column, its first row decides whether it
/// can meet the tile at all (if it does, *every* appeal of it is in the read
/// box), and only then are its sector bytes tallied (and, with a time
/// filter, its times read). Dense city tiles read a byte or two per appeal.
pub fn count_piece(
    data: &Data,
    plan: &Plan,
    ranges: &[(usize, usize)],
    delta: &[DeltaCell],
    res: u8,
    filter: &Filter,
    cap: usize,
) -> Result<Vec<CellCount>, TileError> {
    let inside = plan.inside.as_ref();
    let skip = plan.skip.as_ref();
    let base = &data.base;
    let timed = filter.from.is_some() || filter.to.is_some();
    let district = filter.district.as_deref();
    let mut out: Vec<CellCount> = Vec::new();
    let mut tally = [0u32; 256];
    let mut touched: Vec<u8> = Vec::with_capacity(16);
    for &(lo, hi) in ranges {
        let cells = &base.cell[..hi];
        let mut i = lo;
        while i < hi {
            let key = group_key(cells[i], res);
            let end = group_end(cells, i, |c| group_key(c, res) == key);
            if inside.is_some_and(|b| !b.contains(base.lat[i], base.lon[i])) {
                // Far from the box, the cell's coarse ancestor misses it too.
                i = match skip.and_then(|k| k.level(base.lat[i], base.lon[i], res)) {
                    Some(l) => {
                        let key = group_key(cells[i], l);
                        gallop(cells, end, |c| group_key(c, l) == key)
                    }
                    None => end,
                };
                continue;
            }
            if timed || district.is_some() {
                for (k, &cell) in (i..end).zip(&cells[i..end]) {
                    if filter.time_ok(base.created[k])
                        && district.is_none_or(|d| d.keeps(cell, base.lat[k], base.lon[k]))
                    {
                        bump(&mut tally, &mut touched, base.sector[k]);
                    }
                }
            } else {
                tally_run(&base.sector[i..end], &mut tally, &mut touched);
            }
            let mut c = CellCount {
                cell: parent_raw(cells[i], res),
                total: 0,
                // Sized once: growing it was a third of a dense tile's count.
                by_sector: Vec::with_capacity(touched.len()),
            };
            touched.sort_unstable();
            for &s in &touched {
                let n = std::mem::take(&mut tally[usize::from(s)]);
                if filter
                    .sectors
                    .is_none_or(|set| set[usize::from(s >> 6)] >> (s & 63) & 1 == 1)
                {
                    c.total += n;
                    c.by_sector.push((s, n));
                }
            }
            touched.clear();
            if c.total > 0 {
                if out.len() == cap {
                    return Err(TileError::TooManyFeatures { cap });
                }
                out.push(c);
            }
            i = end;
        }
    }
    for (cell, by) in delta {
        let at = match out.binary_search_by_key(cell, |c| c.cell) {
            Ok(at) => at,
            Err(at) => {
                out.insert(
                    at,
                    CellCount {
                        cell: *cell,
                        total: 0,
                        by_sector: Vec::new(),
                    },
                );
                at
            }
        };
        let c = &mut out[at];
        for (s, &n) in by.iter().enumerate().filter(|(_, n)| **n > 0) {
            let s = s as u8;
            c.total += n;
            match c.by_sector.binary_search_by_key(&s, |&(k, _)| k) {
                Ok(k) => c.by_sector[k].1 += n,
                Err(k) => c.by_sector.insert(k, (s, n)),
            }
        }
    }
    if out.len() > cap {
        return Err(TileError::TooManyFeatures { cap });
    }
    Ok(out)
}

/// Rows from which [`tally_run`] counts into four tallies side by side.
const SPLIT_TALLY_ROWS: usize = 128;

/// Tallies a run of sector bytes into `tally`, noting first-seen sectors in
/// `touched` (as [`bump`] does row by row). Long runs (a coarse cell of a
/// dense city holds thousands of appeals) go through four tallies in turn:
/// with one, rows of the same sector wait for each other's increment to
/// reach memory, which was a third of a dense z 8 tile's time under perf.
fn tally_run(sectors: &[u8], tally: &mut [u32; 256], touched: &mut Vec<u8>) {
    if sectors.len() < SPLIT_TALLY_ROWS {
        for &s in sectors {
            bump(tally, touched, s);
        }
        return;
    }
    let mut parts = [[0u32; 256]; 4];
    let mut quads = sectors.chunks_exact(4);
    for q in &mut quads {
        parts[0][usize::from(q[0])] += 1;
        parts[1][usize::from(q[1])] += 1;
        parts[2][usize::from(q[2])] += 1;
        parts[3][usize::from(q[3])] += 1;
    }
    for &s in quads.remainder() {
        parts[0][usize::from(s)] += 1;
    }
    for s in 0..256 {
        let n = parts[0][s] + parts[1][s] + parts[2][s] + parts[3][s];
        if n > 0 {
            if tally[s] == 0 {
                touched.push(s as u8);
            }
            tally[s] += n;
        }
    }
}

#[inline]
fn bump(tally: &mut [u32; 256], touched: &mut Vec<u8>, s: u8) {
    let t = &mut tally[usize::from(s)];
    if *t == 0 {
        touched.push(s);
    }
    *t += 1;
}

mod plan;
#[cfg(test)]
pub(crate) use plan::PARALLEL_ROWS;
pub use plan::{DeltaCell, Plan};
mod skip;
#[cfg(test)]
mod tests;
