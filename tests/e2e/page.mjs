// Shared by the end-to-end suites: one real server with the demo data and
// one Chromium per file, a page that records errors and tile requests, and
// waiting until the map has settled.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { ARTIFACTS, launchBrowser, startServer } from './server.mjs';

/**
 * Registers the suite's before/after hooks; returns `{server, browser,
 * api(path), openPage(hash, opts)}` (server and browser once started).
 */
export function usePage() {
  const ctx = {};
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const t0 = Date.now();
    ctx.server = await startServer();
    console.log(`# server with the demo data ready in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${ctx.server.url}`);
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });

  /** GETs JSON from the test's server. */
  ctx.api = async (path) => {
    const r = await fetch(path.startsWith('http') ? path : `${ctx.server.url}${path}`);
    assert.equal(r.status, 200, `${path}: ${r.status}`);
    return r.json();
  };

  /** A page that records console errors, page errors and hexagon tile requests. */
  ctx.openPage = async (hash = '', { viewport = { width: 1400, height: 900 } } = {}) => {
    const page = await ctx.browser.newPage({ viewport });
    const errors = [];
    const tiles = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${m.text()} @ ${m.location()?.url ?? ''}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => { if (r.url().includes('/tiles/hexagons/')) tiles.push(r.url()); });
    await page.goto(`${ctx.server.url}/${hash}`);
    await settled(page);
    return { page, errors, tiles };
  };
  return ctx;
}

/** Waits until the heat layer is shown, nothing is pending and every tile is in. */
export async function settled(page, minSwaps = 1) {
  await page.waitForFunction((n) => {
    const a = window.__hexwatch;
    return a?.hex && (a.swaps ?? 0) >= n && !a.hex.busy() && a.map.loaded() && a.map.areTilesLoaded();
  }, minSwaps, { timeout: 60_000 });
  // One more frame so the legend's idle handler has run.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100))));
}

/** The distinct cells drawn now: {h3: properties}. */
export function renderedCells(page) {
  return page.evaluate(() => {
    const a = window.__hexwatch;
    const out = {};
    for (const f of a.map.queryRenderedFeatures({ layers: [a.hex.ids().query] })) out[f.properties.h3] = f.properties;
    return out;
  });
}

