import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/db/database.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { createEngineWorld, type EngineWorld } from '../support/engine-world.ts';
import { DIALECTS, createTestStore, type TestStore } from '../support/stores.ts';
import { clockMachine, extendRegistry } from './toy-registry.ts';

const NOW = new Date('2026-03-02T12:00:00.000Z');

describe.each(DIALECTS)('engine durability on %s', (dialect) => {
  let store: TestStore;
  let world: EngineWorld;
  const cleanup: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    store = await createTestStore(dialect);
    world = await createEngineWorld(store.db);
  });
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
    await store.dispose();
  });

  function engineOn(on: Store, options: Parameters<typeof createEngine>[1] = {}): Engine {
    const engine = createEngine(on, { now: () => NOW, ...options });
    cleanup.push(() => engine.close());
    return engine;
  }

  it('a restart loses nothing', async () => {
    // A separate store stands for the first server process, closed as a restart would.
    const first = await openStore(store.url);
    const engine = createEngine(first, { now: () => NOW });
    const opened = await engine.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: '2026-03-02', actor: world.keyworker });
    await engine.apply({ stream: 'case', id: opened.row.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: 1, actor: world.keyworker });
    // Callers that were told "done" before the close...
    const concurrent = await Promise.all(
      [1, 2, 3].map(() =>
        engine.openReferral({
          personId: world.personId,
          fromAgencyId: world.probation.agencyId,
          fromUserId: null,
          toAgencyId: world.provider.agencyId,
          kind: 'housing',
          reason: 'No fixed abode',
          urgency: 'urgent',
          actor: world.officer,
        }),
      ),
    );
    await engine.close();
    await first.close();

    // ...find everything after it: rows, events, timers.
    const second = await openStore(store.url);
    cleanup.push(() => second.close());
    const row = await second.db.selectFrom('cases').selectAll().where('id', '=', opened.row.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ version: 2, stage: 'screening' });
    const referrals = await second.db.selectFrom('referrals').select('id').execute();
    expect(referrals.map((r) => r.id).sort()).toEqual(concurrent.map((c) => c.row.id).sort());
    const timers = await second.db.selectFrom('timers').select('timer_key').where('status', '=', 'pending').execute();
    expect(timers).toHaveLength(1 + 3 * 2);
    expect(await verifyChain(second.db)).toMatchObject({ ok: true, rowsChecked: 5 });

    const resumed = engineOn(second);
    const next = await resumed.apply({
      stream: 'case',
      id: opened.row.id,
      event: { type: 'SCREENING_COMPLETED', outcome: 'assess' },
      expectedVersion: 2,
      actor: world.keyworker,
    });
    expect(next.row).toMatchObject({ version: 3, stage: 'assessment' });
    expect(await verifyChain(second.db)).toMatchObject({ ok: true, rowsChecked: 6 });
  });

  it('old machine versions stay loadable after new ones are registered', async () => {
    const v1 = engineOn(store);
    const old = await v1.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: '2026-03-02', actor: world.keyworker });
    expect(old.row.machine_version).toBe(1);

    // A later release registers version 2 and starts new journeys on it.
    const v2 = engineOn(store, { registry: extendRegistry({ case: { 2: clockMachine } }, { case: 2 }) });
    const fresh = await v2.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: '2026-03-02', actor: world.keyworker });
    expect(fresh.row).toMatchObject({ machine_version: 2, stage: 'waiting' });

    // The stored version-1 journey still runs on version 1's statechart...
    const moved = await v2.apply({ stream: 'case', id: old.row.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: 1, actor: world.keyworker });
    expect(moved.row).toMatchObject({ machine_version: 1, stage: 'screening', version: 2 });
    // ...and the new one on version 2's, whose events version 1 does not know.
    const restarted = await v2.apply({ stream: 'case', id: fresh.row.id, event: { type: 'MOVE' }, expectedVersion: 1, actor: world.keyworker });
    expect(restarted.row).toMatchObject({ machine_version: 2, stage: 'moved' });
    await expect(v2.apply({ stream: 'case', id: old.row.id, event: { type: 'MOVE' }, expectedVersion: 2, actor: world.keyworker })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('a stream whose machine version is no longer registered fails loudly and writes nothing', async () => {
    const engine = engineOn(store);
    const opened = await engine.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: '2026-03-02', actor: world.keyworker });
    await store.db.updateTable('cases').set({ machine_version: 9 }).where('id', '=', opened.row.id).execute();
    await expect(engine.apply({ stream: 'case', id: opened.row.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: 1, actor: world.keyworker })).rejects.toThrow(
      /No case machine version 9/,
    );
    const events = await store.db.selectFrom('events').select('seq').execute();
    expect(events).toHaveLength(1);
  });
});
