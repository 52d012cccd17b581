// The resolution features of the map page in a real headless Chromium
// against a real `hexwatch serve --demo`: the metric switch (tile URLs,
// colours by `value`, a legend with units) and the Resolution panel, whose
// ranking and process-change verdicts must equal the API's own answers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS } from './server.mjs';
import { renderedCells, settled, usePage } from './page.mjs';
import { DICT } from '../../web/js/i18n.js';

const ctx = usePage();
const { api, openPage } = ctx;

test('the metric switch changes the tile URLs, the colours and the legend', async () => {
  const { page, errors, tiles } = await openPage();
  assert.ok(tiles.every((u) => !u.includes('metric=')), tiles[0]);
  assert.equal(await page.locator('#legend').getAttribute('data-metric'), 'count');
  for (const [metric, unit] of [['median_hours', /ч|дн\./], ['overdue_share', /%/]]) {
    tiles.length = 0;
    const swaps = await page.evaluate(() => window.__hexwatch.swaps);
    await page.locator('#metric').selectOption(metric);
    await settled(page, swaps + 1);
    assert.ok(tiles.length > 0, 'no new tile requests');
    assert.ok(tiles.every((u) => new URL(u).searchParams.get('metric') === metric), tiles[0]);
    const cells = Object.values(await renderedCells(page));
    const valued = cells.filter((p) => p.value != null);
    assert.ok(valued.length > 50, `${valued.length} of ${cells.length} cells have a ${metric}`);
    if (metric === 'overdue_share') assert.ok(valued.every((p) => p.value >= 0 && p.value <= 1));
    assert.equal(await page.locator('#legend').getAttribute('data-metric'), metric);
    assert.equal(await page.locator('#legend h3').textContent(), DICT.ru[`legend_${metric}`]);
    const labels = await page.locator('#legend li').allTextContents();
    assert.ok(labels.length >= 3 && labels.every((l) => unit.test(l)), labels.join(' | '));
    assert.match(await page.evaluate(() => location.hash), new RegExp(`m=${metric}`));
    await page.locator('#map').screenshot({ path: join(ARTIFACTS, `metric-${metric}.png`) });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

/** The ranking table as shown: [{key, count}]. */
function shownRanking(page) {
  return page.evaluate(() => [...document.querySelectorAll('#ranking tbody tr')].map((tr) => ({
    key: tr.dataset.key,
    count: Number(tr.children[2].textContent.replace(/\s/g, '')),
  })));
}

test('the Resolution panel ranks units as the API does and shows the planted change', async () => {
  const { page, errors } = await openPage('#p=resolution');
  for (const by of ['district', 'responsible']) {
    if (by === 'responsible') await page.locator('#rank-by').selectOption(by);
    await page.waitForFunction((b) => location.hash.includes('p=resolution')
      && document.querySelector('#ranking tbody tr') && (b === 'district' || location.hash.includes('rb=responsible')), by);
    // The API's answer for the page's own query.
    const query = await page.evaluate(async () => {
      const { rankingQuery } = await import('/js/resolution.js');
      const a = window.__hexwatch;
      return rankingQuery(a.state, a.range()).toString();
    });
    const want = (await api(`/api/v1/resolution/ranking?${query}`)).units
      .map((u) => ({ key: String(u.key ?? ''), count: u.count }));
    assert.ok(want.length >= (by === 'district' ? 7 : 10), `${want.length} units by ${by}`);
    await page.waitForFunction((n) => document.querySelectorAll('#ranking tbody tr').length === n, want.length);
    assert.deepEqual(await shownRanking(page), want);
  }
  const item = page.locator('#change-list li').first();
  await item.waitFor();
  const list = (await api('/api/v1/process-changes')).process_changes;
  assert.equal(list.length, 1);
  const effect = (await api(`/api/v1/process-changes/${list[0].id}/effect`)).effect;
  assert.equal(effect.verdict, 'faster');
  assert.equal(await item.getAttribute('data-verdict'), effect.verdict);
  assert.equal(await item.locator('.badge').textContent(), DICT.ru.pverdict_faster);
  await page.screenshot({ path: join(ARTIFACTS, 'resolution-panel-ru.png') });
  assert.deepEqual(errors, []);
  await page.close();
});
