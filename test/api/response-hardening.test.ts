/**
 * Hardening of answers and inputs: every `/api/v1` answer that can carry personal data is
 * marked `Cache-Control: no-store` (errors too, whichever way the request came in), and
 * dates far outside sense are refused with `validation_failed` naming the field, judged
 * by the app's clock (here a test clock on 2026-03-02).
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, giveConsent, makeAgency, makePerson, makeTop, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

describe.each(DIALECTS)('response hardening on %s', (dialect) => {
  let h: ApiHarness;
  let keyworker: TestUser;
  let auditor: TestUser;
  let manager: TestUser;
  let personId: string;
  let caseId: string;
  let version: number;
  let referralId: string;
  let receiver: TestUser;

  beforeAll(async () => {
    h = await createApiHarness(dialect);
    const provider = await makeAgency(h, 'treatment_provider');
    const housing = await makeAgency(h, 'housing');
    keyworker = await makeUser(h, provider.id, 'keyworker');
    manager = await makeUser(h, provider.id, 'manager');
    auditor = await makeUser(h, provider.id, 'auditor');
    receiver = await makeUser(h, housing.id, 'referrer');
    personId = await makePerson(h, keyworker);
    const opened = await as(h, keyworker).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: h.clock.today() });
    caseId = opened.body.id as string;
    version = opened.body.version as number;
    await giveConsent(h, keyworker, personId, { toAgencyId: housing.id }, ['identity', 'contact', 'housing']);
    const sent = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: housing.id, kind: 'housing', reason: 'Needs a tenancy', urgency: 'routine' });
    referralId = sent.body.id as string;
  });
  afterAll(async () => {
    await h.close();
  });

  describe('Cache-Control: no-store', () => {
    it('marks every personal-data answer, success or refusal', async () => {
      const answers = [
        await as(h, keyworker).get(`/api/v1/people/${personId}`),
        await as(h, keyworker).get(`/api/v1/people/${personId}/consents`),
        await as(h, keyworker).get('/api/v1/cases'),
        await as(h, keyworker).get(`/api/v1/cases/${caseId}`),
        await as(h, keyworker).get(`/api/v1/cases/${caseId}/timeline`),
        await as(h, keyworker).get('/api/v1/referrals'),
        await as(h, receiver).get(`/api/v1/referrals/${referralId}`),
        await as(h, auditor).get('/api/v1/audit'),
        await as(h, manager).get('/api/v1/users'),
        await as(h, keyworker).get('/api/v1/me'),
        await as(h, keyworker).get('/api/v1/cases/4f1d2c3b-1111-4222-8333-444455556666'), // 404
        await as(h, null).get('/api/v1/cases'), // 401
        await as(h, keyworker).get('/api/v1/no-such-route'), // 404 from the fallback
        await as(h, keyworker).post('/api/v1/people', { givenName: '' }), // 400
        // Another letter case and a trailing slash reach the route through the Express router.
        await as(h, keyworker).get(`/API/v1/cases/${caseId}/`),
        await request(h.app).head(`/api/v1/cases/${caseId}`).set('Authorization', `Bearer ${keyworker.token}`),
      ];
      const statuses = answers.map((r) => r.status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 401, 404, 400, 200, 200]);
      answers.forEach((res, i) => expect(res.headers['cache-control'], `answer ${i}`).toBe('no-store'));
    });

    it('lets the published API description, the docs page and the health checks be cached', async () => {
      for (const path of ['/api/v1/openapi.json', '/api/docs', '/healthz']) {
        const res = await request(h.app).get(path);
        expect(res.status, path).toBe(200);
        expect(res.headers['cache-control'] ?? '', path).not.toContain('no-store');
      }
    });
  });

  describe('dates far outside sense', () => {
    async function refusedField(res: request.Response, field: string) {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(field);
    }

    it('refuses a date of birth in the future, on 9999-12-31, or an age outside 10 to 110', async () => {
      const person = { givenName: 'Date', familyName: 'Sense', sex: 'male' };
      for (const dateOfBirth of ['9999-12-31', '2026-03-03', '2020-01-01', '1900-01-01', '0001-01-01']) {
        await refusedField(await as(h, keyworker).post('/api/v1/people', { ...person, dateOfBirth }), 'dateOfBirth');
      }
      // Ten today (2026-03-02) and 110 today are the bounds.
      expect((await as(h, keyworker).post('/api/v1/people', { ...person, dateOfBirth: '2016-03-02' })).status).toBe(201);
      expect((await as(h, keyworker).post('/api/v1/people', { ...person, dateOfBirth: '1915-03-03' })).status).toBe(201);
      await refusedField(await as(h, keyworker).post('/api/v1/people', { ...person, dateOfBirth: '2016-03-03' }), 'dateOfBirth');
      await refusedField(await as(h, keyworker).post('/api/v1/people', { ...person, dateOfBirth: '1915-03-02' }), 'dateOfBirth');
    });

    it('refuses effectiveAt in year 0001 or far in the future, on journeys and referrals', async () => {
      for (const effectiveAt of ['0001-01-01T00:00:00Z', '1989-12-31T23:59:59Z', '2999-01-01T00:00:00Z']) {
        await refusedField(
          await as(h, keyworker).post(`/api/v1/cases/${caseId}/events`, { type: 'SCREENING_STARTED', expectedVersion: version, effectiveAt, backdateReason: 'Paper notes typed up' }),
          'effectiveAt',
        );
        await refusedField(await as(h, receiver).post(`/api/v1/referrals/${referralId}/events`, { type: 'REFERRAL_RECEIVED', effectiveAt, backdateReason: 'Paper notes typed up' }), 'effectiveAt');
      }
      const ok = await as(h, keyworker).post(`/api/v1/cases/${caseId}/events`, { type: 'SCREENING_STARTED', expectedVersion: version, effectiveAt: '2026-03-02T09:00:00Z' });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      version = ok.body.version as number;
    });

    it('refuses a future date for a fact (…On), a referral date, a TOP and a consent', async () => {
      await refusedField(await as(h, keyworker).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: '2026-04-01' }), 'referredOn');
      await refusedField(await as(h, keyworker).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: '0001-01-01' }), 'referredOn');
      await refusedField(
        await as(h, keyworker).post(`/api/v1/cases/${caseId}/events`, { type: 'SCREENING_COMPLETED', outcome: 'assess', expectedVersion: version }).then(async () => {
          const c = await as(h, keyworker).get(`/api/v1/cases/${caseId}`);
          version = c.body.version as number;
          return as(h, keyworker).post(`/api/v1/cases/${caseId}/events`, { type: 'ASSESSMENT_COMPLETED', domains: {}, completedOn: '2026-09-01', expectedVersion: version });
        }),
        'completedOn',
      );
      await refusedField(
        await as(h, keyworker).post(`/api/v1/cases/${caseId}/events`, { type: 'DISCHARGED', reason: 'dropped_out', dischargedOn: '9999-12-31', expectedVersion: version }),
        'dischargedOn',
      );
      await refusedField(
        await as(h, keyworker).post(`/api/v1/cases/${caseId}/events`, { type: 'TOP_RECORDED', top: makeTop('start', '2027-01-01'), expectedVersion: version }),
        'top.recordedOn',
      );
      await refusedField(await as(h, receiver).post(`/api/v1/referrals/${referralId}/events`, { type: 'FIRST_CONTACT_MADE', contactOn: '2026-03-10' }), 'contactOn');
      await refusedField(
        await as(h, keyworker).post(`/api/v1/people/${personId}/consents`, { toAgencyKind: 'gp', categories: ['identity'], purpose: 'GP', givenOn: '2026-03-09' }),
        'givenOn',
      );
      await refusedField(
        await as(h, keyworker).post(`/api/v1/people/${personId}/consents`, { toAgencyKind: 'gp', categories: ['identity'], purpose: 'GP', validUntil: '9999-12-31' }),
        'validUntil',
      );
      // Today is a fact date.
      const today = await as(h, keyworker).post(`/api/v1/cases/${caseId}/events`, { type: 'ASSESSMENT_COMPLETED', domains: {}, completedOn: '2026-03-02', expectedVersion: version });
      expect(today.status, JSON.stringify(today.body)).toBe(200);
    });

    it('judges "the future" by the app clock, not the machine clock', async () => {
      h.clock.set('2031-06-01T10:00:00.000Z');
      const later = await as(h, keyworker).post('/api/v1/people', { givenName: 'Later', familyName: 'Clock', sex: 'female', dateOfBirth: '2020-06-01' });
      expect(later.status, JSON.stringify(later.body)).toBe(201);
      h.clock.set('2026-03-02T10:00:00.000Z');
    });
  });
});
