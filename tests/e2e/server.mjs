// Starts a real `hexwatch serve --demo` (debug binary) on a free loopback
// port over a fresh SQLite file, and a headless Debian Chromium.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const ARTIFACTS = join(ROOT, 'target', 'e2e-artifacts');

/** Flags from NOTES.md: WebGL through SwiftShader, and no calls to hosts the closed network refuses. */
const CHROMIUM_ARGS = [
  '--no-sandbox', '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Starts the server; resolves to {url, stop(), tokens} once it listens.
 * `roles` get a token each (`tokens[role]`), made with `hexwatch token
 * create` before the start; `args` are extra `serve` flags.
 */
export async function startServer({ args = [], roles = [], appeals: demoAppeals } = {}) {
  const bin = process.env.HEXWATCH_BIN ?? join(ROOT, 'target', 'debug', 'hexwatch');
  const dir = mkdtempSync(join(tmpdir(), 'hexwatch-e2e-'));
  const db = `sqlite://${join(dir, 'e2e.db')}`;
  const tokens = {};
  for (const role of roles) {
    tokens[role] = execFileSync(bin, ['token', 'create', '--role', role, '--db', db], { encoding: 'utf8' }).trim();
  }
  // Half the README's demo: seeding 200 000 in a debug build took 15 s on an
  // idle machine and up to 47 s on a busy one; 100 000 keep the hotspots.
  const appeals = demoAppeals ?? process.env.HEXWATCH_E2E_APPEALS ?? '100000';
  const child = spawn(bin, [
    'serve', '--db', db, '--listen', '127.0.0.1:0',
    '--demo', '--demo-appeals', appeals, '--web-dir', join(ROOT, 'web'), ...args,
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', RUST_LOG: 'info,tower_http=warn,sqlx=warn' } });
  let log = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start in 120 s:\n${log}`)), 120_000);
    const onData = (b) => {
      log += b;
      const m = log.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited with ${code}:\n${log}`)); });
  });
  const stop = async () => {
    if (child.exitCode == null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode == null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, stop, log: () => log, tokens };
}

/** Launches Debian's Chromium headless. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}
