/**
 * Sign-in hardening: new passwords checked for strength and against the email; failed
 * sign-ins throttled per account and address, per account from anywhere and per address
 * across accounts, in the database (shared by nodes), without locking the real user out
 * of an address they signed in from before.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginThrottle, THROTTLE_LIMITS } from '../../src/auth/login-throttle.ts';
import { as, createApiHarness, makeAgency, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';
import { DIALECTS } from '../support/stores.ts';

describe.each(DIALECTS)('sign-in hardening on %s', (dialect) => {
  let h: ApiHarness;
  let admin: TestUser;
  let agencyId: string;
  beforeAll(async () => {
    h = await createApiHarness(dialect);
    agencyId = (await makeAgency(h, 'treatment_provider')).id;
    admin = await makeUser(h, (await makeAgency(h, 'administration')).id, 'admin');
  });
  afterAll(async () => h.close());

  it('refuses guessable passwords and the email, naming the field; accepts a passphrase and the demo password', async () => {
    const email = 'sam.keyworker@test.example';
    for (const password of ['            ', 'aaaaaaaaaaaa', 'password1234', 'qwertyuiop123', email, `${email}!`]) {
      const res = await as(h, admin).post('/api/v1/users', { email, name: 'Sam Keyworker', password, role: 'keyworker', agencyId });
      expect(res.status, password).toBe(400);
      const body = res.body as { code: string; issues: Array<{ path: string }> };
      expect(body.code).toBe('validation_failed');
      expect(body.issues[0]?.path).toBe('password');
    }
    const ok = await as(h, admin).post('/api/v1/users', { email, name: 'Sam Keyworker', password: 'lantern orchard mosaic', role: 'keyworker', agencyId });
    expect(ok.status).toBe(201);
    const demo = await as(h, admin).post('/api/v1/users', { email: 'demo.like@test.example', name: 'Demo', password: 'pathways-demo', role: 'keyworker', agencyId });
    expect(demo.status).toBe(201);
  });

  it('throttles one account and address through the API, answering 429 with Retry-After', async () => {
    const user = await makeUser(h, agencyId, 'keyworker');
    for (let i = 0; i < THROTTLE_LIMITS.pair; i++) expect((await request(h.app).post('/api/v1/auth/login').send({ email: user.email, password: 'wrong wrong wrong' })).status).toBe(401);
    const limited = await request(h.app).post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const rows = await h.store.db.selectFrom('sign_in_failures').select(['subject']).execute();
    // Stored as digests: no email or address in the table.
    expect(JSON.stringify(rows)).not.toContain(user.email);
    expect(JSON.stringify(rows)).not.toContain('127.0.0.1');
  });

  it('slows an address spraying many emails, but not the owners of accounts it never touched from elsewhere', async () => {
    const throttle = createLoginThrottle(h.store.db);
    const now = h.clock.now();
    const sprayer = '203.0.113.7';
    for (let i = 0; i < THROTTLE_LIMITS.address; i++) {
      const attempt = { email: `spray${i}@test.example`, ip: sprayer, userId: null };
      expect(await throttle.retryAfterSeconds(attempt, now)).toBe(0);
      await throttle.recordFailure(attempt, now);
    }
    expect(await throttle.retryAfterSeconds({ email: 'spray99@test.example', ip: sprayer, userId: null }, now)).toBeGreaterThan(0);
    expect(await throttle.retryAfterSeconds({ email: 'spray99@test.example', ip: '198.51.100.1', userId: null }, now)).toBe(0);
  });

  it('an account attacked from many addresses still lets its owner in from an address they used before', async () => {
    const throttle = createLoginThrottle(h.store.db);
    const now = h.clock.now();
    const owner = { email: 'owner@test.example', userId: 'owner-user-id' };
    await throttle.recordSuccess({ ...owner, ip: '192.0.2.10' }, now);
    for (let i = 0; i < THROTTLE_LIMITS.account; i++) await throttle.recordFailure({ ...owner, ip: `198.51.100.${i + 1}` }, now);
    // A new address waits; the owner's known address does not.
    expect(await throttle.retryAfterSeconds({ ...owner, ip: '198.51.100.200' }, now)).toBeGreaterThan(0);
    expect(await throttle.retryAfterSeconds({ ...owner, ip: '192.0.2.10' }, now)).toBe(0);
    // The window passes.
    expect(await throttle.retryAfterSeconds({ ...owner, ip: '198.51.100.200' }, new Date(now.getTime() + 16 * 60_000))).toBe(0);
  });
});
