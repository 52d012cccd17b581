// Calendar arithmetic on plain local dates ('YYYY-MM-DD'). The server reads a
// date as midnight in the region's zone, so the page never needs a zone: it
// works on calendar days, done in UTC to stay clear of the browser's own DST.

const DAY_MS = 86400000;

/** 'YYYY-MM-DD' → UTC milliseconds at midnight, or NaN when malformed. */
export function parseDay(s) {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return NaN;
  const [y, m, d] = s.split('-').map(Number);
  const t = Date.UTC(y, m - 1, d);
  return formatDay(t) === s ? t : NaN;
}

/** UTC milliseconds → 'YYYY-MM-DD'. */
export function formatDay(t) {
  return new Date(t).toISOString().slice(0, 10);
}

/** True for a real calendar date written 'YYYY-MM-DD'. */
export function isDay(s) {
  return !Number.isNaN(parseDay(s));
}

/** The day `n` days after `s`. */
export function addDays(s, n) {
  return formatDay(parseDay(s) + n * DAY_MS);
}

/** The day `n` months after `s`, clamped to the month's last day. */
export function addMonths(s, n) {
  const d = new Date(parseDay(s));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + n;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return formatDay(Date.UTC(y, m, Math.min(d.getUTCDate(), last)));
}

/** Days from `a` to `b` (b − a). */
export function daysBetween(a, b) {
  return Math.round((parseDay(b) - parseDay(a)) / DAY_MS);
}
