//! A fix's area as a set of H3 cells at one resolution, [`AREA_RES`], and
//! the control ring around it.
//!
//! Resolution 10 (in Kazan, 55.8° N: cells ~15 900 m², edges 77–80 m): a
//! 120 m-radius fix is 3 cells, 150 m 4, 250 m 12 — fine enough to follow a
//! yard or a street block. The control ring is every cell 1 to [`RING_K`] = 4
//! grid steps from the area: it holds every cell whose centre is within
//! ~575 m of an area cell's centre and none beyond ~550–650 m, i.e. for a
//! 150–250 m fix the band out to 610–730 m from the fix's centre (measured
//! in Kazan), which covers "next door" — the planted displaced fix moves its
//! complaints to a 150 m spot 500 m east (up to 650 m from the centre).
//! Appeals count in a cell when their res-15 cell's parent at res 10 is that
//! cell (`index::cells::parent_raw`), as everywhere in hexwatch.
//!
//! Three ways to define an area, each with a documented rule:
//! * a point and `radius_m` (10 m – 5 km): the cells whose centre lies within
//!   the radius (great-circle distance), and always the cell holding the point;
//! * a GeoJSON Polygon / MultiPolygon: the cells whose centre lies inside
//!   (h3o's `ContainsCentroid`, which never assigns a cell to two adjacent
//!   polygons); a polygon too small to hold any centre gets the cells it
//!   touches (`Covers`) instead, so it is never empty;
//! * a list of H3 cells of any resolution, *normalised* to res 10: a finer
//!   cell becomes its res-10 parent (the area grows to whole res-10 cells), a
//!   coarser one its res-10 children.

use geo::ChamberlainDuquetteArea;
use h3o::geom::{ContainmentMode, TilerBuilder};
use h3o::{CellIndex, LatLng, Resolution};
use serde::{Deserialize, Serialize};

/// The resolution of fix areas and their rings.
pub const AREA_RES: Resolution = Resolution::Ten;
/// The control ring: cells 1 to `RING_K` steps from the area (excluding it).
pub const RING_K: u32 = 4;
/// Smallest radius of a point area, metres.
pub const MIN_RADIUS_M: f64 = 10.0;
/// Largest radius of a point area, metres.
pub const MAX_RADIUS_M: f64 = 5_000.0;
/// Most cells an area may cover (~300 km² at res 10: a large city district).
pub const MAX_AREA_CELLS: usize = 20_000;

/// An area as the client defined it (stored as JSON beside its cells).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AreaDef {
    /// A point with a radius.
    Circle {
        /// Latitude of the centre.
        lat: f64,
        /// Longitude of the centre.
        lon: f64,
        /// Radius, metres.
        radius_m: f64,
    },
    /// A GeoJSON Polygon or MultiPolygon.
    Polygon {
        /// The geometry as sent.
        geometry: serde_json::Value,
    },
    /// H3 cells as sent.
    Cells {
        /// Cell indexes, hexadecimal.
        cells: Vec<String>,
    },
}

/// A bad field of a fix (its area, title, sector or date); names the request
/// field at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The field (`radius_m`, `geometry.coordinates[0]`, `cells[3]`, …).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl FieldError {
    /// An error naming `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl AreaDef {
    /// The covering cells at [`AREA_RES`], raw, ascending.
    pub fn cells(&self) -> Result<Vec<u64>, FieldError> {
        let cells = match self {
            AreaDef::Circle { lat, lon, radius_m } => circle(*lat, *lon, *radius_m)?,
            AreaDef::Polygon { geometry } => polygon(geometry)?,
            AreaDef::Cells { cells } => listed(cells)?,
        };
        if cells.len() > MAX_AREA_CELLS {
            return Err(FieldError::new(
                self.field(),
                format!(
                    "the area covers {} cells; at most {MAX_AREA_CELLS} (about 300 km²)",
                    cells.len()
                ),
            ));
        }
        Ok(cells)
    }

    /// The request field holding this kind of definition.
    fn field(&self) -> &'static str {
        match self {
            AreaDef::Circle { .. } => "radius_m",
            AreaDef::Polygon { .. } => "geometry",
            AreaDef::Cells { .. } => "cells",
        }
    }
}

/// Cells whose centre is within `radius_m` of the point, plus the point's cell.
pub(super) fn circle(lat: f64, lon: f64, radius_m: f64) -> Result<Vec<u64>, FieldError> {
    if !(-90.0..=90.0).contains(&lat) {
        return Err(FieldError::new("lat", "must be a latitude in [-90, 90]"));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(FieldError::new("lon", "must be a longitude in [-180, 180]"));
    }
    if !(MIN_RADIUS_M..=MAX_RADIUS_M).contains(&radius_m) {
        return Err(FieldError::new(
            "radius_m",
            format!("must be between {MIN_RADIUS_M} and {MAX_RADIUS_M} metres"),
        ));
    }
    let at = LatLng::new(lat, lon).map_err(|e| FieldError::new("lat", e.to_string()))?;
    let origin = at.to_cell(AREA_RES);
    // Neighbouring centres are at least 1.5 edges apart (across a flat side);
    // 1.2 of the shortest local edge leaves room for H3's distortion.
    let edge = origin
        .edges()
        .map(|e| e.length_m())
        .fold(f64::INFINITY, f64::min);
    let k = (radius_m / (1.2 * edge)).ceil() as u32 + 1;
    let mut cells: Vec<u64> = origin
        .grid_disk::<Vec<CellIndex>>(k)
        .into_iter()
        .filter(|&c| c == origin || LatLng::from(c).distance_m(at) <= radius_m)
        .map(u64::from)
        .collect();
    cells.sort_unstable();
    Ok(cells)
}

/// Cells whose centre is inside the polygon (or, for a polygon smaller than
/// a cell, those it touches).
fn polygon(geometry: &serde_json::Value) -> Result<Vec<u64>, FieldError> {
    let shape = super::polygon::parse(geometry)?;
    // Refuse huge shapes before tiling them (the tiler would allocate them all).
    let cell_m2 = 15_047.5; // average res-10 cell area (H3's table)
    let estimate = shape.chamberlain_duquette_unsigned_area() / cell_m2;
    if estimate > 1.2 * MAX_AREA_CELLS as f64 {
        return Err(FieldError::new(
            "geometry",
            format!(
                "the polygon is about {estimate:.0} cells; at most {MAX_AREA_CELLS} (about 300 km²)"
            ),
        ));
    }
    let tile = |mode| -> Result<Vec<u64>, FieldError> {
        let mut tiler = TilerBuilder::new(AREA_RES).containment_mode(mode).build();
        for p in shape.0.iter().cloned() {
            tiler
                .add(p)
                .map_err(|e| FieldError::new("geometry", e.to_string()))?;
        }
        let mut cells: Vec<u64> = tiler.into_coverage().map(u64::from).collect();
        cells.sort_unstable();
        cells.dedup();
        Ok(cells)
    };
    let cells = tile(ContainmentMode::ContainsCentroid)?;
    if cells.is_empty() {
        return tile(ContainmentMode::Covers);
    }
    Ok(cells)
}

/// Listed cells normalised to [`AREA_RES`].
fn listed(cells: &[String]) -> Result<Vec<u64>, FieldError> {
    if cells.is_empty() {
        return Err(FieldError::new("cells", "lists no cell"));
    }
    let mut out: Vec<u64> = Vec::new();
    for (i, s) in cells.iter().enumerate() {
        let field = || format!("cells[{i}]");
        let c: CellIndex = s
            .trim()
            .parse()
            .map_err(|_| FieldError::new(field(), format!("{s:?} is not an H3 cell index")))?;
        if c.resolution() >= AREA_RES {
            // `parent` of a cell at a finer or equal resolution always exists.
            out.extend(c.parent(AREA_RES).map(u64::from));
        } else {
            let n = c.children_count(AREA_RES);
            if n as usize > MAX_AREA_CELLS || out.len() + n as usize > 2 * MAX_AREA_CELLS {
                return Err(FieldError::new(
                    field(),
                    format!(
                        "resolution {} is too coarse: {n} cells at resolution 10",
                        c.resolution()
                    ),
                ));
            }
            out.extend(c.children(AREA_RES).map(u64::from));
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The mean of the cells' centres on the sphere, as `[lon, lat]` (a plain
/// average of longitudes would break across ±180).
pub fn center_of(cells: &[u64]) -> Option<[f64; 2]> {
    let mut v = [0.0f64; 3];
    let mut n = 0usize;
    for c in cells.iter().filter_map(|&c| CellIndex::try_from(c).ok()) {
        let ll = LatLng::from(c);
        let (lat, lon) = (ll.lat_radians(), ll.lng_radians());
        v[0] += lat.cos() * lon.cos();
        v[1] += lat.cos() * lon.sin();
        v[2] += lat.sin();
        n += 1;
    }
    if n == 0 {
        return None;
    }
    let lon = v[1].atan2(v[0]).to_degrees();
    let lat = v[2].atan2(v[0].hypot(v[1])).to_degrees();
    Some([lon, lat])
}

/// True when any of `fix_cells` (at `res`) lies in, or contains, `cell`.
pub fn touches(fix_cells: &[u64], res: Resolution, cell: CellIndex) -> bool {
    if cell.resolution() >= res {
        cell.parent(res)
            .is_some_and(|p| fix_cells.binary_search(&u64::from(p)).is_ok())
    } else {
        fix_cells
            .iter()
            .filter_map(|&c| CellIndex::try_from(c).ok())
            .any(|c| c.parent(cell.resolution()) == Some(cell))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circles_take_the_cells_whose_centre_is_inside() {
        let (lat, lon) = (55.826, 49.076);
        let at = LatLng::new(lat, lon).unwrap();
        for r in [10.0, 150.0, 250.0, 1_000.0] {
            let cells = circle(lat, lon, r).unwrap();
            let origin = u64::from(at.to_cell(AREA_RES));
            assert!(cells.contains(&origin), "the point's own cell, r {r}");
            // Brute force over a wide disk: exactly the centres within r.
            let wide: Vec<u64> = at
                .to_cell(AREA_RES)
                .grid_disk::<Vec<CellIndex>>(40)
                .into_iter()
                .filter(|&c| LatLng::from(c).distance_m(at) <= r || u64::from(c) == origin)
                .map(u64::from)
                .collect();
            let mut wide = wide;
            wide.sort_unstable();
            assert_eq!(cells, wide, "r {r}");
        }
        // 150 m is several cells: the resolution is fine enough for a yard.
        let n150 = circle(lat, lon, 150.0).unwrap().len();
        assert!((3..=8).contains(&n150), "{n150}");
        assert_eq!(circle(lat, lon, 10.0).unwrap().len(), 1);
        assert_eq!(circle(lat, lon, 9.0).unwrap_err().field, "radius_m");
        assert_eq!(circle(lat, lon, 5_001.0).unwrap_err().field, "radius_m");
        assert_eq!(circle(91.0, lon, 100.0).unwrap_err().field, "lat");
        assert_eq!(circle(lat, -181.0, 100.0).unwrap_err().field, "lon");
        assert_eq!(circle(lat, lon, f64::NAN).unwrap_err().field, "radius_m");
    }

    #[test]
    fn listed_cells_are_normalised_to_the_area_resolution() {
        let at = LatLng::new(55.79, 49.12).unwrap();
        let c10 = at.to_cell(AREA_RES);
        // A descendant, not latLngToCell at res 12: H3 children stick out of
        // their parents, so the point's res-12 cell may have another parent.
        let c12 = c10.center_child(Resolution::Twelve).unwrap();
        let c9 = c10.parent(Resolution::Nine).unwrap();
        let got = listed(&[c12.to_string(), c10.to_string()]).unwrap();
        assert_eq!(got, vec![u64::from(c10)], "a finer cell becomes its parent");
        let got = listed(&[c9.to_string()]).unwrap();
        assert_eq!(got.len(), 7, "a coarser cell becomes its children");
        assert!(
            got.iter()
                .all(|&c| CellIndex::try_from(c).unwrap().parent(Resolution::Nine) == Some(c9))
        );
        let e = listed(&[c10.to_string(), "zz".into()]).unwrap_err();
        assert_eq!(e.field, "cells[1]");
        let coarse = at.to_cell(Resolution::Four);
        assert_eq!(listed(&[coarse.to_string()]).unwrap_err().field, "cells[0]");
        assert_eq!(listed(&[]).unwrap_err().field, "cells");
    }

    #[test]
    fn polygons_take_centres_inside_and_small_ones_their_cells() {
        let (lat, lon) = (55.79, 49.12);
        let d = 0.004; // ~250 m north–south, ~440 m east–west
        let sq = serde_json::json!({"type": "Polygon", "coordinates": [[
            [lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]
        ]]});
        let cells = polygon(&sq).unwrap();
        assert!(cells.len() > 20, "{}", cells.len());
        for &c in &cells {
            let ll = LatLng::from(CellIndex::try_from(c).unwrap());
            assert!((ll.lat() - lat).abs() <= d && (ll.lng() - lon).abs() <= d);
        }
        let e = 0.0001; // ~10 m: holds no centre
        let tiny = serde_json::json!({"type": "Polygon", "coordinates": [[
            [lon, lat], [lon + e, lat], [lon + e, lat + e], [lon, lat + e], [lon, lat]
        ]]});
        let cells = polygon(&tiny).unwrap();
        let own = u64::from(
            LatLng::new(lat + e / 2.0, lon + e / 2.0)
                .unwrap()
                .to_cell(AREA_RES),
        );
        assert!(cells.contains(&own) && cells.len() <= 3, "{cells:?}");
        let huge = serde_json::json!({"type": "Polygon", "coordinates": [[
            [40.0, 50.0], [45.0, 50.0], [45.0, 55.0], [40.0, 50.0]
        ]]});
        assert_eq!(polygon(&huge).unwrap_err().field, "geometry");
    }

    #[test]
    fn touching_works_both_ways_and_the_centre_is_on_the_sphere() {
        let at = LatLng::new(55.79, 49.12).unwrap();
        let cells = circle(55.79, 49.12, 300.0).unwrap();
        assert!(touches(&cells, AREA_RES, at.to_cell(Resolution::Thirteen)));
        assert!(touches(&cells, AREA_RES, at.to_cell(Resolution::Seven)));
        let far = LatLng::new(55.9, 49.3).unwrap();
        assert!(!touches(&cells, AREA_RES, far.to_cell(Resolution::Twelve)));
        let [lon, lat] = center_of(&cells).unwrap();
        assert!((lon - 49.12).abs() < 0.002 && (lat - 55.79).abs() < 0.002);
        // Across ±180 the centre stays near the cells, not at longitude 0.
        let east = u64::from(LatLng::new(65.0, 179.999).unwrap().to_cell(AREA_RES));
        let west = u64::from(LatLng::new(65.0, -179.999).unwrap().to_cell(AREA_RES));
        let [lon, _] = center_of(&[east, west]).unwrap();
        assert!(lon.abs() > 179.9, "{lon}");
    }
}
