/**
 * Slows down password guessing: after a few failed sign-ins for one email from one
 * address within a window, further attempts answer 429 with `Retry-After` until the
 * window passes. Kept in memory: one server process serves one area, and a restart
 * only forgives the current window.
 */

/** Failed attempts allowed per email and address before sign-in is paused. */
export const MAX_FAILURES = 5;
/** The window, in milliseconds, over which failures are counted. */
export const WINDOW_MS = 15 * 60_000;

interface Entry {
  failures: number;
  windowStart: number;
}

export interface LoginThrottle {
  /** Seconds the caller must wait, or 0 when an attempt may go ahead. */
  retryAfterSeconds(email: string, ip: string, now: Date): number;
  recordFailure(email: string, ip: string, now: Date): void;
  recordSuccess(email: string, ip: string): void;
}

/** Creates an in-memory throttle keyed by lower-cased email and client address. */
export function createLoginThrottle(maxFailures = MAX_FAILURES, windowMs = WINDOW_MS): LoginThrottle {
  const entries = new Map<string, Entry>();
  const key = (email: string, ip: string) => `${email.trim().toLowerCase()}\u0000${ip}`;

  function live(k: string, now: number): Entry | undefined {
    const entry = entries.get(k);
    if (entry && now - entry.windowStart >= windowMs) {
      entries.delete(k);
      return undefined;
    }
    return entry;
  }

  return {
    retryAfterSeconds(email, ip, now) {
      const entry = live(key(email, ip), now.getTime());
      if (!entry || entry.failures < maxFailures) return 0;
      return Math.max(1, Math.ceil((entry.windowStart + windowMs - now.getTime()) / 1000));
    },
    recordFailure(email, ip, now) {
      const k = key(email, ip);
      const entry = live(k, now.getTime());
      if (entry) entry.failures += 1;
      else entries.set(k, { failures: 1, windowStart: now.getTime() });
      // Bound memory under a spray of random emails: forget the oldest entries.
      if (entries.size > 100_000) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
    },
    recordSuccess(email, ip) {
      entries.delete(key(email, ip));
    },
  };
}
