/**
 * The as-of time of a measure or list: "where were people at the end of this day". Today
 * (or no `asOf`) reads today's counters and clocks; a past day reads the history of counted
 * states (case-history.ts); a time after today measures today's journeys to that time.
 */
import { localDayOf } from '../../machines/calendar-days.ts';

/** A resolved as-of time. */
export interface AsOf {
  /** ISO-8601 UTC. */
  asOf: string;
  /** Its local calendar day in the service's time zone. */
  asOfDay: number;
  /** True for a day before today: states are read from the history. */
  past: boolean;
}

/**
 * Resolves a request's `asOf` against the clock. A past day reads the history; before the
 * first journey it finds nobody, as nobody was there. Today, and a time after today, read
 * today's journeys with ages and deadlines measured to that time (a look ahead: who will be
 * past a deadline by then if nothing changes).
 */
export function resolveAsOf(requested: string | undefined, now: Date, timeZone: string): AsOf {
  const asOf = requested ? new Date(requested).toISOString() : now.toISOString();
  const asOfDay = localDayOf(asOf, timeZone);
  return { asOf, asOfDay, past: asOfDay < localDayOf(now.toISOString(), timeZone) };
}
