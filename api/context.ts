/**
 * What every route handler is given: the store, the engine, the clock, and the signed-in
 * user. Handlers take the clock from here (never `new Date()`) so tests can move time.
 */
import type { KeyworkSettings } from '../machines/keywork-codes.ts';
import type { Store } from '../src/db/database.ts';
import type { DirectSql } from '../src/db/direct-sql.ts';
import type { Engine } from '../src/engine/engine-types.ts';
import type { LoginThrottle } from '../src/auth/login-throttle.ts';
import type { TokenCache } from '../src/auth/token-cache.ts';

/** Shared state of one running API. */
export interface AppContext {
  store: Store;
  engine: Engine;
  now: () => Date;
  tokenTtlMinutes: number;
  /** Months a consent runs when no end date is given (`PATHWAYS_CONSENT_MONTHS`). */
  consentMonths: number;
  /** The follow-up rules for a did-not-attend (`PATHWAYS_FOLLOW_UP_*`). */
  followUp: KeyworkSettings;
  loginThrottle: LoginThrottle;
  tokenCache: TokenCache;
  /** PostgreSQL: direct SQL on the store's pool, for the token read of every request (prepared by name); undefined on SQLite. */
  poolSql?: DirectSql;
  /** Set when `PATHWAYS_CLOCK` moves "now": what it does, shown by `/readyz`. */
  clockNotice?: string;
}
