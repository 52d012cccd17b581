// Colour classes of the heat layer: quantile breaks of the counts in view,
// so the legend follows the data the person is looking at.

/** YlOrRd, 5 classes (ColorBrewer, Brewer 2003): low yellow → high dark red. */
export const HEAT = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'];

/** RdBu reversed, 5 classes (ColorBrewer): decrease blue, no change white, increase red. */
export const CHANGE = ['#2166ac', '#92c5de', '#f7f7f7', '#f4a582', '#b2182b'];

/**
 * Sample quantile, type 7 of Hyndman & Fan (1996): linear interpolation
 * between order statistics at h = (n − 1)p; NumPy's and R's default.
 * `sorted` must be ascending and non-empty.
 */
export function quantile(sorted, p) {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Quantile classes of integer counts: `breaks` are the lower bounds of
 * classes 2…k (strictly ascending integers above the minimum), so class i
 * holds counts in [breaks[i-1], breaks[i]). Fewer classes when the counts
 * have fewer distinct values. Empty input gives no breaks.
 */
export function quantileBreaks(values, k = HEAT.length) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return { breaks: [], min: 0, max: 0 };
  const breaks = [];
  for (let i = 1; i < k; i++) {
    // Counts are integers: a class starts at the first integer above the cut.
    const b = Math.floor(quantile(v, i / k)) + 1;
    if (b > v[0] && b <= v[v.length - 1] && (breaks.length === 0 || b > breaks[breaks.length - 1])) {
      breaks.push(b);
    }
  }
  return { breaks, min: v[0], max: v[v.length - 1] };
}

/**
 * Symmetric classes for signed changes: cuts at ±(quantiles of |diff|), so
 * equal increases and decreases get the same strength of red and blue.
 * Five classes: strong −, −, ~0, +, strong +.
 */
export function changeBreaks(diffs) {
  const a = diffs.filter(Number.isFinite).map(Math.abs).sort((x, y) => x - y);
  if (a.length === 0 || a[a.length - 1] === 0) return { breaks: [-1, 0, 1, 2], max: 0 };
  const small = Math.max(1, Math.round(quantile(a, 0.5)));
  const big = Math.max(small + 1, Math.round(quantile(a, 0.9)));
  // step: < −big+1 strong blue; < −small+1 blue; ≤ small−1 white; < big red; else strong red
  return { breaks: [-big + 1, -small + 1, small, big], max: a[a.length - 1] };
}

/**
 * Quantile classes of continuous values (hours, shares): `breaks` are the
 * distinct quantiles at 1/k … (k−1)/k, strictly above the minimum, so class
 * i holds values in [breaks[i-1], breaks[i]).
 */
export function metricBreaks(values, k = HEAT.length) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return { breaks: [], min: 0, max: 0 };
  const breaks = [];
  for (let i = 1; i < k; i++) {
    const b = quantile(v, i / k);
    if (b > v[0] && (breaks.length === 0 || b > breaks[breaks.length - 1])) breaks.push(b);
  }
  return { breaks, min: v[0], max: v[v.length - 1] };
}

/** Legend rows [{color, from, to}] of continuous classes (`to` of the last is the maximum). */
export function metricRows({ breaks, min, max }, colors = HEAT) {
  const lows = [min, ...breaks];
  return lows.map((lo, i) => ({
    color: colors[Math.min(i, colors.length - 1)],
    from: lo,
    to: i + 1 < lows.length ? lows[i + 1] : max,
  }));
}

/** A MapLibre `step` expression colouring `prop` by `breaks`. */
export function stepExpression(prop, breaks, colors) {
  // A step needs at least one stop; one class is a plain colour.
  if (breaks.length === 0) return colors[0];
  const expr = ['step', ['coalesce', ['get', prop], 0], colors[0]];
  breaks.forEach((b, i) => expr.push(b, colors[Math.min(i + 1, colors.length - 1)]));
  return expr;
}

/** Legend rows [{color, from, to}] (to null: open-ended) for count classes. */
export function legendRows({ breaks, min, max }, colors = HEAT) {
  const lows = [min, ...breaks];
  return lows.map((lo, i) => ({
    color: colors[Math.min(i, colors.length - 1)],
    from: lo,
    to: i + 1 < lows.length ? lows[i + 1] - 1 : max,
  }));
}

/** Distinct cells' values of `prop` among rendered features (tiles repeat edge cells). */
export function valuesByCell(features, prop = 'count') {
  const seen = new Map();
  for (const f of features) {
    const p = f.properties ?? {};
    // A metric a cell lacks (no deadlines, a median not reached) is left out, not 0.
    if (p.h3 != null && !seen.has(p.h3) && (prop !== 'value' || p.value != null)) seen.set(p.h3, Number(p[prop] ?? 0));
  }
  return [...seen.values()];
}
