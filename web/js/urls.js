// Tile URL templates for the heat layer: absolute, because MapLibre fetches
// tiles from its worker, where a relative URL has no page to resolve against.

import { apiRange } from './periods.js';
import { filterQuery } from './state.js';

const plain = (q) => q.toString().replaceAll('%2C', ',');

/** `/tiles/hexagons/{z}/{x}/{y}.mvt` with the state's filters and metric over the inclusive `range`. */
export function hexagonTilesUrl(origin, state, range) {
  const f = filterQuery(state, apiRange(range));
  // The count is the server's default; other metrics add the cell's `value`.
  if (state.metric && state.metric !== 'count') f.set('metric', state.metric);
  const q = plain(f);
  return `${origin}/tiles/hexagons/{z}/{x}/{y}.mvt${q ? `?${q}` : ''}`;
}

/** `/tiles/change/…` comparing inclusive ranges `a` (before) and `b` (after). */
export function changeTilesUrl(origin, state, a, b) {
  const q = filterQuery(state, null);
  const ra = apiRange(a);
  const rb = apiRange(b);
  q.set('from_a', ra.from);
  q.set('to_a', ra.to);
  q.set('from_b', rb.from);
  q.set('to_b', rb.to);
  return `${origin}/tiles/change/{z}/{x}/{y}.mvt?${plain(q)}`;
}

/** `/tiles/hotspots/…` for the state's filters over the inclusive `range` (res follows the zoom). */
export function hotspotTilesUrl(origin, state, range) {
  const q = filterQuery(state, apiRange(range));
  q.set('period', state.granularity);
  return `${origin}/tiles/hotspots/{z}/{x}/{y}.mvt?${plain(q)}`;
}
