// A small time-series bar chart as plain SVG: one bar per period, the
// largest value and the first and last period labelled. No chart library:
// one bar chart does not pay for one.

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/**
 * SVG markup for `points` = [{label, value}] in time order. `title` names
 * the chart for screen readers; `fmtValue` formats numbers.
 */
export function barChart(points, { width = 300, height = 120, title = '', fmtValue = String } = {}) {
  const pad = { l: 4, r: 4, t: 14, b: 16 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const max = Math.max(1, ...points.map((p) => p.value));
  const bw = points.length ? w / points.length : w;
  const bars = points.map((p, i) => {
    const bh = (p.value / max) * h;
    const x = pad.l + i * bw;
    return `<rect class="bar" x="${(x + bw * 0.1).toFixed(1)}" y="${(pad.t + h - bh).toFixed(1)}" ` +
      `width="${Math.max(1, bw * 0.8).toFixed(1)}" height="${bh.toFixed(1)}"><title>${esc(p.label)}: ${esc(fmtValue(p.value))}</title></rect>`;
  });
  const first = points[0]?.label ?? '';
  const last = points[points.length - 1]?.label ?? '';
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${esc(title)}">` +
    `<line class="axis" x1="${pad.l}" y1="${pad.t + h + 0.5}" x2="${pad.l + w}" y2="${pad.t + h + 0.5}"/>` +
    `<text class="max" x="${pad.l}" y="10">${esc(fmtValue(max))}</text>` +
    bars.join('') +
    `<text x="${pad.l}" y="${height - 3}">${esc(first)}</text>` +
    `<text x="${pad.l + w}" y="${height - 3}" text-anchor="end">${esc(last)}</text></svg>`;
}
