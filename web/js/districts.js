// The districts panel: a selector (/api/v1/districts), the outlines on the
// map (?format=geojson) and the chosen district's summary with its top
// hotspots and the fixes in it.

import { getJson, Unavailable } from './api.js';
import { $, fill, h, notice } from './dom.js';
import { verdictBadge } from './fixes.js';
import { classBadge } from './hotspots.js';
import { fmt, fmtDay, fmtHours, nameOf, t } from './i18n.js';
import { geometryBounds } from './h3util.js';
import { apiRange } from './periods.js';

let list = null; // [{id, name, bbox}] once loaded; [] when unavailable
let request = 0;

/** Fills the selector and draws the outlines (once). */
export async function loadDistricts(app) {
  const sel = $('district');
  if (list == null) {
    try {
      const [d, fc] = await Promise.all([
        getJson('/api/v1/districts'),
        getJson('/api/v1/districts', { format: 'geojson' }),
      ]);
      list = d.districts ?? [];
      app.map.getSource('districts')?.setData(fc);
    } catch (e) {
      list = [];
      sel.disabled = true;
      fill($('districts-body'), notice(e instanceof Unavailable ? t('notAvailable') : `${t('loadFailed')}: ${e.message}`, !(e instanceof Unavailable)));
      return;
    }
  }
  sel.disabled = list.length === 0;
  fill(sel, h('option', { value: '' }, t('districtNone')),
    list.map((d) => h('option', { value: String(d.id), selected: String(d.id) === String(app.state.district) }, d.name)));
  await loadSummary(app);
}

const pct = (a, b) => (b ? `${a >= b ? '+' : ''}${fmt(((a - b) / b) * 100, 1)} %` : '—');

/** Wires the selector. */
export function initDistricts(app) {
  $('district').addEventListener('change', (e) => {
    const id = e.target.value || null;
    app.update({ district: id });
    const d = list?.find((x) => String(x.id) === id);
    if (d?.bbox) app.map.fitBounds(d.bbox, { padding: 40, duration: 600 });
  });
}

/** The summary of the chosen district for the current period. */
export async function loadSummary(app) {
  const mine = ++request;
  const body = $('districts-body');
  const id = app.state.district;
  app.map.getLayer('districts-sel') && app.map.setFilter('districts-sel', ['==', ['to-string', ['get', 'id']], String(id ?? '')]);
  if (id == null || !list?.length) return fill(body);
  fill(body, h('p', { class: 'hint' }, t('loading')));
  try {
    const s = await getJson(`/api/v1/districts/${encodeURIComponent(id)}/summary`, apiRange(app.range()));
    if (mine !== request) return;
    const byCode = new Map(app.sectors.map((x) => [x.code, x]));
    fill(body,
      h('h2', {}, `${t('districtSummary')}: ${s.name}`),
      h('p', { class: 'hint' }, `${fmtDay(String(s.from).slice(0, 10))} – ${fmtDay(lastDay(s.to))}`),
      h('dl', { class: 'kv' },
        h('dt', {}, t('appeals')), h('dd', { id: 'district-count', 'data-count': s.count }, fmt(s.count)),
        h('dt', {}, t('previous')), h('dd', {}, fmt(s.previous_count ?? 0)),
        h('dt', {}, t('change')), h('dd', {}, pct(s.count, s.previous_count)),
        h('dt', {}, t('resolveMedian')), h('dd', {}, fmtHours(s.resolve_hours?.median))),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('sectors')), h('th', { class: 'num' }, t('appeals')), h('th', { class: 'num' }, t('change')))),
        h('tbody', {}, (s.by_sector ?? []).map((r) => h('tr', {},
          h('td', {}, nameOf(byCode.get(r.sector) ?? { code: r.sector })),
          h('td', { class: 'num' }, fmt(r.count)),
          h('td', { class: 'num' }, pct(r.count, r.previous)))))),
      h('h3', {}, t('topHotspots')),
      (s.hotspots ?? []).length
        ? h('ol', { class: 'list', id: 'district-hotspots' }, s.hotspots.map((p) => h('li', {}, h('button', {
          type: 'button', 'data-h3': p.h3, onclick: () => flyToHotspot(app, id, s, p.h3),
        }, h('span', {}, classBadge(String(p.class ?? 'none')), ' ', h('code', {}, p.h3)), h('span', {}, fmt(p.count ?? 0))))))
        : h('p', { class: 'hint' }, t('hotspotsEmpty')),
      h('h3', {}, t('fixesTitle')),
      (s.fixes ?? []).length
        ? h('ul', { class: 'list', id: 'district-fixes' }, s.fixes.map((f) => h('li', {}, h('button', {
          type: 'button', 'data-fix': String(f.id), onclick: () => app.showFix(f.id, { fly: true }),
        }, h('span', {}, f.title), verdictBadge(f.verdict)))))
        : h('p', { class: 'hint' }, t('noFixes')));
  } catch (e) {
    if (mine === request) fill(body, notice(e instanceof Unavailable ? t('notAvailable') : `${t('loadFailed')}: ${e.message}`, !(e instanceof Unavailable)));
  }
}

/** The inclusive last day of an exclusive RFC 3339 end. */
function lastDay(to) {
  const d = new Date(`${String(to).slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Flies to a summary hotspot. The summary names cells without outlines, so
 * the outline comes from the district's hotspot list at the summary's own
 * analysis (res 9, month, the summary's period), which the server caches.
 */
async function flyToHotspot(app, district, s, h3) {
  try {
    const fc = await getJson('/api/v1/hotspots', {
      district, res: 9, period: 'month', from: s.from, to: s.to, limit: 1000, format: 'geojson',
    });
    const f = (fc.features ?? []).find((x) => x.properties?.h3 === h3);
    app.flyToCell(h3, f ? geometryBounds(f.geometry) : null);
  } catch {
    app.flyToCell(h3, null);
  }
}
