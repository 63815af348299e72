/**
 * Counters written once per commit (attach-metrics.ts): concurrent transitions that share
 * a SQLite group commit — some of them refused and rolled back inside it — must leave
 * exactly the counters a rebuild computes, on both stores; adding up the deltas of a commit
 * keeps every distinct counter apart; and a change writes only the counters it moved.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { DeltaSet } from '../../src/metrics/counter-deltas.ts';
import type { DimensionValues } from '../../machines/measure-dimensions.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';
import { addAgency, addPerson, openJourney, testClock, type StreamDriver } from './cohort-builder.ts';
import { metricSnapshot } from './metric-snapshot.ts';

const dims: DimensionValues = { sex: 'female', age_band: '25-34', ethnicity: 'white_british', postcode_district: 'NB1', referral_source: 'self', substance: 'opiate' };

/** A set's non-zero deltas as text, for comparing sets however they were built. */
const linesOf = (d: DeltaSet): string[] => d.nonZeroBlocks().map((x) => JSON.stringify(x)).sort();

describe('delta sets', () => {
  it('absorbing adds deltas of the same counter and keeps the others apart', () => {
    const a = new DeltaSet();
    a.add('A', dims, [{ metric: 'stage_age', k: 'screening', day: 100 }, { metric: 'flow', k: 'referred>screening', day: 100 }], 1);
    const b = new DeltaSet();
    b.add('A', dims, [{ metric: 'stage_age', k: 'screening', day: 100 }], 2);
    b.add('A', dims, [{ metric: 'stage_age', k: 'assessment', day: 101 }], -1);
    const merged = new DeltaSet();
    merged.absorb(a);
    merged.absorb(b);
    const direct = new DeltaSet();
    direct.add('A', dims, [{ metric: 'stage_age', k: 'screening', day: 100 }, { metric: 'flow', k: 'referred>screening', day: 100 }], 1);
    direct.add('A', dims, [{ metric: 'stage_age', k: 'screening', day: 100 }], 2);
    direct.add('A', dims, [{ metric: 'stage_age', k: 'assessment', day: 101 }], -1);
    expect(linesOf(merged)).toEqual(linesOf(direct));
    expect(merged.nonZeroBlocks().find((d) => d.k === 'screening' && d.dim === 'all')?.n).toBe(3);
    const undo = new DeltaSet();
    undo.add('A', dims, [{ metric: 'stage_age', k: 'screening', day: 100 }, { metric: 'flow', k: 'referred>screening', day: 100 }], -1);
    const again = new DeltaSet();
    again.add('A', dims, [{ metric: 'stage_age', k: 'screening', day: 100 }, { metric: 'flow', k: 'referred>screening', day: 100 }], 1);
    const none = new DeltaSet();
    none.absorb(again);
    none.absorb(undo);
    expect(none.isEmpty()).toBe(true);
    expect(merged.isEmpty()).toBe(false);
  });

  it('a move writes only the counters that changed, and the same deltas as taking the old state off and putting the new one on', () => {
    const before = [
      { metric: 'stage_age', k: 'assessment', day: 100 },
      { metric: 'waiting', k: '', day: 90 },
      { metric: 'tx_start', k: '', day: 80 },
    ];
    const after = [
      { metric: 'stage_age', k: 'carePlanning', day: 104 },
      { metric: 'waiting', k: '', day: 90 },
      { metric: 'tx_start', k: '', day: 80 },
    ];
    for (const [fromAgency, toAgency] of [
      ['A', 'A'],
      ['A', 'B'],
      [null, 'A'],
    ] as const) {
      const moved = new DeltaSet();
      moved.addMove(fromAgency, fromAgency === null ? [] : before, toAgency, after, dims);
      const plain = new DeltaSet();
      if (fromAgency !== null) plain.add(fromAgency, dims, before, -1);
      plain.add(toAgency, dims, after, 1);
      expect(linesOf(moved), `${fromAgency} → ${toAgency}`).toEqual(linesOf(plain));
      // Kept in the same agency, the unchanged counters are never spread over the dimensions.
      if (fromAgency === toAgency) expect(moved.blocks.size).toBe(2 * 7);
    }
  });

  it('refuses a metric without day blocks, naming it and where to add it (there is no other table to count it in)', () => {
    const set = new DeltaSet();
    expect(() => set.add('A', dims, [{ metric: 'caseload', k: '', day: 100 }], 1)).toThrow(/"caseload" has no day blocks; add it to BLOCKED_METRICS/);
    expect(set.isEmpty()).toBe(true);
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
