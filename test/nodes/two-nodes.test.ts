/**
 * Two real `pathways serve` processes on one PostgreSQL schema: they start together on an
 * empty schema (one first administrator, no collision), deliver every due timer exactly
 * once between them, carry a change made through one node to a socket on the other,
 * and share revocation and sign-in throttling.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, setPasswordHashCost } from '../../src/auth/password.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { spy } from '../live/live-world.ts';
import { createEngineWorld, type EngineWorld } from '../support/engine-world.ts';
import { startServeProcess, type ServeProcess } from '../support/serve-process.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

const ADMIN = { PATHWAYS_ADMIN_EMAIL: 'first@nodes.example', PATHWAYS_ADMIN_PASSWORD: 'first admin of two nodes' };
const PASSWORD = 'keyworker on two nodes';

async function call(url: string, method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const login = (url: string, email: string, password: string) => call(url, 'POST', '/api/v1/auth/login', null, { email, password });

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('two pathways serve nodes on one PostgreSQL schema', () => {
  let store: TestStore;
  let nodes: ServeProcess[] = [];
  let world: EngineWorld;
  let email: string;
  let setupEngine: Engine;

  beforeAll(async () => {
    setPasswordHashCost(1024);
    store = await createTestStore('postgres', { migrate: false });
    // Started together on an empty schema: both migrate and race for the first admin.
    nodes = await Promise.all([startServeProcess(store.url, ADMIN), startServeProcess(store.url, ADMIN)]);
    world = await createEngineWorld(store.db);
    email = `kw-${randomUUID().slice(0, 8)}@nodes.example`;
    await store.db.updateTable('users').set({ email, password_hash: await hashPassword(PASSWORD) }).where('id', '=', world.provider.userId).execute();
  }, 120_000);

  afterAll(async () => {
    await setupEngine?.close();
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    await store?.dispose();
  });

  it('both start on an empty schema; exactly one first administrator exists', async () => {
    const admins = await store.db.selectFrom('users').select('email').where('role', '=', 'admin').execute();
    expect(admins.map((a) => a.email)).toEqual([ADMIN.PATHWAYS_ADMIN_EMAIL]);
    const [one, two] = nodes;
    expect((await login(one!.url, ADMIN.PATHWAYS_ADMIN_EMAIL, ADMIN.PATHWAYS_ADMIN_PASSWORD)).status).toBe(200);
    expect((await login(two!.url, ADMIN.PATHWAYS_ADMIN_EMAIL, ADMIN.PATHWAYS_ADMIN_PASSWORD)).status).toBe(200);
  });

  it('a change made through node 1 reaches a socket on node 2, in order', async () => {
    const [one, two] = nodes;
    setupEngine = createEngine(store);
    const { row, event: opening } = await setupEngine.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: new Date().toISOString().slice(0, 10), actor: world.keyworker });
    const onTwo = await login(two!.url, email, PASSWORD);
    const socket = await spy(two!.url, { token: onTwo.body.token });
    try {
      const onOne = (await login(one!.url, email, PASSWORD)).body.token as string;
      const first = await call(one!.url, 'POST', `/api/v1/cases/${row.id}/events`, onOne, { type: 'SCREENING_STARTED', expectedVersion: 1 });
      expect(first.status).toBe(200);
      const second = await call(one!.url, 'POST', `/api/v1/cases/${row.id}/events`, onOne, { type: 'SCREENING_COMPLETED', outcome: 'assess', expectedVersion: 2 });
      expect(second.status).toBe(200);
      const got = await socket.waitFor((m) => m.event === 'case.changed' && m.payload.id === row.id && m.payload.version === 3, 15_000);
      expect(got.payload.stage).toBe('assessment');
      // The opening itself may reach the socket too, if node 2's tail reads it only after the
      // socket connected (a busy server): what counts is every change after it, in order.
      const versions = socket
        .about(row.id)
        .filter((m) => m.event === 'case.changed' && Number(m.payload.seq) > opening.seq)
        .map((m) => m.payload.version);
      expect(versions).toEqual([2, 3]);
    } finally {
      socket.socket.close();
    }
  });

  it('delivers every due timer exactly once between the two nodes, and takes over a dead claim within seconds', async () => {
    const past = new Date(Date.now() - 3 * 86_400_000);
    const opener = createEngine(store, { now: () => past });
    const ids: string[] = [];
    const referral = {
      personId: world.personId,
      fromAgencyId: world.probation.agencyId,
      fromUserId: world.probation.userId,
      toAgencyId: world.provider.agencyId,
      kind: 'treatment',
      reason: 'Opiate use',
      urgency: 'urgent',
      actor: world.officer,
    };
    const claimedUntil = new Date(Date.now() + 5000).toISOString();
    try {
      // A node that died holding a claim (written with the timers, so no sweeper saw them unclaimed).
      const dead = await opener.transaction(async (tx) => {
        const { row } = await tx.openReferral(referral);
        const claimed = await tx.trx.updateTable('timers').set({ claimed_by: 'dead-node#1', claimed_until: claimedUntil }).where('stream_id', '=', row.id).executeTakeFirst();
        expect(Number(claimed.numUpdatedRows)).toBe(2);
        return row.id;
      });
      ids.push(dead);
      for (let i = 0; i < 30; i++) ids.push((await opener.openReferral(referral)).row.id);
    } finally {
      await opener.close();
    }
    await until('every timer delivered', async () => {
      const pending = await store.db.selectFrom('timers').select('id').where('stream_id', 'in', ids).where('status', '=', 'pending').execute();
      return pending.length === 0 ? true : undefined;
    });
    const fired = await store.db.selectFrom('events').select(['stream_id', 'type']).where('stream_id', 'in', ids).where('stream_version', '>', 1).execute();
    const perReferral = new Map<string, string[]>();
    for (const e of fired) perReferral.set(e.stream_id, [...(perReferral.get(e.stream_id) ?? []), e.type]);
    for (const id of ids) expect(perReferral.get(id)?.sort()).toEqual(['ACKNOWLEDGE_DEADLINE_PASSED', 'FIRST_CONTACT_DEADLINE_PASSED']);
    // The dead node's timers waited out its lease, no longer.
    const deadOnes = await store.db.selectFrom('timers').select(['claimed_by', 'fired_at']).where('stream_id', '=', ids[0]!).execute();
    for (const t of deadOnes) {
      expect(t.claimed_by).not.toBe('dead-node#1');
      expect(t.fired_at! >= claimedUntil).toBe(true);
    }
  });

  it('a token revoked through node 1 fails at once on node 2', async () => {
    const [one, two] = nodes;
    const token = (await login(one!.url, email, PASSWORD)).body.token as string;
    expect((await call(two!.url, 'GET', '/api/v1/me', token)).status).toBe(200);
    expect((await call(one!.url, 'POST', '/api/v1/auth/logout', token)).status).toBe(200);
    expect((await call(two!.url, 'GET', '/api/v1/me', token)).status).toBe(401);
  });

  it('failed sign-ins on node 1 throttle the same account on node 2', async () => {
    const [one, two] = nodes;
    for (let i = 0; i < 5; i++) expect((await login(one!.url, email, 'not the password at all')).status).toBe(401);
    const limited = await login(two!.url, email, PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
