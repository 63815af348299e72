/**
 * The referral paths in the engine: sending checks consent in the unit that writes;
 * accepting a treatment referral re-checks consent and the version, opens (or joins) the
 * journey and links it by the accepting event itself; the referral source is a column; a
 * backdated referral's journey takes its date; a referral from a prison on release starts
 * the journey's continuity-of-care clock.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, giveConsent, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

describe.each(DIALECTS)('referral paths on %s', (dialect) => {
  let h: ApiHarness;
  let provider: { id: string };
  let intake: TestUser;
  let prison: { id: string };
  let officer: TestUser;
  let personId: string;
  beforeEach(async () => {
    h = await createApiHarness(dialect, { start: '2026-03-20T10:00:00.000Z' });
    provider = await makeAgency(h, 'treatment_provider');
    intake = await makeUser(h, provider.id, 'keyworker');
    prison = await makeAgency(h, 'prison');
    officer = await makeUser(h, prison.id, 'referrer');
    personId = await makePerson(h, officer);
    await giveConsent(h, officer, personId, { toAgencyId: provider.id }, ['identity', 'contact', 'substance_use']);
  });
  afterEach(async () => {
    await h.close();
  });

  const send = (body: Record<string, unknown>) =>
    as(h, officer).post('/api/v1/referrals', { personId, toAgencyId: provider.id, kind: 'treatment', reason: 'Release plan', urgency: 'routine', ...body });
  const cases = () => h.store.db.selectFrom('cases').selectAll().where('person_id', '=', personId).execute();

  it('opens the journey on acceptance from the referral source column, linked by REFERRAL_ACCEPTED {caseId}', async () => {
    const sent = await send({ referralSource: 'self' });
    expect(sent.status).toBe(201);
    const row = await h.store.db.selectFrom('referrals').select(['referral_source', 'version']).where('id', '=', sent.body.id as string).executeTakeFirstOrThrow();
    expect(row).toEqual({ referral_source: 'self', version: 1 });

    const accepted = await as(h, intake).post(`/api/v1/referrals/${sent.body.id as string}/events`, { type: 'REFERRAL_ACCEPTED', expectedVersion: 1 });
    expect(accepted.status).toBe(200);
    const [journey] = await cases();
    expect(journey).toMatchObject({ referral_source: 'self', referred_on: '2026-03-20', lead_agency_id: provider.id });
    expect(accepted.body).toMatchObject({ caseId: journey!.id, version: 2 });
    const logged = await h.store.db.selectFrom('events').select(['type', 'payload', 'stream_version']).where('stream_id', '=', sent.body.id as string).orderBy('stream_version').execute();
    expect(logged.map((e): [string, unknown] => [e.type, JSON.parse(e.payload)])).toEqual([
      ['REFERRAL_REQUESTED', expect.objectContaining({ referralSource: 'self' })],
      ['REFERRAL_ACCEPTED', { caseId: journey!.id }],
    ]);
    expect(await verifyChain(h.store.db)).toMatchObject({ ok: true });
  });

  it('refuses a stale acceptance and one without consent, opening no journey', async () => {
    const sent = await send({});
    const id = sent.body.id as string;
    await as(h, intake).post(`/api/v1/referrals/${id}/events`, { type: 'REFERRAL_RECEIVED' });
    const stale = await as(h, intake).post(`/api/v1/referrals/${id}/events`, { type: 'REFERRAL_ACCEPTED', expectedVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
    expect(await cases()).toEqual([]);

    const consents = await as(h, officer).get(`/api/v1/people/${personId}/consents`);
    await as(h, officer).post(`/api/v1/people/${personId}/consents/${consents.body.items[0].id as string}/withdraw`, {});
    const refused = await as(h, intake).post(`/api/v1/referrals/${id}/events`, { type: 'REFERRAL_ACCEPTED', expectedVersion: 2 });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('consent_required');
    expect(await cases()).toEqual([]);
    // Sending without consent is refused in the same unit that would write.
    const unsent = await send({});
    expect(unsent.status).toBe(422);
    expect(await h.store.db.selectFrom('referrals').select('id').where('person_id', '=', personId).execute()).toHaveLength(1);
  });

  it('dates a backdated referral and the journey it opens by its effectiveAt', async () => {
    const noReason = await send({ effectiveAt: '2026-03-10T09:00:00Z' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.issues).toEqual([expect.objectContaining({ path: 'backdateReason' })]);
    const sent = await send({ effectiveAt: '2026-03-10T09:00:00Z', backdateReason: 'Paper referral typed up late' });
    expect(sent.status).toBe(201);
    expect(sent.body.createdAt).toBe('2026-03-10T09:00:00.000Z');
    await as(h, intake).post(`/api/v1/referrals/${sent.body.id as string}/events`, { type: 'REFERRAL_ACCEPTED' });
    const [journey] = await cases();
    expect(journey).toMatchObject({ referred_on: '2026-03-10', opened_at: '2026-03-10T00:00:00.000Z' });
    const timers = await h.store.db.selectFrom('timers').select(['timer_key', 'due_at']).where('stream_id', '=', journey!.id).where('status', '=', 'pending').execute();
    // Day 21 after the referral date is within; the breach is the first instant of day 22 in London (BST).
    expect(timers).toEqual([{ timer_key: 'waiting-time', due_at: '2026-03-31T23:00:00.000Z' }]);
  });

  it('starts the continuity-of-care clock on a journey opened by a referral on release from prison', async () => {
    const notPrison = await as(h, intake).post('/api/v1/referrals', { personId, toAgencyId: prison.id, kind: 'treatment', reason: 'x', urgency: 'routine', releasedOn: '2026-03-19' });
    expect(notPrison.status).not.toBe(201);
    const sent = await send({ releasedOn: '2026-03-19' });
    expect(sent.status).toBe(201);
    const accepted = await as(h, intake).post(`/api/v1/referrals/${sent.body.id as string}/events`, { type: 'REFERRAL_ACCEPTED' });
    const caseId = accepted.body.caseId as string;
    const journey = await as(h, intake).get(`/api/v1/cases/${caseId}`);
    expect(journey.body.continuity).toEqual({ releasedOn: '2026-03-19', engagedOn: null, breached: false });
    expect(journey.body.allowedEvents).toContain('COMMUNITY_ENGAGED');
    const timers = await h.store.db.selectFrom('timers').select('timer_key').where('stream_id', '=', caseId).where('status', '=', 'pending').orderBy('timer_key').execute();
    expect(timers.map((t) => t.timer_key)).toEqual(['continuity-of-care', 'waiting-time']);
    const engaged = await as(h, intake).post(`/api/v1/cases/${caseId}/events`, { type: 'COMMUNITY_ENGAGED', expectedVersion: journey.body.version as number });
    expect(engaged.status).toBe(200);
    expect(engaged.body.continuity).toMatchObject({ engagedOn: '2026-03-20' });
  });
});
