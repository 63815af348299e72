/**
 * Linking two records of the same person: `PERSON_LINKED` on both streams, in one unit with
 * the audit entry; `people.linked_to` names the group's earliest recorded record, through
 * chains and after an unlink; only someone who may see both records links them, and a link
 * never shows a record to someone who may not see it. Accepting a referral can link the
 * receiver's own record ("probably known to you as …").
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, giveConsent, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

describe.each(DIALECTS)('linking person records on %s', (dialect) => {
  let h: ApiHarness;
  let provider: { id: string };
  let keyworker: TestUser;
  let probation: { id: string };
  let officer: TestUser;
  let stranger: TestUser;
  beforeEach(async () => {
    h = await createApiHarness(dialect);
    provider = await makeAgency(h, 'treatment_provider');
    keyworker = await makeUser(h, provider.id, 'keyworker');
    probation = await makeAgency(h, 'probation');
    officer = await makeUser(h, probation.id, 'referrer');
    stranger = await makeUser(h, (await makeAgency(h, 'housing')).id, 'keyworker');
  });
  afterEach(async () => {
    await h.close();
  });

  const linkedTo = async (...ids: string[]) => {
    const rows = await h.store.db.selectFrom('people').select(['id', 'linked_to']).where('id', 'in', ids).execute();
    return ids.map((id) => rows.find((r) => r.id === id)!.linked_to ?? null);
  };
  const types = async (user: TestUser, id: string) => ((await as(h, user).get(`/api/v1/people/${id}/timeline`)).body.items as Array<{ type: string }>).map((e) => e.type);
  const later = () => h.clock.set(new Date(h.clock.now().getTime() + 60_000).toISOString());

  it('links two records with an event on both streams, audited, and unlinks them again; the chain verifies', async () => {
    const a = await makePerson(h, keyworker);
    later();
    const b = await makePerson(h, keyworker);
    const linked = await as(h, keyworker).post(`/api/v1/people/${b}/links`, { otherPersonId: a, reason: 'Same NHS number' });
    expect(linked.status).toBe(201);
    expect(linked.body.items).toMatchObject([{ id: a, reason: 'Same NHS number', referralId: null, linkedBy: keyworker.id, access: { scope: 'holder' } }]);
    // The earlier record stands for the pair.
    expect(await linkedTo(a, b)).toEqual([null, a]);
    expect(await types(keyworker, a)).toEqual(['PERSON_RECORDED', 'PERSON_LINKED']);
    expect(await types(keyworker, b)).toEqual(['PERSON_RECORDED', 'PERSON_LINKED']);
    const events = await h.store.db.selectFrom('events').select(['stream_id', 'payload']).where('type', '=', 'PERSON_LINKED').orderBy('seq').execute();
    expect(events.map((e) => [e.stream_id, JSON.parse(e.payload) as unknown])).toEqual([
      [b, { reason: 'Same NHS number', otherPersonId: a }],
      [a, { reason: 'Same NHS number', otherPersonId: b }],
    ]);
    expect((await as(h, keyworker).post(`/api/v1/people/${a}/links`, { otherPersonId: b, reason: 'Again' })).status).toBe(409);
    expect((await as(h, keyworker).post(`/api/v1/people/${a}/links`, { otherPersonId: a, reason: 'Self' })).status).toBe(400);

    later();
    const unlinked = await as(h, keyworker).post(`/api/v1/people/${a}/links/${b}/unlink`, { reason: 'Two different people after all' });
    expect(unlinked.status).toBe(200);
    expect(unlinked.body.items).toEqual([]);
    expect(await linkedTo(a, b)).toEqual([null, null]);
    expect(await types(keyworker, b)).toEqual(['PERSON_RECORDED', 'PERSON_LINKED', 'PERSON_UNLINKED']);
    expect((await as(h, keyworker).post(`/api/v1/people/${a}/links/${b}/unlink`, {})).status).toBe(404);
    // Linked again after an unlink: a new link, both histories kept.
    later();
    expect((await as(h, keyworker).post(`/api/v1/people/${a}/links`, { otherPersonId: b, reason: 'Confirmed in person' })).status).toBe(201);
    expect(await types(keyworker, a)).toEqual(['PERSON_RECORDED', 'PERSON_LINKED', 'PERSON_UNLINKED', 'PERSON_LINKED']);

    const audit = await h.store.db.selectFrom('audit_log').select(['action', 'person_id', 'entity_id', 'purpose']).where('action', 'in', ['link', 'unlink']).orderBy('at').execute();
    expect(audit).toEqual([
      { action: 'link', person_id: b, entity_id: a, purpose: 'Same NHS number' },
      { action: 'unlink', person_id: a, entity_id: b, purpose: 'Two different people after all' },
      { action: 'link', person_id: a, entity_id: b, purpose: 'Confirmed in person' },
    ]);
    expect(await verifyChain(h.store.db)).toMatchObject({ ok: true });
  });

  it('keeps linked_to right through a chain and regroups on unlink', async () => {
    const a = await makePerson(h, keyworker);
    later();
    const b = await makePerson(h, keyworker);
    later();
    const c = await makePerson(h, keyworker);
    later();
    const d = await makePerson(h, keyworker);
    expect((await as(h, keyworker).post(`/api/v1/people/${c}/links`, { otherPersonId: d, reason: 'r' })).status).toBe(201);
    expect(await linkedTo(a, b, c, d)).toEqual([null, null, null, c]);
    expect((await as(h, keyworker).post(`/api/v1/people/${b}/links`, { otherPersonId: c, reason: 'r' })).status).toBe(201);
    expect((await as(h, keyworker).post(`/api/v1/people/${a}/links`, { otherPersonId: b, reason: 'r' })).status).toBe(201);
    // A–B–C–D is one person, and A (recorded first) stands for them all.
    expect(await linkedTo(a, b, c, d)).toEqual([null, a, a, a]);
    // Cutting B–C leaves A–B and C–D.
    expect((await as(h, keyworker).post(`/api/v1/people/${c}/links/${b}/unlink`, {})).status).toBe(200);
    expect(await linkedTo(a, b, c, d)).toEqual([null, a, null, c]);
    // Cutting A–B leaves A and B on their own.
    expect((await as(h, keyworker).post(`/api/v1/people/${b}/links/${a}/unlink`, {})).status).toBe(200);
    expect(await linkedTo(a, b, c, d)).toEqual([null, null, null, c]);
    expect(await verifyChain(h.store.db)).toMatchObject({ ok: true });
  });

  it('counts a linked pair as one person in the person measures, and two again once unlinked', async () => {
    const detach = attachMetrics(h.engine);
    try {
      const a = await makePerson(h, keyworker);
      later();
      const b = await makePerson(h, keyworker);
      for (const personId of [a, b]) {
        const opened = await as(h, keyworker).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: h.clock.today() });
        expect(opened.status).toBe(201);
      }
      const people = async () =>
        (await metricsDb(h.store.db).selectFrom('metric_person_episodes').select('person_key').where('person_key', 'in', [a, b]).execute()).map((r) => r.person_key).sort();
      expect(await people()).toEqual([a, b].sort());
      expect((await as(h, keyworker).post(`/api/v1/people/${a}/links`, { otherPersonId: b, reason: 'Same person' })).status).toBe(201);
      // Both journeys' episodes now belong to one person, keyed by the earlier record.
      expect(await people()).toEqual([a, a]);
      expect((await as(h, keyworker).post(`/api/v1/people/${b}/links/${a}/unlink`, {})).status).toBe(200);
      expect(await people()).toEqual([a, b].sort());
    } finally {
      detach();
    }
  });

  it("counts a journey opened for a record already linked under the person's key", async () => {
    const detach = attachMetrics(h.engine);
    try {
      const a = await makePerson(h, keyworker);
      later();
      const b = await makePerson(h, keyworker);
      const open = (personId: string) => as(h, keyworker).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: h.clock.today() });
      expect((await open(a)).status).toBe(201);
      expect((await as(h, keyworker).post(`/api/v1/people/${a}/links`, { otherPersonId: b, reason: 'Same person' })).status).toBe(201);
      // The journey's episode is drawn under A, the key B's record resolves to when the commit recounts it.
      expect((await open(b)).status).toBe(201);
      const keys = (await metricsDb(h.store.db).selectFrom('metric_person_episodes').select('person_key').where('person_key', 'in', [a, b]).execute()).map((r) => r.person_key);
      expect(keys).toEqual([a, a]);
    } finally {
      detach();
    }
  });

  it('links on accepting a referral; nobody sees a record through the link that they may not see otherwise', async () => {
    // The provider's own record, then probation's record of the same person, referred with consent.
    const own = await makePerson(h, keyworker, { givenName: 'Kyle' });
    const referred = await makePerson(h, officer, { givenName: 'Kyle' });
    await giveConsent(h, officer, referred, { toAgencyId: provider.id }, ['identity', 'contact', 'substance_use']);
    const sent = await as(h, officer).post('/api/v1/referrals', { personId: referred, toAgencyId: provider.id, kind: 'treatment', reason: 'Order', urgency: 'routine' });
    expect(sent.status).toBe(201);
    const referralId = sent.body.id as string;

    // Probation may not see the provider's record: it cannot link them, and 404 says no more than for a made-up id.
    const refused = await as(h, officer).post(`/api/v1/people/${referred}/links`, { otherPersonId: own, reason: 'Guess' });
    const madeUp = await as(h, officer).post(`/api/v1/people/${referred}/links`, { otherPersonId: '00000000-0000-4000-8000-000000000000', reason: 'Guess' });
    expect([refused.status, madeUp.status]).toEqual([404, 404]);
    expect(refused.body.detail).toBe(madeUp.body.detail);
    expect((await as(h, stranger).post(`/api/v1/people/${own}/links`, { otherPersonId: referred, reason: 'x' })).status).toBe(404);

    const accepted = await as(h, keyworker).post(`/api/v1/referrals/${referralId}/events`, { type: 'REFERRAL_ACCEPTED', knownAsPersonId: own });
    expect(accepted.status).toBe(200);
    const mine = await as(h, keyworker).get(`/api/v1/people/${own}/links`);
    expect(mine.body.items).toMatchObject([{ id: referred, referralId, givenName: 'Kyle' }]);
    expect((await h.store.db.selectFrom('events').select('stream_id').where('type', '=', 'PERSON_LINKED').execute()).map((e) => e.stream_id).sort()).toEqual([own, referred].sort());
    expect(await types(keyworker, own)).toContain('PERSON_LINKED');

    // Probation holds the referred record: it sees no link to a record it may not see, not even in the timeline.
    const theirs = await as(h, officer).get(`/api/v1/people/${referred}/links`);
    expect(theirs.status).toBe(200);
    expect(theirs.body.items).toEqual([]);
    expect(await types(officer, referred)).not.toContain('PERSON_LINKED');
    expect((await as(h, stranger).get(`/api/v1/people/${own}/links`)).status).toBe(404);
    // Probation cannot unlink what it may not see either.
    expect((await as(h, officer).post(`/api/v1/people/${referred}/links/${own}/unlink`, {})).status).toBe(404);
    expect(await verifyChain(h.store.db)).toMatchObject({ ok: true });
  });

  it('refuses the acceptance whole when the known-as record is not one the receiver may see', async () => {
    const elsewhere = await makePerson(h, stranger);
    const referred = await makePerson(h, officer);
    await giveConsent(h, officer, referred, { toAgencyId: provider.id }, ['identity', 'contact', 'substance_use']);
    const sent = await as(h, officer).post('/api/v1/referrals', { personId: referred, toAgencyId: provider.id, kind: 'treatment', reason: 'Order', urgency: 'routine' });
    const res = await as(h, keyworker).post(`/api/v1/referrals/${sent.body.id as string}/events`, { type: 'REFERRAL_ACCEPTED', knownAsPersonId: elsewhere });
    expect(res.status).toBe(404);
    const row = await h.store.db.selectFrom('referrals').select('state').where('id', '=', sent.body.id as string).executeTakeFirstOrThrow();
    expect(row.state).toBe('requested');
    expect(await h.store.db.selectFrom('cases').select('id').where('person_id', '=', referred).execute()).toEqual([]);
  });
});
