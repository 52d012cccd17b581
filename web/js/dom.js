// Tiny DOM helpers: build elements without innerHTML for data from the API.

/** An element with attributes/properties and children (strings become text). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'style') el.style.cssText = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** `document.getElementById`. */
export const $ = (id) => document.getElementById(id);

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c != null));
}

/** A muted notice (or an error one). */
export function notice(text, error = false) {
  return h('p', { class: error ? 'notice error' : 'notice', role: error ? 'alert' : null }, text);
}
