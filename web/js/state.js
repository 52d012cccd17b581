// The view's whole state and its URL hash, so a copied link reproduces the
// view. Parsing is forgiving: a bad or unknown value falls back to the
// default instead of breaking the page.

import { isDay, parseDay } from './dates.js';
import { GRANULARITIES } from './periods.js';

/** Side panels the sidebar can show. */
export const PANELS = ['filters', 'hotspots', 'districts', 'fixes', 'resolution'];

/** What the hexagons are coloured by (the server's `metric`). */
export const METRICS = ['count', 'median_hours', 'overdue_share', 'repeat_rate'];

/** Interface languages. */
export const LANGS = ['ru', 'en'];

/** The state before anything is known about the data. */
export function defaultState() {
  return {
    center: null, // [lon, lat]; null: frame the data
    zoom: null,
    sectors: [], // empty: all sectors
    from: null, // inclusive local days
    to: null,
    granularity: 'month',
    step: null, // index into the slider's steps; null: the whole range
    cell: null, // selected H3 cell
    lang: 'ru',
    panel: 'filters',
    opacity: 0.8,
    extrude: false,
    compare: false,
    district: null,
    fix: null, // selected fix id (its effect is shown in the fixes panel)
    hotLayer: false, // the hotspots tile layer drawn over the heat map
    metric: 'count', // what the hexagons show
    rankBy: 'district', // the Resolution panel's ranking: district | responsible
  };
}

const H3 = /^[0-9a-f]{15}$/;
const CODE = /^[a-z0-9_-]{1,40}$/;

/** The hash for a state: `#c=lon,lat&z=…` with defaults left out. */
export function toHash(s) {
  const d = defaultState();
  const q = new URLSearchParams();
  if (s.center) q.set('c', `${s.center[0].toFixed(5)},${s.center[1].toFixed(5)}`);
  if (s.zoom != null) q.set('z', s.zoom.toFixed(2));
  if (s.sectors.length) q.set('s', s.sectors.join(','));
  if (s.from) q.set('f', s.from);
  if (s.to) q.set('t', s.to);
  if (s.granularity !== d.granularity) q.set('g', s.granularity);
  if (s.step != null) q.set('i', String(s.step));
  if (s.cell) q.set('cell', s.cell);
  if (s.lang !== d.lang) q.set('l', s.lang);
  if (s.panel !== d.panel) q.set('p', s.panel);
  if (s.opacity !== d.opacity) q.set('o', String(s.opacity));
  if (s.extrude) q.set('x', '1');
  if (s.compare) q.set('cmp', '1');
  if (s.district != null) q.set('d', String(s.district));
  if (s.fix != null) q.set('fx', String(s.fix));
  if (s.hotLayer) q.set('hl', '1');
  if (s.metric !== d.metric) q.set('m', s.metric);
  if (s.rankBy !== d.rankBy) q.set('rb', s.rankBy);
  // Keep commas readable in shared links.
  return '#' + q.toString().replaceAll('%2C', ',');
}

/** A state from a hash (with or without '#'); bad values become defaults. */
export function fromHash(hash) {
  const s = defaultState();
  const q = new URLSearchParams(String(hash ?? '').replace(/^#/, ''));
  const num = (k) => (q.has(k) ? Number(q.get(k)) : NaN);
  const c = (q.get('c') ?? '').split(',').map(Number);
  if (c.length === 2 && Math.abs(c[0]) <= 180 && Math.abs(c[1]) <= 85.06 && c.every(Number.isFinite)) {
    s.center = c;
  }
  const z = num('z');
  if (z >= 0 && z <= 24) s.zoom = z;
  const sectors = (q.get('s') ?? '').split(',').filter((x) => CODE.test(x));
  s.sectors = [...new Set(sectors)];
  const f = q.get('f');
  const t = q.get('t');
  if (isDay(f) && isDay(t) && parseDay(f) <= parseDay(t)) {
    s.from = f;
    s.to = t;
  }
  if (GRANULARITIES.includes(q.get('g'))) s.granularity = q.get('g');
  const i = num('i');
  if (Number.isInteger(i) && i >= 0) s.step = i;
  const cell = (q.get('cell') ?? '').toLowerCase();
  if (H3.test(cell)) s.cell = cell;
  if (LANGS.includes(q.get('l'))) s.lang = q.get('l');
  if (PANELS.includes(q.get('p'))) s.panel = q.get('p');
  const o = num('o');
  if (o >= 0 && o <= 1) s.opacity = o;
  s.extrude = q.get('x') === '1';
  s.compare = q.get('cmp') === '1';
  const dist = q.get('d');
  if (dist && /^[A-Za-z0-9_-]{1,64}$/.test(dist)) s.district = dist;
  const fx = q.get('fx');
  if (fx && /^[0-9]{1,15}$/.test(fx)) s.fix = fx;
  s.hotLayer = q.get('hl') === '1';
  if (METRICS.includes(q.get('m'))) s.metric = q.get('m');
  if (['district', 'responsible'].includes(q.get('rb'))) s.rankBy = q.get('rb');
  return s;
}

/** The filter query the API and tiles share (sector, from, to, district). */
export function filterQuery(s, range) {
  const q = new URLSearchParams();
  if (s.sectors.length) q.set('sector', s.sectors.join(','));
  if (range?.from) q.set('from', range.from);
  if (range?.to) q.set('to', range.to);
  if (s.district != null) q.set('district', s.district);
  return q;
}
