/**
 * A running API with live updates for the socket tests: the real server on an ephemeral
 * loopback port, socket.io attached to it, the measures kept by the engine, and users of
 * every role in several agencies, each with a bearer token. Only the clock is fake.
 */
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { issueToken, resolveToken } from '../../src/auth/bearer-tokens.ts';
import { metricsRoutes } from '../../api/routes/metrics-routes.ts';
import { viewerOf } from '../../api/routes/route-helpers.ts';
import { startServer, type RunningServer } from '../../api/server.ts';
import type { Dialect } from '../../src/db/database.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { attachLive, type LiveServer } from '../../src/live/live-server.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';
import { addAgency, addUser, testClock, type TestClock } from '../metrics/cohort-builder.ts';

export interface LiveWorld {
  store: TestStore;
  engine: Engine;
  server: RunningServer;
  live: LiveServer;
  clock: TestClock;
  url: string;
  /** Creates a user of `role` in `agencyId` with a fresh token. */
  user(agencyId: string, role: string, ttlMinutes?: number): Promise<{ id: string; token: string; tokenId: string }>;
  /** An authenticated JSON request to the API. */
  api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Starts the API and live updates on a fresh store. */
export async function startLiveWorld(dialect: Dialect, options: { recheckMs?: number; coalesceMs?: number; now?: string } = {}): Promise<LiveWorld> {
  const store = await createTestStore(dialect);
  const clock = testClock(options.now ?? '2026-03-02T10:00:00.000Z');
  const engine = createEngine(store, { now: clock.now });
  attachMetrics(engine);
  const server = await startServer({ store, engine, now: clock.now, port: 0, host: '127.0.0.1', routes: metricsRoutes, webDist: null });
  const live = attachLive({
    httpServer: server.httpServer,
    store,
    engine,
    now: clock.now,
    authenticate: async (token) => {
      const user = await resolveToken(store.db, token, clock.now());
      return user ? viewerOf(user) : null;
    },
    recheckMs: options.recheckMs ?? 100,
    coalesceMs: options.coalesceMs ?? 100,
  });
  await live.ready;
  return {
    store,
    engine,
    server,
    live,
    clock,
    url: server.url,
    async user(agencyId, role, ttlMinutes = 90 * 24 * 60) {
      const id = await addUser(store.db, agencyId, role);
      const { token } = await issueToken(store.db, id, clock.now(), ttlMinutes);
      const row = await store.db.selectFrom('auth_tokens').select('id').where('user_id', '=', id).executeTakeFirstOrThrow();
      return { id, token, tokenId: row.id };
    },
    async api(token, method, path, body) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async close() {
      await live.close();
      await server.close();
      await engine.close();
      await store.dispose();
    },
  };
}

/** One received message. */
export interface Received {
  event: string;
  payload: Record<string, unknown>;
}

/** A connected test client that records every message. */
export interface Spy {
  socket: Socket;
  received: Received[];
  /** Resolves with the first message matching, waiting up to `ms`. */
  waitFor(match: (m: Received) => boolean, ms?: number): Promise<Received>;
  /** Messages mentioning `id` anywhere. */
  about(id: string): Received[];
  /** Resolves when the server disconnects the socket. */
  disconnected: Promise<string>;
}

/** Connects with `auth` (token, since) and resolves once connected; rejects with the refusal. */
export function spy(url: string, auth: Record<string, unknown>): Promise<Spy> {
  const socket = connect(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  const received: Received[] = [];
  const waiters: Array<{ match: (m: Received) => boolean; resolve: (m: Received) => void }> = [];
  socket.onAny((event: string, payload: Record<string, unknown>) => {
    const m = { event, payload };
    received.push(m);
    for (const w of [...waiters]) {
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const disconnected = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
  return new Promise((resolve, reject) => {
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
    socket.once('connect', () =>
      resolve({
        socket,
        received,
        disconnected,
        about: (id) => received.filter((m) => JSON.stringify(m.payload).includes(id)),
        waitFor(match, ms = 5000) {
          const found = received.find(match);
          if (found) return Promise.resolve(found);
          return new Promise((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`no matching message within ${ms} ms; got ${JSON.stringify(received)}`)), ms);
            waiters.push({ match, resolve: (m) => (clearTimeout(timer), res(m)) });
          });
        },
      }),
    );
  });
}

/** Inserts an agency with a random suffix. */
export { addAgency };

/** Inserts a consent for `personId` to `agencyId` covering `categories`. */
export async function addConsent(store: TestStore, personId: string, agencyId: string, categories: string[]): Promise<void> {
  await store.db
    .insertInto('consents')
    .values({
      id: randomUUID(),
      person_id: personId,
      to_agency_id: agencyId,
      to_agency_kind: null,
      categories: JSON.stringify(categories),
      purpose: 'care',
      given_on: '2026-01-01',
      valid_until: null,
      recorded_by: 'test',
      recorded_at: '2026-01-01T00:00:00.000Z',
      withdrawn_at: null,
      withdrawn_by: null,
      withdrawal_reason: null,
    })
    .execute();
}
