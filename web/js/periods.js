// Periods (day, ISO week, month, quarter, year), the presets and the time
// slider's steps, on local dates. Ranges shown to people are inclusive
// (from … to); the API's `to` is exclusive, so `apiRange` adds a day.

import { addDays, addMonths, daysBetween, formatDay, parseDay } from './dates.js';

/** Granularities, as the API's `period` names them. */
export const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year'];

/** Most slider steps; a longer range asks for a coarser granularity. */
export const MAX_STEPS = 400;

/** The first day of the period of `g` holding day `s`. */
export function periodStart(s, g) {
  const d = new Date(parseDay(s));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (g) {
    case 'day': return s;
    case 'week': return addDays(s, -((d.getUTCDay() + 6) % 7)); // ISO: Monday
    case 'month': return formatDay(Date.UTC(y, m, 1));
    case 'quarter': return formatDay(Date.UTC(y, m - (m % 3), 1));
    case 'year': return formatDay(Date.UTC(y, 0, 1));
    default: throw new Error(`unknown granularity ${g}`);
  }
}

/** The first day of the period after the one starting on `start`. */
export function nextPeriod(start, g) {
  switch (g) {
    case 'day': return addDays(start, 1);
    case 'week': return addDays(start, 7);
    case 'month': return addMonths(start, 1);
    case 'quarter': return addMonths(start, 3);
    case 'year': return addMonths(start, 12);
    default: throw new Error(`unknown granularity ${g}`);
  }
}

/**
 * The slider's steps over the inclusive range [from, to]: one per period of
 * `g` meeting it, each clipped to the range: [{from, to}] with `to` inclusive.
 * Null when there would be more than MAX_STEPS.
 */
export function steps(from, to, g) {
  const out = [];
  if (!(parseDay(from) <= parseDay(to))) return out;
  for (let s = periodStart(from, g); parseDay(s) <= parseDay(to); s = nextPeriod(s, g)) {
    if (out.length === MAX_STEPS) return null;
    const end = addDays(nextPeriod(s, g), -1);
    out.push({
      from: parseDay(s) < parseDay(from) ? from : s,
      to: parseDay(end) > parseDay(to) ? to : end,
    });
  }
  return out;
}

/** The presets, relative to the newest day with data (inclusive ranges). */
export function preset(name, lastDay, firstDay) {
  const end = addDays(lastDay, 1);
  switch (name) {
    case 'days30': return { from: addDays(lastDay, -29), to: lastDay };
    case 'quarter': return { from: addMonths(end, -3), to: lastDay };
    case 'year': return { from: addMonths(end, -12), to: lastDay };
    case 'all': return { from: firstDay ?? addMonths(end, -36), to: lastDay };
    default: throw new Error(`unknown preset ${name}`);
  }
}

/** The API's half-open range for an inclusive one (open ends stay open). */
export function apiRange({ from, to }) {
  return { from, to: to ? addDays(to, 1) : to };
}

/** The range of the same length right before `r` (compare mode's "A"). */
export function previousRange(r) {
  const len = daysBetween(r.from, r.to) + 1;
  return { from: addDays(r.from, -len), to: addDays(r.from, -1) };
}
