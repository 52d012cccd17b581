// The hotspots panel: ranked Gi* hotspots of the cells in view
// (/api/v1/hotspots, GeoJSON); a click flies there and opens the cell.

import { getJson, Unavailable } from './api.js';
import { $, fill, h, notice } from './dom.js';
import { fmt, t } from './i18n.js';
import { bboxParam, geometryBounds, resForZoom } from './h3util.js';
import { apiRange } from './periods.js';
import { filterQuery } from './state.js';

let request = 0;

/** An emerging hot-spot class badge (red for hot, blue for cold). */
export function classBadge(cls) {
  return h('span', { class: `badge ${cls.startsWith('cold') ? 'cold' : 'hot'}`, 'data-class': cls }, t(`class_${cls}`));
}

/** Loads the hotspots of the current view into the panel. */
export async function loadHotspots(app) {
  const mine = ++request;
  const body = $('hotspots-body');
  fill(body, h('p', { class: 'hint' }, t('loading')));
  const q = filterQuery(app.state, apiRange(app.range()));
  // The map's own resolution, kept to 7–10: Gi* compares a cell with its
  // neighbours, which too fine a grid leaves empty and too coarse a one merges.
  const res = Math.min(10, Math.max(7, resForZoom(app.map.getZoom())));
  q.set('res', String(res));
  if (app.state.district == null) q.set('bbox', bboxParam(app.viewBounds()));
  q.set('period', app.state.granularity);
  q.set('limit', '30');
  q.set('format', 'geojson');
  try {
    const fc = await getJson('/api/v1/hotspots', q);
    if (mine !== request) return;
    const hot = (fc.features ?? []).filter((f) => f.properties?.class !== 'none');
    if (!hot.length) return fill(body, notice(t('hotspotsEmpty')));
    fill(body, h('ol', { class: 'list', id: 'hotspot-list' }, hot.map((f) => {
      const p = f.properties;
      const cls = String(p.class ?? 'none');
      return h('li', {}, h('button', {
        type: 'button',
        'data-h3': p.h3,
        onclick: () => app.flyToCell(p.h3, geometryBounds(f.geometry)),
      },
      h('span', {}, classBadge(cls), ' ', h('code', {}, p.h3)),
      h('span', {}, `${fmt(p.count)} · ${t('z')} ${fmt(p.z, 1)}`)));
    })));
  } catch (e) {
    if (mine === request) fill(body, notice(e instanceof Unavailable ? t('notAvailable') : `${t('loadFailed')}: ${e.message}`, !(e instanceof Unavailable)));
  }
}
