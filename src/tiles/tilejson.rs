//! TileJSON 3.0.0 documents for each layer, and the catalogue of sources.

use super::Layer;
use super::coord::MAX_LAT;
use super::points::APPEALS_MIN_ZOOM;
use super::zoom::zoom_reaching;
use crate::domain::Catalogue;
use serde::Serialize;
use std::collections::BTreeMap;

/// A tile source as the catalogue and TileJSON describe it.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// Layer (and source) id.
    pub id: &'static str,
    /// Short title.
    pub name: &'static str,
    /// What the layer shows.
    pub description: &'static str,
    /// Lowest zoom with content.
    pub minzoom: u8,
    /// Zoom past which tiles get no more detail (clients overzoom).
    pub maxzoom: u8,
    /// Attribute → description (types as TileJSON's "String", "Number").
    #[serde(skip)]
    pub fields: BTreeMap<String, String>,
}

/// The source of a layer. `max_res` is the server's finest resolution.
pub fn source(layer: Layer, cat: &Catalogue, max_res: u8) -> Source {
    let mut fields = BTreeMap::new();
    let mut field = |k: &str, v: &str| {
        fields.insert(k.to_owned(), v.to_owned());
    };
    match layer {
        Layer::Hexagons => {
            field("h3", "String: the H3 cell index (hexadecimal)");
            field("count", "Number: appeals in the cell that pass the filters");
            field(
                "sector",
                "String: code of the sector with the most appeals (lowest id on ties)",
            );
            for s in cat.all() {
                fields.insert(
                    format!("count_{}", s.code),
                    format!(
                        "Number: appeals of sector {} ({}); absent means 0",
                        s.code, s.name_en
                    ),
                );
            }
            Source {
                id: "hexagons",
                name: "Appeals per H3 hexagon",
                description: "H3 cells with appeal counts; the cell resolution follows the zoom \
                     (override with res)",
                minzoom: 0,
                maxzoom: zoom_reaching(max_res.min(15)),
                fields,
            }
        }
        Layer::Appeals => {
            field("sector", "String: sector code");
            field("status", "String: new, in_progress, resolved or rejected");
            field(
                "created_at",
                "String: when the appeal was made (RFC 3339, the region's zone)",
            );
            Source {
                id: "appeals",
                name: "Appeals",
                description: "One point per appeal; no text, no address",
                minzoom: APPEALS_MIN_ZOOM,
                maxzoom: 18,
                fields,
            }
        }
        Layer::Hotspots => {
            field("h3", "String: the H3 cell index (hexadecimal)");
            field(
                "z",
                "Number: Getis-Ord Gi* z-score of the cell's appeals over the whole range",
            );
            field(
                "p_fdr",
                "Number: its two-sided p, Benjamini-Hochberg adjusted across the study area",
            );
            field(
                "class",
                "String: emerging hot-spot class (new, consecutive, intensifying, persistent, \
                 diminishing, sporadic, oscillating, historical, cold_… or none)",
            );
            field(
                "periods_hot",
                "Number: periods in which the cell was a significant hot spot",
            );
            field("count", "Number: appeals in the cell that pass the filters");
            Source {
                id: "hotspots",
                name: "Hotspots (Gi*) and emerging hot-spot classes",
                description: "Every cell of the hotspot study area with its Gi* z-score and \
                     emerging class; analysed over the whole area at the request's res, k, \
                     alpha and period (res follows the zoom unless given)",
                minzoom: 0,
                maxzoom: zoom_reaching(max_res.min(15)),
                fields,
            }
        }
        Layer::Change => {
            field("h3", "String: the H3 cell index (hexadecimal)");
            field("a", "Number: appeals in period A (from_a..to_a)");
            field("b", "Number: appeals in period B (from_b..to_b)");
            field("diff", "Number: b - a (positive: more complaints in B)");
            field("ratio", "Number: b / a; absent when a is 0");
            Source {
                id: "change",
                name: "Change between two periods",
                description: "H3 cells with appeals in period A or B, their counts and \
                     difference; needs from_a, to_a, from_b, to_b (res follows the zoom \
                     unless given)",
                minzoom: 0,
                maxzoom: zoom_reaching(max_res.min(15)),
                fields,
            }
        }
        Layer::Fixes => {
            field("id", "Number: the fix id (also the feature id)");
            field("title", "String: what was done");
            field("sector", "String: sector code");
            field(
                "done_at",
                "String: when it was done (RFC 3339, the region's zone)",
            );
            field(
                "verdict",
                "String: stopped, reduced, no_effect, worse, displaced or insufficient_data \
                 (90 days each side)",
            );
            Source {
                id: "fixes",
                name: "Fixes",
                description: "Interventions (repairs, new lamps, changed routes): the outline \
                     of each fix's area (its H3 cells) with its verdict",
                minzoom: 0,
                maxzoom: 18,
                fields,
            }
        }
    }
}

/// The TileJSON document of a source whose tiles are at `tiles_url` (a
/// template with `{z}`, `{x}`, `{y}`).
pub fn tilejson(src: &Source, tiles_url: &str) -> serde_json::Value {
    serde_json::json!({
        "tilejson": "3.0.0",
        "name": src.name,
        "description": src.description,
        "version": "1.0.0",
        "scheme": "xyz",
        "tiles": [tiles_url],
        "minzoom": src.minzoom,
        "maxzoom": src.maxzoom,
        "bounds": [-180.0, -MAX_LAT, 180.0, MAX_LAT],
        "vector_layers": [{
            "id": src.id,
            "description": src.description,
            "minzoom": src.minzoom,
            "maxzoom": src.maxzoom,
            "fields": src.fields,
        }],
    })
}
