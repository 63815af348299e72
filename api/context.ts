/**
 * What every route handler is given: the store, the engine, the clock, and the signed-in
 * user. Handlers take the clock from here (never `new Date()`) so tests can move time.
 */
import type { Store } from '../src/db/database.ts';
import type { Engine } from '../src/engine/engine-types.ts';
import type { LoginThrottle } from './auth/login-throttle.ts';
import type { TokenCache } from './auth/token-cache.ts';

/** The roles of Pathways; every user has exactly one. */
export const ROLES = ['admin', 'keyworker', 'referrer', 'manager', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in user, with their agency. */
export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  agencyId: string;
  agency: { id: string; name: string; kind: string; area: string };
  /** The id of the token row this request was signed in with (for logout). */
  tokenId: string;
  /** When that token expires. */
  tokenExpiresAt: string;
}

/** Shared state of one running API. */
export interface AppContext {
  store: Store;
  engine: Engine;
  now: () => Date;
  tokenTtlMinutes: number;
  loginThrottle: LoginThrottle;
  tokenCache: TokenCache;
}
