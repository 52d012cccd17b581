// The fixes panel: recorded interventions with their verdict badges
// (/api/v1/fixes, then /api/v1/fixes/{id}/effect for each).

import { getJson, Unavailable } from './api.js';
import { $, fill, h, notice } from './dom.js';
import { fmtDay, t } from './i18n.js';

/** Most effects fetched for the list (each is a before/after computation). */
const MAX_EFFECTS = 30;

let request = 0;

/** Loads the fixes and then their verdicts. */
export async function loadFixes(app) {
  const mine = ++request;
  const body = $('fixes-body');
  fill(body, h('p', { class: 'hint' }, t('loading')));
  try {
    const { fixes = [] } = await getJson('/api/v1/fixes');
    if (mine !== request) return;
    if (!fixes.length) return fill(body, notice(t('fixesEmpty')));
    const badges = new Map();
    fill(body, h('ul', { class: 'list', id: 'fix-list' }, fixes.map((f) => {
      const badge = h('span', { class: 'badge' }, '…');
      badges.set(f.id, badge);
      return h('li', {}, h('button', {
        type: 'button',
        onclick: () => f.center && app.map.flyTo({ center: f.center, zoom: Math.max(app.map.getZoom(), 14) }),
      }, h('span', {}, f.title, h('br'), h('small', { class: 'hint' }, t('doneAt', { d: fmtDay(String(f.done_at).slice(0, 10)) }))), badge));
    })));
    for (const f of fixes.slice(0, MAX_EFFECTS)) {
      getJson(`/api/v1/fixes/${encodeURIComponent(f.id)}/effect`).then((e) => {
        const b = badges.get(f.id);
        b.className = `badge ${e.verdict}`;
        b.textContent = t(`verdict_${e.verdict}`);
      }).catch(() => {
        const b = badges.get(f.id);
        b.textContent = t('verdict_unknown');
      });
    }
  } catch (e) {
    if (mine === request) fill(body, notice(e instanceof Unavailable ? t('notAvailable') : `${t('loadFailed')}: ${e.message}`, !(e instanceof Unavailable)));
  }
}
