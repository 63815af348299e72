/**
 * Agencies and staff accounts are streams: the admin routes, the first-administrator
 * bootstrap and the demo area all write `AGENCY_*` / `USER_*` events through the engine,
 * with versions, in the hash-chained log; `agencies` and `users` are their projections.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureFirstAdmin } from '../../cli/bootstrap-admin.ts';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { DEMO_AGENCIES, DEMO_USERS, loadDemoArea } from '../../seeds/demo-area.ts';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, makeAgency, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

describe.each(DIALECTS)('agency and staff streams on %s', (dialect) => {
  let h: ApiHarness;
  let admin: TestUser;
  beforeEach(async () => {
    h = await createApiHarness(dialect);
    const office = await makeAgency(h, 'administration');
    admin = await makeUser(h, office.id, 'admin');
  });
  afterEach(async () => {
    await h.close();
  });

  const events = (stream: 'agency' | 'user', id: string) =>
    h.store.db.selectFrom('events').select(['type', 'stream_version', 'user_id']).where('stream_type', '=', stream).where('stream_id', '=', id).orderBy('stream_version').execute();

  it('creates, corrects, deactivates and reactivates an agency through its stream', async () => {
    const created = await as(h, admin).post('/api/v1/agencies', { name: 'Canal Street Housing', kind: 'housing', area: 'Northbridge' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Canal Street Housing', version: 1, deactivatedAt: null });
    const id = created.body.id as string;

    const renamed = await as(h, admin).post(`/api/v1/agencies/${id}/events`, { type: 'AGENCY_DETAILS_CORRECTED', changes: { name: 'Canal St Housing' }, expectedVersion: 1 });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Canal St Housing', area: 'Northbridge', version: 2 });
    const stale = await as(h, admin).post(`/api/v1/agencies/${id}/events`, { type: 'AGENCY_DEACTIVATED', expectedVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'version_conflict', currentVersion: 2 });

    const off = await as(h, admin).post(`/api/v1/agencies/${id}/events`, { type: 'AGENCY_DEACTIVATED', reason: 'Service closed' });
    expect(off.body).toMatchObject({ version: 3 });
    expect(off.body.deactivatedAt).toEqual(h.clock.now().toISOString());
    const twice = await as(h, admin).post(`/api/v1/agencies/${id}/events`, { type: 'AGENCY_DEACTIVATED' });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'invalid_transition', allowedEvents: ['AGENCY_DETAILS_CORRECTED', 'AGENCY_REACTIVATED'] });
    const listed = await as(h, admin).get('/api/v1/agencies');
    expect(listed.body.items.map((a: { id: string }) => a.id)).not.toContain(id);
    const all = await as(h, admin).get('/api/v1/agencies?includeDeactivated=true');
    expect(all.body.items.map((a: { id: string }) => a.id)).toContain(id);
    const staff = await as(h, admin).post('/api/v1/users', { email: 'new@housing.example', name: 'New Officer', password: 'a long unguessable passphrase 7', role: 'referrer', agencyId: id });
    expect(staff.status).toBe(400);
    expect(staff.body.issues).toEqual([{ path: 'agencyId', message: 'agency deactivated' }]);

    expect((await as(h, admin).post(`/api/v1/agencies/${id}/events`, { type: 'AGENCY_REACTIVATED' })).body).toMatchObject({ deactivatedAt: null, version: 4 });
    expect((await events('agency', id)).map((e) => [e.type, e.stream_version, e.user_id])).toEqual([
      ['AGENCY_CREATED', 1, admin.id],
      ['AGENCY_DETAILS_CORRECTED', 2, admin.id],
      ['AGENCY_DEACTIVATED', 3, admin.id],
      ['AGENCY_REACTIVATED', 4, admin.id],
    ]);
    const audit = await h.store.db.selectFrom('audit_log').select('detail').where('entity_id', '=', id).where('action', '=', 'admin').execute();
    expect(audit).toHaveLength(4);
    expect(await verifyChain(h.store.db)).toMatchObject({ ok: true });
  });

  it('changes a role, corrects details, and deactivation ends the sessions at once', async () => {
    const provider = await makeAgency(h, 'treatment_provider');
    const worker = await makeUser(h, provider.id, 'keyworker');
    expect((await as(h, worker).get('/api/v1/me')).status).toBe(200);
    expect((await as(h, worker).post(`/api/v1/users/${worker.id}/events`, { type: 'USER_DEACTIVATED' })).status).toBe(404);

    const promoted = await as(h, admin).post(`/api/v1/users/${worker.id}/events`, { type: 'USER_ROLE_CHANGED', role: 'manager', expectedVersion: 1 });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ role: 'manager', version: 2 });
    const same = await as(h, admin).post(`/api/v1/users/${worker.id}/events`, { type: 'USER_ROLE_CHANGED', role: 'manager' });
    expect(same.status).toBe(409);
    expect(same.body.rule).toBe('isNewRole');
    const taken = await as(h, admin).post(`/api/v1/users/${worker.id}/events`, { type: 'USER_DETAILS_CORRECTED', changes: { email: admin.email.toUpperCase() } });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('conflict');
    const renamed = await as(h, admin).post(`/api/v1/users/${worker.id}/events`, { type: 'USER_DETAILS_CORRECTED', changes: { name: 'Robin Keyworker', email: 'Robin@Provider.example' } });
    expect(renamed.body).toMatchObject({ name: 'Robin Keyworker', email: 'robin@provider.example', version: 3 });

    const off = await as(h, admin).post(`/api/v1/users/${worker.id}/events`, { type: 'USER_DEACTIVATED', reason: 'Left the service' });
    expect(off.body).toMatchObject({ version: 4 });
    expect((await as(h, worker).get('/api/v1/me')).status).toBe(401);
    const login = await as(h, null).post('/api/v1/auth/login', { email: 'robin@provider.example', password: worker.password });
    expect(login.status).toBe(401);

    await as(h, admin).post(`/api/v1/users/${worker.id}/events`, { type: 'USER_REACTIVATED' });
    expect((await as(h, null).post('/api/v1/auth/login', { email: 'robin@provider.example', password: worker.password })).status).toBe(200);
    const self = await as(h, admin).post(`/api/v1/users/${admin.id}/events`, { type: 'USER_DEACTIVATED' });
    expect(self.status).toBe(403);
    expect((await events('user', worker.id)).map((e) => e.type)).toEqual([
      'USER_CREATED',
      'USER_ROLE_CHANGED',
      'USER_DETAILS_CORRECTED',
      'USER_DEACTIVATED',
      'USER_REACTIVATED',
    ]);
    // The password is a secret, never a fact in the log.
    const logged = await h.store.db.selectFrom('events').select('payload').where('stream_type', '=', 'user').execute();
    for (const e of logged) expect(e.payload).not.toMatch(/password|scrypt|\$/i);
    expect(await verifyChain(h.store.db)).toMatchObject({ ok: true });
  });

  it('bootstraps the first administrator and loads the demo area through the same streams, once', async () => {
    const fresh = await createApiHarness(dialect);
    try {
      const result = await ensureFirstAdmin(fresh.store, { email: 'first@admin.example', password: 'a long unguessable passphrase 7', area: 'all' }, fresh.clock.now(), fresh.engine);
      expect(result).toMatchObject({ created: true });
      const types = await fresh.store.db.selectFrom('events').select(['stream_type', 'type']).orderBy('seq').execute();
      expect(types).toEqual([
        { stream_type: 'agency', type: 'AGENCY_CREATED' },
        { stream_type: 'user', type: 'USER_CREATED' },
      ]);
      await loadDemoArea(fresh.store, fresh.engine);
      const count = async () => Number((await fresh.store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      expect(await count()).toBe(2 + DEMO_AGENCIES.length + DEMO_USERS.length);
      await loadDemoArea(fresh.store);
      expect(await count()).toBe(2 + DEMO_AGENCIES.length + DEMO_USERS.length);
      const demo = await fresh.store.db.selectFrom('events').select(['effective_at', 'backdate_reason']).where('stream_id', '=', DEMO_AGENCIES[0]!.id).executeTakeFirstOrThrow();
      expect(demo.effective_at).toBe('2023-04-03T09:00:00.000Z');
      expect(await verifyChain(fresh.store.db)).toMatchObject({ ok: true });
    } finally {
      await fresh.close();
    }
  });
});
