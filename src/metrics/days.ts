/**
 * Calendar days as integers (days since 1970-01-01, UTC). Every measure counts whole
 * days, so histograms bucket by this number and ages are simple subtractions.
 */

const DAY_MS = 86_400_000;

/** The UTC calendar day of a `YYYY-MM-DD` date or an ISO-8601 date-time. */
export function dayOf(value: string): number {
  const ms = Date.parse(`${value.slice(0, 10)}T00:00:00.000Z`);
  if (Number.isNaN(ms)) throw new Error(`"${value}" is not a date: expected YYYY-MM-DD or an ISO-8601 date-time.`);
  return Math.floor(ms / DAY_MS);
}

/** The `YYYY-MM-DD` of a day number. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The Monday that starts the ISO week holding `day` (1970-01-01 was a Thursday). */
export function weekStartOf(day: number): number {
  return day - ((day + 3) % 7);
}
