/**
 * Calendar days in the service's time zone: the one rule every clock of Pathways counts by
 * (timers, the journey's flags, the journey list's overdue filter, live messages, measures).
 *
 * "Within N days" counts the start day as day 0 and runs to the end of local day N; a
 * breach begins at the first instant of local day N + 1. Days are local calendar days, so a
 * day across a clock change is 23 or 25 hours long (Europe/London: late March and late
 * October) and the breach still falls at local midnight. Pure: `Intl` only, no clock.
 */

/** The service's time zone unless configured otherwise (`PATHWAYS_TIME_ZONE`). */
export const DEFAULT_TIME_ZONE = 'Europe/London';

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// Every time zone's offset is a whole number of quarter hours, so the local date of any
// instant is the local date of the start of its quarter hour: cache by that.
const QUARTER_MS = 900_000;
const CACHE_LIMIT = 4096;

const formatters = new Map<string, Intl.DateTimeFormat>();
const dateCaches = new Map<string, Map<number, string>>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone name this runtime knows (`Europe/London`, `UTC`). */
export function isTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone.length === 0) return false;
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Local wall-clock fields of an instant. */
function wallClock(ms: number, timeZone: string): { y: number; m: number; d: number; h: number; min: number } {
  const parts = formatterOf(timeZone).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), min: get('minute') };
}

/** Offset of local time from UTC at an instant, in ms (London: 0 in winter, +1 h in summer). */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.h, w.min);
  return asUtc - Math.floor(ms / 60_000) * 60_000;
}

/** The local calendar date (`YYYY-MM-DD`) of an instant (ms since the epoch). */
export function localDateOfMs(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  let cache = dateCaches.get(timeZone);
  if (!cache) {
    cache = new Map();
    dateCaches.set(timeZone, cache);
  }
  const key = Math.floor(ms / QUARTER_MS);
  let date = cache.get(key);
  if (date === undefined) {
    const w = wallClock(key * QUARTER_MS, timeZone);
    date = `${String(w.y).padStart(4, '0')}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, date);
  }
  return date;
}

/**
 * The local calendar date of a date or date-time: a `YYYY-MM-DD` date is already one (a
 * date is a day, whatever the zone); an ISO-8601 date-time is read in `timeZone`.
 * @throws Error when the value is neither.
 */
export function localDateOf(value: string, timeZone: string = DEFAULT_TIME_ZONE): string {
  if (DATE_ONLY.test(value)) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`"${value}" is not a date: expected YYYY-MM-DD or an ISO-8601 date-time.`);
  return localDateOfMs(ms, timeZone);
}

/** The day number (days since 1970-01-01) of a `YYYY-MM-DD` calendar date. */
export function dayNumberOf(date: string): number {
  const ms = Date.parse(`${date.slice(0, 10)}T00:00:00.000Z`);
  if (Number.isNaN(ms)) throw new Error(`"${date}" is not a date: expected YYYY-MM-DD.`);
  return Math.floor(ms / DAY_MS);
}

/** The `YYYY-MM-DD` calendar date of a day number. */
export function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The local day number of a date or date-time (see `localDateOf`). */
export function localDayOf(value: string, timeZone: string = DEFAULT_TIME_ZONE): number {
  return dayNumberOf(localDateOf(value, timeZone));
}

/** The calendar date `days` after `date` (negative goes back). */
export function addDays(date: string, days: number): string {
  return dateOfDayNumber(dayNumberOf(date) + days);
}

/** Whole calendar days from `from` to `to` (dates; `to` on the day after `from` is 1). */
export function daysBetween(from: string, to: string): number {
  return dayNumberOf(to) - dayNumberOf(from);
}

/**
 * The first instant (ms since the epoch) of a local calendar date. Where a clock change
 * skips local midnight, the first instant that exists on that date.
 */
export function startOfLocalDay(date: string, timeZone: string = DEFAULT_TIME_ZONE): number {
  const midnightUtc = dayNumberOf(date) * DAY_MS;
  // Local midnight is midnight UTC minus the offset in force then; the offset may differ
  // either side of a change, so settle it with a second look.
  let guess = midnightUtc - offsetAt(midnightUtc, timeZone);
  guess = midnightUtc - offsetAt(guess, timeZone);
  if (localDateOfMs(guess, timeZone) !== date) {
    // Midnight did not exist (the clocks went forward at 00:00): walk to the day's first quarter hour.
    while (localDateOfMs(guess, timeZone) < date) guess += QUARTER_MS;
  }
  return guess;
}

/**
 * When a "within `days` days of `startDate`" standard is breached: the first instant of
 * local day `days + 1` counted from the start day (day 0).
 */
export function breachInstant(startDate: string, days: number, timeZone: string = DEFAULT_TIME_ZONE): number {
  return startOfLocalDay(addDays(localDateOf(startDate, timeZone), days + 1), timeZone);
}

/** True when `onDate` is within `days` days of `startDate` (day `days` itself counts as within). */
export function isWithinDays(startDate: string, onDate: string, days: number, timeZone: string = DEFAULT_TIME_ZONE): boolean {
  return daysBetween(localDateOf(startDate, timeZone), localDateOf(onDate, timeZone)) <= days;
}

/**
 * A timer delay in ms from `fromAt` (the event's effective time, which the engine adds the
 * delay to) until the instant `dueMs`; never negative, so a deadline already passed falls
 * due at once.
 */
export function delayUntil(dueMs: number, fromAt: string): number {
  const from = Date.parse(fromAt);
  if (Number.isNaN(from)) throw new Error(`"${fromAt}" is not an ISO-8601 time.`);
  return Math.max(0, dueMs - from);
}
