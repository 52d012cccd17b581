// Signing in with an API token: the token lives in sessionStorage (gone
// when the tab closes), goes out as `Authorization: Bearer` on API calls
// and, through MapLibre's transformRequest, on tile requests to this
// server only. The server decides; the page only hides what the role
// cannot use.

const KEY = 'hexwatch-token';
const ORDER = ['viewer', 'analyst', 'operator', 'admin'];

/** The stored token, or null. */
export function token() {
  return globalThis.sessionStorage?.getItem(KEY) ?? null;
}

/** Stores (or, with null, forgets) the token. */
export function setToken(t) {
  if (t) sessionStorage.setItem(KEY, t.trim());
  else sessionStorage.removeItem(KEY);
}

/** Headers carrying the token, if any. */
export function authHeaders() {
  const t = token();
  return t ? { authorization: `Bearer ${t}` } : {};
}

/** MapLibre's transformRequest: the token goes only to `origin`. */
export function transformRequest(origin) {
  return (url) => {
    const t = token();
    return t && url.startsWith(origin) ? { url, headers: { Authorization: `Bearer ${t}` } } : { url };
  };
}

/** Whether `role` is at least `need`. */
export function allows(role, need) {
  return role != null && ORDER.indexOf(role) >= ORDER.indexOf(need);
}

/**
 * What the server says about the caller: `{auth, role, districts}`,
 * `{invalid: true}` for a refused token, or null from a server without
 * auth (then everything is open).
 */
export async function whoami() {
  const r = await fetch('/api/v1/whoami', { headers: authHeaders() });
  if (r.status === 401) return { invalid: true };
  if (!r.ok || !(r.headers.get('content-type') ?? '').includes('json')) return null;
  return r.json();
}
