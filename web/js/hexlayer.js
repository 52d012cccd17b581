// The heat layer, double-buffered: a change of filters or period adds a new
// source and layers beside the shown ones, and the old ones go only when the
// new tiles have loaded, so stepping through periods never flashes an empty map.

import { HEAT, CHANGE, stepExpression } from './classes.js';

/** The vector tile layer each kind of source holds (as the server names them). */
const SOURCE_LAYER = { count: 'hexagons', change: 'change', metric: 'hexagons' };
/** The tile property each kind is coloured by. */
const PROP = { count: 'count', change: 'diff', metric: 'value' };
/** Cells without a metric value (no deadlines, a median not reached). */
const NO_VALUE = '#d9d9d9';
/** Screen height of the tallest column in 3-D. */
const TALLEST_PX = 220;
let serial = 0;

export class HexLayer {
  /**
   * `map`: a MapLibre map; `before`: id of the layer to insert below;
   * `onSwap(ids)`: called when a new generation becomes the shown one.
   */
  constructor(map, { before, onSwap } = {}) {
    this.map = map;
    this.before = before;
    this.onSwap = onSwap ?? (() => {});
    this.shown = null; // {id, url, kind}
    this.pending = null;
    this.opacity = 0.8;
    this.extrude = false;
    this.breaks = [];
    this.selected = null;
    map.on('idle', () => this.promote());
  }

  /** Shows tiles from `url` (absolute template); `kind` is 'count', 'change' or 'metric'. */
  show(url, kind = 'count') {
    if (this.pending?.url === url) return;
    if (this.pending) this.remove(this.pending);
    if (this.shown?.url === url) { this.pending = null; return; }
    const gen = { id: `hex${++serial}`, url, kind };
    const m = this.map;
    m.addSource(gen.id, { type: 'vector', tiles: [url], minzoom: 0, maxzoom: 19 });
    const LAYER = SOURCE_LAYER[kind];
    const color = colorExpression(kind, this.breaksFor(kind));
    const before = this.before && m.getLayer(this.before) ? this.before : undefined;
    m.addLayer({
      id: `${gen.id}-fill`, type: 'fill', source: gen.id, 'source-layer': LAYER,
      layout: { visibility: this.extrude ? 'none' : 'visible' },
      paint: { 'fill-color': color, 'fill-opacity': 0, 'fill-outline-color': 'rgba(80,40,20,0.25)' },
    }, before);
    m.addLayer({
      id: `${gen.id}-ext`, type: 'fill-extrusion', source: gen.id, 'source-layer': LAYER,
      layout: { visibility: this.extrude ? 'visible' : 'none' },
      paint: {
        'fill-extrusion-color': color,
        'fill-extrusion-opacity': 0,
        'fill-extrusion-height': this.heightExpression(PROP[kind]),
      },
    }, before);
    m.addLayer({
      id: `${gen.id}-sel`, type: 'line', source: gen.id, 'source-layer': LAYER,
      filter: ['==', ['get', 'h3'], this.selected ?? ''],
      paint: { 'line-color': '#111', 'line-width': 3, 'line-opacity': 0 },
    }, before);
    this.pending = gen;
    if (!this.shown) this.promote(true);
  }

  /** Makes the pending generation the shown one once its tiles are in. */
  promote(force = false) {
    const gen = this.pending;
    if (!gen) return;
    if (!force && !this.map.isSourceLoaded(gen.id)) return;
    this.pending = null;
    const old = this.shown;
    this.shown = gen;
    // Count classes mean nothing for changes and back: start from neutral ones.
    if (old && old.kind !== gen.kind) this.breaks = gen.kind === 'change' ? [-1, 0, 1, 2] : [];
    this.applyPaint();
    if (old) this.remove(old);
    // The very first generation is shown before its tiles arrive: announce it once they have.
    if (force) this.map.once('idle', () => this.shown === gen && this.onSwap(this.ids()));
    else this.onSwap(this.ids());
  }

  remove(gen) {
    for (const s of ['-fill', '-ext', '-sel']) if (this.map.getLayer(gen.id + s)) this.map.removeLayer(gen.id + s);
    if (this.map.getSource(gen.id)) this.map.removeSource(gen.id);
  }

  /** Ids of the shown generation: {source, fill, ext, sel, kind, url, layer (in the tiles), query (the visible map layer)}. */
  ids() {
    if (!this.shown) return null;
    const id = this.shown.id;
    return {
      source: id, fill: `${id}-fill`, ext: `${id}-ext`, sel: `${id}-sel`,
      kind: this.shown.kind, url: this.shown.url, layer: SOURCE_LAYER[this.shown.kind],
      query: this.extrude ? `${id}-ext` : `${id}-fill`,
    };
  }

  breaksFor(kind) {
    return this.shown?.kind === kind ? this.breaks : kind === 'change' ? [-1, 0, 1, 2] : [];
  }

  heightExpression(prop) {
    // The tallest cell in view stands about TALLEST_PX screen pixels high at
    // the zoom the classes were computed at, whatever the counts are.
    const m = this.map;
    const metresPerPx = (40075016.686 * Math.cos((m.getCenter().lat * Math.PI) / 180)) / (512 * 2 ** m.getZoom());
    const scale = (TALLEST_PX * metresPerPx) / Math.max(1, this.max ?? 1);
    const v = prop === 'diff' ? ['abs', ['coalesce', ['get', 'diff'], 0]] : ['coalesce', ['get', prop], 0];
    return ['*', v, scale];
  }

  /** Re-colours (and re-scales) the shown layers with new classes; `max` is the largest value in view. */
  setBreaks(breaks, max) {
    this.breaks = breaks;
    this.max = max;
    this.applyPaint();
  }

  setOpacity(o) { this.opacity = o; this.applyPaint(); }

  setExtrude(on) {
    this.extrude = on;
    for (const gen of [this.shown, this.pending]) {
      if (!gen) continue;
      this.map.setLayoutProperty(`${gen.id}-fill`, 'visibility', on ? 'none' : 'visible');
      this.map.setLayoutProperty(`${gen.id}-ext`, 'visibility', on ? 'visible' : 'none');
    }
  }

  setSelected(h3) {
    this.selected = h3;
    for (const gen of [this.shown, this.pending]) {
      if (gen) this.map.setFilter(`${gen.id}-sel`, ['==', ['get', 'h3'], h3 ?? '']);
    }
  }

  applyPaint() {
    const gen = this.shown;
    if (!gen) return;
    const m = this.map;
    const prop = PROP[gen.kind];
    const color = colorExpression(gen.kind, this.breaks);
    m.setPaintProperty(`${gen.id}-fill`, 'fill-color', color);
    m.setPaintProperty(`${gen.id}-fill`, 'fill-opacity', this.opacity);
    m.setPaintProperty(`${gen.id}-ext`, 'fill-extrusion-color', color);
    m.setPaintProperty(`${gen.id}-ext`, 'fill-extrusion-opacity', this.opacity);
    m.setPaintProperty(`${gen.id}-ext`, 'fill-extrusion-height', this.heightExpression(prop));
    m.setPaintProperty(`${gen.id}-sel`, 'line-opacity', 1);
  }

  /** True while a new generation is still loading. */
  busy() { return this.pending != null; }
}

/** The fill colour of a kind of layer for `breaks`. */
function colorExpression(kind, breaks) {
  if (kind === 'change') return stepExpression('diff', breaks, CHANGE);
  if (kind === 'count') return stepExpression('count', breaks, HEAT);
  return ['case', ['has', 'value'], stepExpression('value', breaks, HEAT), NO_VALUE];
}
