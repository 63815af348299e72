/**
 * Where a consent stands on a day, in words for the person's page and the caseload's
 * warning: active, expiring within 30 days, expired, withdrawn. Pure.
 */

/** Days before expiry a consent is flagged (the caseload warns as well). */
export const EXPIRY_WARNING_DAYS = 30;

/** A consent as the page reads it. */
export interface ConsentDates {
  givenOn: string;
  validUntil: string | null;
  withdrawnAt: string | null;
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The same day a year on (29 February → 28 February). */
export function nextYear(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const next = new Date(Date.UTC(d.getUTCFullYear() + 1, d.getUTCMonth(), d.getUTCDate()));
  if (next.getUTCMonth() !== d.getUTCMonth()) next.setUTCDate(0);
  return next.toISOString().slice(0, 10);
}

/** The status code and its words. */
export function consentStatus(c: ConsentDates, today: string): { code: 'active' | 'expiring' | 'expired' | 'withdrawn' | 'not_yet'; label: string } {
  if (c.withdrawnAt !== null) return { code: 'withdrawn', label: `Withdrawn ${c.withdrawnAt.slice(0, 10)}` };
  if (c.givenOn > today) return { code: 'not_yet', label: `From ${c.givenOn}` };
  if (c.validUntil !== null && c.validUntil < today) return { code: 'expired', label: `Expired after ${c.validUntil}` };
  if (c.validUntil !== null) {
    const left = daysBetween(today, c.validUntil);
    if (left <= EXPIRY_WARNING_DAYS) return { code: 'expiring', label: left === 0 ? 'Active, last day today' : `Active, expires in ${left} day${left === 1 ? '' : 's'}` };
  }
  return { code: 'active', label: 'Active' };
}
