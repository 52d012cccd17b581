import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultState, filterQuery, fromHash, toHash } from '../js/state.js';

test('a full state survives the hash round trip', () => {
  const s = {
    ...defaultState(),
    center: [49.12345, 55.78901],
    zoom: 12.5,
    sectors: ['roads', 'housing'],
    from: '2025-11-01',
    to: '2026-10-31',
    granularity: 'week',
    step: 7,
    cell: '8a2a1072b59ffff',
    lang: 'en',
    panel: 'hotspots',
    opacity: 0.55,
    extrude: true,
    compare: true,
    district: '12',
    fix: '3',
    hotLayer: true,
  };
  const h = toHash(s);
  assert.equal(h, '#c=49.12345,55.78901&z=12.50&s=roads,housing&f=2025-11-01&t=2026-10-31&g=week&i=7&cell=8a2a1072b59ffff&l=en&p=hotspots&o=0.55&x=1&cmp=1&d=12&fx=3&hl=1');
  assert.deepEqual(fromHash(h), s);
});

test('defaults are left out of the hash and come back', () => {
  assert.equal(toHash(defaultState()), '#');
  assert.deepEqual(fromHash(''), defaultState());
  assert.deepEqual(fromHash('#'), defaultState());
});

test('bad values fall back to defaults one by one', () => {
  const s = fromHash('#c=200,55&z=99&s=roads,<b>,roads&f=2025-02-30&t=2025-03-01&g=fortnight&i=-1&cell=zz&l=de&p=admin&o=3&x=yes&d=a b&fx=-2&hl=yes');
  const d = defaultState();
  assert.equal(s.center, null);
  assert.equal(s.zoom, null);
  assert.deepEqual(s.sectors, ['roads']); // unsafe code dropped, repeat folded
  assert.equal(s.from, null); // 30 February does not exist
  assert.equal(s.to, null);
  for (const k of ['granularity', 'step', 'cell', 'lang', 'panel', 'opacity', 'extrude', 'district', 'fix', 'hotLayer']) {
    assert.deepEqual(s[k], d[k], k);
  }
});

test('a range with from after to is refused whole', () => {
  const s = fromHash('#f=2025-05-01&t=2025-04-30');
  assert.equal(s.from, null);
  assert.equal(s.to, null);
});

test('the filter query carries sectors, range and district only when set', () => {
  assert.equal(filterQuery(defaultState(), null).toString(), '');
  const q = filterQuery({ ...defaultState(), sectors: ['roads', 'health'], district: '3' }, { from: '2025-01-01', to: '2025-02-01' });
  assert.equal(q.toString(), 'sector=roads%2Chealth&from=2025-01-01&to=2025-02-01&district=3');
});
