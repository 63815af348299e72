/**
 * A batch's events on distinct journeys run side by side on PostgreSQL (unit-runner.ts,
 * `pgSideBySide`): many callers in one burst each get their own answer, versions, events,
 * measures and counters as if the units had run one after another; a second event on the
 * same journey in the burst waits for the first; a failure among them has the batch run
 * again one unit after another, so only the failing caller hears an error. SQLite runs
 * every unit one after another: the same answers, nothing side by side. On PostgreSQL the
 * statements of units side by side travel pipelined: the batch's connection has several
 * asked and not yet answered at once.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine, StreamChange } from '../../src/engine/engine-types.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { addAgency, addPerson, openJourney, testClock, type StreamDriver, type TestClock } from '../metrics/cohort-builder.ts';
import { metricSnapshot } from '../metrics/metric-snapshot.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';

const DAY = '2026-03-02';

describe.each(DIALECTS)('events side by side in one batch (%s)', (dialect) => {
  let store: TestStore;
  let engine: Engine;
  let clock: TestClock;
  let journeys: StreamDriver[];
  let committed: StreamChange[];
  const postgres = dialect === 'postgres';

  beforeEach(async () => {
    store = await createTestStore(dialect);
    clock = testClock(`${DAY}T12:00:00.000Z`);
    engine = createEngine(store, { now: clock.now });
    attachMetrics(engine, { appendCounters: postgres });
    const agency = await addAgency(store.db, 'treatment_provider', 'North');
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => addPerson(store.db, agency, { sex: i % 2 === 0 ? 'female' : 'male' })));
    journeys = [];
    // Two journeys per person, so the people's episode rows are shared between units.
    for (const personId of [...people, ...people]) journeys.push(await openJourney(engine, clock, { personId, agencyId: agency, referredOn: DAY }));
    committed = [];
    engine.onCommit((changes) => committed.push(...changes));
  });
  afterEach(async () => {
    await engine.close();
    await store.dispose();
  });

  /** Sends `event` to journey `j` at `expectedVersion` (default: its version now), settling with the answer or the error. */
  const send = (j: StreamDriver, event: { type: string; [k: string]: unknown }, expectedVersion = j.version) =>
    engine.apply({ stream: 'case', id: j.id, event, expectedVersion, actor: j.actor }).then(
      (result) => ({ ok: true as const, version: result.row.version, seq: result.change.seq }),
      (error: unknown) => ({ ok: false as const, code: (error as { code?: string }).code, error }),
    );

  const eventsOf = async (id: string) =>
    (await store.db.selectFrom('events').select(['type', 'stream_version']).where('stream_id', '=', id).orderBy('stream_version').execute()).map((e) => `${Number(e.stream_version)}:${e.type}`);

  const measuresMatchRebuild = async (): Promise<void> => {
    const incremental = await metricSnapshot(store.db);
    await rebuildMetrics(store);
    expect(await metricSnapshot(store.db)).toEqual(incremental);
  };

  it('many callers on distinct journeys commit together with the right versions, events, measures and counters', async () => {
    const before = engine.stats();
    const answers = await Promise.all(journeys.map((j) => send(j, { type: 'SCREENING_STARTED' })));
    expect(answers.map((a) => (a.ok ? a.version : a.code))).toEqual(journeys.map(() => 2));
    const after = engine.stats();
    expect(after.commits - before.commits).toBe(1);
    expect(after.units - before.units).toBe(journeys.length);
    expect(after.sideBySide - before.sideBySide).toBe(postgres ? journeys.length : 0);
    for (const j of journeys) expect(await eventsOf(j.id)).toEqual(['1:CASE_OPENED', '2:SCREENING_STARTED']);
    // Commit listeners hear the changes in the callers' order.
    expect(committed.map((c) => c.id)).toEqual(journeys.map((j) => j.id));
    const rows = await store.db.selectFrom('cases').select(['id', 'version', 'stage']).execute();
    expect(rows.every((r) => Number(r.version) === 2 && r.stage === 'screening')).toBe(true);
    await measuresMatchRebuild();
  });

  it('two events on the same journey in one burst both succeed, in order', async () => {
    const [first, ...others] = journeys;
    const before = engine.stats();
    const answers = await Promise.all([
      send(first!, { type: 'SCREENING_STARTED' }, 1),
      ...others.slice(0, 3).map((j) => send(j, { type: 'SCREENING_STARTED' })),
      send(first!, { type: 'SCREENING_COMPLETED', outcome: 'assess' }, 2),
      ...others.slice(3).map((j) => send(j, { type: 'SCREENING_STARTED' })),
    ]);
    expect(answers.map((a) => (a.ok ? a.version : a.code))).toEqual([2, 2, 2, 2, 3, ...others.slice(3).map(() => 2)]);
    const after = engine.stats();
    expect(after.failed - before.failed).toBe(0);
    expect(after.retried - before.retried).toBe(0);
    // Side by side: the four distinct journeys before the repeated one; the rest one after another.
    expect(after.sideBySide - before.sideBySide).toBe(postgres ? 4 : 0);
    expect(await eventsOf(first!.id)).toEqual(['1:CASE_OPENED', '2:SCREENING_STARTED', '3:SCREENING_COMPLETED']);
    expect(committed.filter((c) => c.id === first!.id).map((c) => c.version)).toEqual([2, 3]);
    await measuresMatchRebuild();
  });

  it('a unit refused among others gets its own error; the others commit (run again one after another)', async () => {
    const before = engine.stats();
    const answers = await Promise.all(journeys.map((j, i) => send(j, i === 3 ? { type: 'INTERVENTION_STARTED', interventionId: 'i1' } : { type: 'SCREENING_STARTED' })));
    expect(answers.map((a) => (a.ok ? a.version : a.code))).toEqual(journeys.map((_, i) => (i === 3 ? 'invalid_transition' : 2)));
    const after = engine.stats();
    expect(after.failed - before.failed).toBe(1);
    expect(after.units - before.units).toBe(journeys.length - 1);
    // What ran side by side was rolled back: every answer comes from the run one after another.
    expect(after.sideBySide - before.sideBySide).toBe(0);
    expect(await eventsOf(journeys[3]!.id)).toEqual(['1:CASE_OPENED']);
    expect(committed.map((c) => c.id)).toEqual(journeys.filter((_, i) => i !== 3).map((j) => j.id));
    await measuresMatchRebuild();
  });

  it('a unit that fails after its writes leaves nothing behind; the others commit', async () => {
    const failing = journeys[2]!.id;
    // An in-transaction hook failing for one journey, after its row, event and timers are written.
    engine.useInTransaction(async (_trx, change) => {
      if (change.id === failing) throw new Error('hook refused this journey');
    });
    const before = engine.stats();
    const answers = await Promise.all(journeys.map((j) => send(j, { type: 'SCREENING_STARTED' })));
    expect(answers.map((a) => (a.ok ? a.version : (a.error as Error).message))).toEqual(journeys.map((j) => (j.id === failing ? 'hook refused this journey' : 2)));
    const after = engine.stats();
    expect(after.failed - before.failed).toBe(1);
    expect(after.sideBySide - before.sideBySide).toBe(0);
    expect(await eventsOf(failing)).toEqual(['1:CASE_OPENED']);
    const row = await store.db.selectFrom('cases').select(['version', 'stage']).where('id', '=', failing).executeTakeFirstOrThrow();
    expect({ version: Number(row.version), stage: row.stage }).toEqual({ version: 1, stage: 'referred' });
    for (const j of journeys.filter((x) => x.id !== failing)) expect(await eventsOf(j.id)).toEqual(['1:CASE_OPENED', '2:SCREENING_STARTED']);
    await measuresMatchRebuild();
  });

  it('a stale expectedVersion still gets its conflict', async () => {
    const stale = journeys[4]!;
    await stale.on(DAY, { type: 'SCREENING_STARTED' });
    const before = engine.stats();
    const answers = await Promise.all(journeys.map((j) => (j === stale ? send(j, { type: 'SCREENING_COMPLETED', outcome: 'assess' }, 1) : send(j, { type: 'SCREENING_STARTED' }))));
    expect(answers.map((a) => (a.ok ? a.version : a.code))).toEqual(journeys.map((j) => (j === stale ? 'version_conflict' : 2)));
    const conflict = answers[4]!;
    expect(conflict.ok ? null : (conflict.error as { details?: unknown }).details).toEqual({ currentVersion: 2 });
    const after = engine.stats();
    expect(after.failed - before.failed).toBe(1);
    expect(await eventsOf(stale.id)).toEqual(['1:CASE_OPENED', '2:SCREENING_STARTED']);
    await measuresMatchRebuild();
  });

  it("transactions declaring their one journey (`only`) run side by side too; one reaching another stream is refused", async () => {
    const before = engine.stats();
    const moved = await Promise.all(
      journeys.map((j) =>
        engine.transaction(
          async (tx) => {
            const row = await tx.load('case', j.id);
            const applied = await tx.apply({ stream: 'case', id: j.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: row!.version, row, actor: j.actor });
            return applied.row.version;
          },
          { only: { stream: 'case', id: j.id } },
        ),
      ),
    );
    expect(moved).toEqual(journeys.map(() => 2));
    expect(engine.stats().sideBySide - before.sideBySide).toBe(postgres ? journeys.length : 0);
    const [a, b] = journeys;
    const stray = engine.transaction((tx) => tx.apply({ stream: 'case', id: b!.id, event: { type: 'SCREENING_COMPLETED', outcome: 'assess' }, expectedVersion: 2, actor: b!.actor }), {
      only: { stream: 'case', id: a!.id },
    });
    await expect(stray).rejects.toThrow(`inside a transaction declared to change only case ${a!.id}`);
    expect(await eventsOf(b!.id)).toEqual(['1:CASE_OPENED', '2:SCREENING_STARTED']);
    await measuresMatchRebuild();
  });

  it('with pgSideBySide off, the same burst runs one unit after another', async () => {
    const off = createEngine(store, { now: clock.now, pgSideBySide: false });
    try {
      const answers = await Promise.all(journeys.map((j) => off.apply({ stream: 'case', id: j.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: 1, actor: j.actor }).then((r) => r.row.version)));
      expect(answers).toEqual(journeys.map(() => 2));
      expect(off.stats()).toMatchObject({ units: journeys.length, sideBySide: 0 });
    } finally {
      await off.close();
    }
  });

  // PostgreSQL only (SQLite has no connection to pipeline on): registered for it alone.
  if (postgres)
    it('statements of units side by side are in flight together on the batch connection (pipelined)', async () => {
      // Every statement sent on a PostgreSQL connection, counted until it is answered.
      type Hooked = { submit: (connection: object) => unknown; handleReadyForQuery: (connection: object) => unknown; handleError: (err: unknown, connection: object) => unknown };
      const proto = pg.Query.prototype as unknown as Hooked;
      const original: Hooked = { submit: proto.submit, handleReadyForQuery: proto.handleReadyForQuery, handleError: proto.handleError };
      const inFlight = new Map<object, number>();
      let most = 0;
      const answered = (connection: object) => void inFlight.set(connection, (inFlight.get(connection) ?? 1) - 1);
      proto.submit = function (this: Hooked, connection) {
        const n = (inFlight.get(connection) ?? 0) + 1;
        inFlight.set(connection, n);
        most = Math.max(most, n);
        return original.submit.call(this, connection);
      };
      proto.handleReadyForQuery = function (this: Hooked, connection) {
        answered(connection);
        return original.handleReadyForQuery.call(this, connection);
      };
      proto.handleError = function (this: Hooked, err, connection) {
        answered(connection);
        return original.handleError.call(this, err, connection);
      };
      try {
        const answers = await Promise.all(journeys.map((j) => send(j, { type: 'SCREENING_STARTED' })));
        expect(answers.every((a) => a.ok)).toBe(true);
      } finally {
        Object.assign(proto, original);
      }
      // Twelve units side by side: each one's first statement is asked before any is answered.
      expect(most).toBeGreaterThanOrEqual(journeys.length);
      await measuresMatchRebuild();
    });
});
