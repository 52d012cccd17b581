// Signing in on a server with auth on: without a token the page shows only
// the sign-in box; a refused token says so; a viewer's token loads the map
// with its tiles requested under `Authorization: Bearer`, shows the role
// and hides the exports a viewer may not make; an analyst sees them.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, launchBrowser, startServer } from './server.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ args: ['--auth', 'on'], roles: ['viewer', 'analyst'], appeals: '20000' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(page, token) {
  await page.locator('#login').waitFor();
  await page.fill('#login-token', token);
  await page.click('#login-submit');
}

test('the page signs in with a token and shows only what the role allows', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const tiles = [];
  page.on('request', (r) => {
    if (r.url().includes('/tiles/hexagons/')) tiles.push(r.headers().authorization ?? null);
  });
  await page.goto(`${server.url}/`);
  await page.locator('#login').waitFor();
  assert.equal(await page.evaluate(() => window.__hexwatch.map), null, 'no map before signing in');

  await signIn(page, 'hw_not-a-token');
  await page.locator('#login-error').waitFor();
  assert.match(await page.locator('#login-error').textContent(), /не принят|refused/);

  await signIn(page, server.tokens.viewer);
  await page.waitForFunction(() => window.__hexwatch?.hex && window.__hexwatch.map.areTilesLoaded() && (window.__hexwatch.swaps ?? 0) >= 1, null, { timeout: 60_000 });
  assert.equal(await page.locator('#login').isHidden(), true);
  assert.equal(await page.locator('#role').getAttribute('data-role'), 'viewer');
  assert.equal(await page.locator('#export-csv').isHidden(), true);
  assert.ok(tiles.length > 0, 'tiles were requested');
  assert.ok(tiles.every((h) => h === `Bearer ${server.tokens.viewer}`), `tile requests without the token: ${tiles}`);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('hexwatch-token')), server.tokens.viewer);
  await page.screenshot({ path: join(ARTIFACTS, 'login-viewer.png') });

  // Signing out forgets the token; an analyst then sees the exports.
  await page.click('#logout');
  await signIn(page, server.tokens.analyst);
  await page.waitForFunction(() => window.__hexwatch?.hex, null, { timeout: 60_000 });
  assert.equal(await page.locator('#role').getAttribute('data-role'), 'analyst');
  assert.equal(await page.locator('#export-csv').isHidden(), false);
  assert.deepEqual(errors, []);
  await page.close();
});
