// hexwatch's map page: wires the state (URL hash), the filters, the heat
// layer and the panels. Plain ES modules; MapLibre comes from npm through
// the import map in index.html.

import { getJson } from './api.js';
import { allows, setToken, transformRequest, whoami } from './auth.js';
import { $, fill, notice } from './dom.js';
import { plainStyle } from './basemap.js';
import { closeCell, openCell } from './cellpanel.js';
import { initDistricts, loadDistricts, loadSummary } from './districts.js';
import { initFilters, renderFilters } from './filters.js';
import { loadFixes, showEffect } from './fixes.js';
import { cellRes, geometryBounds, resForZoom, zoomForRes } from './h3util.js';
import { HexLayer } from './hexlayer.js';
import { loadHotspots } from './hotspots.js';
import { initResolution, loadResolution } from './resolution.js';
import { fmtDay, setLang, t, translate } from './i18n.js';
import { updateLegend } from './legend.js';
import { addOverlays, FIRST_OVERLAY, updateHotspotLayer } from './overlays.js';
import { preset, previousRange, steps } from './periods.js';
import { changeTilesUrl, hexagonTilesUrl, hotspotTilesUrl } from './urls.js';
import { PANELS, fromHash, toHash } from './state.js';
import { updateExports, initExports } from './exports.js';

const origin = location.origin;

/** The page's controller; also `window.__hexwatch` for the end-to-end tests. */
const app = {
  state: fromHash(location.hash),
  cfg: null,
  sectors: [],
  steps: [],
  map: null,
  hex: null,
  changeAvailable: undefined,
  /** The inclusive range on screen: the slider's period, or the whole range. */
  range() {
    const s = this.state;
    return s.step != null && this.steps?.[s.step] ? this.steps[s.step] : { from: s.from, to: s.to };
  },
  update,
  viewBounds,
  flyToCell,
  selectCell,
  showFix,
};
window.__hexwatch = app;

function setStatus(kind, text) {
  const el = $('status');
  el.className = `status ${kind}`;
  el.textContent = text;
}

function fatal(text) {
  setStatus('error', text);
  fill($('map'), notice(text, true));
  $('map').classList.add('fatal');
}

async function main() {
  setLang(app.state.lang);
  translate();
  setStatus('loading', t('loading'));
  let maplibregl;
  try {
    maplibregl = await import('maplibre-gl');
  } catch {
    return fatal(t('mapLibMissing'));
  }
  // With auth on, nothing loads until the server accepts a token.
  const me = await whoami().catch(() => null);
  if (me?.invalid) {
    setToken(null);
    return showLogin(t('loginInvalid'));
  }
  if (me?.auth && me.role == null) return showLogin();
  app.me = me;
  showRole(me);
  try {
    [app.cfg, app.sectors] = await Promise.all([getJson('/api/v1/ui-config'), getJson('/api/v1/sectors')]);
  } catch (e) {
    return fatal(`${t('loadFailed')}: ${e.message}`);
  }
  const s = app.state;
  const known = new Set(app.sectors.map((x) => x.code));
  s.sectors = s.sectors.filter((c) => known.has(c));
  if (!s.from && app.cfg.data.last_day) Object.assign(s, preset('year', app.cfg.data.last_day, app.cfg.data.first_day));
  recomputeSteps();
  initFilters(app);
  initDistricts(app);
  initTabs();
  initExports(app);
  initResolution(app);
  $('lang').addEventListener('click', () => app.update({ lang: app.state.lang === 'ru' ? 'en' : 'ru' }, { layer: false }));
  $('cell-close').addEventListener('click', closeCellPanel);
  $('hotspots-layer').checked = app.state.hotLayer;
  $('hotspots-layer').addEventListener('change', (e) => app.update({ hotLayer: e.target.checked }, { layer: false }));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !$('cell-panel').hidden) closeCellPanel();
  });
  window.addEventListener('hashchange', onHashChange);
  renderFilters(app);
  createMap(maplibregl);
}

/** The sign-in box instead of the map; a token reloads the page with it. */
function showLogin(error) {
  setStatus('', '');
  $('login').hidden = false;
  $('login-error').hidden = !error;
  $('login-error').textContent = error ?? '';
  $('login-token').focus();
  $('login').addEventListener('submit', (e) => {
    e.preventDefault();
    setToken($('login-token').value);
    location.reload();
  });
}

/** The role beside the header's buttons; exports need an analyst. */
function showRole(me) {
  if (!me?.auth) return;
  $('role').hidden = false;
  $('role').textContent = t('roleLabel', { role: me.role });
  $('role').dataset.role = me.role;
  $('logout').hidden = false;
  $('logout').addEventListener('click', () => {
    setToken(null);
    location.reload();
  });
  const exports = allows(me.role, 'analyst');
  $('export-csv').hidden = !exports;
  $('export-geojson').hidden = !exports;
}

function createMap(maplibregl) {
  const s = app.state;
  const opts = {
    container: 'map',
    transformRequest: transformRequest(origin),
    style: app.cfg.basemap_style || plainStyle(),
    attributionControl: { compact: true },
    maxPitch: 60,
    pitch: s.extrude ? 50 : 0,
  };
  if (s.center) Object.assign(opts, { center: s.center, zoom: s.zoom ?? 11 });
  else if (app.cfg.data.bbox) Object.assign(opts, { bounds: app.cfg.data.bbox, fitBoundsOptions: { padding: 20 } });
  else Object.assign(opts, { center: [49.12, 55.79], zoom: 3 });
  const map = new maplibregl.Map(opts);
  app.map = map;
  map.addControl(new maplibregl.NavigationControl({ visualizePitch: true }), 'top-right');
  map.addControl(new maplibregl.ScaleControl(), 'bottom-left');
  map.on('load', () => {
    addOverlays(map, origin, hotspotTilesUrl(origin, s, app.range()), s.hotLayer);
    app.hex = new HexLayer(map, { before: FIRST_OVERLAY, onSwap });
    app.hex.opacity = s.opacity;
    app.hex.extrude = s.extrude;
    app.hex.selected = s.cell;
    refreshLayer();
    showPanel(s.panel);
    updateExports(app);
    writeHash();
  });
  map.on('idle', () => {
    updateLegend(app);
    if (!app.hex?.busy() && !$('status').classList.contains('error')) setStatus('', t('ready'));
  });
  map.on('dataloading', (e) => {
    if (e.sourceId?.startsWith('hex')) setStatus('loading', t('loading'));
  });
  map.on('error', (e) => {
    const msg = e.error?.message ?? String(e.error ?? e);
    if (/abort/i.test(msg)) return;
    setStatus('error', `${e.sourceId?.startsWith('hex') ? t('tilesError') : t('errorPrefix')}: ${msg}`);
  });
  map.on('moveend', () => {
    writeHash();
    updateExports(app);
    if (app.state.panel === 'hotspots') debounced(loadHotspots, 400);
  });
  map.on('click', (e) => {
    const ids = app.hex?.ids();
    if (!ids) return;
    const f = map.queryRenderedFeatures(e.point, { layers: [ids.query] })[0];
    if (f) selectCell(f.properties.h3);
  });
  map.on('mousemove', (e) => {
    const ids = app.hex?.ids();
    const hit = ids && map.queryRenderedFeatures(e.point, { layers: [ids.query] }).length > 0;
    map.getCanvas().style.cursor = hit ? 'pointer' : '';
  });
}

/** A new generation of tiles is on screen: refresh what depends on its features. */
function onSwap() {
  const s = app.state;
  if (s.cell) openCellFromMap(s.cell);
  app.swaps = (app.swaps ?? 0) + 1;
}

function findCell(h3) {
  const ids = app.hex?.ids();
  if (!ids) return { props: null, bounds: null };
  const fs = app.map.querySourceFeatures(ids.source, { sourceLayer: ids.layer, filter: ['==', ['get', 'h3'], h3] });
  if (!fs.length) return { props: null, bounds: null };
  let [w, so, e, n] = geometryBounds(fs[0].geometry);
  for (const f of fs.slice(1)) {
    const b = geometryBounds(f.geometry);
    w = Math.min(w, b[0]); so = Math.min(so, b[1]); e = Math.max(e, b[2]); n = Math.max(n, b[3]);
  }
  // Appeals count in their res-15 cell's parent, which may lie a little
  // outside the drawn hexagon: read a box half a cell wider on every side.
  const dx = (e - w) / 2, dy = (n - so) / 2;
  return { props: fs[0].properties, bounds: [w - dx, so - dy, e + dx, n + dy] };
}

function openCellFromMap(h3) {
  const { props, bounds } = findCell(h3);
  openCell(app, h3, props, bounds);
}

function selectCell(h3) {
  app.state.cell = h3;
  app.hex?.setSelected(h3);
  openCellFromMap(h3);
  writeHash();
}

function closeCellPanel() {
  app.state.cell = null;
  app.hex?.setSelected(null);
  closeCell();
  writeHash();
  app.map?.getCanvas().focus();
}

/** Flies to a cell (at a zoom whose tiles show its resolution) and opens it. */
function flyToCell(h3, bounds) {
  const res = cellRes(h3);
  const zoom = zoomForRes(res) + 0.5;
  const center = bounds ? [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2] : app.map.getCenter();
  app.map.flyTo({ center, zoom: resForZoom(zoom) === res ? zoom : app.map.getZoom(), duration: 800 });
  app.map.once('moveend', () => app.map.once('idle', () => selectCell(h3)));
}

/** Shows fix `id`'s effect in the fixes panel; `fly` also moves the map to the fix. */
function showFix(id, { fly = false } = {}) {
  const open = app.state.panel === 'fixes' && document.getElementById('fix-list');
  app.update({ panel: 'fixes', fix: String(id) }, { layer: false, panels: false });
  // A panel already open keeps its list: only the effect changes.
  if (open) showEffect(app, id, { fly });
  else {
    showPanel('fixes', false);
    loadFixes(app, { fly });
  }
}

function viewBounds() {
  const b = app.map.getBounds();
  if (b.getEast() - b.getWest() >= 360) return [-180, b.getSouth(), 180, b.getNorth()];
  const wrap = (x) => ((((x + 180) % 360) + 360) % 360) - 180;
  return [wrap(b.getWest()), b.getSouth(), wrap(b.getEast()), b.getNorth()];
}

function recomputeSteps() {
  const s = app.state;
  app.steps = s.from ? steps(s.from, s.to, s.granularity) : [];
  if (s.step != null && !(app.steps && s.step < app.steps.length)) s.step = null;
}

let layerSeq = 0;
async function refreshLayer() {
  if (!app.hex) return;
  const mine = ++layerSeq;
  const s = app.state;
  const b = app.range();
  let url = hexagonTilesUrl(origin, s, b);
  let kind = s.metric && s.metric !== 'count' ? 'metric' : 'count';
  const hint = $('compare-hint');
  hint.hidden = !s.compare;
  if (s.compare) {
    if (app.changeAvailable === undefined) app.changeAvailable = await changeLayerExists();
    if (mine !== layerSeq) return;
    const a = previousRange(b);
    if (app.changeAvailable) {
      url = changeTilesUrl(origin, s, a, b);
      kind = 'change';
      hint.textContent = t('compareHint', { a: `${fmtDay(a.from)} – ${fmtDay(a.to)}`, b: `${fmtDay(b.from)} – ${fmtDay(b.to)}` });
    } else hint.textContent = t('compareUnavailable');
  }
  app.hex.show(url, kind);
}

/** Whether the server offers the `change` tile layer (its catalogue lists it). */
async function changeLayerExists() {
  try {
    const c = await getJson('/tiles');
    return (c.sources ?? []).some((x) => x.id === 'change');
  } catch {
    return false;
  }
}

/** Changes the state; `layer: false` when the tiles stay the same. */
function update(patch, { layer = true, panels = true } = {}) {
  const s = app.state;
  const before = { ...s };
  Object.assign(s, patch);
  if ('from' in patch || 'to' in patch || 'granularity' in patch) recomputeSteps();
  if (layer) refreshLayer();
  if (app.map) updateHotspotLayer(app.map, hotspotTilesUrl(origin, s, app.range()), s.hotLayer);
  $('hotspots-layer').checked = s.hotLayer;
  if ('opacity' in patch) app.hex?.setOpacity(s.opacity);
  if ('extrude' in patch && s.extrude !== before.extrude) {
    app.hex?.setExtrude(s.extrude);
    app.map?.easeTo({ pitch: s.extrude ? 50 : 0, duration: 500 });
  }
  if ('lang' in patch) {
    setLang(s.lang);
    translate();
    updateLegend(app);
    if (s.cell) openCellFromMap(s.cell);
  }
  if (panels && ('panel' in patch || 'lang' in patch)) showPanel(s.panel);
  else if (layer && s.panel === 'hotspots') debounced(loadHotspots, 300);
  else if (layer && s.panel === 'districts') loadSummary(app);
  else if ((layer || 'rankBy' in patch) && s.panel === 'resolution') loadResolution(app);
  renderFilters(app);
  updateExports(app);
  writeHash();
}

function initTabs() {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => app.update({ panel: tab.dataset.panel }, { layer: false }));
    tab.addEventListener('keydown', (e) => {
      const i = tabs.indexOf(tab);
      const j = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length : -1;
      if (j >= 0) { tabs[j].focus(); tabs[j].click(); }
    });
  }
}

function showPanel(panel, load = true) {
  for (const p of PANELS) {
    const on = p === panel;
    $(`panel-${p}`).hidden = !on;
    $(`tab-${p}`).setAttribute('aria-selected', String(on));
    $(`tab-${p}`).tabIndex = on ? 0 : -1;
  }
  if (!app.map || !load) return;
  if (panel === 'hotspots') loadHotspots(app);
  if (panel === 'districts') loadDistricts(app);
  if (panel === 'fixes') loadFixes(app);
  if (panel === 'resolution') loadResolution(app);
}

let hashTimer = null;
let lastHash = null;
function writeHash() {
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => {
    if (app.map) {
      const c = app.map.getCenter();
      app.state.center = [c.lng, c.lat];
      app.state.zoom = app.map.getZoom();
    }
    lastHash = toHash(app.state);
    if (location.hash !== lastHash) history.replaceState(null, '', lastHash);
  }, 150);
}

/** A hash typed or pasted by the person: apply it whole. */
function onHashChange() {
  if (location.hash === lastHash) return;
  const next = fromHash(location.hash);
  if (!next.from) Object.assign(next, { from: app.state.from, to: app.state.to });
  app.state.cell = null;
  app.update(next);
  if (next.center) app.map?.jumpTo({ center: next.center, zoom: next.zoom ?? app.map.getZoom() });
  if (next.cell) selectCell(next.cell);
  else closeCellPanel();
}

const timers = new Map();
function debounced(fn, ms) {
  clearTimeout(timers.get(fn));
  timers.set(fn, setTimeout(() => fn(app), ms));
}

main();
