/**
 * Writers side by side on one store: on PostgreSQL two engines (two nodes' pools) with four
 * write batches in flight each; on SQLite one engine (one writer). Every journey belongs to
 * a person who has a second journey driven through the other engine, all in one agency pair
 * and on the same days, so the batches share the measures' rows and the people's locks;
 * the timer sweepers of both engines deliver breaches to the same journeys while their
 * keyworkers move them on. No deadlock may happen at all (none is retried, none reaches a
 * caller), the measures must equal a rebuild, and the chain must verify. And linked records
 * of one person moved through both engines at once: every commit recounts that one person,
 * and the person's rows must come out as a rebuild draws them; on PostgreSQL, a commit that
 * recounts a person another commit holds must wait for it and then read what it wrote.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/db/database.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { addAgency, addPerson, completeSuccessfully, intoTreatment, openJourney, testClock, type StreamDriver, type TestClock } from '../metrics/cohort-builder.ts';
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

  /** Writers of 4 batches each, with the measures: one engine on SQLite, two on PostgreSQL (each with its own pool). */
  async function startWriters(clock: TestClock): Promise<void> {
    const options = { now: clock.now, pgConcurrency: 4 };
    engines = [createEngine(store, options)];
    if (dialect === 'postgres') {
      second = await openStore(store.url);
      engines.push(createEngine(second, options));
    }
    for (const e of engines) attachMetrics(e);
  }

  it('never deadlock on shared measure rows, people or timers; the measures equal a rebuild and the chain verifies', async () => {
    const clock = testClock('2026-02-02T12:00:00.000Z');
    await startWriters(clock);
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

    // A `seq` taken by a unit that was rolled back (a conflict among units side by side) is a
    // hole the sealer passes only once every transaction running when it was first seen has
    // ended — on this database, other test files' too — so seal until none is left (bounded).
    let chain = await verifyChain(store.db);
    for (const until = Date.now() + 15_000; chain.ok && chain.unsealed > 0 && Date.now() < until; chain = await verifyChain(store.db)) {
      for (const e of engines) await e.sealChain();
    }
    expect(chain).toMatchObject({ ok: true, rowsChecked: lanes.flat().length * (2 + STEPS.length), unsealed: 0 });
    // Some 400 units through two engines: on a loaded machine that takes a while.
  }, 180_000);

  it('recount linked records of one person moved at once through both writers as a rebuild does', async () => {
    const clock = testClock('2026-02-02T12:00:00.000Z');
    await startWriters(clock);
    const agencies = [await addAgency(store.db, 'treatment_provider', 'North'), await addAgency(store.db, 'treatment_provider', 'South')];
    // Twelve people, each known by two records: the second linked to the first (as person-links.ts leaves them).
    const firsts = await Promise.all(Array.from({ length: 12 }, () => addPerson(store.db, agencies[0]!)));
    const seconds = await Promise.all(firsts.map(() => addPerson(store.db, agencies[1]!)));
    for (const [i, first] of firsts.entries()) await store.db.updateTable('people').set({ linked_to: first }).where('id', '=', seconds[i]!).execute();
    // One journey on each record, each record's through its own engine: the two lanes' commits recount the same people.
    const lanes = [firsts, seconds];
    const journeys = await Promise.all(lanes.map((records, lane) => Promise.all(records.map((personId) => openJourney(engines[lane % engines.length]!, clock, { personId, agencyId: agencies[lane]!, referredOn: '2026-02-02' })))));
    for (const step of STEPS) {
      await Promise.all(journeys.flatMap((list, lane) => (lane === 0 ? list : [...list].reverse()).map((j) => j.on('2026-02-10', step))));
    }
    // The first lane's journeys complete while the same people's new journeys open through the
    // other engine on the same day: each completion's row counts that return only if its
    // recount reads the facts the other commit wrote.
    await Promise.all([
      ...journeys[0]!.map((j) => completeSuccessfully(j, '2026-03-20')),
      ...seconds.map((personId) => openJourney(engines[1 % engines.length]!, clock, { personId, agencyId: agencies[1]!, referredOn: '2026-03-20' })),
    ]);
    for (const e of engines) expect(e.stats().retried).toBe(0);

    const episodes = await store.db.withTables<{ metric_person_episodes: { person_key: string; returned_day: number | null; successful: number } }>()
      .selectFrom('metric_person_episodes').select(['person_key', 'returned_day', 'successful']).execute();
    // Three episodes a person, all counted under the first record; every completion returned.
    expect(episodes.length).toBe(firsts.length * 3);
    expect(new Set(episodes.map((e) => e.person_key))).toEqual(new Set(firsts));
    expect(episodes.filter((e) => e.successful === 1 && e.returned_day !== null).length).toBe(firsts.length);
    const incremental = await metricSnapshot(store.db);
    await rebuildMetrics(store);
    expect(await metricSnapshot(store.db)).toEqual(incremental);
  }, 180_000);
});

describe('a person recounted by two writers at once (postgres)', () => {
  let store: TestStore;
  let second: Store;
  let engines: Engine[] = [];
  beforeEach(async () => {
    store = await createTestStore('postgres');
    second = await openStore(store.url);
  });
  afterEach(async () => {
    for (const e of engines) await e.close();
    engines = [];
    await second.close();
    await store.dispose();
  });

  /** Resolves once some transaction waits for the recount lock of `personKey` (as person-facts.ts names it). */
  async function lockAwaited(personKey: string): Promise<void> {
    for (;;) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks
        where locktype = 'advisory' and not granted and objsubid = 1
          and ((classid::bigint << 32) | objid::bigint) = hashtextextended(${`person-episodes:${personKey}`}, 0)`.execute(store.db);
      if ((rows[0]?.n ?? 0) > 0) return;
      await new Promise((ok) => setTimeout(ok, 20));
    }
  }

  it('waits for the commit holding the person, then reads the facts it wrote: the rows equal a rebuild', async () => {
    const clock = testClock('2026-02-02T12:00:00.000Z');
    engines = [createEngine(store, { now: clock.now }), createEngine(second, { now: clock.now })];
    for (const e of engines) attachMetrics(e);
    // The first engine's discharge stops just before its COMMIT, its recount done (the person's lock held).
    let release!: () => void;
    const released = new Promise<void>((ok) => (release = ok));
    let holding!: () => void;
    const held = new Promise<void>((ok) => (holding = ok));
    engines[0]!.useBeforeCommit(async (_trx, changes) => {
      if (!changes.some((c) => c.type === 'DISCHARGED')) return;
      holding();
      await released;
    });
    const agencies = [await addAgency(store.db, 'treatment_provider', 'North'), await addAgency(store.db, 'treatment_provider', 'South')];
    const first = await addPerson(store.db, agencies[0]!);
    const other = await addPerson(store.db, agencies[1]!);
    await store.db.updateTable('people').set({ linked_to: first }).where('id', '=', other).execute();
    const journey = await openJourney(engines[0]!, clock, { personId: first, agencyId: agencies[0]!, referredOn: '2026-02-02' });
    await intoTreatment(journey, '2026-02-02', '2026-02-10');

    const discharge = completeSuccessfully(journey, '2026-03-20');
    await held;
    // The same person returns through the other engine's writer, under the other record: its
    // commit recounts the person too, and must count the completion the first has not committed yet.
    const opening = openJourney(engines[1]!, clock, { personId: other, agencyId: agencies[1]!, referredOn: '2026-03-20' });
    await lockAwaited(first);
    release();
    await Promise.all([discharge, opening]);

    const rows = await store.db
      .withTables<{ metric_person_episodes: { person_key: string; case_id: string; open_day: number; successful: number; returned_day: number | null } }>()
      .selectFrom('metric_person_episodes')
      .select(['person_key', 'case_id', 'open_day', 'successful', 'returned_day'])
      .execute();
    // Both episodes counted under the first record; the completion's return is the new journey's opening.
    const completed = rows.find((r) => r.case_id === journey.id);
    const returned = rows.find((r) => r.case_id !== journey.id);
    expect(rows.map((r) => r.person_key)).toEqual([first, first]);
    expect(completed).toMatchObject({ successful: 1, returned_day: returned?.open_day });
    expect(returned).toMatchObject({ successful: 0, returned_day: null });
    const incremental = await metricSnapshot(store.db);
    await rebuildMetrics(store);
    expect(await metricSnapshot(store.db)).toEqual(incremental);
  }, 60_000);
});
