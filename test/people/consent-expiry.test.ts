/**
 * Consent runs out by itself at the end of its last day in the service's time zone
 * (Europe/London unless configured): the day before and the last day it is in force,
 * from local midnight it is not — across the spring clock change, when that midnight is
 * 23:00 UTC. Unsaid, a consent runs the configured months (PATHWAYS_CONSENT_MONTHS).
 * Migration 062 moves expiry timers still pending at midnight UTC.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { afterEach, describe, expect, it } from 'vitest';
import { consentExpiryLocalMidnightMigration } from '../../src/db/migrations/062-consent-expiry-local-midnight.ts';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';

describe.each(DIALECTS)('consent expiry and term on %s', (dialect) => {
  let h: ApiHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function world(options: Parameters<typeof createApiHarness>[1] = {}) {
    h = await createApiHarness(dialect, { start: '2026-03-02T10:00:00.000Z', ...options });
    const provider = await makeAgency(h, 'treatment_provider');
    const keyworker = await makeUser(h, provider.id, 'keyworker');
    const housing = await makeAgency(h, 'housing');
    const personId = await makePerson(h, keyworker);
    return { h, keyworker, housing, personId };
  }
  const consentOf = async (h: ApiHarness, user: TestUser, personId: string, cid: string) => {
    const res = await as(h, user).get(`/api/v1/people/${personId}/consents`);
    return (res.body.items as Array<{ id: string; active: boolean }>).find((c) => c.id === cid)!;
  };

  it('is in force the day before and all of its last day, and out of force from local midnight across the clock change', async () => {
    const { h, keyworker, housing, personId } = await world();
    // 29 March 2026 is the day the clocks go forward: it ends at 00:00 BST on the 30th, 23:00 UTC.
    const given = await as(h, keyworker).post(`/api/v1/people/${personId}/consents`, { toAgencyId: housing.id, categories: ['identity'], purpose: 'Housing', validUntil: '2026-03-29' });
    expect(given.status).toBe(201);
    const cid = given.body.id as string;
    const timers = await h.store.db.selectFrom('timers').select(['due_at']).where('stream_id', '=', personId).where('status', '=', 'pending').execute();
    expect(timers).toEqual([{ due_at: '2026-03-29T23:00:00.000Z' }]);

    h.clock.set('2026-03-28T12:00:00.000Z');
    expect(await h.engine.sweepDueTimers()).toMatchObject({ fired: 0 });
    expect(await consentOf(h, keyworker, personId, cid)).toMatchObject({ active: true });
    h.clock.set('2026-03-29T22:59:00.000Z');
    expect(await h.engine.sweepDueTimers()).toMatchObject({ fired: 0 });
    expect(await consentOf(h, keyworker, personId, cid)).toMatchObject({ active: true });

    // 00:00 BST on 30 March: the next day in London, still the 29th in UTC.
    h.clock.set('2026-03-29T23:00:00.000Z');
    expect(await h.engine.sweepDueTimers()).toMatchObject({ fired: 1 });
    expect(await consentOf(h, keyworker, personId, cid)).toMatchObject({ active: false, withdrawnAt: null });
    const timeline = await as(h, keyworker).get(`/api/v1/people/${personId}/timeline`);
    expect((timeline.body.items as Array<{ type: string; payload: unknown; effectiveAt?: string }>).at(-1)).toMatchObject({ type: 'CONSENT_EXPIRED', payload: { consentId: cid } });
    expect(await verifyChain(h.store.db)).toMatchObject({ ok: true });
  });

  it("counts the last day in the configured zone (PATHWAYS_TIME_ZONE) and runs the configured months when no end is given", async () => {
    const { h, keyworker, housing, personId } = await world({ timeZone: 'America/New_York', consentMonths: 6 });
    const given = await as(h, keyworker).post(`/api/v1/people/${personId}/consents`, { toAgencyId: housing.id, categories: ['identity'], purpose: 'Housing' });
    expect(given.status).toBe(201);
    // Given 2 March: six months run to 1 September, which ends at 00:00 EDT on the 2nd (04:00 UTC).
    expect(given.body).toMatchObject({ givenOn: '2026-03-02', validUntil: '2026-09-01', active: true });
    const timers = await h.store.db.selectFrom('timers').select(['due_at']).where('stream_id', '=', personId).where('status', '=', 'pending').execute();
    expect(timers).toEqual([{ due_at: '2026-09-02T04:00:00.000Z' }]);
    h.clock.set('2026-09-02T03:59:00.000Z');
    expect(await h.engine.sweepDueTimers()).toMatchObject({ fired: 0 });
    h.clock.set('2026-09-02T04:00:00.000Z');
    expect(await h.engine.sweepDueTimers()).toMatchObject({ fired: 1 });
  });

  it('runs 12 months by default, never just today', async () => {
    const { h, keyworker, housing, personId } = await world();
    const given = await as(h, keyworker).post(`/api/v1/people/${personId}/consents`, { toAgencyId: housing.id, categories: ['identity'], purpose: 'Housing' });
    expect(given.body).toMatchObject({ givenOn: '2026-03-02', validUntil: '2027-03-01' });
  });

  it('migration 062 moves an expiry timer pending at midnight UTC to local midnight, and leaves right ones alone', async () => {
    const { h, keyworker, housing, personId } = await world();
    const summer = await as(h, keyworker).post(`/api/v1/people/${personId}/consents`, { toAgencyId: housing.id, categories: ['identity'], purpose: 'Summer', validUntil: '2026-07-31' });
    const winter = await as(h, keyworker).post(`/api/v1/people/${personId}/consents`, { toAgencyKind: 'probation', categories: ['identity'], purpose: 'Winter', validUntil: '2026-12-31' });
    const key = (cid: string) => `consent-expiry-${cid}`;
    // As the previous release stored it: midnight UTC after the last day.
    await h.store.db.updateTable('timers').set({ due_at: '2026-08-01T00:00:00.000Z' }).where('timer_key', '=', key(summer.body.id as string)).execute();
    await consentExpiryLocalMidnightMigration.up(h.store.db as never, dialect);
    const due = async (cid: string) => (await h.store.db.selectFrom('timers').select('due_at').where('timer_key', '=', key(cid)).executeTakeFirstOrThrow()).due_at;
    expect(await due(summer.body.id as string)).toBe('2026-07-31T23:00:00.000Z');
    expect(await due(winter.body.id as string)).toBe('2027-01-01T00:00:00.000Z');
  });
});
