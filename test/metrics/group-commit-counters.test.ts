/**
 * Counters written once per commit (attach-metrics.ts): concurrent transitions that share
 * a SQLite group commit — some of them refused and rolled back inside it — must leave
 * exactly the counters a rebuild computes, on both stores; and adding up deltas keeps every
 * distinct counter apart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { attachMetrics, sumDeltas } from '../../src/metrics/attach-metrics.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';
import { addAgency, addPerson, openJourney, testClock, type StreamDriver } from './cohort-builder.ts';
import { metricSnapshot } from './metric-snapshot.ts';

describe('sumDeltas', () => {
  it('adds rows that differ only in n, keeps the others apart and drops zeros', () => {
    const a = { metric: 'wip', agency_id: 'A', dim: 'sex', day: 10, k: 'screening', value: 'female', n: 1 };
    expect(
      sumDeltas([
        [a, { ...a, value: 'male' }],
        [{ ...a, n: 2 }, { ...a, k: 'assessment', n: -1 }, { ...a, value: 'male', n: -1 }],
      ]),
    ).toEqual([
      { ...a, n: 3 },
      { ...a, k: 'assessment', n: -1 },
    ]);
  });
});

describe.each(DIALECTS)('counters written once per commit (%s)', (dialect) => {
  let store: TestStore;
  let engine: Engine;

  beforeEach(async () => {
    store = await createTestStore(dialect);
  });
  afterEach(async () => {
    await engine.close();
    await store.dispose();
  });

  it('equal a rebuild after concurrent transitions, refused ones included', async () => {
    const clock = testClock('2026-02-02T12:00:00.000Z');
    engine = createEngine(store, { now: clock.now });
    attachMetrics(engine);
    const agencies = [await addAgency(store.db, 'treatment_provider', 'North'), await addAgency(store.db, 'treatment_provider', 'South')];
    const people = await Promise.all(
      Array.from({ length: 24 }, (_, i) => addPerson(store.db, agencies[i % 2]!, { sex: i % 3 === 0 ? 'female' : 'male', dateOfBirth: '1990-07-07', postcodeDistrict: i % 4 === 0 ? null : 'NB1' })),
    );
    // Opened together: on SQLite they share commits.
    const journeys: StreamDriver[] = await Promise.all(people.map((personId, i) => openJourney(engine, clock, { personId, agencyId: agencies[i % 2]!, referredOn: '2026-02-02' })));
    const waves: Array<(j: StreamDriver, i: number) => { type: string; [k: string]: unknown }> = [
      () => ({ type: 'SCREENING_STARTED' }),
      // Every fifth is refused (not allowed in screening) and rolls back inside the shared commit.
      (_j, i) => (i % 5 === 0 ? { type: 'INTERVENTION_STARTED', interventionId: 'i1' } : { type: 'SCREENING_COMPLETED', outcome: 'assess' }),
      (_j, i) => (i % 5 === 0 ? { type: 'SCREENING_COMPLETED', outcome: 'brief_advice' } : { type: 'ASSESSMENT_COMPLETED', domains: {} }),
    ];
    let refused = 0;
    for (const wave of waves) {
      const results = await Promise.allSettled(journeys.map((j, i) => j.on('2026-02-03', wave(j, i))));
      refused += results.filter((r) => r.status === 'rejected').length;
    }
    expect(refused).toBe(5);
    if (dialect === 'sqlite') expect(engine.stats().commits).toBeLessThan(engine.stats().units);

    const incremental = await metricSnapshot(store.db);
    expect(incremental.blocks.length).toBeGreaterThan(20);
    await rebuildMetrics(store);
    expect(await metricSnapshot(store.db)).toEqual(incremental);
  });
});
