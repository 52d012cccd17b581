// The districts panel: a selector (/api/v1/districts), the outlines on the
// map (?format=geojson) and the chosen district's summary.

import { getJson, Unavailable } from './api.js';
import { $, fill, h, notice } from './dom.js';
import { fmt, nameOf, t } from './i18n.js';
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
    const pct = (a, b) => (b ? `${a >= b ? '+' : ''}${fmt(((a - b) / b) * 100, 1)} %` : '—');
    const byCode = new Map(app.sectors.map((x) => [x.code, x]));
    fill(body,
      h('h2', {}, `${t('districtSummary')}: ${s.name}`),
      h('dl', { class: 'kv' },
        h('dt', {}, t('appeals')), h('dd', {}, fmt(s.count)),
        h('dt', {}, t('previous')), h('dd', {}, fmt(s.previous_count ?? 0)),
        h('dt', {}, t('change')), h('dd', {}, pct(s.count, s.previous_count))),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('sectors')), h('th', { class: 'num' }, t('appeals')), h('th', { class: 'num' }, t('change')))),
        h('tbody', {}, (s.by_sector ?? []).map((r) => h('tr', {},
          h('td', {}, nameOf(byCode.get(r.sector) ?? { code: r.sector })),
          h('td', { class: 'num' }, fmt(r.count)),
          h('td', { class: 'num' }, pct(r.count, r.previous)))))),
      h('h3', {}, t('topHotspots')),
      h('ol', { class: 'list' }, (s.hotspots ?? []).map((p) => h('li', {}, h('button', {
        type: 'button', onclick: () => app.flyToCell(p.h3, p.geometry ? geometryBounds(p.geometry) : null),
      }, h('code', {}, p.h3), h('span', {}, fmt(p.count ?? 0)))))),
      h('h3', {}, t('fixesTitle')),
      h('ul', { class: 'list' }, (s.fixes ?? []).map((f) => h('li', {}, h('span', {},
        h('span', { class: `badge ${f.verdict ?? ''}` }, t(`verdict_${f.verdict ?? 'unknown'}`)), ' ', f.title)))));
  } catch (e) {
    if (mine === request) fill(body, notice(e instanceof Unavailable ? t('notAvailable') : `${t('loadFailed')}: ${e.message}`, !(e instanceof Unavailable)));
  }
}
