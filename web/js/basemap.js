// The map's style: the configured base map, or a plain background with a
// graticule so the page needs nothing from outside.

/**
 * Graticule lines every `step` degrees as GeoJSON (meridians and parallels);
 * `major` marks whole degrees. Integer tenths avoid float drift.
 */
export function graticule(step = 0.1) {
  const features = [];
  const n = Math.round(1 / step);
  for (let i = -180 * n; i <= 180 * n; i++) {
    features.push(line([[i / n, -85], [i / n, 0], [i / n, 85]], i % n === 0));
  }
  for (let i = -80 * n; i <= 80 * n; i++) {
    features.push(line([[-180, i / n], [0, i / n], [180, i / n]], i % n === 0));
  }
  return { type: 'FeatureCollection', features };
}

function line(coordinates, major) {
  return { type: 'Feature', properties: { major }, geometry: { type: 'LineString', coordinates } };
}

/** The style without a base map. */
export function plainStyle() {
  return {
    version: 8,
    sources: { graticule: { type: 'geojson', data: graticule(0.1) } },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#eef1f5' } },
      // Tenths of a degree only where they are a few hundred pixels apart.
      {
        id: 'graticule-minor', type: 'line', source: 'graticule', minzoom: 8,
        filter: ['!', ['get', 'major']],
        paint: { 'line-color': '#dde2e8', 'line-width': 0.5 },
      },
      {
        id: 'graticule', type: 'line', source: 'graticule', filter: ['get', 'major'],
        paint: { 'line-color': '#b8c0cc', 'line-width': 1 },
      },
    ],
  };
}
