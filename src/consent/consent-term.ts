/**
 * How long a consent runs when the person agreed to no particular end: 12 months from the
 * day it was given, to be renewed with them (good practice is to revisit consent at least
 * yearly; an open-ended one outlives the person's memory of giving it). Never the day it
 * was given: a consent recorded for a referral must not lapse before the referral is read.
 */

/** Months a consent runs by default. */
export const DEFAULT_CONSENT_MONTHS = 12;

/** The last valid day of a consent given on `givenOn` for `months` (the day before the same date `months` on). */
export function defaultValidUntil(givenOn: string, months: number = DEFAULT_CONSENT_MONTHS): string {
  const d = new Date(`${givenOn}T00:00:00Z`);
  const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate()));
  // 31 January + 1 month is 3 March in Date arithmetic: keep to the month's last day instead.
  if (end.getUTCDate() !== d.getUTCDate()) end.setUTCDate(0);
  else end.setUTCDate(end.getUTCDate() - 1);
  return end.toISOString().slice(0, 10);
}
