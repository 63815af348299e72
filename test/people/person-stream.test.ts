/**
 * The person stream: recording a person, correcting details and the life of a consent are
 * events with versions in the hash-chained log, the `people`/`consents` rows are their
 * projection, and the timeline reads the stream cut by the person's access rules.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, giveConsent, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

describe.each(DIALECTS)('person stream on %s', (dialect) => {
  let h: ApiHarness;
  let provider: { id: string };
  let keyworker: TestUser;
  let probation: { id: string };
  let officer: TestUser;
  beforeEach(async () => {
    h = await createApiHarness(dialect);
    provider = await makeAgency(h, 'treatment_provider');
    keyworker = await makeUser(h, provider.id, 'keyworker');
    probation = await makeAgency(h, 'probation');
    officer = await makeUser(h, probation.id, 'referrer');
  });
  afterEach(async () => {
    await h.close();
  });

  const patch = (user: TestUser, url: string, body: unknown) => request(h.app).patch(url).set('Authorization', `Bearer ${user.token}`).send(body as object);
  const timeline = async (user: TestUser, id: string) => {
    const res = await as(h, user).get(`/api/v1/people/${id}/timeline`);
    expect(res.status).toBe(200);
    return res.body.items as Array<{ type: string; version: number; payload: Record<string, unknown>; byUserId: string | null }>;
  };

  it('records, corrects and versions a person; a stale version is refused and the chain verifies', async () => {
    const id = await makePerson(h, keyworker, { givenName: 'Sam' });
    const read = await as(h, keyworker).get(`/api/v1/people/${id}`);
    expect(read.body).toMatchObject({ givenName: 'Sam', version: 1 });

    const corrected = await patch(keyworker, `/api/v1/people/${id}`, { givenName: 'Samantha', ethnicity: null, expectedVersion: 1 });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ givenName: 'Samantha', version: 2 });
    expect(corrected.body.ethnicity).toBeNull();
    const after = await as(h, keyworker).get(`/api/v1/people/${id}`);
    expect(after.body).toMatchObject({ givenName: 'Samantha', postcodeDistrict: 'NB1', version: 2 });

    const stale = await patch(keyworker, `/api/v1/people/${id}`, { familyName: 'Other', expectedVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
    expect((await patch(keyworker, `/api/v1/people/${id}`, { givenName: null })).status).toBe(400);
    expect((await patch(keyworker, `/api/v1/people/${id}`, {})).status).toBe(400);
    // Another agency with no referral sees nothing, not even that the person exists.
    expect((await patch(officer, `/api/v1/people/${id}`, { givenName: 'X' })).status).toBe(404);

    const items = await timeline(keyworker, id);
    expect(items.map((e) => [e.type, e.version])).toEqual([
      ['PERSON_RECORDED', 1],
      ['PERSON_DETAILS_CORRECTED', 2],
    ]);
    expect(items[1]!.payload).toEqual({ changes: { givenName: 'Samantha', ethnicity: null } });
    expect(items[0]!.byUserId).toBe(keyworker.id);
    const audit = await h.store.db.selectFrom('audit_log').selectAll().where('person_id', '=', id).where('action', '=', 'correct').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.detail)).toEqual({ fields: ['ethnicity', 'givenName'] });
    expect(await verifyChain(h.store.db)).toMatchObject({ ok: true });
  });

  it("keeps a consent's life on the person's stream: given, renewed, withdrawn; a withdrawn consent is not renewed", async () => {
    const id = await makePerson(h, keyworker);
    const given = await as(h, keyworker).post(`/api/v1/people/${id}/consents`, {
      toAgencyId: probation.id,
      categories: ['identity', 'contact'],
      purpose: 'Resettlement',
      validUntil: '2026-06-30',
    });
    expect(given.status).toBe(201);
    const cid = given.body.id as string;
    const timer = await h.store.db.selectFrom('timers').selectAll().where('stream_type', '=', 'person').where('stream_id', '=', id).execute();
    expect(timer.map((t) => [t.timer_key, t.due_at, t.status])).toEqual([[`consent-expiry-${cid}`, '2026-06-30T23:00:00.000Z', 'pending']]);

    const renewed = await as(h, keyworker).post(`/api/v1/people/${id}/consents/${cid}/renew`, { validUntil: '2027-03-01' });
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ id: cid, validUntil: '2027-03-01', active: true });
    expect((await as(h, keyworker).post(`/api/v1/people/${id}/consents/${cid}/renew`, { validUntil: '2026-01-01' })).status).toBe(400);

    const withdrawn = await as(h, keyworker).post(`/api/v1/people/${id}/consents/${cid}/withdraw`, { reason: 'Changed their mind' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ active: false, withdrawnBy: keyworker.id, withdrawalReason: 'Changed their mind' });
    const again = await as(h, keyworker).post(`/api/v1/people/${id}/consents/${cid}/renew`, { validUntil: '2027-03-01' });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/record a new one/);

    const timers = await h.store.db.selectFrom('timers').select(['status']).where('stream_type', '=', 'person').where('stream_id', '=', id).execute();
    expect(timers.map((t) => t.status).sort()).toEqual(['cancelled', 'cancelled']);
    const items = await timeline(keyworker, id);
    expect(items.map((e) => e.type)).toEqual(['PERSON_RECORDED', 'CONSENT_GIVEN', 'CONSENT_RENEWED', 'CONSENT_WITHDRAWN']);
    expect(items[3]!.payload).toEqual({ consentId: cid, reason: 'Changed their mind' });
    expect(await verifyChain(h.store.db)).toMatchObject({ ok: true });
  });

  it('expires a consent by itself at the end of its last valid day (a durable timer on the person stream)', async () => {
    const id = await makePerson(h, keyworker);
    const given = await as(h, keyworker).post(`/api/v1/people/${id}/consents`, { toAgencyKind: 'housing', categories: ['identity'], purpose: 'Housing', validUntil: '2026-03-03' });
    const cid = given.body.id as string;
    h.clock.set('2026-03-03T23:59:00.000Z');
    expect(await h.engine.sweepDueTimers()).toMatchObject({ fired: 0 });
    h.clock.set('2026-03-04T00:00:00.000Z');
    expect(await h.engine.sweepDueTimers()).toMatchObject({ fired: 1 });
    const items = await timeline(keyworker, id);
    expect(items.at(-1)).toMatchObject({ type: 'CONSENT_EXPIRED', payload: { consentId: cid }, byUserId: null, version: 3 });
    const consents = await as(h, keyworker).get(`/api/v1/people/${id}/consents`);
    expect(consents.body.items[0]).toMatchObject({ id: cid, active: false, withdrawnAt: null });
    // An expired consent is renewed back into force (and its expiry clock starts again).
    const renewed = await as(h, keyworker).post(`/api/v1/people/${id}/consents/${cid}/renew`, { validUntil: '2026-09-01' });
    expect(renewed.body).toMatchObject({ active: true, validUntil: '2026-09-01' });
    const pending = await h.store.db.selectFrom('timers').select('due_at').where('stream_id', '=', id).where('status', '=', 'pending').execute();
    // The end of 1 September in London: midnight BST.
    expect(pending).toEqual([{ due_at: '2026-09-01T23:00:00.000Z' }]);
  });

  it('cuts the timeline for an agency the person is shared with: its own consents, consented fields only', async () => {
    const id = await makePerson(h, keyworker, { givenName: 'Jo' });
    await giveConsent(h, keyworker, id, { toAgencyKind: 'housing' }, ['identity', 'contact', 'housing']);
    const mine = await giveConsent(h, keyworker, id, { toAgencyId: probation.id }, ['identity', 'contact', 'substance_use']);
    expect((await as(h, officer).get(`/api/v1/people/${id}/timeline`)).status).toBe(404);
    const sent = await as(h, keyworker).post('/api/v1/referrals', { personId: id, toAgencyId: probation.id, kind: 'treatment', reason: 'Order', urgency: 'routine' });
    expect(sent.status).toBe(201);
    const seen = await timeline(officer, id);
    expect(seen.map((e) => e.type)).toEqual(['PERSON_RECORDED', 'CONSENT_GIVEN']);
    expect(seen[1]!.payload.consentId).toBe(mine);
    expect(seen[0]!.payload).toMatchObject({ givenName: 'Jo', contact: { phone: '07700 900123', address: '1 Canal Street' } });
    // Safeguarding and health fields are outside the consent.
    expect(seen[0]!.payload).not.toHaveProperty('parentalResponsibility');
    expect(seen[0]!.payload).not.toHaveProperty('pregnant');
    const full = await timeline(keyworker, id);
    expect(full[0]!.payload).toHaveProperty('parentalResponsibility', true);
  });

  it('gives a person written as rows without a stream one on first write, from genesis events, and the chain verifies', async () => {
    const at = '2025-01-10T09:00:00.000Z';
    const id = '5d6d1f9e-2c1b-4f7e-9a34-3f1a3b6c0a01';
    await h.store.db
      .insertInto('people')
      .values({ id, given_name: 'Old', family_name: 'Row', date_of_birth: '1970-01-01', sex: 'male', ethnicity: null, postcode_district: 'NB2', details: '{}', created_by_agency_id: provider.id, created_at: at })
      .execute();
    const cid = 'a1b2c3d4-0000-4000-8000-000000000001';
    await h.store.db
      .insertInto('consents')
      .values({ id: cid, person_id: id, to_agency_id: probation.id, to_agency_kind: null, categories: '["identity"]', purpose: 'Old', given_on: '2025-01-10', valid_until: null, recorded_by: keyworker.id, recorded_at: at, withdrawn_at: null, withdrawn_by: null, withdrawal_reason: null })
      .execute();
    const res = await as(h, keyworker).post(`/api/v1/people/${id}/consents/${cid}/withdraw`, {});
    expect(res.status).toBe(200);
    const items = await timeline(keyworker, id);
    expect(items.map((e) => [e.type, e.payload.genesis ?? false])).toEqual([
      ['PERSON_RECORDED', true],
      ['CONSENT_GIVEN', true],
      ['CONSENT_WITHDRAWN', false],
    ]);
    expect(await h.store.db.selectFrom('people').select('given_name').where('id', '=', id).executeTakeFirst()).toEqual({ given_name: 'Old' });
    expect(await verifyChain(h.store.db)).toMatchObject({ ok: true });
  });
});
