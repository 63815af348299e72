/**
 * Counters appended and folded on PostgreSQL (counter-fold.ts): two engines on one schema
 * appending their counter changes, with folds running between and during their writes,
 * leave exactly the counters a rebuild computes; a figure read between a commit and the
 * fold already counts the commit; two folds racing fold each row once; a rebuild leaves no
 * appended row behind.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/db/database.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { foldCounterDeltas, startCounterFold } from '../../src/metrics/counter-fold.ts';
import { foldAppendedCounters } from '../../src/metrics/counter-store.ts';
import { localDayOf } from '../../machines/calendar-days.ts';
import { flow } from '../../src/metrics/measures/flow.ts';
import type { MeasureQuery } from '../../src/metrics/measures/measure-query.ts';
import { summary } from '../../src/metrics/measures/summary.ts';
import { timeInStage } from '../../src/metrics/measures/time-in-stage.ts';
import { workInProgress } from '../../src/metrics/measures/work-in-progress.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';
import { addAgency, addPerson, openJourney, testClock, type StreamDriver, type TestClock } from './cohort-builder.ts';
import { metricSnapshot } from './metric-snapshot.ts';

const pendingRows = async (db: Store['db']): Promise<number> => Number((await sql<{ n: string }>`select count(*) as n from metric_day_deltas`.execute(db)).rows[0]?.n ?? 0);

/** The figures the dashboard reads from the counters, undivided and broken down. */
async function figures(db: Store['db'], agencyIds: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  const m = metricsDb(db);
  for (const dim of ['all', 'sex'] as const) {
    const q: MeasureQuery = { agencyIds, dim, asOf: '2026-03-20T12:00:00.000Z', fromDay: localDayOf('2026-02-01T12:00:00.000Z', 'Europe/London'), toDay: localDayOf('2026-03-20T12:00:00.000Z', 'Europe/London') };
    out.push(await workInProgress(m, q), await timeInStage(m, q), await summary(m, q), await flow(m, q, 'day'), await flow(m, q, 'week'));
  }
  return out;
}

/** Walks each journey a few steps, on days spread over two blocks, all journeys at once. */
async function walk(journeys: StreamDriver[]): Promise<void> {
  const steps: Array<[string, (i: number) => { type: string; [k: string]: unknown }]> = [
    ['2026-02-03', () => ({ type: 'SCREENING_STARTED' })],
    ['2026-02-20', (i) => (i % 4 === 0 ? { type: 'SCREENING_COMPLETED', outcome: 'brief_advice' } : { type: 'SCREENING_COMPLETED', outcome: 'assess' })],
    ['2026-03-09', () => ({ type: 'ASSESSMENT_COMPLETED', domains: {} })],
  ];
  for (const [day, event] of steps) await Promise.allSettled(journeys.map((j, i) => j.on(day, event(i))));
}

describe('counters appended and folded (postgres)', () => {
  let store: TestStore;
  let second: Store | null = null;
  const engines: Engine[] = [];

  beforeEach(async () => {
    store = await createTestStore('postgres');
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    await second?.close();
    second = null;
    await store.dispose();
  });

  async function cohort(engine: Engine, clock: TestClock, agencies: string[], n: number): Promise<StreamDriver[]> {
    const people = await Promise.all(Array.from({ length: n }, (_, i) => addPerson(store.db, agencies[i % 2]!, { sex: i % 3 === 0 ? 'female' : 'male', dateOfBirth: '1990-07-07' })));
    return Promise.all(people.map((personId, i) => openJourney(engine, clock, { personId, agencyId: agencies[i % 2]!, referredOn: '2026-02-02' })));
  }

  it('two engines on one schema, folding between and during their writes, leave the counters a rebuild computes', async () => {
    second = await openStore(store.url);
    const clock = testClock('2026-02-02T12:00:00.000Z');
    const agencies = [await addAgency(store.db, 'treatment_provider', 'North'), await addAgency(store.db, 'treatment_provider', 'South')];
    const groups: StreamDriver[][] = [];
    const folds = [];
    for (const s of [store, second]) {
      const engine = createEngine(s, { now: clock.now });
      engines.push(engine);
      attachMetrics(engine, { appendCounters: true });
      folds.push(startCounterFold(s.db, (err) => { throw err; }, { everyMs: 2 }));
      groups.push(await cohort(engine, clock, agencies, 16));
    }
    await foldCounterDeltas(store.db);
    await Promise.all(groups.map((g) => walk(g)));
    for (const f of folds) await f.stop();
    expect(await pendingRows(store.db)).toBe(0);

    const incremental = await metricSnapshot(store.db);
    expect(incremental.blocks.length).toBeGreaterThan(20);
    const shown = await figures(store.db, agencies);
    await rebuildMetrics(store);
    expect(await metricSnapshot(store.db)).toEqual(incremental);
    expect(await figures(store.db, agencies)).toEqual(shown);
  });

  it('a figure read between a commit and the fold counts the commit', async () => {
    const clock = testClock('2026-02-02T12:00:00.000Z');
    const agencies = [await addAgency(store.db, 'treatment_provider', 'North'), await addAgency(store.db, 'treatment_provider', 'South')];
    const engine = createEngine(store, { now: clock.now });
    engines.push(engine);
    attachMetrics(engine, { appendCounters: true });
    const journeys = await cohort(engine, clock, agencies, 12);
    await walk(journeys);
    // Nothing folded yet: every change is still an appended row, the blocks are empty.
    expect(await pendingRows(store.db)).toBeGreaterThan(0);
    expect(await metricsDb(store.db).selectFrom('metric_day_totals').selectAll().execute()).toEqual([]);
    const before = await figures(store.db, agencies);
    expect(JSON.stringify(before)).toContain('"rows":[{"stage":"carePlanning","group":"all","count":9}]');

    expect(await foldCounterDeltas(store.db)).toBeGreaterThan(0);
    expect(await pendingRows(store.db)).toBe(0);
    expect(await figures(store.db, agencies)).toEqual(before);
    await rebuildMetrics(store);
    expect(await figures(store.db, agencies)).toEqual(before);
  });

  it('two folds racing, without the fold lock, during the writes, fold each row once', async () => {
    second = await openStore(store.url);
    const clock = testClock('2026-02-02T12:00:00.000Z');
    const agencies = [await addAgency(store.db, 'treatment_provider', 'North'), await addAgency(store.db, 'treatment_provider', 'South')];
    const engine = createEngine(store, { now: clock.now });
    engines.push(engine);
    attachMetrics(engine, { appendCounters: true });
    const journeys = await cohort(engine, clock, agencies, 24);
    const opened = await pendingRows(store.db);
    expect(opened).toBeGreaterThan(20);
    // Both delete the same rows at once, again and again while the journeys move on.
    let writing = true;
    const racer = async (s: Store): Promise<number> => {
      let folded = 0;
      while (writing) folded += await s.db.transaction().execute((trx) => foldAppendedCounters(trx));
      return folded;
    };
    const racers = Promise.all([racer(store), racer(second)]);
    await walk(journeys);
    writing = false;
    const [a, b] = await racers;
    // The journeys' opening and every step after it.
    expect(a + b).toBeGreaterThan(opened);
    await foldCounterDeltas(store.db);
    expect(await pendingRows(store.db)).toBe(0);

    const folded = await metricSnapshot(store.db);
    await rebuildMetrics(store);
    expect(await metricSnapshot(store.db)).toEqual(folded);
  });

  it('a rebuild leaves no appended row, and counts what they held', async () => {
    const clock = testClock('2026-02-02T12:00:00.000Z');
    const agencies = [await addAgency(store.db, 'treatment_provider', 'North'), await addAgency(store.db, 'treatment_provider', 'South')];
    const engine = createEngine(store, { now: clock.now });
    engines.push(engine);
    attachMetrics(engine, { appendCounters: true });
    await walk(await cohort(engine, clock, agencies, 8));
    const shown = await figures(store.db, agencies);
    expect(await pendingRows(store.db)).toBeGreaterThan(0);
    await rebuildMetrics(store);
    expect(await pendingRows(store.db)).toBe(0);
    expect(await figures(store.db, agencies)).toEqual(shown);
  });
});
