// Layers drawn above the hexagons: district outlines and fixes (coloured by
// their verdict, from the `fixes` vector tiles).

/** Verdict → colour, as the badges. */
export const VERDICT_COLORS = {
  stopped: '#1a7f37', reduced: '#4d9e3f', no_effect: '#6e7781',
  worse: '#b42318', displaced: '#bc4c00', insufficient_data: '#9aa1a9',
};

/** The id the heat layer is inserted below. */
export const FIRST_OVERLAY = 'districts-line';

/** Adds the overlay sources and layers. */
export function addOverlays(map, origin) {
  map.addSource('districts', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'districts-line', type: 'line', source: 'districts', paint: { 'line-color': '#30363d', 'line-width': 1.2, 'line-dasharray': [3, 2] } });
  map.addLayer({
    id: 'districts-sel', type: 'line', source: 'districts', filter: ['==', ['to-string', ['get', 'id']], ''],
    paint: { 'line-color': '#1f6feb', 'line-width': 3 },
  });
  map.addSource('fixes', { type: 'vector', tiles: [`${origin}/tiles/fixes/{z}/{x}/{y}.mvt`], minzoom: 0, maxzoom: 18 });
  const color = ['match', ['coalesce', ['get', 'verdict'], ''],
    ...Object.entries(VERDICT_COLORS).flat(), '#1f6feb'];
  map.addLayer({
    id: 'fixes-area', type: 'line', source: 'fixes', 'source-layer': 'fixes',
    filter: ['==', ['geometry-type'], 'Polygon'],
    paint: { 'line-color': color, 'line-width': 2 },
  });
  map.addLayer({
    id: 'fixes-point', type: 'circle', source: 'fixes', 'source-layer': 'fixes',
    filter: ['==', ['geometry-type'], 'Point'],
    paint: { 'circle-color': color, 'circle-radius': 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
  });
}
