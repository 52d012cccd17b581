import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultState } from '../js/state.js';
import { changeTilesUrl, hexagonTilesUrl } from '../js/urls.js';

const O = 'http://127.0.0.1:8080';

test('hexagon tiles carry sectors, the half-open range and the district', () => {
  const s = { ...defaultState(), sectors: ['roads', 'health'], district: '4' };
  assert.equal(
    hexagonTilesUrl(O, s, { from: '2026-01-01', to: '2026-01-31' }),
    `${O}/tiles/hexagons/{z}/{x}/{y}.mvt?sector=roads,health&from=2026-01-01&to=2026-02-01&district=4`,
  );
  assert.equal(hexagonTilesUrl(O, defaultState(), {}), `${O}/tiles/hexagons/{z}/{x}/{y}.mvt`);
});

test('change tiles carry both half-open ranges and no plain from/to', () => {
  const s = { ...defaultState(), sectors: ['roads'] };
  const url = changeTilesUrl(O, s, { from: '2026-08-31', to: '2026-09-30' }, { from: '2026-10-01', to: '2026-10-31' });
  assert.equal(url, `${O}/tiles/change/{z}/{x}/{y}.mvt?sector=roads&from_a=2026-08-31&to_a=2026-10-01&from_b=2026-10-01&to_b=2026-11-01`);
});
