// The Resolution panel: units ranked by how slowly they answer
// (/api/v1/resolution/ranking) and the recorded process changes with their
// effect (/api/v1/process-changes/{id}/effect).

import { getJson, Unavailable } from './api.js';
import { $, fill, h, notice } from './dom.js';
import { fmt, fmtHours, t } from './i18n.js';
import { apiRange } from './periods.js';
import { filterQuery } from './state.js';

let request = 0;

/** Wires the ranking's "by" selector. */
export function initResolution(app) {
  const by = $('rank-by');
  by.value = app.state.rankBy;
  by.addEventListener('change', (e) => app.update({ rankBy: e.target.value }, { layer: false, panels: false }));
}

/** The ranking query of the state: its range and sectors (the district filter would leave one row). */
export function rankingQuery(state, range) {
  const q = filterQuery({ ...state, district: null }, apiRange(range));
  q.set('by', state.rankBy);
  return q;
}

/** A unit's name in the current language (districts have one name). */
function unitName(u, lang) {
  return (lang === 'en' ? u.name_en : u.name_ru) || u.name_ru || String(u.key ?? t('notAssigned'));
}

/** Loads the ranking and the process changes into the panel. */
export async function loadResolution(app) {
  const mine = ++request;
  $('rank-by').value = app.state.rankBy;
  const body = $('ranking-body');
  const changes = $('changes-body');
  fill(body, h('p', { class: 'hint' }, t('loading')));
  try {
    const r = await getJson('/api/v1/resolution/ranking', rankingQuery(app.state, app.range()));
    if (mine !== request) return;
    if (!r.units?.length) fill(body, notice(t('noData')));
    else {
      fill(body, h('table', { class: 'ranking', id: 'ranking' },
        h('thead', {}, h('tr', {},
          h('th', {}, '#'), h('th', {}, t('unit')), h('th', {}, t('appeals')),
          h('th', {}, t('firstResponse')), h('th', {}, t('toResolve')), h('th', {}, t('overdue')))),
        h('tbody', {}, r.units.map((u) => h('tr', { 'data-key': String(u.key ?? '') },
          h('td', {}, String(u.rank)),
          h('td', {}, unitName(u, app.state.lang)),
          h('td', {}, fmt(u.count)),
          h('td', {}, fmtHours(u.median_first_response_hours)),
          h('td', {}, fmtHours(u.median_hours)),
          h('td', {}, u.overdue_share == null ? '—' : `${fmt(u.overdue_share * 100)} %`))))));
    }
  } catch (e) {
    if (mine === request) fill(body, failure(e));
    return;
  }
  try {
    const list = await getJson('/api/v1/process-changes');
    if (mine !== request) return;
    const items = list.process_changes ?? [];
    if (!items.length) return fill(changes, notice(t('noChanges')));
    const effects = await Promise.all(items.map((c) => getJson(`/api/v1/process-changes/${c.id}/effect`)));
    if (mine !== request) return;
    fill(changes, h('ul', { class: 'list', id: 'change-list' }, effects.map((c) => {
      const e = c.effect;
      const s = e.scope;
      return h('li', { 'data-id': String(c.id), 'data-verdict': e.verdict },
        h('strong', {}, c.title),
        h('p', {}, `${t('changedAt')}: ${c.changed_at.slice(0, 10)} · ${scopeText(c.scope)}`),
        h('p', {}, h('span', { class: `badge verdict-${e.verdict}` }, t(`pverdict_${e.verdict}`)), ' ',
          `${fmtHours(s.before.median_hours)} → ${fmtHours(s.after.median_hours)}`,
          s.test ? ` · p = ${s.test.p < 0.001 ? s.test.p.toExponential(1) : fmt(s.test.p, 3)}` : ''),
        h('p', { class: 'hint' }, `${t('control')}: ${fmtHours(e.control.before.median_hours)} → ${fmtHours(e.control.after.median_hours)} · ${t('windowDays', { n: e.window_days })}`));
    })));
  } catch (e) {
    if (mine === request) fill(changes, failure(e));
  }
}

function scopeText(scope) {
  const parts = [];
  if (scope.responsible) parts.push(`${t('unit')}: ${scope.responsible}`);
  if (scope.sector) parts.push(`${t('sector')}: ${scope.sector}`);
  if (scope.district != null) parts.push(`${t('district')}: ${scope.district}`);
  return parts.join(', ');
}

function failure(e) {
  return notice(e instanceof Unavailable ? t('notAvailable') : `${t('loadFailed')}: ${e.message}`, !(e instanceof Unavailable));
}
