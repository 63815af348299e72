/**
 * PHOF successful completion (C19, and C19a–c by substance group) on a cohort of people
 * dated by hand, through the real engine on both stores: people, not journeys; returns
 * within and after 6 months, at the same and at another provider and in another area; two
 * journeys in one period; linked records of one person; deaths; an episode's substance
 * group recorded at assessment and corrected with the care package. Every figure is
 * worked out by hand in the comments beside it.
 *
 * Period: 2025-04-01 to 2026-03-31 (a financial year). As-of 2026-12-01, when every
 * completion of the period has had its 182 days (the last, 2026-01-15, reached day 182 on
 * 2026-07-16), so the figures are final; and as-of 2026-06-01, when some are not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { dayOf } from '../../src/metrics/days.ts';
import type { MeasureQuery } from '../../src/metrics/measures/measure-query.ts';
import { outcomes } from '../../src/metrics/measures/outcomes.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';
import { recountPeople } from '../../src/metrics/person-facts.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';
import { addAgency, addPerson, completeSuccessfully, openJourney, testClock, top, type StreamDriver, type TestClock } from './cohort-builder.ts';
import { metricSnapshot } from './metric-snapshot.ts';

const FINAL = '2026-12-01T12:00:00.000Z';

describe.each(DIALECTS)('PHOF C19 on a hand-dated cohort of people (%s)', (dialect) => {
  let store: TestStore;
  let engine: Engine;
  let clock: TestClock;
  let p1: string;
  let p2: string;
  let south: string;

  const q = (over: Partial<MeasureQuery> = {}): MeasureQuery => ({
    agencyIds: [p1, p2],
    dim: 'all',
    asOf: FINAL,
    fromDay: dayOf('2025-04-01'),
    toDay: dayOf('2026-03-31'),
    ...over,
  });

  /** Screening, assessment (with the episode's substance group), care package and the first start. */
  const treat = async (j: StreamDriver, referredOn: string, startedOn: string, group?: string, correctedTo?: string): Promise<void> => {
    await j.on(referredOn, { type: 'SCREENING_STARTED' });
    await j.on(referredOn, { type: 'SCREENING_COMPLETED', outcome: 'assess' });
    await j.on(referredOn, { type: 'ASSESSMENT_COMPLETED', domains: {}, ...(group ? { substanceGroup: group } : {}) });
    await j.on(referredOn, { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'i1', modality: 'structured_psychosocial' }], ...(correctedTo ? { substanceGroup: correctedTo } : {}) });
    await j.on(referredOn, { type: 'INTERVENTION_OFFERED', interventionId: 'i1' });
    await j.on(startedOn, { type: 'INTERVENTION_STARTED', interventionId: 'i1', startedOn });
  };
  const journey = async (personId: string, agencyId: string, referredOn: string): Promise<StreamDriver> => openJourney(engine, clock, { personId, agencyId, referredOn });
  const discharge = async (j: StreamDriver, on: string, reason: string): Promise<void> => {
    await j.on(on, { type: 'DISCHARGED', reason, dischargedOn: on, exitTop: top('exit', on) });
  };

  beforeAll(async () => {
    store = await createTestStore(dialect);
    clock = testClock('2024-11-01T12:00:00.000Z');
    engine = createEngine(store, { now: clock.now });
    attachMetrics(engine);
    p1 = await addAgency(store.db, 'treatment_provider', 'North');
    p2 = await addAgency(store.db, 'treatment_provider', 'North');
    south = await addAgency(store.db, 'treatment_provider', 'South');
    const person = () => addPerson(store.db, p1);

    // Ann (opiate): completed 2025-06-01; never back.
    const ann = await person();
    const annJ = await journey(ann, p1, '2025-03-01');
    await treat(annJ, '2025-03-01', '2025-03-10', 'opiate');
    await completeSuccessfully(annJ, '2025-06-01');

    // Ben (opiate): completed 2025-08-01 at P1; a new journey at P2 on 2025-12-01, day 122: re-presented.
    const ben = await person();
    const ben1 = await journey(ben, p1, '2025-04-10');
    await treat(ben1, '2025-04-10', '2025-04-20', 'opiate');
    await completeSuccessfully(ben1, '2025-08-01');
    await treat(await journey(ben, p2, '2025-12-01'), '2025-12-01', '2025-12-10', 'opiate');

    // Cat (alcohol only): completed 2025-07-01; relapse on the journey 2026-02-15, day 229:
    // a return after the 6 months. Re-entered and started again 2026-02-20.
    const cat = await person();
    const catJ = await journey(cat, p1, '2025-04-01');
    await treat(catJ, '2025-04-01', '2025-04-05', 'alcohol_only');
    await completeSuccessfully(catJ, '2025-07-01');
    await catJ.on('2026-02-15', { type: 'RELAPSE_REPORTED', reportedOn: '2026-02-15' });
    await catJ.on('2026-02-16', { type: 'REENTRY_CONFIRMED' });
    await catJ.on('2026-02-16', { type: 'INTERVENTION_OFFERED', interventionId: 'i1' });
    await catJ.on('2026-02-20', { type: 'INTERVENTION_STARTED', interventionId: 'i1', startedOn: '2026-02-20' });

    // Dan (non-opiate only): completed 2025-09-01; a new journey at the same provider on
    // 2026-03-02, day 182 (Sep 29 + Oct 31 + Nov 30 + Dec 31 + Jan 31 + Feb 28 + 2): re-presented.
    const dan = await person();
    const danJ = await journey(dan, p1, '2025-05-01');
    await treat(danJ, '2025-05-01', '2025-05-10', 'non_opiate_only');
    await completeSuccessfully(danJ, '2025-09-01');
    await journey(dan, p1, '2026-03-02');

    // Eve (non-opiate and alcohol): completed 2025-10-01 at P2; a new journey at P1 on
    // 2026-04-02, day 183 (Oct 30 + Nov 30 + Dec 31 + Jan 31 + Feb 28 + Mar 31 + 2): not within 6 months.
    const eve = await person();
    const eveJ = await journey(eve, p2, '2025-06-01');
    await treat(eveJ, '2025-06-01', '2025-06-05', 'non_opiate_and_alcohol');
    await completeSuccessfully(eveJ, '2025-10-01');
    await journey(eve, p1, '2026-04-02');

    // Fay (opiate): two journeys in the period: dropped out at P1 2025-06-01, then a new
    // journey at P2, completed 2025-11-01 and never back. Her last discharge is successful.
    const fay = await person();
    const fay1 = await journey(fay, p1, '2025-04-01');
    await treat(fay1, '2025-04-01', '2025-04-10', 'opiate');
    await discharge(fay1, '2025-06-01', 'dropped_out');
    const fay2 = await journey(fay, p2, '2025-07-01');
    await treat(fay2, '2025-07-01', '2025-07-05', 'opiate');
    await completeSuccessfully(fay2, '2025-11-01');

    // Gus: assessed as opiate, corrected to alcohol only when the package was agreed;
    // completed 2026-01-15, never back.
    const gus = await person();
    const gusJ = await journey(gus, p1, '2025-05-01');
    await treat(gusJ, '2025-05-01', '2025-05-10', 'opiate', 'alcohol_only');
    await completeSuccessfully(gusJ, '2026-01-15');

    // Hal (opiate): two records, one at each provider, each with a journey; both providers
    // record his death on 2025-09-01. The records are linked afterwards (below).
    const halA = await person();
    const halB = await addPerson(store.db, p2);
    const halJA = await journey(halA, p1, '2025-04-01');
    await treat(halJA, '2025-04-01', '2025-04-05', 'opiate');
    await halJA.on('2025-09-01', { type: 'DISCHARGED', reason: 'died', dischargedOn: '2025-09-01' });
    const halJB = await journey(halB, p2, '2025-05-01');
    await treat(halJB, '2025-05-01', '2025-05-05', 'opiate');
    await halJB.on('2025-09-01', { type: 'DISCHARGED', reason: 'died', dischargedOn: '2025-09-01' });
    // The people service links them in one unit and recounts both person keys in it.
    await store.db.transaction().execute(async (trx) => {
      await trx.updateTable('people').set({ linked_to: halA }).where('id', '=', halB).execute();
      await recountPeople(trx, [halA, halB]);
    });

    // Ivy (alcohol only): completed 2025-03-15, before the period; back on a new journey
    // 2025-05-01 (day 47): a re-presentation in the period, and in treatment in it.
    const ivy = await person();
    const ivy1 = await journey(ivy, p1, '2025-01-01');
    await treat(ivy1, '2025-01-01', '2025-01-10', 'alcohol_only');
    await completeSuccessfully(ivy1, '2025-03-15');
    await treat(await journey(ivy, p1, '2025-05-01'), '2025-05-01', '2025-05-10', 'alcohol_only');

    // Joe (opiate): completed 2025-06-01 in the South; a new journey in the North on
    // 2025-08-01 (day 61): re-presented, anywhere in the system.
    const joe = await person();
    const joeS = await journey(joe, south, '2025-04-01');
    await treat(joeS, '2025-04-01', '2025-04-10', 'opiate');
    await completeSuccessfully(joeS, '2025-06-01');
    await treat(await journey(joe, p1, '2025-08-01'), '2025-08-01', '2025-08-10', 'opiate');

    // Kim (no substance group recorded): completed 2025-12-01, never back.
    const kim = await person();
    const kimJ = await journey(kim, p2, '2025-04-01');
    await treat(kimJ, '2025-04-01', '2025-04-10');
    await completeSuccessfully(kimJ, '2025-12-01');

    // Lee (no group): referred 2026-02-01, started 2026-03-01 (day 28: beyond 21 days); in treatment.
    await treat(await journey(await person(), p1, '2026-02-01'), '2026-02-01', '2026-03-01');

    // Mo (opiate): in treatment since 2024-12-01, throughout.
    await treat(await journey(await person(), p1, '2024-11-20'), '2024-11-20', '2024-12-01', 'opiate');

    // Nia: referred in the period, never started: not in treatment.
    await journey(await person(), p2, '2025-10-01');
  }, 180_000);

  afterAll(async () => {
    await engine.close();
    await store.dispose();
  });

  const db = () => metricsDb(store.db);

  it('counts people, once each, and the completions whose 6 months have passed', async () => {
    const out = await outcomes(db(), q());
    // In treatment in the North: Ann Ben Cat Dan Eve Fay Gus Hal Ivy Joe Kim Lee Mo = 13
    // (Ben and Fay with two journeys each, Hal with two linked records, count once; Nia never started).
    // Last discharge successful: Ann Ben Cat Dan Eve Fay Gus Kim = 8 (Hal's was a death).
    // Re-presented within 6 months: Ben (day 122), Dan (day 182) = 2.
    // Not re-presented: Ann, Cat (back on day 229), Eve (back on day 183), Fay, Gus, Kim = 6.
    expect(out.successfulCompletion.rows).toEqual([
      { group: 'all', inTreatment: 13, completedSuccessfully: 8, representedWithin6Months: 2, notRepresented: 6, windowOpen: 0, windowOpenShare: 0, share: 6 / 13 },
    ]);
    // Deaths: Hal, one person though two records and two journeys.
    expect(out.deathsInTreatment.rows).toEqual([{ group: 'all', deaths: 1, inTreatment: 13 }]);
    // Re-presentations in the period, under the discharging agency in the North: Ben
    // (2025-12-01), Dan (2026-03-02), Ivy (2025-05-01, after a completion before the period).
    // Joe's completion was in the South; Cat's and Eve's returns came after 6 months.
    expect(out.representations.rows).toEqual([{ group: 'all', count: 3 }]);
    // Episodes, not people: first starts in the period: Ben 2, Cat 2 (the re-entry), Dan,
    // Eve, Fay 2, Gus, Hal 2 (two records), Ivy, Joe (North), Kim, Lee = 15; only Lee's
    // (day 28) beyond 21 days.
    expect(out.startedWithin21Days.rows).toEqual([{ group: 'all', started: 15, within: 14, share: 14 / 15 }]);
  });

  it('publishes C19a–c by the episode substance group', async () => {
    const out = await outcomes(db(), q());
    const pick = (r: { indicator: string; inTreatment: number; completedSuccessfully: number; representedWithin6Months: number; notRepresented: number; share: number | null }) => [
      r.indicator,
      r.inTreatment,
      r.completedSuccessfully,
      r.representedWithin6Months,
      r.notRepresented,
      r.share,
    ];
    expect(out.successfulCompletion.indicators.map(pick)).toEqual([
      // Everyone, as above.
      ['C19', 13, 8, 2, 6, 6 / 13],
      // Opiate: Ann Ben Fay Hal Joe Mo = 6; completed Ann Ben Fay; Ben re-presented.
      ['C19a', 6, 3, 1, 2, 2 / 6],
      // Non-opiate (non-opiate only and non-opiate and alcohol): Dan Eve = 2; both completed; Dan re-presented.
      ['C19b', 2, 2, 1, 1, 1 / 2],
      // Alcohol only: Cat Gus (corrected from opiate) Ivy = 3; completed Cat Gus.
      ['C19c', 3, 2, 0, 2, 2 / 3],
    ]);
    // The breakdown by substance: the four groups plus Kim and Lee, never recorded.
    const bySubstance = await outcomes(db(), q({ dim: 'substance' }));
    expect(bySubstance.successfulCompletion.rows.map((r) => [r.group, r.inTreatment, r.completedSuccessfully, r.notRepresented])).toEqual([
      ['alcohol_only', 3, 2, 2],
      ['non_opiate_and_alcohol', 1, 1, 1],
      ['non_opiate_only', 1, 1, 0],
      ['not_recorded', 2, 1, 1],
      ['opiate', 6, 3, 2],
    ]);
    // Indicators do not depend on the breakdown asked for.
    expect(bySubstance.successfulCompletion.indicators).toEqual(out.successfulCompletion.indicators);
  });

  it('keeps completions whose 6 months are still running beside the figure, not in it', async () => {
    // As of 2026-06-01 (day 182 after 2025-12-01): Kim (2025-12-01, on day 182) and Gus
    // (2026-01-15) are still within their 6 months: windowOpen 2 of 8; the rest are final.
    const early = await outcomes(db(), q({ asOf: '2026-06-01T12:00:00.000Z' }));
    expect(early.successfulCompletion.rows).toEqual([
      { group: 'all', inTreatment: 13, completedSuccessfully: 8, representedWithin6Months: 2, notRepresented: 4, windowOpen: 2, windowOpenShare: 2 / 8, share: 4 / 13 },
    ]);
    // A day later Kim's 182 days have passed.
    const next = await outcomes(db(), q({ asOf: '2026-06-02T12:00:00.000Z' }));
    expect(next.successfulCompletion.rows[0]).toMatchObject({ notRepresented: 5, windowOpen: 1 });
  });

  it('counts a return in another area when the whole system is asked for', async () => {
    // North and South: Joe completed in the South and came back within 6 months: 9
    // completions, 3 re-presented (Ben, Dan, Joe); still 13 people (Joe once).
    const all = await outcomes(db(), q({ agencyIds: [p1, p2, south] }));
    expect(all.successfulCompletion.rows).toEqual([
      { group: 'all', inTreatment: 13, completedSuccessfully: 9, representedWithin6Months: 3, notRepresented: 6, windowOpen: 0, windowOpenShare: 0, share: 6 / 13 },
    ]);
    expect(all.representations.rows).toEqual([{ group: 'all', count: 4 }]);
    // One provider: P2 alone treated Ben (second journey), Eve, Fay (second journey), Hal (record B), Kim = 5.
    const p2Only = await outcomes(db(), q({ agencyIds: [p2] }));
    expect(p2Only.successfulCompletion.rows[0]).toMatchObject({ inTreatment: 5, completedSuccessfully: 3, representedWithin6Months: 0, notRepresented: 3 });
  });

  it('gives the same person rows after a rebuild from the event log', async () => {
    const before = await metricSnapshot(store.db);
    // Hal's two records count as one person: every row is under the first record's key.
    expect(before.personEpisodes.length).toBeGreaterThan(20);
    await rebuildMetrics(store);
    expect(await metricSnapshot(store.db)).toEqual(before);
  });
});
