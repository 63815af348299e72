/**
 * Bad input on every route: wrong types, missing fields, unknown codes, unknown fields,
 * huge bodies, malformed JSON, wrong content type, bad ids and queries. Always a 4xx
 * problem that names the issue, never a 5xx, and nothing written.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, giveConsent, makeAgency, makePerson, makeTop, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

const TABLES = ['agencies', 'users', 'auth_tokens', 'people', 'consents', 'cases', 'referrals', 'events', 'timers', 'audit_log'] as const;
const UNKNOWN_ID = '4f1d2c3b-1111-4222-8333-444455556666';

describe.each(DIALECTS)('bad input on %s', (dialect) => {
  let h: ApiHarness;
  let admin: TestUser;
  let keyworker: TestUser;
  let auditor: TestUser;
  let providerId: string;
  let personId: string;
  let consentId: string;
  let caseId: string;
  let caseVersion: number;
  let referralId: string;
  let receiver: TestUser;

  beforeAll(async () => {
    h = await createApiHarness(dialect);
    const provider = await makeAgency(h, 'treatment_provider');
    providerId = provider.id;
    const housing = await makeAgency(h, 'housing');
    admin = await makeUser(h, provider.id, 'admin');
    keyworker = await makeUser(h, provider.id, 'keyworker');
    auditor = await makeUser(h, provider.id, 'auditor');
    receiver = await makeUser(h, housing.id, 'referrer');
    personId = await makePerson(h, keyworker);
    consentId = await giveConsent(h, keyworker, personId, { toAgencyId: housing.id }, ['identity', 'contact', 'housing']);
    const opened = await as(h, keyworker).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: h.clock.today() });
    caseId = opened.body.id as string;
    caseVersion = opened.body.version as number;
    const sent = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: housing.id, kind: 'housing', reason: 'Housing help', urgency: 'routine' });
    referralId = sent.body.id as string;
  });
  afterAll(async () => {
    await h.close();
  });

  async function counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      const row = await h.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      out[table] = Number(row.n);
    }
    return out;
  }

  /** Sends one bad request and checks the answer; `names` must appear in an issue path or the detail. */
  async function expectRefused(user: TestUser | null, method: 'get' | 'post', path: string, body: unknown, status: number, names: string) {
    const before = await counts();
    const res = await as(h, user)[method](path, body);
    expect(res.status, `${method.toUpperCase()} ${path} ${JSON.stringify(body)} → ${JSON.stringify(res.body)}`).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    const paths = ((res.body.issues ?? []) as Array<{ path: string }>).map((i) => i.path);
    expect(paths.some((p) => p.includes(names)) || String(res.body.detail).includes(names), `${names} not named in ${JSON.stringify(res.body)}`).toBe(true);
    expect(await counts()).toEqual(before);
  }

  it('login', async () => {
    await expectRefused(null, 'post', '/api/v1/auth/login', {}, 400, 'email');
    await expectRefused(null, 'post', '/api/v1/auth/login', { email: 42, password: ['x'] }, 400, 'password');
    await expectRefused(null, 'post', '/api/v1/auth/login', { email: 'a@b.example', password: 'x', remember: true }, 400, 'remember');
  });

  it('agencies and users', async () => {
    await expectRefused(admin, 'post', '/api/v1/agencies', { name: '', kind: 'spaceship', area: 5 }, 400, 'kind');
    await expectRefused(admin, 'post', '/api/v1/agencies', { name: 'X', kind: 'housing', area: 'Y', colour: 'red' }, 400, 'colour');
    await expectRefused(admin, 'post', '/api/v1/users', { email: 'not-an-email', name: 'N', password: 'long enough password', role: 'keyworker', agencyId: providerId }, 400, 'email');
    await expectRefused(admin, 'post', '/api/v1/users', { email: 'n@test.example', name: 'N', password: 'long enough password', role: 'boss', agencyId: providerId }, 400, 'role');
    await expectRefused(admin, 'post', '/api/v1/users', { email: 'n@test.example', name: 'N', password: 'long enough password', role: 'keyworker', agencyId: UNKNOWN_ID }, 400, 'agencyId');
    await expectRefused(admin, 'post', '/api/v1/users', { email: 'n@test.example', name: 'N', password: 'short', role: 'keyworker', agencyId: providerId }, 400, 'password');
    await expectRefused(admin, 'post', '/api/v1/users', { email: keyworker.email, name: 'N', password: 'long enough password', role: 'keyworker', agencyId: providerId }, 409, 'email');
    await expectRefused(admin, 'get', '/api/v1/users?role=boss', undefined, 400, 'role');
  });

  it('people and consents', async () => {
    await expectRefused(keyworker, 'post', '/api/v1/people', { givenName: 'A', familyName: 'B', dateOfBirth: '31/12/1990', sex: 'female' }, 400, 'dateOfBirth');
    await expectRefused(keyworker, 'post', '/api/v1/people', { givenName: 'A', familyName: 'B', dateOfBirth: '1990-12-31', sex: 'x' }, 400, 'sex');
    await expectRefused(keyworker, 'post', '/api/v1/people', { givenName: 'A', familyName: 'B', dateOfBirth: '1990-12-31', sex: 'male', postcodeDistrict: 'NOT A POSTCODE' }, 400, 'postcodeDistrict');
    await expectRefused(keyworker, 'post', '/api/v1/people', { familyName: 'B', dateOfBirth: '1990-12-31', sex: 'male' }, 400, 'givenName');
    await expectRefused(keyworker, 'post', '/api/v1/people', { givenName: 'A\u0000B', familyName: 'B', dateOfBirth: '1990-12-31', sex: 'male' }, 400, 'givenName');
    await expectRefused(keyworker, 'post', '/api/v1/people', { givenName: 'A', familyName: 'B', dateOfBirth: '1990-02-30', sex: 'male' }, 400, 'dateOfBirth');
    await expectRefused(keyworker, 'get', '/api/v1/people/not-an-id', undefined, 400, 'id');
    await expectRefused(keyworker, 'get', `/api/v1/people/${UNKNOWN_ID}`, undefined, 404, 'not found');
    const consents = `/api/v1/people/${personId}/consents`;
    await expectRefused(keyworker, 'post', consents, { toAgencyKind: 'gp', categories: ['telepathy'], purpose: 'Care' }, 400, 'categories.0');
    await expectRefused(keyworker, 'post', consents, { toAgencyKind: 'gp', toAgencyId: providerId, categories: ['identity'], purpose: 'Care' }, 400, 'toAgencyId');
    await expectRefused(keyworker, 'post', consents, { toAgencyId: UNKNOWN_ID, categories: ['identity'], purpose: 'Care' }, 400, 'toAgencyId');
    await expectRefused(keyworker, 'post', consents, { toAgencyKind: 'gp', categories: [], purpose: 'Care' }, 400, 'categories');
    await expectRefused(keyworker, 'post', consents, { toAgencyKind: 'gp', categories: ['identity'], purpose: 'Care', givenOn: '2026-03-01', validUntil: '2026-01-01' }, 400, 'validUntil');
    await expectRefused(keyworker, 'post', consents, { toAgencyKind: 'gp', categories: ['identity'], purpose: 'Care', givenOn: '2099-01-01' }, 400, 'givenOn');
    await expectRefused(keyworker, 'post', `${consents}/${consentId}/withdraw`, { reason: 5 }, 400, 'reason');
    await expectRefused(keyworker, 'post', `${consents}/${UNKNOWN_ID}/withdraw`, {}, 404, 'not found');
  });

  it('journeys and their events', async () => {
    await expectRefused(keyworker, 'post', '/api/v1/cases', { personId, referralSource: 'aliens', referredOn: '2026-03-01' }, 400, 'referralSource');
    await expectRefused(keyworker, 'post', '/api/v1/cases', { personId: 'abc', referralSource: 'self', referredOn: '2026-03-01' }, 400, 'personId');
    await expectRefused(keyworker, 'post', '/api/v1/cases', { personId: await makePerson(h, keyworker), referralSource: 'self', referredOn: '2099-03-01' }, 400, 'referredOn');
    await expectRefused(keyworker, 'get', '/api/v1/cases?stage=nowhere', undefined, 400, 'stage');
    await expectRefused(keyworker, 'get', '/api/v1/cases?limit=0', undefined, 400, 'limit');
    await expectRefused(keyworker, 'get', '/api/v1/cases?cursor=garbage', undefined, 400, 'cursor');
    const nulCursor = Buffer.from(JSON.stringify({ openedAt: '\u0000', id: 'x' })).toString('base64url');
    await expectRefused(keyworker, 'get', `/api/v1/cases?cursor=${nulCursor}`, undefined, 400, 'cursor');
    await expectRefused(keyworker, 'get', '/api/v1/cases?overdue=maybe', undefined, 400, 'overdue');
    const events = `/api/v1/cases/${caseId}/events`;
    const v = caseVersion;
    await expectRefused(keyworker, 'post', events, { type: 'NOPE', expectedVersion: v }, 400, 'type');
    await expectRefused(keyworker, 'post', events, { type: 'SCREENING_STARTED' }, 400, 'expectedVersion');
    await expectRefused(keyworker, 'post', events, { type: 'SCREENING_STARTED', expectedVersion: 'one' }, 400, 'expectedVersion');
    await expectRefused(keyworker, 'post', events, { type: 'REVIEW_DUE', expectedVersion: v }, 400, 'type');
    await expectRefused(keyworker, 'post', events, { type: 'CARE_PLAN_AGREED', expectedVersion: v, interventions: [] }, 400, 'interventions');
    await expectRefused(keyworker, 'post', events, { type: 'CARE_PLAN_AGREED', expectedVersion: v, interventions: [{ id: 'x', modality: 'magic' }] }, 400, 'interventions.0.modality');
    await expectRefused(keyworker, 'post', events, { type: 'DISCHARGED', expectedVersion: v, reason: 'bored', dischargedOn: '2026-03-01' }, 400, 'reason');
    const top = { ...makeTop('start', '2026-03-01'), substanceDays: { ...makeTop('start', '2026-03-01').substanceDays, alcohol: 40 } };
    await expectRefused(keyworker, 'post', events, { type: 'TOP_RECORDED', expectedVersion: v, top }, 400, 'top.substanceDays.alcohol');
    await expectRefused(keyworker, 'post', events, { type: 'SCREENING_STARTED', expectedVersion: v, effectiveAt: 'yesterday' }, 400, 'effectiveAt');
    await expectRefused(keyworker, 'post', events, { type: 'SCREENING_STARTED', expectedVersion: v, effectiveAt: '2099-01-01T00:00:00Z' }, 400, 'effectiveAt');
    await expectRefused(keyworker, 'post', events, { type: 'KEYWORKER_ASSIGNED', expectedVersion: v, keyworkerId: admin.id }, 400, 'keyworkerId');
    // Right shape, wrong moment or version: 409 with what to do next.
    await expectRefused(keyworker, 'post', events, { type: 'REENTRY_CONFIRMED', expectedVersion: v }, 409, 'SCREENING_STARTED');
    await expectRefused(keyworker, 'post', events, { type: 'SCREENING_STARTED', expectedVersion: v + 7 }, 409, 'version');
    await expectRefused(keyworker, 'post', events, { type: 'SCREENING_STARTED', expectedVersion: Number.MAX_SAFE_INTEGER }, 409, 'version');
    await expectRefused(keyworker, 'post', events, { type: 'CARE_PLAN_AGREED', expectedVersion: v, interventions: [{ id: 'a\u0000', modality: 'outreach' }] }, 400, 'interventions.0.id');
    const conflict = await as(h, keyworker).post(events, { type: 'SCREENING_STARTED', expectedVersion: v + 7 });
    expect(conflict.body).toMatchObject({ code: 'version_conflict', currentVersion: v });
    const invalid = await as(h, keyworker).post(events, { type: 'REENTRY_CONFIRMED', expectedVersion: v });
    expect(invalid.body.code).toBe('invalid_transition');
    expect(invalid.body.allowedEvents).toContain('SCREENING_STARTED');
  });

  it('referrals and their events', async () => {
    const body = { personId, toAgencyId: providerId, kind: 'housing', reason: 'Help', urgency: 'routine' };
    await expectRefused(keyworker, 'post', '/api/v1/referrals', { ...body, kind: 'teleport' }, 400, 'kind');
    await expectRefused(keyworker, 'post', '/api/v1/referrals', { ...body, urgency: 'asap' }, 400, 'urgency');
    await expectRefused(keyworker, 'post', '/api/v1/referrals', body, 400, 'toAgencyId');
    await expectRefused(keyworker, 'post', '/api/v1/referrals', { ...body, toAgencyId: UNKNOWN_ID }, 400, 'toAgencyId');
    await expectRefused(keyworker, 'post', '/api/v1/referrals', { ...body, reason: '' }, 400, 'reason');
    await expectRefused(keyworker, 'post', '/api/v1/referrals', { ...body, caseId: 'nope' }, 400, 'caseId');
    await expectRefused(keyworker, 'get', '/api/v1/referrals?box=spam', undefined, 400, 'box');
    await expectRefused(keyworker, 'get', '/api/v1/referrals?status=lost', undefined, 400, 'status');
    const events = `/api/v1/referrals/${referralId}/events`;
    await expectRefused(receiver, 'post', events, { type: 'REFERRAL_REJECTED' }, 400, 'reason');
    await expectRefused(receiver, 'post', events, { type: 'ACKNOWLEDGE_DEADLINE_PASSED' }, 400, 'type');
    await expectRefused(receiver, 'post', events, { type: 'REFERRAL_COMPLETED', outcome: 'done' }, 409, 'REFERRAL_ACCEPTED');
    await expectRefused(receiver, 'post', events, { type: 'REFERRAL_RECEIVED', expectedVersion: 99 }, 409, 'version');
    await expectRefused(receiver, 'post', '/api/v1/referrals/123/events', { type: 'REFERRAL_RECEIVED' }, 400, 'id');
  });

  it('audit queries', async () => {
    await expectRefused(auditor, 'get', '/api/v1/audit?from=yesterday', undefined, 400, 'from');
    await expectRefused(auditor, 'get', '/api/v1/audit?action=peek', undefined, 400, 'action');
    await expectRefused(auditor, 'get', '/api/v1/audit?personId=abc', undefined, 400, 'personId');
    await expectRefused(auditor, 'get', '/api/v1/audit?sort=desc', undefined, 400, 'sort');
  });

  it('malformed JSON, wrong content type and huge bodies on every body route', async () => {
    const routes = [
      '/api/v1/auth/login',
      '/api/v1/agencies',
      '/api/v1/users',
      '/api/v1/people',
      `/api/v1/people/${personId}/consents`,
      `/api/v1/people/${personId}/consents/${consentId}/withdraw`,
      '/api/v1/cases',
      `/api/v1/cases/${caseId}/events`,
      '/api/v1/referrals',
      `/api/v1/referrals/${referralId}/events`,
    ];
    const huge = JSON.stringify({ reason: 'x'.repeat(1_100_000) });
    for (const path of routes) {
      const before = await counts();
      const malformed = await request(h.app).post(path).set('Authorization', `Bearer ${keyworker.token}`).set('Content-Type', 'application/json').send('{"type": "SCREENING_STARTED",');
      expect(malformed.status, path).toBe(400);
      expect(malformed.body.code).toBe('malformed_json');
      const text = await request(h.app).post(path).set('Authorization', `Bearer ${keyworker.token}`).set('Content-Type', 'text/plain').send('type=SCREENING_STARTED');
      expect(text.status, path).toBe(415);
      expect(text.body.code).toBe('unsupported_media_type');
      const form = await request(h.app).post(path).set('Authorization', `Bearer ${keyworker.token}`).type('form').send({ type: 'SCREENING_STARTED' });
      expect(form.status, path).toBe(415);
      const big = await request(h.app).post(path).set('Authorization', `Bearer ${keyworker.token}`).set('Content-Type', 'application/json').send(huge);
      expect(big.status, path).toBe(413);
      expect(big.body.code).toBe('payload_too_large');
      const array = await request(h.app).post(path).set('Authorization', `Bearer ${keyworker.token}`).send([1, 2, 3]);
      expect(array.status, path).toBeGreaterThanOrEqual(400);
      expect(array.status, path).toBeLessThan(500);
      expect(await counts()).toEqual(before);
    }
  });

  it('random JSON on every body route never answers 5xx', async () => {
    let seed = 20261125;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const keys = ['type', 'expectedVersion', 'personId', 'kind', 'reason', 'categories', 'top', 'interventions', 'email', 'password', 'name', 'x', ''];
    const value = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.2) return [null, true, -1, 1e308, 'SCREENING_STARTED', '', '\u202e', UNKNOWN_ID, '2026-02-30'][Math.floor(rand() * 9)];
      if (r < 0.5) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 5) }, () => [keys[Math.floor(rand() * keys.length)]!, value(depth + 1)]));
    };
    const routes = [
      '/api/v1/auth/login',
      '/api/v1/agencies',
      '/api/v1/users',
      '/api/v1/people',
      `/api/v1/people/${personId}/consents`,
      '/api/v1/cases',
      `/api/v1/cases/${caseId}/events`,
      '/api/v1/referrals',
      `/api/v1/referrals/${referralId}/events`,
    ];
    for (const path of routes) {
      for (let i = 0; i < 25; i++) {
        const body = value(0);
        const user = path.includes('agencies') || path.includes('users') ? admin : path.includes('referrals/') ? receiver : keyworker;
        const res = await request(h.app).post(path).set('Authorization', `Bearer ${user.token}`).set('Content-Type', 'application/json').send(JSON.stringify(body));
        expect(res.status, `${path} ${JSON.stringify(body)} → ${JSON.stringify(res.body)}`).toBeLessThan(500);
        if (res.status >= 400) expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      }
    }
  });

  it('unknown routes answer a 404 problem', async () => {
    const res = await request(h.app).get('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('not_found');
    const post = await request(h.app).post('/api/v1/cases/x/y/z').send({});
    expect(post.status).toBe(404);
  });
});
