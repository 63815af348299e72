/**
 * `Cache-Control: no-store` on every personal-data answer. People, journeys, referrals,
 * the audit trail and measures with breakdowns all live under `/api/v1`, and an answer
 * kept by a browser, a proxy or a shared computer's disk cache is a copy of someone's
 * care record outside the audit trail. Rather than list which routes hold personal data
 * (and miss the next one added), every `/api/v1` answer — errors included — is marked,
 * except the published API description, which holds none.
 */
import type { RequestHandler } from 'express';

/** Paths under `/api/v1` that never carry personal data and may be cached. */
const CACHEABLE = new Set(['/api/v1/openapi.json']);

/** The header pair every personal-data answer carries. */
const NO_STORE: readonly [string, string] = ['Cache-Control', 'no-store'];

/** True when an answer for `path` must not be stored by any cache. */
export function mustNotStore(path: string): boolean {
  const lower = path.toLowerCase();
  return (lower === '/api/v1' || lower.startsWith('/api/v1/')) && !CACHEABLE.has(lower.replace(/\/+$/, ''));
}

/** Middleware marking `/api/v1` answers `no-store` before any handler writes them. */
export function noStore(): RequestHandler {
  return (req, res, next) => {
    if (mustNotStore(req.path)) res.setHeader(NO_STORE[0], NO_STORE[1]);
    next();
  };
}
