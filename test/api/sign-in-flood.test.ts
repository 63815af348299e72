/**
 * A sign-in flood from one address: once the database has refused it, this process refuses
 * its further guesses from memory, without a single read; the database stays the truth (the
 * block ends when its window does, a block learnt on another node applies) and the owners of
 * accounts known at the flooding address, or attacked from elsewhere, still sign in.
 * Two apps over one store stand for two nodes; every statement either runs is counted.
 */
import { Writable } from 'node:stream';
import type { KyselyPlugin } from 'kysely';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type PathwaysApp } from '../../api/app.ts';
import { createStaff } from '../../src/agencies/agency-commands.ts';
import { MEMO_TRUST_MS, THROTTLE_LIMITS, WINDOW_MS, createLoginThrottle, type LoginThrottleOptions } from '../../src/auth/login-throttle.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { SYSTEM_ACTOR, createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { createClock, makeAgency, type ApiHarness, type TestClock } from '../support/api.ts';
import { DIALECTS, createTestStore, type TestStore } from '../support/stores.ts';

describe.each(DIALECTS)('a sign-in flood on %s', (dialect) => {
  let store: TestStore;
  let engine: Engine;
  let clock: TestClock;
  let one: PathwaysApp;
  let two: PathwaysApp;
  let paused: PathwaysApp;
  let neverHeld: PathwaysApp;
  let logged: PathwaysApp;
  const lines: Array<Record<string, unknown>> = [];
  let agencyId: string;
  let statements = 0;
  let guess = 0;

  beforeAll(async () => {
    store = await createTestStore(dialect);
    clock = createClock();
    engine = createEngine(store, { now: clock.now });
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        statements += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const counted = { ...store, db: store.db.withPlugin(counting) };
    // Refusals are answered at once here (their pause has a test of its own, below).
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const node = (throttle: LoginThrottleOptions = { refusalPauseMs: 0 }, logger = pino({ level: 'silent' })) =>
      createApp({ store: counted, engine, now: clock.now, webDist: null, trustProxy: 1, loginThrottle: createLoginThrottle(counted.db, throttle), logger });
    one = node();
    two = node();
    paused = node({ refusalPauseMs: 50 });
    neverHeld = node({ refusalPauseMs: 3_600_000, heldRefusals: 0 });
    logged = node(undefined, pino({ level: 'info' }, sink));
    agencyId = (await makeAgency({ store, engine, app: one, clock } as unknown as ApiHarness, 'treatment_provider')).id;
  });
  afterAll(async () => {
    await engine.close();
    await store.dispose();
  });
  beforeEach(() => {
    statements = 0;
  });

  const signIn = (app: PathwaysApp, from: string, email: string, password: string) => request(app).post('/api/v1/auth/login').set('X-Forwarded-For', from).send({ email, password });
  const wrongGuess = (app: PathwaysApp, from: string) => signIn(app, from, `guess-${guess++}@flood.example`, 'not anyone’s password');

  async function flood(app: PathwaysApp, from: string): Promise<void> {
    for (let i = 0; i < THROTTLE_LIMITS.address; i++) expect((await wrongGuess(app, from)).status).toBe(401);
  }

  async function staff(): Promise<{ email: string; password: string }> {
    const email = `owner-${guess++}@flood.example`;
    const password = `owner password ${guess} kept apart`;
    await createStaff(engine, SYSTEM_ACTOR, { email, name: 'Flood Owner', passwordHash: await hashPassword(password), role: 'keyworker', agencyId });
    return { email, password };
  }

  it('once the database refused a flooding address, its guesses are refused with Retry-After and no read', async () => {
    await flood(one, '203.0.113.7');
    expect((await wrongGuess(one, '203.0.113.7')).status).toBe(429);
    statements = 0;
    for (let i = 0; i < 10; i++) {
      const res = await wrongGuess(one, '203.0.113.7');
      expect(res.status).toBe(429);
      expect((res.body as { code: string }).code).toBe('rate_limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statements).toBe(0);
    // Another address is not refused: its guess is read, hashed and counted.
    expect((await wrongGuess(one, '203.0.113.8')).status).toBe(401);
    expect(statements).toBeGreaterThan(0);
  });

  it('a block lifted in the database is seen within MEMO_TRUST_MS, and a block ends when its window does', async () => {
    await flood(one, '203.0.113.20');
    expect((await wrongGuess(one, '203.0.113.20')).status).toBe(429);
    // Lifted in the database: the memory refuses for at most MEMO_TRUST_MS, then reads again.
    await store.db.deleteFrom('sign_in_failures').execute();
    expect((await wrongGuess(one, '203.0.113.20')).status).toBe(429);
    clock.set(new Date(clock.now().getTime() + MEMO_TRUST_MS).toISOString());
    expect((await wrongGuess(one, '203.0.113.20')).status).toBe(401);
    // Blocked again and read two seconds before its window ends: the block ends with the window.
    const start = clock.now().getTime();
    await flood(one, '203.0.113.21');
    clock.set(new Date(start + WINDOW_MS - 2000).toISOString());
    const refused = await wrongGuess(one, '203.0.113.21');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('2');
    clock.set(new Date(start + WINDOW_MS).toISOString());
    statements = 0;
    expect((await wrongGuess(one, '203.0.113.21')).status).toBe(401);
    expect(statements).toBeGreaterThan(0);
  });

  it('a block reached through one node is refused by the other from the database, then from its memory', async () => {
    await flood(one, '192.0.2.50');
    expect((await wrongGuess(two, '192.0.2.50')).status).toBe(429);
    expect(statements).toBeGreaterThan(0);
    statements = 0;
    expect((await wrongGuess(two, '192.0.2.50')).status).toBe(429);
    expect(statements).toBe(0);
  });

  it('the owner of an account known at the flooding address still signs in there, and from it while the account is attacked elsewhere', async () => {
    const owner = await staff();
    const stranger = await staff();
    expect((await signIn(one, '192.0.2.60', owner.email, owner.password)).status).toBe(200);
    await flood(one, '192.0.2.60');
    expect((await wrongGuess(one, '192.0.2.60')).status).toBe(429);
    expect((await signIn(one, '192.0.2.60', owner.email, owner.password)).status).toBe(200);
    // Another account, never used from that address, waits with the flood.
    expect((await signIn(one, '192.0.2.60', stranger.email, stranger.password)).status).toBe(429);
    // The owner's account attacked from many addresses: a new address waits, the known one does not.
    for (let i = 0; i < THROTTLE_LIMITS.account; i++) expect((await signIn(one, `198.51.100.${i + 1}`, owner.email, 'a wrong guess at it')).status).toBe(401);
    expect((await signIn(one, '198.51.100.200', owner.email, owner.password)).status).toBe(429);
    expect((await signIn(one, '198.51.100.200', owner.email, owner.password)).status).toBe(429);
    expect((await signIn(one, '192.0.2.60', owner.email, owner.password)).status).toBe(200);
    expect((await signIn(two, '192.0.2.60', owner.email, owner.password)).status).toBe(200);
  });

  it('a refusal is answered after its pause, and at once when the most refusals are already held', async () => {
    await flood(one, '192.0.2.70');
    for (const app of [paused, paused, neverHeld, neverHeld]) {
      const res = await wrongGuess(app, '192.0.2.70');
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('logs refusals at most once a second, counting those left out, and every other answer', async () => {
    await flood(logged, '192.0.2.80');
    for (let i = 0; i < 40; i++) expect((await wrongGuess(logged, '192.0.2.80')).status).toBe(429);
    const refusals = lines.filter((l) => l.status === 429);
    expect(lines.filter((l) => l.status === 401)).toHaveLength(THROTTLE_LIMITS.address);
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.length).toBeLessThan(40);
    expect(refusals[0]).toMatchObject({ msg: 'request', route: '/api/v1/auth/login', refusedUnlogged: 0 });
  });
});
