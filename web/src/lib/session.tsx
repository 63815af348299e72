/**
 * The signed-in user and their bearer token. The token lives in sessionStorage, so it
 * ends with the browser tab and is never shared between tabs or people on one machine.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, setApiToken, setUnauthenticatedHandler } from './api-client.ts';

export type Role = 'admin' | 'keyworker' | 'referrer' | 'manager' | 'auditor' | 'area_auditor';

/** The user as `POST /auth/login` and `GET /me` describe them. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  agencyId: string;
  agency?: { id: string; name: string; kind: string; area: string } | null;
}

interface StoredSession {
  token: string;
  user: SessionUser;
}

export interface SessionValue {
  token: string | null;
  user: SessionUser | null;
  /** Why the last session ended without the user asking (expired, revoked). */
  endedReason: string | null;
  signIn: (email: string, password: string) => Promise<SessionUser>;
  signOut: () => Promise<void>;
}

const STORAGE_KEY = 'pathways.session';
const SessionContext = createContext<SessionValue | null>(null);

function readStored(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredSession;
    return typeof parsed.token === 'string' && parsed.user ? parsed : null;
  } catch {
    return null;
  }
}

/** Normalises the user object whatever casing the server uses for the agency id. */
export function toSessionUser(raw: unknown): SessionUser {
  const u = (raw ?? {}) as Record<string, unknown>;
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const agency = (u.agency ?? null) as SessionUser['agency'];
  return {
    id: str(u.id),
    email: str(u.email),
    name: str(u.name) || str(u.email),
    role: str(u.role) as Role,
    agencyId: str(u.agencyId) || str(u.agency_id) || (agency?.id ?? ''),
    agency,
  };
}

/** Provides the session to the app and keeps the API client's token in step. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<StoredSession | null>(() => {
    const stored = readStored();
    setApiToken(stored?.token ?? null);
    return stored;
  });
  const [endedReason, setEndedReason] = useState<string | null>(null);

  const store = useCallback((next: StoredSession | null) => {
    setApiToken(next?.token ?? null);
    if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    else sessionStorage.removeItem(STORAGE_KEY);
    setSession(next);
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setEndedReason('Your session has ended. Please sign in again.');
      store(null);
    });
    return () => setUnauthenticatedHandler(null);
  }, [store]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const body = await api<{ token: string; user: unknown }>('/auth/login', { body: { email, password } });
      const user = toSessionUser(body.user);
      setEndedReason(null);
      store({ token: body.token, user });
      return user;
    },
    [store],
  );

  const signOut = useCallback(async () => {
    try {
      await api('/auth/logout', { method: 'POST', body: {} });
    } catch {
      // Signing out locally matters more than telling the server; the token expires anyway.
    }
    setEndedReason(null);
    store(null);
  }, [store]);

  const value = useMemo<SessionValue>(
    () => ({ token: session?.token ?? null, user: session?.user ?? null, endedReason, signIn, signOut }),
    [session, endedReason, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The current session; throws if used outside `SessionProvider`. */
export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside SessionProvider');
  return value;
}
