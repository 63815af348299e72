/**
 * `PATHWAYS_TRUST_PROXY`: sign-in throttling keys on the client address from
 * X-Forwarded-For only when the balancer in front is trusted; otherwise the header is
 * ignored and the connecting address counts. (The throttle's rows are the same on both
 * stores: SQLite is enough here.)
 */
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { THROTTLE_LIMITS } from '../../src/auth/login-throttle.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { makeAgency, makeUser, type ApiHarness } from '../support/api.ts';
import { createTestStore } from '../support/stores.ts';

describe('trust proxy', () => {
  let close: () => Promise<void> = async () => undefined;
  afterEach(async () => close());

  async function harness(trustProxy: number | false): Promise<ApiHarness> {
    const store = await createTestStore('sqlite');
    const engine = createEngine(store);
    const app = createApp({ store, engine, webDist: null, trustProxy });
    const h = { store, engine, app, clock: { now: () => new Date() } } as unknown as ApiHarness;
    close = async () => {
      await engine.close();
      await store.dispose();
    };
    return h;
  }

  async function lockOut(h: ApiHarness, forwardedFor: string): Promise<{ email: string; password: string }> {
    const user = await makeUser(h, (await makeAgency(h, 'treatment_provider')).id, 'keyworker');
    for (let i = 0; i < THROTTLE_LIMITS.pair; i++) {
      const res = await request(h.app).post('/api/v1/auth/login').set('X-Forwarded-For', forwardedFor).send({ email: user.email, password: 'wrong wrong wrong' });
      expect(res.status).toBe(401);
    }
    return { email: user.email, password: user.password };
  }

  it('with one trusted hop, the address in X-Forwarded-For is throttled and another address is not', async () => {
    const h = await harness(1);
    const user = await lockOut(h, '203.0.113.7');
    const same = await request(h.app).post('/api/v1/auth/login').set('X-Forwarded-For', '203.0.113.7').send(user);
    expect(same.status).toBe(429);
    const other = await request(h.app).post('/api/v1/auth/login').set('X-Forwarded-For', '198.51.100.1').send(user);
    expect(other.status).toBe(200);
  });

  it('off (the default), X-Forwarded-For is ignored: a client cannot step round the limit by naming another address', async () => {
    const h = await harness(false);
    const user = await lockOut(h, '203.0.113.7');
    const other = await request(h.app).post('/api/v1/auth/login').set('X-Forwarded-For', '198.51.100.1').send(user);
    expect(other.status).toBe(429);
  });
});
