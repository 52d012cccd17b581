//! Building one tile of the current data (the tile is then cached under its
//! key): the count-based layers, hotspots from a cached whole-area analysis,
//! and fixes with their verdicts.

use super::AppState;
use super::change::Span;
use super::error::ApiError;
use crate::analysis::hotspots::HotspotQuery;
use crate::analysis::resolution::default_as_of;
use crate::analysis::resolution::metric::{Metric, cell_values};
use crate::tiles::change::{self, ChangeQuery};
use crate::tiles::hexagons::{self, HexagonQuery};
use crate::tiles::points::{self, AppealQuery};
use crate::tiles::{Layer, TileCoord, TileKey};
use bytes::Bytes;
use std::time::Instant;

/// Builds (or finds, when another request just did) the tile of the current
/// data; the key comes back with the version actually used.
pub(super) fn build(
    st: &AppState,
    key: TileKey,
    filter: &crate::index::Filter,
    change: Option<[Span; 2]>,
) -> Result<(Bytes, TileKey), ApiError> {
    let started = Instant::now();
    let data = st.engine.index.read();
    let key = TileKey {
        seq: data.seq,
        ..key
    };
    if let Some(bytes) = st.tiles.cache.get(&key) {
        return Ok((bytes, key));
    }
    let cat = &st.engine.catalogue;
    let encoded = match key.layer {
        Layer::Hexagons => hexagons::build(
            &data,
            cat,
            &st.tiles.outlines,
            &HexagonQuery {
                tile: key.tile,
                res: key.res,
                filter: filter.clone(),
                cap: st.cfg.max_cells,
            },
            |counts| {
                // k-anonymity first: a suppressed cell must not leak through its metric value.
                counts.retain(|c| c.total >= key.min_count);
                (key.metric != Metric::Count).then(|| {
                    let cells: Vec<u64> = counts.iter().map(|c| c.cell).collect();
                    cell_values(&data, &cells, filter, key.metric, default_as_of(&data))
                })
            },
        )?,
        Layer::Appeals => points::appeal_tile(
            &data,
            cat,
            &AppealQuery {
                tile: key.tile,
                filter: filter.clone(),
                cap: st.cfg.max_cells,
                tz: st.cfg.tz,
            },
        )?,
        Layer::Fixes => fixes_tile(st, &data, key.tile)?,
        Layer::Change => {
            let [a, b] = change.ok_or_else(|| ApiError::internal("change tile without periods"))?;
            change::tile(
                &data,
                &st.tiles.outlines,
                &ChangeQuery {
                    tile: key.tile,
                    res: key.res,
                    filter: filter.clone(),
                    a,
                    b,
                    cap: st.cfg.max_cells,
                    min_count: key.min_count,
                },
            )?
        }
        // Drawn from a whole-area analysis: see `build_hotspots`.
        Layer::Hotspots => return Err(ApiError::internal("hotspot tile without its query")),
    };
    drop(data);
    tracing::debug!(
        layer = key.layer.name(),
        tile = %key.tile,
        res = key.res,
        features = encoded.features,
        bytes = encoded.bytes.len(),
        us = started.elapsed().as_micros() as u64,
        "tile built"
    );
    let bytes = Bytes::from(encoded.bytes);
    st.tiles.cache.insert(key, bytes.clone());
    Ok((bytes, key))
}

/// A `hotspots` tile: the analysis of the whole study area comes from the
/// hotspot cache (computed once per query and data version), and the tile
/// draws the cells of it that meet the tile.
pub(super) fn build_hotspots(
    st: &AppState,
    key: TileKey,
    q: &HotspotQuery,
) -> Result<(Bytes, TileKey), ApiError> {
    let started = Instant::now();
    let (h, seq) = super::hotspots::analyse(st, q)?;
    let key = TileKey { seq, ..key };
    if let Some(bytes) = st.tiles.cache.get(&key) {
        return Ok((bytes, key));
    }
    let encoded = crate::tiles::hotspots::tile(&h, &st.tiles.outlines, key.tile, key.min_count)?;
    tracing::debug!(
        layer = key.layer.name(),
        tile = %key.tile,
        res = key.res,
        features = encoded.features,
        us = started.elapsed().as_micros() as u64,
        "tile built"
    );
    let bytes = Bytes::from(encoded.bytes);
    st.tiles.cache.insert(key, bytes.clone());
    Ok((bytes, key))
}

/// The fixes meeting the tile, with their verdicts over the default window.
fn fixes_tile(
    st: &AppState,
    data: &crate::index::Data,
    tile: TileCoord,
) -> Result<crate::tiles::Encoded, ApiError> {
    use crate::analysis::fixes::effect::{DEFAULT_WINDOW_DAYS, stamp};
    use crate::tiles::fixes::{self, FixFeature};
    let book = &st.engine.fixes;
    let all = book.all();
    let span = data.time_span();
    let cat = &st.engine.catalogue;
    let mut shown = Vec::new();
    for fix in all.iter() {
        let world = fixes::project(&fix.outline);
        if fixes::shifts_meeting(tile, &world).is_empty() {
            continue;
        }
        let verdict = crate::analysis::fixes::effect(data, span, fix, DEFAULT_WINDOW_DAYS).verdict;
        let feature = FixFeature {
            id: fix.id,
            title: &fix.title,
            sector: cat.code_of(fix.sector),
            done_at: stamp(fix.done_at, st.cfg.tz),
            verdict: verdict.as_str(),
        };
        shown.push((feature, world));
    }
    Ok(fixes::tile(tile, &shown)?)
}
