// Layers drawn above the hexagons: district outlines, significant hotspots
// (the `hotspots` vector tiles, outlined by class, off unless asked for) and
// fixes (coloured by their verdict, from the `fixes` vector tiles).

/** Verdict → colour, as the badges. */
export const VERDICT_COLORS = {
  stopped: '#1a7f37', reduced: '#4d9e3f', no_effect: '#6e7781',
  worse: '#b42318', displaced: '#bc4c00', insufficient_data: '#9aa1a9',
};

/** The id the heat layer is inserted below. */
export const FIRST_OVERLAY = 'districts-line';

/** Adds the overlay sources and layers; the hotspot layer reads `hotspotsUrl` and shows when `hotspotsVisible`. */
export function addOverlays(map, origin, hotspotsUrl, hotspotsVisible) {
  map.addSource('districts', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'districts-line', type: 'line', source: 'districts', paint: { 'line-color': '#30363d', 'line-width': 1.2, 'line-dasharray': [3, 2] } });
  map.addLayer({
    id: 'districts-sel', type: 'line', source: 'districts', filter: ['==', ['to-string', ['get', 'id']], ''],
    paint: { 'line-color': '#1f6feb', 'line-width': 3 },
  });
  map.addSource('hotspots', { type: 'vector', tiles: [hotspotsUrl], minzoom: 0, maxzoom: 18 });
  map.addLayer({
    id: 'hotspots-line', type: 'line', source: 'hotspots', 'source-layer': 'hotspots',
    filter: ['!=', ['get', 'class'], 'none'],
    layout: { visibility: hotspotsVisible ? 'visible' : 'none' },
    paint: {
      'line-color': ['case', ['==', ['slice', ['get', 'class'], 0, 5], 'cold_'], '#2166ac', '#7a0019'],
      'line-width': 2.5,
    },
  });
  map.addSource('fixes', { type: 'vector', tiles: [`${origin}/tiles/fixes/{z}/{x}/{y}.mvt`], minzoom: 0, maxzoom: 18 });
  const color = ['match', ['coalesce', ['get', 'verdict'], ''],
    ...Object.entries(VERDICT_COLORS).flat(), '#1f6feb'];
  // Fix areas are unions of cells: polygons or multipolygons.
  map.addLayer({ id: 'fixes-fill', type: 'fill', source: 'fixes', 'source-layer': 'fixes', paint: { 'fill-color': color, 'fill-opacity': 0.15 } });
  map.addLayer({ id: 'fixes-area', type: 'line', source: 'fixes', 'source-layer': 'fixes', paint: { 'line-color': color, 'line-width': 2.5 } });
}

/** Points the hotspot layer at `url` and shows or hides it. */
export function updateHotspotLayer(map, url, visible) {
  const src = map.getSource('hotspots');
  if (!src || !map.getLayer('hotspots-line')) return;
  map.setLayoutProperty('hotspots-line', 'visibility', visible ? 'visible' : 'none');
  // Only a shown layer fetches tiles, so a hidden one costs no analysis.
  if (src.tiles?.[0] !== url) src.setTiles([url]);
}
