// The legend: classes of the counts (or changes) of the cells in view,
// recomputed whenever the map settles.

import { changeBreaks, CHANGE, HEAT, legendRows, metricBreaks, metricRows, quantileBreaks, valuesByCell } from './classes.js';
import { $, fill, h } from './dom.js';
import { fmt, fmtHours, t } from './i18n.js';

/** Recomputes classes from the rendered cells, re-colours the layer, redraws the legend. */
export function updateLegend(app) {
  const ids = app.hex?.ids();
  if (!ids) return;
  const change = ids.kind === 'change';
  const metric = ids.kind === 'metric' ? app.state.metric : null;
  const features = app.map.queryRenderedFeatures({ layers: [ids.query] });
  const values = valuesByCell(features, change ? 'diff' : metric ? 'value' : 'count');
  const classes = change ? changeBreaks(values) : metric ? metricBreaks(values) : quantileBreaks(values);
  const max = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const rescale = app.hex.extrude && Math.abs(app.map.getZoom() - (app.hexZoom ?? -1)) > 0.25;
  if (rescale || max !== app.hex.max || JSON.stringify(classes.breaks) !== JSON.stringify(app.hex.breaks)) {
    app.hexZoom = app.map.getZoom();
    app.hex.setBreaks(classes.breaks, max);
  }
  app.visibleCells = values.length;
  const title = h('h3', {}, t(change ? 'legendChange' : metric ? `legend_${metric}` : 'legendCount'));
  $('legend').dataset.metric = metric ?? (change ? 'change' : 'count');
  if (values.length === 0) return fill($('legend'), title, h('p', { class: 'hint' }, t('legendEmpty')));
  const rows = change ? changeRows(classes) : metric ? metricLabels(metric, classes) : legendRows(classes, HEAT);
  fill($('legend'), title, h('ul', {}, rows.map((r) => h('li', {},
    h('span', { class: 'swatch', style: `background:${r.color}` }),
    r.label ?? (r.from === r.to ? fmt(r.from) : `${fmt(r.from)}–${fmt(r.to)}`)))));
}

/** Continuous classes with their unit: hours (or days) or per cent. */
function metricLabels(metric, classes) {
  const unit = (x) => (metric === 'median_hours' ? fmtHours(x) : `${fmt(x * 100, 0)} %`);
  return metricRows(classes, HEAT).map((r) => ({ color: r.color, label: `${unit(r.from)} – ${unit(r.to)}` }));
}

function changeRows({ breaks }) {
  const [a, b, c, d] = breaks;
  const sign = (x) => (x > 0 ? `+${fmt(x)}` : fmt(x));
  return [
    { color: CHANGE[0], label: `≤ ${sign(a - 1)}` },
    { color: CHANGE[1], label: `${sign(a)} … ${sign(b - 1)}` },
    { color: CHANGE[2], label: `${sign(b)} … ${sign(c - 1)}` },
    { color: CHANGE[3], label: `${sign(c)} … ${sign(d - 1)}` },
    { color: CHANGE[4], label: `≥ ${sign(d)}` },
  ];
}
