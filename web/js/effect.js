// A fix's effect (/api/v1/fixes/{id}/effect) as people read it: the
// verdict and its reason, then before/after counts and rates (appeals per
// 30 days) for the fix's area, the ring around it and its district, with the
// rate test's p.

import { h } from './dom.js';
import { fmt, fmtDay, t } from './i18n.js';

/** The sides of an effect to show, in order: [{key, label?, before, after, rate_before, rate_after, change, p}]. */
export function effectSides(e) {
  const sides = [];
  for (const key of ['area', 'ring', 'district']) {
    const s = e?.[key];
    if (s && typeof s === 'object') sides.push({ key, label: key === 'district' ? s.name : null, ...s });
  }
  return sides;
}

/** A change ratio (0.25 = +25 %) as a signed percentage, or '—'. */
export function pct(change) {
  if (change == null || !Number.isFinite(change)) return '—';
  const v = change * 100;
  return `${v > 0 ? '+' : v < 0 ? '−' : ''}${fmt(Math.abs(v), 1)} %`;
}

/** A p-value for people: '< 0.001' below a thousandth, else three digits. */
export function pText(p) {
  if (p == null || !Number.isFinite(p)) return '—';
  return p < 0.001 ? `< ${fmt(0.001, 3)}` : fmt(p, 3);
}

const day = (s) => (s ? fmtDay(String(s).slice(0, 10)) : '—');
const rate = (r) => (r == null ? '—' : fmt(r, 1));

/** The effect block: verdict badge, reason, windows and the sides' table. */
export function renderEffect(fix, e) {
  const w = e.windows ?? {};
  return h('div', { id: 'fix-effect', 'data-verdict': e.verdict },
    h('h3', {}, fix?.title ?? `#${e.fix_id}`),
    h('p', {}, h('span', { class: `badge ${e.verdict}` }, t(`verdict_${e.verdict}`)), ' ',
      h('span', { class: 'hint' }, t(`verdictHelp_${e.verdict}`))),
    // The server words its reason in English only: behind a disclosure, marked as English.
    e.reason ? h('details', { class: 'hint' }, h('summary', {}, t('reasonTitle')), h('p', { lang: 'en' }, e.reason)) : null,
    h('dl', { class: 'kv' },
      h('dt', {}, t('windowBefore')), h('dd', {}, `${day(w.before?.from)} – ${day(w.before?.to)}`),
      h('dt', {}, t('windowAfter')), h('dd', {}, `${day(w.after?.from)} – ${day(w.after?.to)}`),
      h('dt', {}, t('testP')), h('dd', { id: 'fix-p' }, pText(e.test?.p))),
    h('table', { class: 'effect' },
      h('caption', { class: 'hint' }, t('ratePer30')),
      h('thead', {}, h('tr', {},
        h('th', {}, ''), h('th', { class: 'num' }, t('windowBefore')), h('th', { class: 'num' }, t('windowAfter')),
        h('th', { class: 'num' }, t('change')), h('th', { class: 'num' }, 'p'))),
      h('tbody', {}, effectSides(e).map((s) => h('tr', { 'data-side': s.key },
        h('th', { scope: 'row' }, s.label ? `${t(`side_${s.key}`)}: ${s.label}` : t(`side_${s.key}`)),
        h('td', { class: 'num', title: t('appealsN', { n: fmt(s.before ?? 0) }) }, rate(s.rate_before)),
        h('td', { class: 'num', title: t('appealsN', { n: fmt(s.after ?? 0) }) }, rate(s.rate_after)),
        h('td', { class: 'num' }, pct(s.change)),
        h('td', { class: 'num' }, pText(s.p)))))));
}
