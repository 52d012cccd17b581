// Export of the current view: the aggregate rows as CSV and the cells as
// GeoJSON, for the box on screen with the filters and period on screen.

import { withQuery } from './api.js';
import { authHeaders, token } from './auth.js';
import { $, } from './dom.js';
import { t } from './i18n.js';
import { bboxParam, resForZoom } from './h3util.js';
import { apiRange } from './periods.js';
import { filterQuery } from './state.js';

/** Wires "copy link", and exports that carry the token (a plain link cannot). */
export function initExports(app) {
  for (const id of ['export-csv', 'export-geojson']) {
    $(id).addEventListener('click', async (e) => {
      if (!token()) return;
      e.preventDefault();
      const a = e.currentTarget;
      const r = await fetch(a.href, { headers: authHeaders() });
      if (!r.ok) return;
      const url = URL.createObjectURL(await r.blob());
      const tmp = Object.assign(document.createElement('a'), { href: url, download: a.download });
      tmp.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
  }
  $('copy-link').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      $('status').textContent = t('copied');
    } catch {
      // No clipboard (plain http on another host): select the address instead.
      window.prompt(t('copyLinkTitle'), location.href);
    }
  });
}

/** Points the export links at the current view. */
export function updateExports(app) {
  if (!app.map) return;
  const q = filterQuery(app.state, apiRange(app.range()));
  q.set('res', String(resForZoom(app.map.getZoom())));
  if (app.state.district == null) q.set('bbox', bboxParam(app.viewBounds()));
  const csv = new URLSearchParams(q);
  csv.set('period', app.state.granularity);
  csv.set('format', 'csv');
  $('export-csv').href = withQuery('/api/v1/aggregate', csv);
  $('export-geojson').href = withQuery('/api/v1/hexagons', q);
}
