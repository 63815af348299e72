/**
 * The platform around the routes: health and readiness, security headers, the OpenAPI
 * document covering every route (with the event union), the docs page, sign-in with
 * expiring revocable tokens and throttling, the first admin, admin limits, pagination
 * and the audit trail's filters.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { ensureFirstAdmin } from '../../cli/bootstrap-admin.ts';
import { loadConfig } from '../../cli/config.ts';
import { listVisibleCases } from '../../src/journeys/journey-queries.ts';
import { apiRoutes } from '../../api/routes/index.ts';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, giveConsent, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

describe.each(DIALECTS)('API platform on %s', (dialect) => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await createApiHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers health and readiness with security headers', async () => {
    const health = await request(h.app).get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['content-security-policy']).toContain("default-src 'self'");
    expect(health.headers['strict-transport-security']).toBeDefined();
    expect(health.headers['x-powered-by']).toBeUndefined();
    const ready = await request(h.app).get('/readyz');
    expect(ready.status).toBe(200);
  });

  it('documents every route in OpenAPI 3.1, with one schema per event, and serves a docs page', async () => {
    const res = await request(h.app).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    for (const route of apiRoutes()) {
      const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      expect(res.body.paths[path]?.[route.method], `${route.method} ${path}`).toBeDefined();
    }
    const events = res.body.paths['/api/v1/cases/{id}/events'].post.requestBody.content['application/json'].schema;
    const variants = events.oneOf ?? events.anyOf;
    const types = variants.map((v: { properties: { type: { const: string } } }) => v.properties.type.const);
    expect(types).toEqual(expect.arrayContaining(['SCREENING_STARTED', 'CARE_PLAN_AGREED', 'DISCHARGED', 'REENTRY_CONFIRMED']));
    expect(types).not.toContain('REVIEW_DUE');
    const care = variants.find((v: { properties: { type: { const: string } } }) => v.properties.type.const === 'CARE_PLAN_AGREED');
    expect(care.required).toEqual(expect.arrayContaining(['type', 'expectedVersion', 'interventions']));
    const referralEvents = res.body.paths['/api/v1/referrals/{id}/events'].post.requestBody.content['application/json'].schema;
    expect((referralEvents.oneOf ?? referralEvents.anyOf).length).toBe(7);
    expect(res.body.paths['/api/v1/cases/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });

    const page = await request(h.app).get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('/api/v1/cases/{id}/events');
    expect(page.text).not.toMatch(/<script/i);
  });

  it('signs in, expires and revokes tokens, and never leaks the password hash', async () => {
    const agency = await makeAgency(h, 'treatment_provider');
    const user = await makeUser(h, agency.id, 'keyworker');
    // An app whose tokens last 60 minutes, over the same store and clock.
    const app = createApp({ store: h.store, engine: h.engine, now: h.clock.now, webDist: null, tokenTtlMinutes: 60 });
    const login = await request(app).post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(login.status).toBe(200);
    expect(Date.parse(login.body.expiresAt as string) - h.clock.now().getTime()).toBe(60 * 60_000);
    const token = login.body.token as string;
    const me = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id, role: 'keyworker', agency: { id: agency.id, kind: 'treatment_provider' } });
    const stored = await h.store.db.selectFrom('auth_tokens').select('token_hash').where('user_id', '=', user.id).execute();
    for (const row of stored) expect(row.token_hash).not.toContain(token.slice(4));
    expect(JSON.stringify(me.body)).not.toMatch(/scrypt|password/);

    h.clock.advanceDays(61 / 1440); // past the 60-minute lifetime
    expect((await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);

    const again = await request(app).post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    const fresh = again.body.token as string;
    expect((await request(app).get('/api/v1/me').set('Authorization', `Bearer ${fresh}`)).status).toBe(200);
    expect((await request(app).post('/api/v1/auth/logout').set('Authorization', `Bearer ${fresh}`)).status).toBe(200);
    const after = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${fresh}`);
    expect(after.status).toBe(401);
    expect(after.headers['www-authenticate']).toContain('Bearer');
    expect((await request(app).get('/api/v1/me').set('Authorization', 'Bearer pwt_forged')).status).toBe(401);
  });

  it('slows down repeated failed sign-ins with 429 and Retry-After, per email and address', async () => {
    const agency = await makeAgency(h, 'treatment_provider');
    const user = await makeUser(h, agency.id, 'keyworker');
    for (let i = 0; i < 5; i++) {
      const wrong = await request(h.app).post('/api/v1/auth/login').send({ email: user.email, password: 'wrong password' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('unauthenticated');
    }
    const limited = await request(h.app).post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another email is not held up.
    const other = await makeUser(h, agency.id, 'manager');
    expect(other.token).toMatch(/^pwt_/);
    h.clock.advanceDays(1 / 48); // 30 minutes: the window has passed
    const ok = await request(h.app).post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(ok.status).toBe(200);
    const unknown = await request(h.app).post('/api/v1/auth/login').send({ email: 'nobody@test.example', password: 'whatever' });
    expect(unknown.status).toBe(401);
  });

  it('creates the first admin only on an empty database; admins manage agencies and users but read no case records', async () => {
    const env = { PATHWAYS_ADMIN_EMAIL: 'first.admin@test.example', PATHWAYS_ADMIN_PASSWORD: 'a long admin password' };
    expect(await ensureFirstAdmin(h.store, loadConfig(env).firstAdmin, h.clock.now())).toMatchObject({ created: true });
    expect(await ensureFirstAdmin(h.store, loadConfig({ ...env, PATHWAYS_ADMIN_EMAIL: 'second@test.example' }).firstAdmin, h.clock.now())).toMatchObject({ created: false });
    const login = await request(h.app).post('/api/v1/auth/login').send({ email: env.PATHWAYS_ADMIN_EMAIL, password: env.PATHWAYS_ADMIN_PASSWORD });
    expect(login.status).toBe(200);
    const admin = { token: login.body.token as string } as TestUser;
    const agency = await as(h, admin).post('/api/v1/agencies', { name: 'Northbridge Recovery', kind: 'treatment_provider', area: 'Northbridge' });
    expect(agency.status).toBe(201);
    const created = await as(h, admin).post('/api/v1/users', { email: 'kw@test.example', name: 'Kay', password: 'a long keyworker password', role: 'keyworker', agencyId: agency.body.id });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('passwordHash');
    expect(JSON.stringify(created.body)).not.toContain('scrypt');
    const list = await as(h, admin).get(`/api/v1/users?agencyId=${agency.body.id as string}`);
    expect(list.body.items.map((u: { email: string }) => u.email)).toEqual(['kw@test.example']);

    const kwLogin = await request(h.app).post('/api/v1/auth/login').send({ email: 'kw@test.example', password: 'a long keyworker password' });
    const kw = { token: kwLogin.body.token as string } as TestUser;
    const personId = await makePerson(h, kw);
    expect((await as(h, admin).get(`/api/v1/people/${personId}`)).status).toBe(404);
    expect((await as(h, admin).get('/api/v1/cases')).status).toBe(403);
  });

  it('pages its own journeys and those shared with it as one list, newest first, each once', async () => {
    const here = await makeAgency(h, 'treatment_provider');
    const there = await makeAgency(h, 'treatment_provider');
    const kw = await makeUser(h, here.id, 'keyworker');
    const theirs = await makeUser(h, there.id, 'keyworker');
    const expected: Array<{ id: string; shared: boolean }> = [];
    for (let i = 0; i < 6; i++) {
      const shared = i % 2 === 1;
      const owner = shared ? theirs : kw;
      const personId = await makePerson(h, owner);
      // One referral date each, a day apart: the list is newest referral first.
      const referredOn = new Date(Date.parse(h.clock.today()) - (10 - i) * 86_400_000).toISOString().slice(0, 10);
      const res = await as(h, owner).post('/api/v1/cases', { personId, referralSource: 'self', referredOn });
      expect(res.status).toBe(201);
      if (shared) {
        // The other provider refers the person on to this one, with consent: this agency may now see that journey.
        await giveConsent(h, theirs, personId, { toAgencyId: here.id }, ['identity', 'contact', 'substance_use']);
        const sent = await as(h, theirs).post('/api/v1/referrals', { personId, toAgencyId: here.id, kind: 'treatment', reason: 'Moving to the area', urgency: 'routine', caseId: res.body.id });
        expect(sent.status).toBe(201);
      }
      expected.unshift({ id: res.body.id as string, shared });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await as(h, kw).get(`/api/v1/cases?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.items as Array<{ id: string }>).map((c) => c.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual(expected.map((e) => e.id));
    // Both ways of finding the shared journeys (from the agency's referrals, or walking
    // all journeys for an agency with many) give the same pages.
    const viewer = { userId: kw.id, role: 'keyworker', agencyId: here.id, agencyKind: 'treatment_provider', agencyArea: 'Testshire' } as const;
    for (const limit of [1, 2, 10]) {
      const fromReferrals = await listVisibleCases(h.store.db, viewer, h.clock.today(), { limit }, { denseReferrals: 1_000_000 });
      const walking = await listVisibleCases(h.store.db, viewer, h.clock.today(), { limit }, { denseReferrals: 0 });
      expect(walking.map((r) => r.id)).toEqual(fromReferrals.map((r) => r.id));
      expect(fromReferrals.map((r) => r.id)).toEqual(expected.slice(0, limit + 1).map((e) => e.id));
    }
  });

  it('pages an agency\'s inbox and outbox together, newest first, each referral once', async () => {
    const provider = await makeAgency(h, 'treatment_provider');
    const housing = await makeAgency(h, 'housing');
    const kw = await makeUser(h, provider.id, 'keyworker');
    const officer = await makeUser(h, housing.id, 'referrer');
    const expected: string[] = [];
    for (let i = 0; i < 5; i++) {
      const outgoing = i % 2 === 0;
      const [from, toAgencyId] = outgoing ? [kw, housing.id] : [officer, provider.id];
      const personId = await makePerson(h, from);
      const kind = outgoing ? 'housing' : 'treatment';
      await giveConsent(h, from, personId, { toAgencyId }, outgoing ? ['identity', 'contact', 'housing'] : ['identity', 'contact', 'substance_use']);
      const sent = await as(h, from).post('/api/v1/referrals', { personId, toAgencyId, kind, reason: 'Needs support', urgency: 'routine' });
      expect(sent.status).toBe(201);
      expected.unshift(sent.body.id as string);
      h.clock.advanceDays(0.01);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await as(h, kw).get(`/api/v1/referrals?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.items as Array<{ id: string }>).map((r) => r.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual(expected);
    expect((await as(h, kw).get('/api/v1/referrals?box=outbox')).body.items).toHaveLength(3);
    expect((await as(h, kw).get('/api/v1/referrals?box=inbox&status=requested')).body.items).toHaveLength(2);
  });

  it('pages journeys with a cursor and filters by stage and keyworker', async () => {
    const agency = await makeAgency(h, 'treatment_provider');
    const kw = await makeUser(h, agency.id, 'keyworker');
    const other = await makeUser(h, agency.id, 'keyworker');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const personId = await makePerson(h, kw);
      const res = await as(h, kw).post('/api/v1/cases', { personId, referralSource: 'gp', referredOn: h.clock.today(), keyworkerId: i < 3 ? kw.id : other.id });
      expect(res.status).toBe(201);
      ids.push(res.body.id as string);
      h.clock.advanceDays(0.01);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await as(h, kw).get(`/api/v1/cases?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...(page.body.items as Array<{ id: string }>).map((c) => c.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    // Every journey exactly once across the pages (newest referral first, ties by id).
    expect(seen).toHaveLength(ids.length);
    expect([...seen].sort()).toEqual([...ids].sort());
    const mine = await as(h, kw).get('/api/v1/cases?keyworker=me');
    expect(mine.body.items).toHaveLength(3);
    const byOther = await as(h, kw).get(`/api/v1/cases?keyworker=${other.id}`);
    expect(byOther.body.items).toHaveLength(2);
    expect((await as(h, kw).get('/api/v1/cases?stage=referred')).body.items).toHaveLength(5);
    expect((await as(h, kw).get('/api/v1/cases?stage=screening')).body.items).toHaveLength(0);
    // The waiting time passes for all five: every one is overdue.
    h.clock.advanceDays(22);
    await h.engine.sweepDueTimers();
    const overdue = await as(h, kw).get('/api/v1/cases?overdue=true');
    expect(overdue.body.items).toHaveLength(5);
    expect(overdue.body.items[0].overdue).toMatchObject({ waitingTime: true, any: true });
  });

  it('lets exactly one of two writers with the same expected version win', async () => {
    const agency = await makeAgency(h, 'treatment_provider');
    const kw = await makeUser(h, agency.id, 'keyworker');
    const personId = await makePerson(h, kw);
    const opened = await as(h, kw).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: h.clock.today() });
    const version = opened.body.version as number;
    const [a, b] = await Promise.all([
      as(h, kw).post(`/api/v1/cases/${opened.body.id as string}/events`, { type: 'SCREENING_STARTED', expectedVersion: version }),
      as(h, kw).post(`/api/v1/cases/${opened.body.id as string}/events`, { type: 'KEYWORKER_ASSIGNED', keyworkerId: kw.id, expectedVersion: version }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body).toMatchObject({ code: 'version_conflict', currentVersion: version + 1 });
    const events = await h.store.db.selectFrom('events').select('type').where('stream_id', '=', opened.body.id as string).execute();
    expect(events).toHaveLength(2);
  });

  it('flags referrals past their deadlines for the receiving agency', async () => {
    const provider = await makeAgency(h, 'treatment_provider');
    const probation = await makeAgency(h, 'probation');
    const officer = await makeUser(h, probation.id, 'referrer');
    const manager = await makeUser(h, provider.id, 'manager');
    const personId = await makePerson(h, officer);
    await as(h, officer).post(`/api/v1/people/${personId}/consents`, { toAgencyId: provider.id, categories: ['identity', 'contact', 'substance_use'], purpose: 'Treatment' });
    const sent = await as(h, officer).post('/api/v1/referrals', { personId, toAgencyId: provider.id, kind: 'treatment', reason: 'Probation order', urgency: 'urgent' });
    expect(sent.status).toBe(201);
    expect((await as(h, manager).get('/api/v1/referrals?overdue=true')).body.items).toHaveLength(0);
    h.clock.advanceDays(1);
    await h.engine.sweepDueTimers();
    const late = await as(h, manager).get('/api/v1/referrals?box=inbox&overdue=true');
    expect(late.body.items).toHaveLength(1);
    expect(late.body.items[0].overdue).toMatchObject({ acknowledge: true, any: true });
    expect((await as(h, manager).get('/api/v1/referrals?box=outbox')).body.items).toHaveLength(0);
    expect((await as(h, officer).get('/api/v1/referrals?box=outbox&status=requested')).body.items).toHaveLength(1);
  });

  it('records reads and shares in the audit trail, filtered and paged for auditors', async () => {
    const provider = await makeAgency(h, 'treatment_provider');
    const kw = await makeUser(h, provider.id, 'keyworker');
    const auditor = await makeUser(h, provider.id, 'auditor');
    const personId = await makePerson(h, kw);
    for (let i = 0; i < 3; i++) {
      expect((await as(h, kw).get(`/api/v1/people/${personId}`)).status).toBe(200);
      h.clock.advanceDays(0.001);
    }
    const reads = await as(h, auditor).get(`/api/v1/audit?personId=${personId}&userId=${kw.id}&action=read&limit=2`);
    expect(reads.status).toBe(200);
    expect(reads.body.items).toHaveLength(2);
    expect(reads.body.items[0]).toMatchObject({ action: 'read', personId, userId: kw.id, agencyId: provider.id, entityType: 'person' });
    const rest = await as(h, auditor).get(`/api/v1/audit?personId=${personId}&userId=${kw.id}&action=read&limit=2&cursor=${reads.body.nextCursor as string}`);
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.nextCursor).toBeNull();
    const window = await as(h, auditor).get(`/api/v1/audit?personId=${personId}&from=2099-01-01T00:00:00Z`);
    expect(window.body.items).toHaveLength(0);
    // Auditors read the trail, not the person.
    expect((await as(h, auditor).get(`/api/v1/people/${personId}`)).status).toBe(404);

    // Reading a journey, its timeline or a list of journeys is recorded too.
    const opened = await as(h, kw).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: h.clock.today() });
    await as(h, kw).get(`/api/v1/cases/${opened.body.id as string}`);
    await as(h, kw).get(`/api/v1/cases/${opened.body.id as string}/timeline`);
    await as(h, kw).get('/api/v1/cases');
    const journeyReads = await as(h, auditor).get(`/api/v1/audit?personId=${personId}&action=read&limit=200`);
    const kinds = (journeyReads.body.items as Array<{ entityType: string; entityId: string; detail: { via?: string } }>).map((e) => `${e.entityType}${e.detail.via ? `:${e.detail.via}` : ''}`);
    expect(kinds).toEqual(expect.arrayContaining(['case', 'case_timeline', 'case:list', 'person']));
    const created = await as(h, auditor).get(`/api/v1/audit?personId=${personId}&action=create`);
    expect(created.body.items.map((e: { entityType: string }) => e.entityType).sort()).toEqual(['case', 'person']);
  });

  it('serves the built web app for browser page requests when web/dist is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pathways-web-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Pathways</title>');
    const app = createApp({ store: h.store, engine: h.engine, now: () => h.clock.now(), webDist: dir });
    const page = await request(app).get('/caseload').set('Accept', 'text/html');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>Pathways</title>');
    const api = await request(app).get('/api/v1/nothing').set('Accept', 'text/html');
    expect(api.status).toBe(404);
  });
});
