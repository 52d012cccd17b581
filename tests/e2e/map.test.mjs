// The map page in a real headless Chromium against a real `hexwatch serve`
// with the demo data: rendering, filters, the cell panel against /cells, the
// URL state, the language switch, the time slider, and the analysis panels
// (hotspots, districts, fixes, compare mode) against the real endpoints, each
// checked against the API's own answer. Route mocks only for error states.
// Screenshots go to target/e2e-artifacts/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS } from './server.mjs';
import { renderedCells, settled, usePage } from './page.mjs';
import { DICT } from '../../web/js/i18n.js';

const ctx = usePage();
const { api, openPage } = ctx;

/** Pixels of the map screenshot in the heat ramp's colours (red clearly above blue). */
async function heatPixels(page, png) {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let heat = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] - d[i + 2] > 40) heat++;
    return { heat, total: d.length / 4 };
  }, png.toString('base64'));
}

test('the page loads without console errors and draws the hexagon layer', async () => {
  const { page, errors, tiles } = await openPage();
  const cells = await renderedCells(page);
  const n = Object.keys(cells).length;
  assert.ok(n > 100, `only ${n} cells rendered`);
  assert.ok(Object.values(cells).every((p) => p.count > 0 && /^[0-9a-f]{15}$/.test(p.h3)));
  assert.ok(tiles.length > 0 && tiles.every((u) => /from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d/.test(u)), tiles[0]);
  const png = await page.locator('#map').screenshot({ path: join(ARTIFACTS, 'map-ru.png') });
  const { heat, total } = await heatPixels(page, png);
  assert.ok(heat / total > 0.05, `only ${heat} of ${total} map pixels are in the heat colours`);
  const legend = await page.locator('#legend li').count();
  assert.ok(legend >= 3, `legend has ${legend} classes`);
  // The first view frames the data: the whole demo city is in view.
  const cfg = await page.evaluate(() => window.__hexwatch.cfg.data.bbox);
  const view = await page.evaluate(() => window.__hexwatch.map.getBounds().toArray().flat());
  assert.ok(view[0] <= cfg[0] && view[1] <= cfg[1] && view[2] >= cfg[2] && view[3] >= cfg[3], `${view} vs ${cfg}`);
  await page.screenshot({ path: join(ARTIFACTS, 'page-ru.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a sector filter changes the tile requests and the rendered counts', async () => {
  const { page, errors, tiles } = await openPage();
  const beforeCells = await renderedCells(page);
  tiles.length = 0;
  await page.locator('#sector-list input[value=housing]').uncheck();
  await settled(page, 2);
  assert.ok(tiles.length > 0, 'no new tile requests');
  for (const u of tiles) {
    const s = new URL(u).searchParams.get('sector');
    assert.ok(s && !s.split(',').includes('housing') && s.split(',').includes('roads'), u);
  }
  const afterCells = await renderedCells(page);
  let compared = 0;
  let dropped = 0;
  for (const [h3, p] of Object.entries(beforeCells)) {
    const want = p.count - (p.count_housing ?? 0);
    if (want === 0) { dropped += h3 in afterCells ? 0 : 1; continue; }
    if (!(h3 in afterCells)) continue; // scrolled out of the rendered set
    assert.equal(afterCells[h3].count, want, `cell ${h3}`);
    compared++;
  }
  assert.ok(compared > 50, `only ${compared} cells compared`);
  const housingTotal = Object.values(beforeCells).reduce((s, p) => s + (p.count_housing ?? 0), 0);
  assert.ok(housingTotal > 0, 'the demo has housing appeals in view');
  assert.match(await page.evaluate(() => location.hash), /s=[a-z_,]+/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicking a hexagon opens its panel with the count the API gives', async () => {
  const { page, errors } = await openPage();
  const target = await page.evaluate(() => {
    const a = window.__hexwatch;
    const fs = a.map.queryRenderedFeatures({ layers: [a.hex.ids().query] });
    fs.sort((x, y) => y.properties.count - x.properties.count);
    const f = fs[0];
    const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
    const pts = ring.slice(0, -1);
    const c = pts.reduce((s, p) => [s[0] + p[0] / pts.length, s[1] + p[1] / pts.length], [0, 0]);
    const px = a.map.project(c);
    const r = a.map.getContainer().getBoundingClientRect();
    return { h3: f.properties.h3, lonlat: c, x: r.left + px.x, y: r.top + px.y, range: a.range() };
  });
  await page.mouse.click(target.x, target.y);
  await page.locator('#cell-panel').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#cell-h3').textContent(), target.h3);
  await page.locator('#cell-count').waitFor();
  const shown = Number(await page.locator('#cell-count').getAttribute('data-count'));
  // The API's count for the same cell, resolution and period.
  const res = parseInt(target.h3[1], 16);
  const [lon, lat] = target.lonlat;
  // The box filters appeals by location: it must hold the whole cell (res ≤ 9 here is under 1 km across).
  assert.ok(res <= 9, `res ${res}`);
  const d = 0.03;
  const to = new Date(Date.parse(target.range.to) + 86400000).toISOString().slice(0, 10);
  const hexes = await (await fetch(`${ctx.server.url}/api/v1/hexagons?res=${res}&bbox=${lon - d},${lat - d},${lon + d},${lat + d}&from=${target.range.from}&to=${to}`)).json();
  const cell = hexes.features.find((f) => f.properties.h3 === target.h3);
  assert.ok(cell, `the API has no cell ${target.h3}`);
  assert.equal(shown, cell.properties.count);
  assert.ok(shown > 0);
  // The series is /cells' own: one bar per period, adding up to its count.
  const details = await api(`/api/v1/cells/${target.h3}?from=${target.range.from}&to=${to}&period=month&repeat_days=30`);
  assert.equal(details.count, shown);
  await page.locator('#cell-panel svg.chart').waitFor();
  const bars = await page.locator('#cell-panel svg.chart rect.bar').count();
  assert.ok(bars >= 12, `${bars} bars for a year by month`);
  assert.equal(bars, details.series.length);
  const values = await page.evaluate(() => [...document.querySelectorAll('#cell-panel rect.bar title')]
    .map((t) => Number(t.textContent.split(': ').pop().replace(/\s/g, ''))));
  assert.deepEqual(values, details.series.map((p) => p.count));
  assert.equal(values.reduce((a, b) => a + b, 0), details.count, 'series total equals the cell count');
  // Time to resolve and repeat rate as the API gives them (Russian: comma decimals).
  const median = details.resolve_hours.median;
  assert.ok(median != null, 'the busiest cell has resolved appeals');
  const nf = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 1 });
  assert.equal(await page.locator('#cell-median').textContent(), median >= 48 ? `${nf.format(median / 24)} дн.` : `${nf.format(median)} ч`);
  const share = details.repeat.share;
  assert.equal(await page.locator('#cell-repeat').textContent(), share == null ? '—' : `${nf.format(share * 100)} %`);
  assert.equal(await page.locator('#cell-fixes li').count(), details.fixes.length);
  assert.match(await page.evaluate(() => location.hash), new RegExp(`cell=${target.h3}`));
  await page.screenshot({ path: join(ARTIFACTS, 'cell-panel.png') });
  await page.keyboard.press('Escape');
  await page.locator('#cell-panel').waitFor({ state: 'hidden' });
  await page.waitForFunction(() => !location.hash.includes('cell='), null, { timeout: 5000 });
  assert.deepEqual(errors, []);
  // A link with the cell in it opens the same panel.
  const again = await openPage(`#${new URLSearchParams({ c: target.lonlat.join(','), z: String(await page.evaluate(() => window.__hexwatch.map.getZoom())), cell: target.h3 })}`);
  await again.page.locator('#cell-count').waitFor();
  assert.equal(await again.page.locator('#cell-h3').textContent(), target.h3);
  assert.equal(Number(await again.page.locator('#cell-count').getAttribute('data-count')), shown);
  assert.deepEqual(again.errors, []);
  await again.page.close();
  await page.close();
});

test('the URL hash round-trips: a loaded hash is the state read back', async () => {
  const hash = '#c=49.12000,55.79000&z=12.25&s=roads,health&f=2026-02-01&t=2026-04-30&g=week&i=2&l=en&p=hotspots&o=0.6&x=1';
  const { page, errors, tiles } = await openPage(hash);
  const s = await page.evaluate(() => window.__hexwatch.state);
  assert.deepEqual(
    { sectors: s.sectors, from: s.from, to: s.to, g: s.granularity, step: s.step, lang: s.lang, panel: s.panel, o: s.opacity, x: s.extrude },
    { sectors: ['roads', 'health'], from: '2026-02-01', to: '2026-04-30', g: 'week', step: 2, lang: 'en', panel: 'hotspots', o: 0.6, x: true },
  );
  const z = await page.evaluate(() => window.__hexwatch.map.getZoom());
  assert.ok(Math.abs(z - 12.25) < 1e-6, `zoom ${z}`);
  await page.waitForFunction((h) => location.hash === h, hash, { timeout: 5000 });
  // The third week step: Sunday 1 Feb is step 1, then 2–8 Feb, then 9–15 Feb.
  const last = new URL(tiles[tiles.length - 1]).searchParams;
  assert.equal(last.get('from'), '2026-02-09');
  assert.equal(last.get('to'), '2026-02-16');
  assert.equal(last.get('sector'), 'roads,health');
  assert.equal(await page.locator('#from').inputValue(), '2026-02-01');
  assert.equal(await page.locator('#granularity').inputValue(), 'week');
  assert.ok(await page.locator('#sector-list input[value=roads]').isChecked());
  assert.ok(!(await page.locator('#sector-list input[value=housing]').isChecked()));
  assert.ok(await page.locator('#extrude').isChecked());
  assert.equal(await page.locator('#tab-hotspots').getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.screenshot({ path: join(ARTIFACTS, 'hash-3d-en.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('switching to English changes the labels and the hash', async () => {
  const { page, errors } = await openPage();
  assert.equal((await page.locator('#tab-filters').textContent()).trim(), 'Фильтры');
  assert.equal(await page.locator('#legend h3').textContent(), 'Обращений в ячейке');
  assert.match(await page.locator('#sector-list').textContent(), /Дорожное хозяйство/);
  await page.locator('#lang').click();
  assert.equal((await page.locator('#tab-filters').textContent()).trim(), 'Filters');
  assert.equal(await page.locator('#legend h3').textContent(), 'Appeals per cell');
  assert.match(await page.locator('#sector-list').textContent(), /Roads/);
  assert.equal(await page.locator('#play').textContent(), 'Play');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.waitForFunction(() => location.hash.includes('l=en'), null, { timeout: 5000 });
  await page.screenshot({ path: join(ARTIFACTS, 'page-en.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the time slider plays through periods without an empty frame', async () => {
  const { page, errors } = await openPage('#g=quarter');
  const n = await page.evaluate(() => window.__hexwatch.steps.length);
  assert.ok(n >= 4, `${n} quarters`);
  await page.locator('#play').click();
  let minCells = Infinity;
  const seen = new Set();
  const t0 = Date.now();
  while (seen.size < 3 && Date.now() - t0 < 30_000) {
    const r = await page.evaluate(() => {
      const a = window.__hexwatch;
      const ids = a.hex.ids();
      return { step: a.state.step, cells: ids ? a.map.queryRenderedFeatures({ layers: [ids.query] }).length : 0 };
    });
    if (r.step != null) seen.add(r.step);
    minCells = Math.min(minCells, r.cells);
    await page.waitForTimeout(50);
  }
  await page.locator('#play').click();
  assert.ok(seen.size >= 3, `stepped through ${[...seen]}`);
  assert.ok(minCells > 0, 'a frame without hexagons while playing');
  assert.equal(await page.locator('#play').getAttribute('aria-pressed'), 'false');
  assert.deepEqual(errors, []);
  await page.close();
});

/** Records the page's requests whose URL matches `re`. */
function recordRequests(page, re) {
  const seen = [];
  page.on('request', (r) => { if (re.test(r.url())) seen.push(r.url()); });
  return seen;
}

test('the hotspots panel lists the API\'s hotspots, flies to one and draws the hotspot layer', async () => {
  const { page, errors } = await openPage('#p=hotspots');
  const asked = recordRequests(page, /\/api\/v1\/hotspots\?/);
  // The panel loaded before recording started: reload it through the tab to see its request.
  await page.locator('#tab-filters').click();
  await page.locator('#tab-hotspots').click();
  await page.locator('#hotspot-list li').first().waitFor({ timeout: 60_000 });
  const shown = await page.locator('#hotspot-list button').evaluateAll((bs) => bs.map((b) => ({ h3: b.dataset.h3, cls: b.querySelector('.badge').dataset.class })));
  assert.ok(asked.length > 0, 'no /hotspots request');
  const fc = await api(asked[asked.length - 1]);
  const want = fc.features.filter((f) => f.properties.class !== 'none').map((f) => ({ h3: f.properties.h3, cls: f.properties.class }));
  assert.ok(want.length > 0, 'the demo city has significant hotspots');
  assert.deepEqual(shown, want);
  assert.ok(want.some((x) => !x.cls.startsWith('cold')), 'a hot class among them');
  // Keyboard: the first item is a button reached and pressed with Enter.
  const first = fc.features.find((f) => f.properties.class !== 'none');
  await page.locator('#hotspot-list button').first().focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((h3) => window.__hexwatch.state.cell === h3, first.properties.h3, { timeout: 20_000 });
  const ring = first.geometry.type === 'Polygon' ? first.geometry.coordinates[0] : first.geometry.coordinates[0][0];
  const [w, s, e, n] = ring.reduce((b, [x, y]) => [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)], [Infinity, Infinity, -Infinity, -Infinity]);
  const c = await page.evaluate(() => window.__hexwatch.map.getCenter());
  assert.ok(c.lng >= w && c.lng <= e && c.lat >= s && c.lat <= n, `centre ${c.lng},${c.lat} outside ${[w, s, e, n]}`);
  await page.locator('#cell-count').waitFor();
  // The hotspot tile layer on demand.
  const hotTiles = recordRequests(page, /\/tiles\/hotspots\//);
  await page.locator('#hotspots-layer').check();
  await page.waitForFunction(() => location.hash.includes('hl=1'), null, { timeout: 5000 });
  await page.waitForFunction(() => {
    const m = window.__hexwatch.map;
    return m.areTilesLoaded() && m.queryRenderedFeatures({ layers: ['hotspots-line'] }).length > 0;
  }, null, { timeout: 60_000 });
  assert.ok(hotTiles.length > 0 && hotTiles.every((u) => /period=month/.test(u) && /from=/.test(u)), hotTiles[0]);
  const classes = await page.evaluate(() => [...new Set(window.__hexwatch.map.queryRenderedFeatures({ layers: ['hotspots-line'] }).map((f) => f.properties.class))]);
  assert.ok(classes.length > 0 && !classes.includes('none'), classes.join());
  await page.screenshot({ path: join(ARTIFACTS, 'hotspots.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the districts selector lists the demo\'s districts and the summary is the API\'s', async () => {
  const { page, errors, tiles } = await openPage('#p=districts');
  const { districts } = await api('/api/v1/districts');
  assert.equal(districts.length, 7, 'Kazan has 7 districts in the demo');
  await page.locator(`#district option[value="${districts[0].id}"]`).waitFor({ state: 'attached' });
  const options = await page.locator('#district option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(options.slice(1), districts.map((d) => [String(d.id), d.name]));
  // The busiest district by the API's own summary, so its lists are not empty.
  const summaries = await Promise.all(districts.map((d) => api(`/api/v1/districts/${d.id}/summary`)));
  const pick = summaries.reduce((a, b) => (b.count > a.count ? b : a));
  const asked = recordRequests(page, /\/api\/v1\/districts\/\d+\/summary/);
  tiles.length = 0;
  const swaps = await page.evaluate(() => window.__hexwatch.swaps);
  await page.locator('#district').selectOption(String(pick.id));
  await page.locator('#district-count').waitFor();
  assert.match(await page.locator('#districts-body h2').textContent(), new RegExp(pick.name));
  const summary = await api(asked[asked.length - 1]);
  const range = await page.evaluate(() => window.__hexwatch.range());
  assert.equal(new URL(asked[asked.length - 1]).searchParams.get('from'), range.from);
  assert.equal(Number(await page.locator('#district-count').getAttribute('data-count')), summary.count);
  assert.ok(summary.count > 0);
  assert.equal(await page.locator('#district-hotspots li').count(), summary.hotspots.length);
  assert.deepEqual(await page.locator('#district-fixes .badge').evaluateAll((bs) => bs.map((b) => b.dataset.verdict)), summary.fixes.map((f) => f.verdict));
  // The map follows: hexagon tiles of the district, its outline highlighted.
  await settled(page, swaps + 1);
  assert.ok(tiles.length > 0 && tiles.every((u) => new URL(u).searchParams.get('district') === String(pick.id)), tiles[0]);
  const sel = await page.evaluate(() => window.__hexwatch.map.queryRenderedFeatures({ layers: ['districts-sel'] }).length);
  assert.ok(sel > 0, 'the chosen outline is drawn');
  await page.waitForFunction((id) => location.hash.includes(`d=${id}`), pick.id, { timeout: 5000 });
  await page.screenshot({ path: join(ARTIFACTS, 'district.png') });
  // A summary hotspot flies to its cell.
  if (summary.hotspots.length) {
    await page.locator('#district-hotspots button').first().click();
    await page.waitForFunction((h3) => window.__hexwatch.state.cell === h3, summary.hotspots[0].h3, { timeout: 20_000 });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('the fixes panel shows the API\'s verdicts and a fix\'s effect, and the map draws the fixes', async () => {
  const { page, errors } = await openPage('#p=fixes&l=en');
  const { fixes } = await api('/api/v1/fixes');
  assert.equal(fixes.length, 4, 'the demo records 4 fixes');
  await page.locator('#fix-list li').nth(3).waitFor();
  assert.equal(await page.locator('#fix-list li').count(), 4);
  const badges = await page.locator('#fix-list .badge').evaluateAll((bs) => bs.map((b) => [b.dataset.verdict, b.textContent]));
  assert.deepEqual(badges.map((b) => b[0]), fixes.map((f) => f.verdict));
  assert.deepEqual(badges.map((b) => b[1]), fixes.map((f) => DICT.en[`verdict_${f.verdict}`]));
  // The effect of one fix the analysis could judge.
  const fix = fixes.find((f) => f.verdict !== 'insufficient_data') ?? fixes[0];
  const effect = await api(`/api/v1/fixes/${fix.id}/effect`);
  await page.locator(`#fix-list button[data-fix="${fix.id}"]`).click();
  await page.locator('#fix-effect').waitFor();
  assert.equal(await page.locator('#fix-effect').getAttribute('data-verdict'), effect.verdict);
  assert.equal(effect.verdict, fix.verdict);
  const sides = await page.locator('#fix-effect tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.side));
  assert.deepEqual(sides, ['area', 'ring', ...(effect.district ? ['district'] : [])]);
  const areaRow = await page.locator('#fix-effect tr[data-side=area] td').allTextContents();
  assert.equal(areaRow[0], effect.area.rate_before == null ? '—' : new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }).format(effect.area.rate_before));
  assert.equal(await page.locator('#fix-effect [lang=en]').textContent(), effect.reason);
  await page.waitForFunction((id) => location.hash.includes(`fx=${id}`), fix.id, { timeout: 5000 });
  // The map flew there and the fixes layer draws it in its verdict.
  await page.waitForFunction((c) => {
    const m = window.__hexwatch.map;
    const at = m.getCenter();
    return Math.abs(at.lng - c[0]) < 1e-3 && Math.abs(at.lat - c[1]) < 1e-3 && m.areTilesLoaded();
  }, fix.center, { timeout: 20_000 });
  await page.waitForFunction((id) => window.__hexwatch.map.queryRenderedFeatures({ layers: ['fixes-area'] }).some((f) => String(f.properties.id) === String(id)), fix.id, { timeout: 20_000 });
  const drawn = await page.evaluate((id) => window.__hexwatch.map.queryRenderedFeatures({ layers: ['fixes-area'] }).find((f) => String(f.properties.id) === String(id)).properties.verdict, fix.id);
  assert.equal(drawn, fix.verdict);
  await page.screenshot({ path: join(ARTIFACTS, 'fixes-en.png') });
  // A cell of another fix lists that fix with its verdict, and links to its effect.
  const other = fixes.find((f) => f.id !== fix.id);
  await page.evaluate((h3) => window.__hexwatch.selectCell(h3), other.cells[0]);
  const inCell = page.locator(`#cell-fixes button[data-fix="${other.id}"]`);
  await inCell.waitFor({ timeout: 20_000 });
  assert.equal(await inCell.locator('.badge').getAttribute('data-verdict'), other.verdict);
  await inCell.click();
  await page.waitForFunction((id) => document.querySelector(`#fix-list button[data-fix="${id}"]`)?.getAttribute('aria-pressed') === 'true', other.id, { timeout: 10_000 });
  await page.waitForFunction((v) => document.querySelector('#fix-effect')?.dataset.verdict === v, other.verdict, { timeout: 20_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('compare mode draws the change layer for the period before and the period shown', async () => {
  const { page, errors } = await openPage();
  const changeTiles = recordRequests(page, /\/tiles\/change\//);
  const swaps = await page.evaluate(() => window.__hexwatch.swaps);
  await page.locator('#compare').check();
  await settled(page, swaps + 1);
  assert.ok(changeTiles.length > 0, 'no change tiles requested');
  const range = await page.evaluate(() => window.__hexwatch.range());
  for (const u of changeTiles) {
    const q = new URL(u).searchParams;
    assert.ok(['from_a', 'to_a', 'from_b', 'to_b'].every((k) => /^\d{4}-\d\d-\d\d$/.test(q.get(k))), u);
    assert.equal(q.get('from_b'), range.from);
    assert.equal(q.get('to_a'), range.from, 'A ends where B starts');
  }
  const cells = await page.evaluate(() => {
    const a = window.__hexwatch;
    const ids = a.hex.ids();
    return { kind: ids.kind, fs: a.map.queryRenderedFeatures({ layers: [ids.query] }).map((f) => f.properties) };
  });
  assert.equal(cells.kind, 'change');
  assert.ok(cells.fs.length > 100, `${cells.fs.length} change cells`);
  assert.ok(cells.fs.every((p) => p.diff === p.b - p.a), 'diff is b − a');
  assert.ok(cells.fs.some((p) => p.diff > 0) && cells.fs.some((p) => p.diff < 0), 'both increases and decreases');
  assert.equal(await page.locator('#legend h3').textContent(), 'Изменение (B − A)');
  await page.waitForFunction(() => location.hash.includes('cmp=1'), null, { timeout: 5000 });
  await page.screenshot({ path: join(ARTIFACTS, 'compare.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a failing or missing analysis endpoint shows an error or not-available state', async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route(/\/api\/v1\/fixes(\?|$)/, (r) => r.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: 'boom' } }) }));
  // An older server without the endpoint answers a bare 404.
  await page.route(/\/api\/v1\/hotspots\?/, (r) => r.fulfill({ status: 404, body: '' }));
  await page.goto(`${ctx.server.url}/#p=fixes`);
  await settled(page);
  await page.locator('#fixes-body .notice.error').waitFor();
  assert.match(await page.locator('#fixes-body').textContent(), /boom/);
  await page.locator('#tab-hotspots').click();
  await page.locator('#hotspots-body .notice:not(.error)').waitFor();
  assert.match(await page.locator('#hotspots-body').textContent(), /Недоступно/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('without the npm packages the page says how to install them', async () => {
  const page = await ctx.browser.newPage();
  await page.route('**/node_modules/maplibre-gl/**', (r) => r.fulfill({ status: 404, body: '' }));
  await page.goto(`${ctx.server.url}/`);
  await page.locator('#status.error').waitFor();
  assert.match(await page.locator('#status').textContent(), /scripts\/web-setup\.sh/);
  await page.close();
});
