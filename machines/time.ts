/** Milliseconds in one hour; delays are declared in ms because the engine adds them to `event.at`. */
export const HOUR_MS = 60 * 60 * 1000;

/** Milliseconds in one day (24 h; the engine owns calendar-day boundaries). */
export const DAY_MS = 24 * HOUR_MS;

/** Days from referral (or re-entry) to first intervention start before the waiting-time target is breached (NDTMS: 21 days or fewer). */
export const WAITING_TIME_DAYS = 21;

/** Days between care-plan reviews with a TOP (at least every 6 months). */
export const REVIEW_INTERVAL_DAYS = 182;

/** Days after a successful completion without re-presentation before recovery counts as sustained (PHOF successful completion, NICE QS23: at least 6 months of support). */
export const RECOVERY_SUSTAINED_DAYS = 182;

/** Days after prison release within which community treatment should engage the person (continuity of care). */
export const CONTINUITY_OF_CARE_DAYS = 21;

/** Default recovery check-up schedule, in days after a successful completion: 4 weeks, 3 months, 6 months (a local choice; configurable per journey). */
export const DEFAULT_CHECKUP_SCHEDULE_DAYS: readonly number[] = [28, 91, 182];

/** Returns the calendar-date part (`YYYY-MM-DD`) of an ISO-8601 date or date-time. */
export function toDate(isoDateOrTime: string): string {
  return isoDateOrTime.slice(0, 10);
}

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** True for a non-empty ISO-8601 date (`YYYY-MM-DD`) or date-time string that parses. */
export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && DATE_PATTERN.test(value) && !Number.isNaN(Date.parse(value));
}
