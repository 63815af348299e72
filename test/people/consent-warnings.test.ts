/**
 * The caseload warns 30 days before a consent used by a live referral ends, and "my day"
 * lists the same consents: one not used by a live referral, one ending later, and one whose
 * referral ended are not warned of; a journey another agency leads never shows the consents.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

describe.each(DIALECTS)('consent warnings on the caseload and my day on %s', (dialect) => {
  let h: ApiHarness;
  let keyworker: TestUser;
  let housing: { id: string; name: string };
  let probation: { id: string };
  beforeEach(async () => {
    h = await createApiHarness(dialect, { start: '2026-03-02T10:00:00.000Z' });
    const provider = await makeAgency(h, 'treatment_provider');
    keyworker = await makeUser(h, provider.id, 'keyworker');
    housing = (await makeAgency(h, 'housing', { name: 'Northbridge Housing' }));
    probation = await makeAgency(h, 'probation');
  });
  afterEach(async () => {
    await h.close();
  });

  const consent = async (personId: string, body: Record<string, unknown>) => {
    const res = await as(h, keyworker).post(`/api/v1/people/${personId}/consents`, { categories: ['identity', 'contact', 'housing'], purpose: 'Housing', ...body });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const refer = async (personId: string, toAgencyId: string) => {
    const res = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId, kind: 'housing', reason: 'Needs a tenancy', urgency: 'routine' });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const caseload = async () => (await as(h, keyworker).get('/api/v1/cases?keyworker=me')).body.items as Array<{ personId: string; consentsExpiring?: Array<Record<string, unknown>> }>;

  it('warns from 30 days before the last day, only for consents a live referral uses, and my day agrees', async () => {
    const personId = await makePerson(h, keyworker);
    const opened = await as(h, keyworker).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: '2026-03-02', keyworkerId: keyworker.id });
    expect(opened.status).toBe(201);
    // Ends 31 days on: outside the window today, inside it tomorrow.
    const used = await consent(personId, { toAgencyId: housing.id, validUntil: '2026-04-02' });
    // Ends sooner, but names probation, to which nothing is referred.
    await consent(personId, { toAgencyId: probation.id, validUntil: '2026-03-20' });
    const referralId = await refer(personId, housing.id);

    expect((await caseload())[0]!.consentsExpiring).toEqual([]);
    h.clock.set('2026-03-03T10:00:00.000Z');
    const rows = await caseload();
    expect(rows[0]!.consentsExpiring).toEqual([
      { id: used, personId, validUntil: '2026-04-02', toAgencyId: housing.id, toAgencyKind: null, toAgencyName: 'Northbridge Housing', referralIds: [referralId] },
    ]);
    const day = await as(h, keyworker).get('/api/v1/my-day');
    expect(day.status).toBe(200);
    expect(day.body.consentsExpiring).toMatchObject([{ id: used, personId, caseId: opened.body.id as string, validUntil: '2026-04-02', toAgencyName: 'Northbridge Housing' }]);

    // The last day itself still warns; the next day the consent is out of force and the warning goes.
    h.clock.set('2026-04-02T12:00:00.000Z');
    expect((await caseload())[0]!.consentsExpiring).toHaveLength(1);
    h.clock.set('2026-04-03T12:00:00.000Z');
    expect((await caseload())[0]!.consentsExpiring).toEqual([]);
  });

  it('stops warning once the referral has ended, and a consent to a kind counts for an agency of that kind', async () => {
    const personId = await makePerson(h, keyworker);
    await as(h, keyworker).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: '2026-03-02', keyworkerId: keyworker.id });
    const byKind = await consent(personId, { toAgencyKind: 'housing', validUntil: '2026-03-25' });
    const referralId = await refer(personId, housing.id);
    expect((await caseload())[0]!.consentsExpiring).toMatchObject([{ id: byKind, toAgencyKind: 'housing', referralIds: [referralId] }]);
    const cancelled = await as(h, keyworker).post(`/api/v1/referrals/${referralId}/events`, { type: 'REFERRAL_CANCELLED', reason: 'Housed already' });
    expect(cancelled.status).toBe(200);
    expect((await caseload())[0]!.consentsExpiring).toEqual([]);
    expect((await as(h, keyworker).get('/api/v1/my-day')).body.consentsExpiring).toEqual([]);
  });
});
