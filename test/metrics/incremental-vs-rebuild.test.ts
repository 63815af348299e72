/**
 * The incremental path against a rebuild: a seeded random walk of journeys and referrals
 * (every event the statecharts allow, refused ones included, timers swept as the clock
 * moves on) must leave exactly the counters a rebuild from the event log computes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { createRandom } from '../../seeds/prng.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';
import { addAgency, addPerson, openJourney, sendReferral, testClock, top, type StreamDriver } from './cohort-builder.ts';
import { metricSnapshot, unsoundBlocks } from './metric-snapshot.ts';

const REASONS = ['completed_drug_free', 'completed_occasional_user', 'dropped_out', 'died', 'moved_away', 'transferred_in_custody'];

function payloadFor(type: string, date: string, pick: <T>(xs: readonly T[]) => T): Record<string, unknown> | null {
  switch (type) {
    case 'SCREENING_STARTED':
    case 'REENTRY_CONFIRMED':
    case 'REFERRAL_RECEIVED':
    case 'REFERRAL_ACCEPTED':
    case 'REFERRAL_CANCELLED':
      return {};
    case 'SCREENING_COMPLETED':
      return { outcome: pick(['assess', 'assess', 'assess', 'brief_advice']) };
    case 'ASSESSMENT_COMPLETED':
      return { domains: {} };
    case 'CARE_PLAN_AGREED':
      return { interventions: [{ id: 'i1', modality: 'structured_psychosocial' }] };
    case 'INTERVENTION_OFFERED':
      return { interventionId: 'i1' };
    case 'INTERVENTION_STARTED':
      return { interventionId: 'i1', startedOn: date };
    case 'INTERVENTION_ENDED':
      return { interventionId: 'i1', exitStatus: 'planned', endedOn: date };
    case 'TOP_RECORDED':
      return { top: top('review', date) };
    case 'REVIEW_COMPLETED':
      return { reviewedOn: date, top: top('review', date) };
    case 'DISCHARGED':
      return { reason: pick(REASONS), dischargedOn: date, exitTop: top('exit', date) };
    case 'CHECKUP_COMPLETED':
      return { checkupOn: date };
    case 'RELAPSE_REPORTED':
      return { reportedOn: date };
    case 'CUSTODY_STARTED':
      return { custodyOn: date };
    case 'RELEASED_FROM_CUSTODY':
      return { releasedOn: date };
    case 'COMMUNITY_ENGAGED':
      return { engagedOn: date };
    case 'REFERRAL_REJECTED':
    case 'REFERRAL_FAILED':
      return { reason: 'not suitable' };
    case 'FIRST_CONTACT_MADE':
      return { contactOn: date };
    case 'REFERRAL_COMPLETED':
      return { outcome: 'attended' };
    default:
      return null; // KEYWORKER_ASSIGNED and anything else: not part of the walk
  }
}

describe.each(DIALECTS)('incremental measures equal a rebuild (%s)', (dialect) => {
  let store: TestStore;
  let engine: Engine;

  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await engine.close();
    await store.dispose();
  });

  it('after a random sequence of events and timers', async () => {
    const random = createRandom(20261125);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random.next() * xs.length)] as T;
    const clock = testClock('2026-01-01T12:00:00.000Z');
    engine = createEngine(store, { now: clock.now });
    attachMetrics(engine);
    const agencies = [await addAgency(store.db, 'treatment_provider', 'North'), await addAgency(store.db, 'probation', 'North'), await addAgency(store.db, 'treatment_provider', 'South')];
    let day = Date.parse('2026-01-01T12:00:00.000Z');
    const today = () => new Date(day).toISOString().slice(0, 10);
    const streams: StreamDriver[] = [];
    let applied = 0;
    let refused = 0;

    for (let step = 0; step < 800; step += 1) {
      day += Math.floor(random.next() * 3) * 86_400_000;
      clock.set(new Date(day).toISOString());
      const roll = random.next();
      const open = streams.filter((x) => x.allowed.length > 0);
      if (open.length < 8 || (roll < 0.04 && streams.length < 60)) {
        const agencyId = pick(agencies);
        const personId = await addPerson(store.db, agencyId, { sex: pick(['female', 'male']), dateOfBirth: pick(['1960-02-01', '1990-07-07', '2007-01-01']), postcodeDistrict: pick(['NB1', 'NB2', null]) });
        if (random.next() < 0.75) {
          streams.push(await openJourney(engine, clock, { personId, agencyId, referredOn: today(), referralSource: pick(['self', 'gp', 'probation']) }));
        } else {
          const toAgencyId = pick(agencies.filter((a) => a !== agencyId));
          streams.push(
            await sendReferral(engine, clock, { personId, fromAgencyId: agencyId, toAgencyId, kind: pick(['treatment', 'housing']), at: new Date(day).toISOString(), urgency: pick(['routine', 'urgent']) }),
          );
        }
        continue;
      }
      if (roll < 0.1) {
        await engine.sweepDueTimers({ now: new Date(day) });
        continue;
      }
      const s = pick(open);
      const choices = s.allowed.filter((t) => payloadFor(t, today(), pick) !== null);
      if (choices.length === 0) continue;
      let type = pick(choices);
      // Closing is one of many choices in most states; make it rarer so journeys go the distance.
      if (type === 'DISCHARGED' && random.next() < 0.7) type = pick(choices);
      const payload = payloadFor(type, today(), pick) ?? {};
      try {
        // A timer may have moved the stream on since we last looked.
        const table = s.stream === 'case' ? 'cases' : 'referrals';
        s.version = (await store.db.selectFrom(table).select('version').where('id', '=', s.id).executeTakeFirstOrThrow()).version;
        await s.on(new Date(day).toISOString(), { type, ...payload });
        applied += 1;
      } catch (err) {
        refused += 1;
        const allowed = (err as { details?: { allowedEvents?: string[] } }).details?.allowedEvents;
        if (allowed) s.allowed = allowed;
      }
    }
    await engine.sweepDueTimers({ now: new Date(day + 400 * 86_400_000) });

    expect(applied).toBeGreaterThan(150);
    expect(refused).toBeGreaterThan(0);
    const types = new Set((await store.db.selectFrom('events').select('type').distinct().execute()).map((r) => r.type));
    for (const t of ['INTERVENTION_STARTED', 'DISCHARGED', 'RELAPSE_REPORTED', 'RELEASED_FROM_CUSTODY', 'REVIEW_COMPLETED', 'FIRST_CONTACT_MADE', 'ACKNOWLEDGE_DEADLINE_PASSED', 'WAITING_TIME_BREACHED']) {
      expect(types, `the walk reached ${t}`).toContain(t);
    }
    const incremental = await metricSnapshot(store.db);
    expect(incremental.counts.length).toBeGreaterThan(200);
    // The 32-day blocks kept with each change: every total is the sum of its days, none below zero.
    expect(incremental.blocks.length).toBeGreaterThan(100);
    expect(await unsoundBlocks(store.db)).toEqual([]);
    // Pages of 3 events: most streams span several pages.
    await rebuildMetrics(store, { pageSize: 3 });
    expect(await metricSnapshot(store.db)).toEqual(incremental);
  }, 300_000);
});
