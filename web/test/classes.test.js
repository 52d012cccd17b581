import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeBreaks, HEAT, legendRows, quantile, quantileBreaks, stepExpression, valuesByCell } from '../js/classes.js';

test('quantile is type 7 (NumPy and R default)', () => {
  // numpy.quantile([1, 2, 3, 4, 10], [0, .25, .5, .9, 1]) = [1, 2, 3, 7.6, 10]
  const v = [1, 2, 3, 4, 10];
  assert.deepEqual([0, 0.25, 0.5, 0.9, 1].map((p) => quantile(v, p)).map((x) => +x.toFixed(9)), [1, 2, 3, 7.6, 10]);
});

test('quintile breaks of 1..100 split the counts in five equal classes', () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  // type-7 quintiles 20.8, 40.6, 60.4, 80.2 → classes start at 21, 41, 61, 81
  const c = quantileBreaks(v);
  assert.deepEqual(c, { breaks: [21, 41, 61, 81], min: 1, max: 100 });
  assert.deepEqual(legendRows(c).map((r) => [r.from, r.to]), [[1, 20], [21, 40], [41, 60], [61, 80], [81, 100]]);
  assert.deepEqual(legendRows(c).map((r) => r.color), HEAT);
});

test('skewed counts with few distinct values give fewer, strictly rising classes', () => {
  const v = [1, 1, 1, 1, 1, 1, 1, 2, 2, 50];
  const c = quantileBreaks(v);
  // quantiles 1, 1, 1.4, 2 → starts 2, 2, 2, 3: folded to 2, 3
  assert.deepEqual(c.breaks, [2, 3]);
  assert.deepEqual(legendRows(c).map((r) => [r.from, r.to]), [[1, 1], [2, 2], [3, 50]]);
});

test('no values, or all equal, give one class', () => {
  assert.deepEqual(quantileBreaks([]), { breaks: [], min: 0, max: 0 });
  assert.deepEqual(quantileBreaks([7, 7, 7]).breaks, []);
  assert.equal(stepExpression('count', [], HEAT), HEAT[0]);
});

test('the step expression pairs each break with the next colour', () => {
  assert.deepEqual(stepExpression('count', [5, 9], ['a', 'b', 'c']), ['step', ['coalesce', ['get', 'count'], 0], 'a', 5, 'b', 9, 'c']);
});

test('change classes are symmetric around zero', () => {
  // sorted |diff| = 0 1 1 3 4 5 7 8 9 10 10: median (h = 5) is 5, p90 (h = 9) is 10
  const c = changeBreaks([-10, -9, -8, -4, -1, 0, 1, 3, 5, 7, 10]);
  assert.deepEqual(c.breaks, [-9, -4, 5, 10]);
  assert.equal(c.max, 10);
});

test('cells repeated across tiles count once', () => {
  const f = (h3, count) => ({ properties: { h3, count } });
  assert.deepEqual(valuesByCell([f('a', 3), f('b', 5), f('a', 3), f('c', 0)]), [3, 5, 0]);
});
