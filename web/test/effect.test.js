import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectSides, pct, pText } from '../js/effect.js';

// The shape of GET /api/v1/fixes/{id}/effect (src/analysis/fixes/effect.rs).
const effect = {
  fix_id: 2,
  area: { cells: 7, before: 60, after: 6, rate_before: 20, rate_after: 2, change: -0.9, p: 1e-12 },
  ring: { cells: 30, k: [1, 2], before: 90, after: 93, rate_before: 30, rate_after: 31, change: 0.0333, p: 0.8 },
  district: null,
  verdict: 'stopped',
};

test('an effect shows its area and ring, and its district only when there is one', () => {
  assert.deepEqual(effectSides(effect).map((s) => s.key), ['area', 'ring']);
  const withDistrict = { ...effect, district: { id: 3, name: 'Вахитовский', before: 900, after: 880, rate_before: 300, rate_after: 293.3, change: -0.022, p: 0.6 } };
  const sides = effectSides(withDistrict);
  assert.deepEqual(sides.map((s) => [s.key, s.label]), [['area', null], ['ring', null], ['district', 'Вахитовский']]);
  assert.equal(sides[2].rate_after, 293.3);
  assert.deepEqual(effectSides(null), []);
});

test('changes are signed percentages and tiny p-values are bounded', () => {
  // fmt follows the language; the module default is Russian (comma decimals, no-break spaces).
  assert.equal(pct(-0.9), '−90 %');
  assert.equal(pct(0.0333), '+3,3 %');
  assert.equal(pct(0), '0 %');
  assert.equal(pct(null), '—');
  assert.equal(pct(Infinity), '—');
  assert.equal(pText(1e-12), '< 0,001');
  assert.equal(pText(0.04567), '0,046');
  assert.equal(pText(null), '—');
});
