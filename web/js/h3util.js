// The little H3 and tile arithmetic the page needs without an H3 library.

/** The resolution of a hexadecimal H3 cell index (bits 52–55). */
export function cellRes(h3) {
  return parseInt(h3[1], 16);
}

/**
 * The H3 resolution the server's hexagon tiles use at a zoom: the same table
 * as `src/tiles/zoom.rs` (a hexagon 12–28 px across at 55° N).
 */
const ZOOM_RES = [1, 2, 3, 3, 4, 5, 5, 6, 7, 8, 8, 9, 10, 10, 11, 12, 13, 13, 14, 15];

/** The tile resolution at a (fractional) map zoom; MapLibre loads floor(zoom) tiles. */
export function resForZoom(zoom) {
  const z = Math.max(0, Math.floor(zoom));
  return ZOOM_RES[Math.min(z, ZOOM_RES.length - 1)];
}

/** The lowest zoom whose tiles show cells of resolution `res` (or finer). */
export function zoomForRes(res) {
  const z = ZOOM_RES.findIndex((r) => r >= res);
  return z < 0 ? ZOOM_RES.length - 1 : z;
}

/** [w, s, e, n] of a GeoJSON geometry's coordinates. */
export function geometryBounds(geometry) {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]);
      s = Math.min(s, c[1]); n = Math.max(n, c[1]);
    } else c.forEach(visit);
  };
  visit(geometry.coordinates);
  return [w, s, e, n];
}

/** A bbox parameter `w,s,e,n` for the API, rounded to ~1 m, clamped to valid degrees. */
export function bboxParam([w, s, e, n]) {
  const f = (x) => Number(x.toFixed(5));
  const lon = (x) => Math.max(-180, Math.min(180, x));
  const lat = (x) => Math.max(-85, Math.min(85, x));
  return [f(lon(w)), f(lat(s)), f(lon(e)), f(lat(n))].join(',');
}
