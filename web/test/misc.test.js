import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { barChart } from '../js/chart.js';
import { bboxParam, cellRes, resForZoom, zoomForRes } from '../js/h3util.js';
import { DICT, t } from '../js/i18n.js';

test('both languages have every key, and no string is empty', () => {
  assert.deepEqual(Object.keys(DICT.en).sort(), Object.keys(DICT.ru).sort());
  for (const [l, d] of Object.entries(DICT)) for (const [k, v] of Object.entries(d)) assert.ok(v.trim(), `${l}.${k}`);
  assert.equal(t('stepOf', { i: 2, n: 13 }, 'en'), 'Step 2 of 13');
  assert.equal(t('stepOf', { i: 2, n: 13 }, 'ru'), 'Шаг 2 из 13');
});

test('every data-i18n key of the page is in the dictionary', () => {
  const html = readFileSync(new URL('../index.html', import.meta.url), 'utf8');
  const keys = [...html.matchAll(/data-i18n(?:-aria|-title)?="(\w+)"/g)].map((m) => m[1]);
  assert.ok(keys.length > 20);
  for (const k of keys) assert.ok(k in DICT.ru, k);
});

test('the zoom → resolution table is the server\'s (src/tiles/zoom.rs)', () => {
  const rs = readFileSync(new URL('../../src/tiles/zoom.rs', import.meta.url), 'utf8');
  const table = rs.match(/const ZOOM_RES[^=]*=\s*\[([^\]]*)\]/)[1].split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  for (let z = 0; z < table.length; z++) assert.equal(resForZoom(z + 0.7), table[z], `z ${z}`);
  assert.equal(zoomForRes(10), 12);
  assert.equal(resForZoom(zoomForRes(9)), 9);
});

test('cell resolution is read from the index bits', () => {
  assert.equal(cellRes('8a2a1072b59ffff'), 10);
  assert.equal(cellRes('89283082803ffff'), 9);
  assert.equal(cellRes('8011fffffffffff'), 0);
  assert.equal(bboxParam([-181, -90, 49.1234567, 55.7]), '-180,-85,49.12346,55.7');
});

test('the chart draws one bar per period and escapes its title', () => {
  const svg = barChart([{ label: 'Jan', value: 5 }, { label: 'Feb', value: 0 }, { label: 'Mar', value: 1 }], { title: 'x <y>' });
  assert.equal(svg.match(/<rect /g).length, 3);
  assert.ok(svg.includes('aria-label="x &lt;y&gt;"'));
  assert.ok(svg.includes('<title>Jan: 5</title>'));
});
