// The side panel of one hexagon: its count and counts by sector (from the
// tile at once), then its time series, time to resolve, repeat rate and the
// fixes touching it (with their verdicts) from /api/v1/cells/{h3}.

import { getJson, Unavailable, withQuery } from './api.js';
import { barChart } from './chart.js';
import { $, fill, h, notice } from './dom.js';
import { verdictBadge } from './fixes.js';
import { fmt, fmtDay, fmtHours, nameOf, t } from './i18n.js';
import { bboxParam, cellRes } from './h3util.js';
import { apiRange } from './periods.js';
import { filterQuery } from './state.js';

let request = 0;

/**
 * Opens (or refreshes) the panel for `h3`. `props` (tile properties) and
 * `bounds` ([w,s,e,n] holding the cell's appeals) are known when the cell is
 * on the map.
 */
export async function openCell(app, h3, props, bounds) {
  const mine = ++request;
  const panel = $('cell-panel');
  const wasHidden = panel.hidden;
  panel.hidden = false;
  $('cell-h3').textContent = h3;
  const s = app.state;
  const range = apiRange(app.range());
  const body = $('cell-body');
  const head = [];
  if (props?.diff != null && props.count == null) {
    // Compare mode: the change layer's cell carries a, b and diff.
    head.push(h('p', { class: 'big' }, `${props.diff > 0 ? '+' : ''}${fmt(props.diff)}`),
      h('p', { class: 'hint' }, `A ${fmt(props.a ?? 0)} → B ${fmt(props.b ?? 0)}`));
  } else if (props) {
    head.push(h('p', { class: 'big' }, h('span', { id: 'cell-count', 'data-count': props.count }, fmt(props.count))),
      h('p', { class: 'hint' }, `${t('appeals')} · ${fmtDay(app.range().from)} – ${fmtDay(app.range().to)}`));
    head.push(bySectorTable(app, tileSectors(app, props)));
  } else {
    head.push(notice(t('cellNotInView')));
  }
  const series = h('div', {}, h('h3', {}, t('series')), h('p', { class: 'hint' }, t('loading')));
  const details = h('div', {});
  const links = exportLinks(app, h3, bounds, range);
  fill(body, head, series, details, links);
  if (wasHidden) panel.focus({ preventScroll: true });

  // /cells does not filter by district (it answers 400): its figures cover the whole cell.
  const q = filterQuery({ ...s, district: null }, range);
  q.set('period', s.granularity);
  q.set('repeat_days', '30');
  try {
    const c = await getJson(`/api/v1/cells/${h3}`, q);
    if (mine !== request) return;
    const bs = Object.entries(c.by_sector ?? {}).map(([code, n]) => ({ code, n })).sort((a, b) => b.n - a.n);
    const countEl = document.getElementById('cell-count');
    // With a district chosen the tile's count stays: it is the district's part of the cell.
    if (s.district != null) series.before(notice(t('cellWholeNote')));
    else if (countEl) {
      countEl.textContent = fmt(c.count);
      countEl.dataset.count = c.count;
      head[head.length - 1].replaceWith(bySectorTable(app, bs));
    } else if (!props) head[0].replaceWith(h('div', {}, h('p', { class: 'big' }, h('span', { id: 'cell-count', 'data-count': c.count }, fmt(c.count))),
      h('p', { class: 'hint' }, `${t('appeals')} · ${fmtDay(app.range().from)} – ${fmtDay(app.range().to)}`), bySectorTable(app, bs)));
    drawSeries(app, series, (c.series ?? []).map((p) => ({ label: fmtDay(String(p.period_start).slice(0, 10)), value: p.count })));
    fill(details, analysisBlock(app, c));
  } catch (e) {
    if (mine !== request) return;
    const msg = e instanceof Unavailable ? notice(t('notAvailable')) : notice(`${t('loadFailed')}: ${e.message}`, true);
    fill(series, h('h3', {}, t('series')), msg);
    fill(details);
  }
}

/** Closes the panel. */
export function closeCell() {
  request++;
  $('cell-panel').hidden = true;
}

function tileSectors(app, props) {
  return app.sectors
    .map((sec) => ({ code: sec.code, n: Number(props[`count_${sec.code}`] ?? 0) }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n);
}

function bySectorTable(app, rows) {
  const byCode = new Map(app.sectors.map((s) => [s.code, s]));
  return h('div', {}, h('h3', {}, t('bySector')),
    h('table', { id: 'cell-sectors' }, h('tbody', {}, rows.map(({ code, n }) => {
      const sec = byCode.get(code) ?? { code, color: '#999' };
      return h('tr', {},
        h('td', {}, h('span', { class: 'swatch', style: `background:${sec.color}` }), ' ', nameOf(sec)),
        h('td', { class: 'num' }, fmt(n)));
    }))));
}

function drawSeries(app, el, points) {
  const chart = h('div', {});
  chart.innerHTML = barChart(points, { title: t('series'), fmtValue: (v) => fmt(v) });
  fill(el, h('h3', {}, t('series')), points.length ? chart : notice(t('noData')));
}

function analysisBlock(app, c) {
  const r = c.resolve_hours ?? {};
  const rep = c.repeat ?? {};
  const fixes = c.fixes ?? [];
  return [
    h('dl', { class: 'kv' },
      h('dt', {}, t('resolveMedian')), h('dd', { id: 'cell-median' }, fmtHours(r.median)),
      h('dt', {}, t('resolveP90')), h('dd', {}, fmtHours(r.p90)),
      h('dt', {}, t('repeatRate', { d: rep.days ?? 30 })),
      h('dd', { id: 'cell-repeat' }, rep.share == null ? '—' : `${fmt(rep.share * 100, 1)} %`)),
    h('h3', {}, t('fixesHere')),
    fixes.length
      ? h('ul', { class: 'list', id: 'cell-fixes' }, fixes.map((f) => h('li', {}, h('button', {
        type: 'button', 'data-fix': String(f.id), title: t('showEffect'), onclick: () => app.showFix(f.id, { fly: false }),
      }, h('span', {}, f.title, h('br'), h('small', { class: 'hint' }, `${t('doneAt', { d: fmtDay(String(f.done_at).slice(0, 10)) })} · ${t('showEffect')}`)),
      verdictBadge(f.verdict)))))
      : h('p', { class: 'hint' }, t('noFixes')),
  ];
}

function exportLinks(app, h3, bounds, range) {
  if (!bounds) return null;
  const q = filterQuery(app.state, range);
  q.set('res', String(cellRes(h3)));
  q.set('bbox', bboxParam(bounds));
  q.set('period', app.state.granularity);
  q.set('format', 'csv');
  return h('p', {}, h('a', { class: 'btn', id: 'cell-export', href: withQuery('/api/v1/aggregate', q), download: `hexwatch-${h3}.csv` }, t('exportCell')));
}
