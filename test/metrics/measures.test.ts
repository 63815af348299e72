/**
 * Every measure against answers worked out by hand on a small cohort built through the
 * real engine, on both stores: the 21-day boundaries (day 21 within, day 22 a breach), the
 * 182-day review boundary, the 6-month re-presentation rule of PHOF C19, breakdowns, the
 * area scope, and that a rebuild from the event log gives exactly the same counters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { dayOf } from '../../src/metrics/days.ts';
import { deadlines } from '../../src/metrics/measures/deadlines.ts';
import { flow } from '../../src/metrics/measures/flow.ts';
import type { MeasureQuery } from '../../src/metrics/measures/measure-query.ts';
import { outcomes } from '../../src/metrics/measures/outcomes.ts';
import { referralsWaiting } from '../../src/metrics/measures/referrals-waiting.ts';
import { summary } from '../../src/metrics/measures/summary.ts';
import { timeInStage } from '../../src/metrics/measures/time-in-stage.ts';
import { workInProgress } from '../../src/metrics/measures/work-in-progress.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';
import { addAgency, addPerson, completeSuccessfully, intoTreatment, openJourney, sendReferral, testClock, top } from './cohort-builder.ts';
import { metricSnapshot } from './metric-snapshot.ts';

const AS_OF = '2026-09-30T12:00:00.000Z';

describe.each(DIALECTS)('measures on a hand-computed cohort (%s)', (dialect) => {
  let store: TestStore;
  let engine: Engine;
  let north: string[];
  let p1: string;
  let p2: string;
  let jcp: string;
  let south: string;

  const q = (over: Partial<MeasureQuery> = {}): MeasureQuery => ({
    agencyIds: north,
    dim: 'all',
    asOf: AS_OF,
    fromDay: dayOf('2026-01-01'),
    toDay: dayOf('2026-06-30'),
    ...over,
  });

  beforeAll(async () => {
    store = await createTestStore(dialect);
    const clock = testClock('2025-01-01T12:00:00.000Z');
    engine = createEngine(store, { now: clock.now });
    attachMetrics(engine);
    p1 = await addAgency(store.db, 'treatment_provider', 'North');
    p2 = await addAgency(store.db, 'treatment_provider', 'North');
    jcp = await addAgency(store.db, 'jobcentre_plus', 'North');
    south = await addAgency(store.db, 'treatment_provider', 'South');
    north = [p1, p2, jcp];
    const person = (sex: 'female' | 'male', agencyId = p1) => addPerson(store.db, agencyId, { sex, postcodeDistrict: 'NB1', substanceGroup: 'opiate' });
    const journey = async (sex: 'female' | 'male', referredOn: string, agencyId = p1) =>
      openJourney(engine, clock, { personId: await person(sex, agencyId), agencyId, referredOn });

    // A: started on day 21 (within); reviewed 2026-05-01 (152 days before as-of).
    const a = await journey('female', '2026-01-01');
    await intoTreatment(a, '2026-01-01', '2026-01-22');
    await a.on('2026-05-01', { type: 'REVIEW_COMPLETED', reviewedOn: '2026-05-01', top: top('review', '2026-05-01') });
    // B: started on day 22 (a breach); never reviewed, 250 days since start.
    const b = await journey('male', '2026-01-01');
    await intoTreatment(b, '2026-01-01', '2026-01-23');
    // C: started 2026-04-01, exactly 182 days before as-of: review not yet overdue.
    const c = await journey('male', '2026-03-20');
    await intoTreatment(c, '2026-03-20', '2026-04-01');
    // D: started 2026-03-31, 183 days: overdue.
    const d = await journey('female', '2026-03-20');
    await intoTreatment(d, '2026-03-20', '2026-03-31');
    // E: referred 21 days before as-of, in assessment: within the waiting standard.
    const e = await journey('female', '2026-09-09');
    await e.on('2026-09-10', { type: 'SCREENING_STARTED' });
    await e.on('2026-09-10', { type: 'SCREENING_COMPLETED', outcome: 'assess' });
    // F: referred 22 days before as-of, still referred: a breach.
    await journey('male', '2026-09-08');
    // G: successful completion 2026-02-01, relapse on day 182 (2026-08-02): re-presented within 6 months.
    const g = await journey('female', '2025-12-01');
    await intoTreatment(g, '2025-12-01', '2025-12-10');
    await completeSuccessfully(g, '2026-02-01');
    await g.on('2026-08-02', { type: 'RELAPSE_REPORTED', reportedOn: '2026-08-02' });
    // H: successful completion 2026-03-01, relapse on day 183 (2026-08-31): not within 6 months; re-entered and restarted.
    const h = await journey('male', '2025-12-01');
    await intoTreatment(h, '2025-12-01', '2025-12-10');
    await completeSuccessfully(h, '2026-03-01');
    await h.on('2026-08-31', { type: 'RELAPSE_REPORTED', reportedOn: '2026-08-31' });
    await h.on('2026-09-01', { type: 'REENTRY_CONFIRMED' });
    await h.on('2026-09-01', { type: 'INTERVENTION_OFFERED', interventionId: 'i1' });
    await h.on('2026-09-05', { type: 'INTERVENTION_STARTED', interventionId: 'i1', startedOn: '2026-09-05' });
    // I: successful completion 2026-06-15, no relapse: its 6-month window is still open at as-of.
    const i = await journey('female', '2026-01-05');
    await intoTreatment(i, '2026-01-05', '2026-01-10');
    await completeSuccessfully(i, '2026-06-15');
    // J: died in treatment 2026-04-10.
    const j = await journey('male', '2026-02-01');
    await intoTreatment(j, '2026-02-01', '2026-02-10');
    await j.on('2026-04-10', { type: 'DISCHARGED', reason: 'died', dischargedOn: '2026-04-10' });
    // K, L, M: custody 2026-02-01; K engaged on day 21, L on day 22, M released 2026-06-01 and not engaged.
    const custody = async (sex: 'female' | 'male', releasedOn: string, engagedOn: string | null) => {
      const x = await journey(sex, '2026-01-10');
      await intoTreatment(x, '2026-01-10', '2026-01-20');
      await x.on('2026-02-01', { type: 'CUSTODY_STARTED', custodyOn: '2026-02-01' });
      await x.on(releasedOn, { type: 'RELEASED_FROM_CUSTODY', releasedOn });
      if (engagedOn) await x.on(engagedOn, { type: 'COMMUNITY_ENGAGED', engagedOn });
    };
    await custody('male', '2026-03-01', '2026-03-22');
    await custody('female', '2026-03-01', '2026-03-23');
    await custody('male', '2026-06-01', null);
    // N: another area: never in North's figures.
    const n = await journey('female', '2026-01-01', south);
    await intoTreatment(n, '2026-01-01', '2026-01-05');
    // O: the second North provider, in screening since 2026-02-02.
    const o = await journey('male', '2026-02-01', p2);
    await o.on('2026-02-02', { type: 'SCREENING_STARTED' });
    // P: brief advice at screening closes the journey.
    const pj = await journey('female', '2026-04-01');
    await pj.on('2026-04-01', { type: 'SCREENING_STARTED' });
    await pj.on('2026-04-02', { type: 'SCREENING_COMPLETED', outcome: 'brief_advice' });

    // Referrals: R1 to P1 past its acknowledge-by (48 h); R2 to P1 just sent; R3 to JCP
    // accepted but past first-contact-by (14 days); R4 contacted (no deadline left).
    const rp = await person('female');
    await sendReferral(engine, clock, { personId: rp, fromAgencyId: jcp, toAgencyId: p1, kind: 'treatment', at: '2026-09-20T09:00:00.000Z' });
    await sendReferral(engine, clock, { personId: rp, fromAgencyId: jcp, toAgencyId: p1, kind: 'treatment', at: '2026-09-29T09:00:00.000Z' });
    const r3 = await sendReferral(engine, clock, { personId: rp, fromAgencyId: p1, toAgencyId: jcp, kind: 'employment_support', at: '2026-09-01T09:00:00.000Z' });
    await r3.on('2026-09-02', { type: 'REFERRAL_ACCEPTED' });
    const r4 = await sendReferral(engine, clock, { personId: rp, fromAgencyId: jcp, toAgencyId: p1, kind: 'treatment', at: '2026-08-01T09:00:00.000Z' });
    await r4.on('2026-08-02', { type: 'REFERRAL_ACCEPTED' });
    await r4.on('2026-08-05', { type: 'FIRST_CONTACT_MADE', contactOn: '2026-08-05' });
  }, 120_000);

  afterAll(async () => {
    await engine.close();
    await store.dispose();
  });

  const db = () => metricsDb(store.db);

  it('counts work in progress per stage, per agency and by sex, leaving out other areas and closed journeys', async () => {
    const { workInProgress: wip } = await workInProgress(db(), q());
    expect(wip.total).toBe(13);
    expect(Object.fromEntries(wip.rows.map((r) => [r.stage, r.count]))).toEqual({
      inTreatment: 8,
      assessment: 1,
      referred: 1,
      rapidReentry: 1,
      recoveryCheckups: 1,
      screening: 1,
    });
    expect(wip.byAgency.filter((r) => r.agencyId === p2)).toEqual([{ agencyId: p2, stage: 'screening', count: 1 }]);
    const bySex = await workInProgress(db(), q({ dim: 'sex' }));
    const cell = (stage: string, group: string) => bySex.workInProgress.rows.find((r) => r.stage === stage && r.group === group)?.count;
    expect(cell('inTreatment', 'female')).toBe(3);
    expect(cell('inTreatment', 'male')).toBe(5);
    expect(cell('screening', 'male')).toBe(1);
    const southOnly = await workInProgress(db(), q({ agencyIds: [south] }));
    expect(southOnly.workInProgress.total).toBe(1);
  });

  it('gives median and 90th percentile days in the current stage (nearest rank)', async () => {
    const { timeInStage: t } = await timeInStage(db(), q());
    const row = (stage: string) => t.rows.find((r) => r.stage === stage);
    // inTreatment ages: 25, 121, 182, 183, 213, 213, 250, 251.
    expect(row('inTreatment')).toMatchObject({ count: 8, medianDays: 183, p90Days: 251, maxDays: 251 });
    expect(row('assessment')).toMatchObject({ count: 1, medianDays: 20 });
    expect(row('referred')).toMatchObject({ count: 1, medianDays: 22 });
    expect(row('rapidReentry')).toMatchObject({ count: 1, medianDays: 59 });
    expect(row('recoveryCheckups')).toMatchObject({ count: 1, medianDays: 107 });
    expect(row('screening')).toMatchObject({ count: 1, medianDays: 240 });
  });

  it('counts the 21-day waiting breach from day 22, reviews overdue from day 183, continuity past 21 days', async () => {
    const due = await deadlines(db(), q());
    // F (22 days), G (59, re-entry clock from the relapse), O (241); E at exactly 21 days is within.
    expect(due.waitingOver21Days.total).toBe(3);
    expect(due.waitingOver21Days.rows).toEqual([{ group: 'all', count: 3, medianDays: 59, p90Days: 241, maxDays: 241 }]);
    // B (250), D (183), K, L, M (253 each); C at exactly 182 days is not overdue.
    expect(due.reviewsOverdue.rows).toEqual([{ group: 'all', count: 5, medianDays: 253, p90Days: 253, maxDays: 253 }]);
    expect(due.continuityOver21Days.rows).toEqual([{ group: 'all', count: 1, medianDays: 121, p90Days: 121, maxDays: 121 }]);
    expect(due.referralsNotAcknowledged.byAgency).toEqual([{ agencyId: p1, count: 1, oldestAgeDays: 10 }]);
    expect(due.referralsNotContacted.byAgency).toEqual([{ agencyId: jcp, count: 1, oldestAgeDays: 29 }]);
    const bySex = await deadlines(db(), q({ dim: 'sex' }));
    expect(bySex.waitingOver21Days.rows.map((r) => [r.group, r.count])).toEqual([
      ['female', 1],
      ['male', 2],
    ]);
    // One day earlier, F is at day 21: within.
    const dayBefore = await deadlines(db(), q({ asOf: '2026-09-29T12:00:00.000Z' }));
    expect(dayBefore.waitingOver21Days.total).toBe(2);
    expect(dayBefore.reviewsOverdue.total).toBe(4);
  });

  it('computes the outcomes for the period by hand', async () => {
    const out = await outcomes(db(), q());
    expect(out.startedWithin21Days.rows).toEqual([{ group: 'all', started: 9, within: 8, share: 8 / 9 }]);
    // In treatment: A B C D G H I J K L M (first start on or before 30 June, none ended before 1 January).
    // Completed: G (re-presented on day 182), H (returned on day 183: not within 6 months, and
    // its 182 days had passed by 30 September), I (15 June: its 6 months still running, so
    // beside the figure, not in it).
    expect(out.successfulCompletion.rows).toEqual([
      { group: 'all', inTreatment: 11, completedSuccessfully: 3, representedWithin6Months: 1, notRepresented: 1, windowOpen: 1, windowOpenShare: 1 / 3, share: 1 / 11 },
    ]);
    expect(out.continuityOfCare.rows).toEqual([{ group: 'all', released: 3, engagedWithin21Days: 1, engagedLater: 1, awaiting: 0, share: 1 / 3 }]);
    expect(out.representations.rows).toEqual([]);
    expect(out.deathsInTreatment.rows).toEqual([{ group: 'all', deaths: 1, inTreatment: 11 }]);
    const bySex = await outcomes(db(), q({ dim: 'sex' }));
    expect(bySex.successfulCompletion.rows.map((r) => [r.group, r.inTreatment, r.notRepresented])).toEqual([
      ['female', 5, 0],
      ['male', 6, 1],
    ]);
    expect(bySex.startedWithin21Days.rows.map((r) => [r.group, r.started, r.within])).toEqual([
      ['female', 4, 4],
      ['male', 5, 4],
    ]);
    const later = await outcomes(db(), q({ fromDay: dayOf('2026-07-01'), toDay: dayOf('2026-09-30') }));
    // G's relapse on day 182 after its completion is a re-presentation; H's on day 183 is a return after the 6 months.
    expect(later.representations.rows).toEqual([{ group: 'all', count: 1 }]);
    // H restarted 4 days after its re-presentation: within.
    expect(later.startedWithin21Days.rows).toEqual([{ group: 'all', started: 1, within: 1, share: 1 }]);
  });

  it('counts flows between stages per day and per week', async () => {
    const daily = await flow(db(), q(), 'day');
    const custodyMoves = daily.flow.rows.filter((r) => r.from === 'inTreatment' && r.to === 'inCustody');
    expect(custodyMoves).toEqual([{ period: '2026-02-01', from: 'inTreatment', to: 'inCustody', group: 'all', count: 3 }]);
    const opened = daily.flow.rows.filter((r) => r.from === '' && r.to === 'referred').reduce((s, r) => s + r.count, 0);
    expect(opened).toBe(11);
    const weekly = await flow(db(), q(), 'week');
    // 2026-02-01 was a Sunday: its week starts Monday 2026-01-26.
    expect(weekly.flow.rows.find((r) => r.from === 'inTreatment' && r.to === 'inCustody')?.period).toBe('2026-01-26');
  });

  it('lists referrals waiting per receiving agency with their ages', async () => {
    const { referralsWaiting: w } = await referralsWaiting(db(), q());
    expect(w.total).toBe(3);
    expect(w.rows.find((r) => r.agencyId === p1)).toMatchObject({ state: 'requested', count: 2, medianDays: 1, maxDays: 10 });
    expect(w.rows.find((r) => r.agencyId === jcp)).toMatchObject({ state: 'accepted', count: 1, medianDays: 29 });
  });

  it('sums the headline figures', async () => {
    const s = await summary(db(), q());
    expect(s.workInProgress.total).toBe(13);
    expect(s.waitingOver21Days.value).toBe(3);
    expect(s.successfulCompletion.value).toBeCloseTo(1 / 11);
    expect(s.deathsInTreatment.value).toBe(1);
  });

  it('gives the same counters after a rebuild from the event log', async () => {
    const before = await metricSnapshot(store.db);
    expect(before.blocks.length).toBeGreaterThan(100);
    const report = await rebuildMetrics(store);
    expect(report.journeys).toBe(16);
    expect(report.referrals).toBe(4);
    expect(await metricSnapshot(store.db)).toEqual(before);
  });
});
