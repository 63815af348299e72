/**
 * Migration 030 on a store as the previous release left it: timers pending at event time +
 * N × 24 h are moved to the first instant of local day N + 1 (and a referral's
 * first_contact_by with its timer); fired timers and ones already right stay as they are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarDayTimersMigration } from '../../src/db/migrations/030-calendar-day-timers.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';
import { addAgency, addPerson, intoTreatment, openJourney, sendReferral, testClock, type TestClock } from '../metrics/cohort-builder.ts';

describe.each(DIALECTS)('migration 030: pending timers move to calendar days (%s)', (dialect) => {
  let store: TestStore;
  let engine: Engine;
  let clock: TestClock;
  beforeAll(async () => {
    store = await createTestStore(dialect);
    clock = testClock('2026-03-02T10:00:00.000Z');
    engine = createEngine(store, { now: clock.now });
  });
  afterAll(async () => {
    await engine.close();
    await store.dispose();
  });

  const due = async (streamId: string, key: string) =>
    (await store.db.selectFrom('timers').select(['due_at', 'status']).where('stream_id', '=', streamId).where('timer_key', '=', key).executeTakeFirstOrThrow());

  it('moves the old 24-hour due times of waiting, review and first-contact timers', async () => {
    const provider = await addAgency(store.db, 'treatment_provider', 'Migrate');
    const probation = await addAgency(store.db, 'probation', 'Migrate');
    const personId = await addPerson(store.db, provider);
    const waiting = await openJourney(engine, clock, { personId, agencyId: provider, referredOn: '2026-03-10' });
    const treated = await openJourney(engine, clock, { personId, agencyId: provider, referredOn: '2026-01-12' });
    await intoTreatment(treated, '2026-01-12', '2026-01-22');
    const referral = await sendReferral(engine, clock, { personId, fromAgencyId: probation, toAgencyId: provider, kind: 'treatment', at: '2026-03-02T12:00:00.000Z' });

    // As the previous release stored them: the opening or start time + N × 24 h.
    await store.db.updateTable('timers').set({ due_at: '2026-03-31T00:00:00.000Z' }).where('stream_id', '=', waiting.id).execute();
    await store.db.updateTable('timers').set({ due_at: '2026-07-23T12:00:00.000Z' }).where('stream_id', '=', treated.id).where('timer_key', '=', 'review-due').execute();
    await store.db.updateTable('timers').set({ due_at: '2026-03-23T12:00:00.000Z' }).where('stream_id', '=', referral.id).where('timer_key', '=', 'first-contact-deadline').execute();
    await store.db.updateTable('referrals').set({ first_contact_by: '2026-03-23T12:00:00.000Z' }).where('id', '=', referral.id).execute();

    await calendarDayTimersMigration.up(store.db as never, dialect);

    // Referred 10 March: day 21 is 31 March, breached at 00:00 BST on 1 April.
    expect(await due(waiting.id, 'waiting-time')).toEqual({ due_at: '2026-03-31T23:00:00.000Z', status: 'pending' });
    // Started 22 January: day 182 is 23 July, overdue at 00:00 BST on 24 July.
    expect(await due(treated.id, 'review-due')).toEqual({ due_at: '2026-07-23T23:00:00.000Z', status: 'pending' });
    // The treated journey's waiting timer was cancelled by its start: left alone.
    expect((await due(treated.id, 'waiting-time')).status).toBe('cancelled');
    // Sent 2 March: 21 calendar days run to the end of 23 March (GMT).
    expect(await due(referral.id, 'first-contact-deadline')).toEqual({ due_at: '2026-03-24T00:00:00.000Z', status: 'pending' });
    expect(await due(referral.id, 'acknowledge-deadline')).toEqual({ due_at: '2026-03-04T12:00:00.000Z', status: 'pending' });
    const row = await store.db.selectFrom('referrals').select('first_contact_by').where('id', '=', referral.id).executeTakeFirstOrThrow();
    expect(row.first_contact_by).toBe('2026-03-24T00:00:00.000Z');
  });
});
