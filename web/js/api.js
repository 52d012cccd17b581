// Fetching from the hexwatch API. An older server may lack an endpoint: a
// bare 404, 405 or 501, or the page itself where JSON was asked for, means
// "not available", which panels show as such instead of as an error. A JSON
// 404 in the SPEC's error shape names a missing record and is an error.

import { authHeaders } from './auth.js';

/** Thrown for an endpoint the server does not offer (yet). */
export class Unavailable extends Error {
  constructor(url, status) {
    super(`${url}: ${status}`);
    this.status = status;
  }
}

/** Statuses that mean the endpoint is missing, not that the request was bad. */
const MISSING = new Set([404, 405, 501]);

/**
 * GETs JSON from `path` with `params` (URLSearchParams or object). Throws
 * `Unavailable` for a missing endpoint and Error with the SPEC's error
 * message otherwise.
 */
export async function getJson(path, params, { signal } = {}) {
  const url = withQuery(path, params);
  const r = await fetch(url, { signal, headers: { accept: 'application/json', ...authHeaders() } });
  if (MISSING.has(r.status)) {
    const body = await r.json().catch(() => null);
    if (r.status !== 404 || !body?.error) throw new Unavailable(url, r.status);
    throw new Error(body.error.message);
  }
  if (r.ok && !(r.headers.get('content-type') ?? '').includes('json')) {
    // An older server answers unknown API paths with the page itself.
    throw new Unavailable(url, r.status);
  }
  if (!r.ok) {
    const body = await r.json().catch(() => null);
    throw new Error(body?.error?.message ?? `${r.status} ${r.statusText}`);
  }
  return r.json();
}

/** `path?query` (no '?' when the query is empty). */
export function withQuery(path, params) {
  const q = params instanceof URLSearchParams ? params : new URLSearchParams(clean(params ?? {}));
  const s = q.toString().replaceAll('%2C', ',');
  return s ? `${path}?${s}` : path;
}

function clean(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v != null && v !== ''));
}
