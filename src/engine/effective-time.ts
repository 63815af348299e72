/**
 * When a fact happened, as opposed to when it was recorded. Keyworkers often record
 * yesterday's appointment today; anything further back must say why, so an auditor can
 * tell a late entry from a rewritten history.
 */
import { validationError } from '../errors.ts';

/** How far back an effective time may be without a `backdateReason`. */
export const BACKDATE_GRACE_MS = 24 * 60 * 60 * 1000;
/** Clock skew tolerated between a client and the server before a time counts as future. */
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses `YYYY-MM-DD` (start of that day, UTC) or an ISO-8601 date-time with zone; null if neither. */
export function parseInstant(value: string): Date | null {
  if (!DATE_ONLY.test(value) && !ISO_TIME.test(value)) return null;
  const date = new Date(DATE_ONLY.test(value) ? `${value}T00:00:00.000Z` : value);
  if (Number.isNaN(date.getTime())) return null;
  // Reject calendar overflow such as 2026-02-31, which Date silently rolls over.
  if (DATE_ONLY.test(value) && date.toISOString().slice(0, 10) !== value) return null;
  return date;
}

export interface ResolvedTime {
  /** Normalised ISO-8601 UTC. */
  effectiveAt: string;
  backdateReason: string | null;
}

/**
 * Checks a caller's effective time against the clock.
 * @throws PathwaysError `validation_failed` naming `effectiveAt` (malformed or in the
 * future) or `backdateReason` (more than a day back without one).
 */
export function resolveEffectiveTime(now: Date, effectiveAt: string | undefined, backdateReason: string | undefined, field = 'effectiveAt'): ResolvedTime {
  const reason = typeof backdateReason === 'string' && backdateReason.trim() !== '' ? backdateReason.trim() : null;
  if (effectiveAt === undefined) return { effectiveAt: now.toISOString(), backdateReason: reason };
  const at = typeof effectiveAt === 'string' ? parseInstant(effectiveAt) : null;
  if (!at) {
    throw validationError(`${field} must be an ISO-8601 date-time with a zone (2026-03-02T09:30:00Z) or a date (2026-03-02).`, [
      { path: field, message: 'must be an ISO-8601 date-time or date' },
    ]);
  }
  if (at.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw validationError(`${field} ${effectiveAt} is in the future; record facts once they have happened.`, [
      { path: field, message: 'must not be in the future' },
    ]);
  }
  if (now.getTime() - at.getTime() > BACKDATE_GRACE_MS && reason === null) {
    throw validationError(`${field} ${effectiveAt} is more than a day ago: give a backdateReason saying why it is recorded late.`, [
      { path: 'backdateReason', message: 'required when the effective time is more than a day before now' },
    ]);
  }
  return { effectiveAt: at.toISOString(), backdateReason: reason };
}
