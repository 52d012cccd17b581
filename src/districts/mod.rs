//! Districts: named polygons or multipolygons (city districts,
//! municipalities) imported from GeoJSON, kept in memory with a mask that
//! answers "does this appeal belong here" from the cell-sorted index.
//!
//! * [`parse`]: the upload format and its validation (all-or-nothing);
//! * [`shape`]: the exact point-in-polygon test (edges banded by latitude);
//! * [`mask`]: the H3 cover (inside / boundary cells) and the border rule;
//! * [`summary`]: per-district counts by sector against the previous period;
//! * [`demo`]: Kazan's seven districts for the demo data set.

pub mod demo;
pub mod mask;
pub mod parse;
pub mod shape;
pub mod summary;

#[cfg(test)]
mod tests;

pub use mask::DistrictMask;
pub use parse::{ParseError, ParsedDistrict, parse_collection};
pub use shape::{Position, Shape};

use geo::{BoundingRect, GeodesicArea, MultiPolygon};
use std::sync::Arc;

/// One district, ready for queries.
#[derive(Debug)]
pub struct District {
    /// Database id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Optional short code.
    pub code: Option<String>,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// The geometry as GeoJSON text.
    pub geojson: String,
    /// `[min_lon, min_lat, max_lon, max_lat]`.
    pub bbox: [f64; 4],
    /// Geodesic area, km².
    pub area_km2: f64,
    /// The filter over the index.
    pub mask: Arc<DistrictMask>,
    shape: Arc<Shape>,
}

/// A district's stored fields, before its mask is built.
#[derive(Debug, Clone)]
pub struct DistrictInput {
    /// Database id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Optional short code.
    pub code: Option<String>,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// Oriented geometry (see [`parse::parse_geometry`]).
    pub geometry: MultiPolygon<f64>,
    /// The geometry as GeoJSON text.
    pub geojson: String,
}

/// Every district, ordered by id; replaced whole when districts are added.
#[derive(Debug, Default)]
pub struct Districts {
    list: Vec<Arc<District>>,
}

impl Districts {
    /// All districts, by id.
    pub fn all(&self) -> &[Arc<District>] {
        &self.list
    }

    /// The district with this id.
    pub fn get(&self, id: i64) -> Option<&Arc<District>> {
        self.list
            .binary_search_by_key(&id, |d| d.id)
            .ok()
            .map(|i| &self.list[i])
    }

    /// Districts with ids 1, 2, … in the given order (tests, benchmarks).
    pub fn from_parsed(parsed: Vec<ParsedDistrict>) -> Districts {
        let inputs = parsed
            .into_iter()
            .enumerate()
            .map(|(i, p)| DistrictInput {
                id: i as i64 + 1,
                name: p.name,
                code: p.code,
                created_at: 0,
                geometry: p.geometry,
                geojson: p.geojson,
            })
            .collect();
        Districts::default().with(inputs)
    }

    /// These districts plus `more` (with higher ids than any present). Masks
    /// of existing districts do not change: the border rule only lets a
    /// district lose boundary points to lower ids.
    pub fn with(&self, more: Vec<DistrictInput>) -> Districts {
        let mut list = self.list.clone();
        for d in more {
            let lower: Vec<Arc<Shape>> = list.iter().map(|x| x.shape.clone()).collect();
            let id = d.id;
            match build(d, &lower) {
                Some(built) => list.push(Arc::new(built)),
                // Validation rules out empty geometry; a stored one is skipped, not fatal.
                None => tracing::warn!(district = id, "district has no geometry; skipped"),
            }
        }
        list.sort_by_key(|d| d.id);
        Districts { list }
    }
}

fn build(d: DistrictInput, lower: &[Arc<Shape>]) -> Option<District> {
    let area_km2 = d.geometry.geodesic_area_unsigned() / 1e6;
    let shape = Arc::new(Shape::new(d.geometry)?);
    let r = shape.geometry().bounding_rect()?;
    let mask = Arc::new(DistrictMask::new(d.id, shape.clone(), lower));
    Some(District {
        id: d.id,
        name: d.name,
        code: d.code,
        created_at: d.created_at,
        geojson: d.geojson,
        bbox: [r.min().x, r.min().y, r.max().x, r.max().y],
        area_km2,
        mask,
        shape,
    })
}
