/**
 * A short-lived cache of signed-in tokens, so a burst of requests with one token does not
 * read the token table each time (on SQLite such a read waits for the commit in flight).
 * Entries live a few seconds and are checked against their expiry on every hit; a logout
 * through this process removes its entry at once. Another process's revocation is seen
 * within `ttlMs`.
 */
import type { AuthUser } from './auth-user.ts';

export interface TokenCache {
  get(token: string, now: Date): AuthUser | null | undefined;
  set(token: string, user: AuthUser | null, expiresAt: string | null, now: Date): void;
  /** Forgets every entry of one token row (logout). */
  forgetTokenId(tokenId: string): void;
  /** Forgets every entry of one user (their account was deactivated). */
  forgetUser(userId: string): void;
}

interface Entry {
  user: AuthUser | null;
  /** The token's expiry in epoch ms (Infinity when it has none). */
  expiresMs: number;
  cachedUntil: number;
}

/** Creates a cache; `ttlMs` 0 turns it off. */
export function createTokenCache(ttlMs = 2000, maxEntries = 10_000): TokenCache {
  const entries = new Map<string, Entry>();
  return {
    get(token, now) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      const t = now.getTime();
      if (entry.cachedUntil <= t || entry.expiresMs <= t) {
        entries.delete(token);
        return undefined;
      }
      return entry.user;
    },
    set(token, user, expiresAt, now) {
      if (ttlMs <= 0) return;
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      const expiresMs = expiresAt === null ? Infinity : Date.parse(expiresAt);
      // An expiry that does not parse is treated as already passed: the token is read again.
      entries.set(token, { user, expiresMs: Number.isNaN(expiresMs) ? -Infinity : expiresMs, cachedUntil: now.getTime() + ttlMs });
    },
    forgetTokenId(tokenId) {
      for (const [token, entry] of entries) if (entry.user?.tokenId === tokenId) entries.delete(token);
    },
    forgetUser(userId) {
      for (const [token, entry] of entries) if (entry.user?.id === userId) entries.delete(token);
    },
  };
}
