/**
 * Writers side by side on one store: on PostgreSQL two engines (two nodes' pools) with four
 * write batches in flight each; on SQLite one engine (one writer). Every journey belongs to
 * a person who has a second journey driven through the other engine, all in one agency pair
 * and on the same days, so the batches share the measures' rows and the people's locks;
 * the timer sweepers of both engines deliver breaches to the same journeys while their
 * keyworkers move them on. No deadlock may happen at all (none is retried, none reaches a
 * caller), the measures must equal a rebuild, and the chain must verify.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/db/database.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { addAgency, addPerson, openJourney, testClock, type StreamDriver } from '../metrics/cohort-builder.ts';
import { metricSnapshot } from '../metrics/metric-snapshot.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';

const STEPS: Array<{ type: string; [k: string]: unknown }> = [
  { type: 'SCREENING_STARTED' },
  { type: 'SCREENING_COMPLETED', outcome: 'assess' },
  { type: 'ASSESSMENT_COMPLETED', domains: {} },
  { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'i1', modality: 'structured_psychosocial' }] },
  { type: 'INTERVENTION_OFFERED', interventionId: 'i1' },
  { type: 'INTERVENTION_STARTED', interventionId: 'i1' },
];

describe.each(DIALECTS)('writers side by side (%s)', (dialect) => {
  let store: TestStore;
  let second: Store | null = null;
  let engines: Engine[] = [];

  beforeEach(async () => {
    store = await createTestStore(dialect);
  });
  afterEach(async () => {
    for (const e of engines) await e.close();
    engines = [];
    await second?.close();
    second = null;
    await store.dispose();
  });

  it('never deadlock on shared measure rows, people or timers; the measures equal a rebuild and the chain verifies', async () => {
    const clock = testClock('2026-02-02T12:00:00.000Z');
    const options = { now: clock.now, pgConcurrency: 4 };
    engines = [createEngine(store, options)];
    if (dialect === 'postgres') {
      second = await openStore(store.url);
      engines.push(createEngine(second, options));
    }
    for (const e of engines) attachMetrics(e);
    const agencies = [await addAgency(store.db, 'treatment_provider', 'North'), await addAgency(store.db, 'treatment_provider', 'South')];
    const people = await Promise.all(Array.from({ length: 16 }, (_, i) => addPerson(store.db, agencies[i % 2]!, { sex: i % 3 === 0 ? 'female' : 'male' })));
    // Each person has a journey at each agency; the two are driven through different engines.
    const lanes: StreamDriver[][] = [[], []];
    for (const [lane, list] of lanes.entries()) {
      const engine = engines[lane % engines.length]!;
      list.push(...(await Promise.all(people.map((personId, i) => openJourney(engine, clock, { personId, agencyId: agencies[(i + lane) % 2]!, referredOn: '2026-02-02' })))));
    }
    // Past the 21 days to treatment: every journey's waiting-time breach is due.
    clock.set('2026-03-10');
    const failures: unknown[] = [];
    const sweeps = engines.map((e) => e.sweepDueTimers());
    for (const step of STEPS) {
      // Lane one in order, lane two backwards: batches take the shared rows in opposite orders.
      const moves = lanes.flatMap((list, lane) => (lane === 0 ? list : [...list].reverse()).map(async (j) => {
        try {
          await j.on('2026-03-10', step);
        } catch (err) {
          // A breach delivered since the keyworker's last read: read again and send again, as a client would.
          if ((err as { code?: string }).code !== 'version_conflict') throw err;
          j.version = (err as { details?: { currentVersion?: number } }).details?.currentVersion ?? j.version;
          await j.on('2026-03-10', step);
        }
      }));
      for (const r of await Promise.allSettled(moves)) if (r.status === 'rejected') failures.push(r.reason);
    }
    const swept = await Promise.all(sweeps);
    expect(failures).toEqual([]);
    expect(swept.reduce((n, s) => n + s.fired, 0)).toBe(lanes.flat().length);
    for (const e of engines) expect(e.stats().retried).toBe(0);

    const incremental = await metricSnapshot(store.db);
    expect(incremental.personEpisodes.length).toBe(people.length * 2);
    await rebuildMetrics(store);
    expect(await metricSnapshot(store.db)).toEqual(incremental);

    for (const e of engines) await e.sealChain();
    const chain = await verifyChain(store.db);
    expect(chain).toMatchObject({ ok: true, rowsChecked: lanes.flat().length * (2 + STEPS.length), unsealed: 0 });
    // Some 400 units through two engines: on a loaded machine that takes a while.
  }, 180_000);
});
