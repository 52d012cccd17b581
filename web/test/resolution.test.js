import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricBreaks, metricRows, valuesByCell } from '../js/classes.js';
import { defaultState, fromHash, toHash } from '../js/state.js';
import { hexagonTilesUrl } from '../js/urls.js';

const O = 'http://127.0.0.1:8080';

test('the metric and the ranking order survive the hash; bad values fall back', () => {
  const s = { ...defaultState(), metric: 'median_hours', rankBy: 'responsible', panel: 'resolution' };
  const back = fromHash(toHash(s));
  assert.equal(back.metric, 'median_hours');
  assert.equal(back.rankBy, 'responsible');
  assert.equal(back.panel, 'resolution');
  assert.equal(toHash(defaultState()).includes('m='), false);
  const bad = fromHash('#m=speed&rb=sector');
  assert.equal(bad.metric, 'count');
  assert.equal(bad.rankBy, 'district');
});

test('hexagon tiles carry the metric unless it is the count', () => {
  const s = { ...defaultState(), metric: 'overdue_share' };
  assert.equal(hexagonTilesUrl(O, s, {}), `${O}/tiles/hexagons/{z}/{x}/{y}.mvt?metric=overdue_share`);
  assert.equal(hexagonTilesUrl(O, { ...s, metric: 'count' }, {}), `${O}/tiles/hexagons/{z}/{x}/{y}.mvt`);
});

test('continuous classes are the distinct type-7 quantiles above the minimum', () => {
  // 1..10: quantiles at .2 .4 .6 .8 = 2.8, 4.6, 6.4, 8.2 (numpy.quantile).
  const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const c = metricBreaks(v);
  assert.deepEqual(c.breaks.map((x) => Math.round(x * 10) / 10), [2.8, 4.6, 6.4, 8.2]);
  const rows = metricRows(c);
  assert.equal(rows.length, 5);
  assert.equal(rows[0].from, 1);
  assert.equal(rows[4].to, 10);
  // Equal values give one class.
  assert.deepEqual(metricBreaks([0.5, 0.5, 0.5]).breaks, []);
  assert.deepEqual(metricBreaks([]).breaks, []);
});

test('cells without a metric value are left out of the classes', () => {
  const f = [
    { properties: { h3: 'a', value: 3 } },
    { properties: { h3: 'b' } },
    { properties: { h3: 'a', value: 3 } },
  ];
  assert.deepEqual(valuesByCell(f, 'value'), [3]);
  assert.deepEqual(valuesByCell(f, 'count'), [0, 0]);
});
