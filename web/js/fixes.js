// The fixes panel: recorded interventions with their verdict badges
// (/api/v1/fixes carries each fix's verdict over the default window); the
// chosen fix's effect comes from /api/v1/fixes/{id}/effect.

import { getJson, Unavailable } from './api.js';
import { $, fill, h, notice } from './dom.js';
import { renderEffect } from './effect.js';
import { fmtDay, t } from './i18n.js';

let fixes = []; // the last list loaded
let request = 0;
let effectRequest = 0;

/** A fix's verdict badge. */
export function verdictBadge(verdict) {
  const v = verdict ?? 'unknown';
  return h('span', { class: `badge ${v}`, 'data-verdict': v }, t(`verdict_${v}`));
}

/** Loads the fixes into the panel, then the chosen one's effect (`fly`: and moves the map to it). */
export async function loadFixes(app, { fly = false } = {}) {
  const mine = ++request;
  const body = $('fixes-body');
  fill(body, h('p', { class: 'hint' }, t('loading')));
  try {
    ({ fixes = [] } = await getJson('/api/v1/fixes'));
    if (mine !== request) return;
    if (!fixes.length) return fill(body, notice(t('fixesEmpty')));
    fill(body,
      h('ul', { class: 'list', id: 'fix-list' }, fixes.map((f) => h('li', {}, h('button', {
        type: 'button',
        'data-fix': String(f.id),
        'aria-pressed': String(String(f.id) === String(app.state.fix)),
        onclick: () => app.showFix(f.id, { fly: true }),
      }, h('span', {}, f.title, h('br'), h('small', { class: 'hint' }, t('doneAt', { d: fmtDay(String(f.done_at).slice(0, 10)) }))),
      verdictBadge(f.verdict))))),
      h('div', { id: 'fix-detail', 'aria-live': 'polite' }, h('p', { class: 'hint' }, t('fixesPick'))));
    if (app.state.fix != null) showEffect(app, app.state.fix, { fly });
  } catch (e) {
    if (mine === request) fill(body, failure(e));
  }
}

/** Shows fix `id`'s effect under the list; `fly` also moves the map to it. */
export async function showEffect(app, id, { fly = false } = {}) {
  const mine = ++effectRequest;
  const el = $('fix-detail');
  if (!el) return;
  for (const b of document.querySelectorAll('#fix-list button')) b.setAttribute('aria-pressed', String(b.dataset.fix === String(id)));
  const fix = fixes.find((f) => String(f.id) === String(id));
  if (fly && fix?.center) app.map.flyTo({ center: fix.center, zoom: Math.max(app.map.getZoom(), 14), duration: 800 });
  fill(el, h('p', { class: 'hint' }, t('loading')));
  try {
    const e = await getJson(`/api/v1/fixes/${encodeURIComponent(id)}/effect`);
    if (mine === effectRequest) fill(el, renderEffect(fix, e));
  } catch (e) {
    if (mine === effectRequest) fill(el, failure(e));
  }
}

function failure(e) {
  return e instanceof Unavailable ? notice(t('notAvailable')) : notice(`${t('loadFailed')}: ${e.message}`, true);
}
