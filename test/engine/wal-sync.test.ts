/**
 * Group commit with the log synced off the main thread (src/engine/wal-sync.ts). SQLite
 * only: PostgreSQL syncs its own commits. No caller and no commit listener may hear of a
 * commit before the sync that covers it has returned; a failed sync is an error to every
 * caller in it; writes outside the engine keep `synchronous=FULL`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/db/database.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { pathwaysRegistry } from '../../src/engine/machine-registry.ts';
import type { StreamChange } from '../../src/engine/engine-types.ts';
import { createUnitRunner, type UnitRunner } from '../../src/engine/unit-runner.ts';
import { createWalSync, type WalSync } from '../../src/engine/wal-sync.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';
import { createEngineWorld, type EngineWorld } from '../support/engine-world.ts';

/** A real log sync that waits at a gate the test opens, and counts its calls. */
function gatedSync(real: WalSync) {
  let open: () => void = () => undefined;
  let gate = new Promise<void>((r) => (open = r));
  const sync = { calls: 0, failWith: null as Error | null };
  const wal: WalSync = {
    unsynced: (t) => real.unsynced(t),
    async sync() {
      sync.calls += 1;
      await gate;
      if (sync.failWith) throw sync.failWith;
      return real.sync();
    },
    close: () => real.close(),
  };
  return {
    wal,
    sync,
    release() {
      open();
      gate = new Promise<void>((r) => (open = r));
    },
  };
}

describe('log sync off the main thread (SQLite)', () => {
  let store: TestStore;
  let world: EngineWorld;
  let real: WalSync;

  beforeEach(async () => {
    store = await createTestStore('sqlite');
    world = await createEngineWorld(store.db);
    real = createWalSync(store.sqlite)!;
  });
  afterEach(async () => {
    await real.close();
    await store.dispose();
  });

  function runnerWith(wal: WalSync, listeners: Array<(changes: StreamChange[]) => void> = []): UnitRunner {
    return createUnitRunner(store, { registry: pathwaysRegistry, now: () => new Date(), hooks: [], beforeCommit: [], listeners, groupCommit: true, maxBatch: 256, walSync: wal });
  }

  const insertAgency = (runner: UnitRunner, id: string) =>
    runner.run(async (ctx) => {
      await ctx.trx.insertInto('agencies').values({ id, name: id, kind: 'housing', area: 'Northbridge', created_at: '2026-01-01T00:00:00.000Z' }).execute();
      return id;
    });

  it('is used for a WAL file, not for an in-memory store or when turned off', async () => {
    expect(real).not.toBeNull();
    const memory = await openStore('sqlite::memory:');
    try {
      expect(createWalSync(memory.sqlite)).toBeNull();
    } finally {
      await memory.close();
    }
    expect(createWalSync(store.sqlite, true)).toBeNull();
  });

  it('tells no caller of a commit until its sync returns, and the row is committed before', async () => {
    const gated = gatedSync(real);
    const runner = runnerWith(gated.wal);
    let done = false;
    const pending = insertAgency(runner, 'ag-gated').then((v) => {
      done = true;
      return v;
    });
    await vi.waitFor(() => expect(gated.sync.calls).toBe(1));
    // Committed (another connection sees it) but not yet acknowledged.
    const other = await openStore(store.url);
    try {
      expect(await other.db.selectFrom('agencies').select('id').where('id', '=', 'ag-gated').executeTakeFirst()).toEqual({ id: 'ag-gated' });
    } finally {
      await other.close();
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    gated.release();
    await expect(pending).resolves.toBe('ag-gated');
    await runner.idle();
  });

  const agenciesIn = async (ids: string[]) => (await store.db.selectFrom('agencies').select('id').where('id', 'in', ids).execute()).length;

  it('lets the next batch gather while a sync is in flight, then commits it whole under one more sync', async () => {
    const gated = gatedSync(real);
    const runner = runnerWith(gated.wal);
    const first = insertAgency(runner, 'ag-a');
    await vi.waitFor(() => expect(gated.sync.calls).toBe(1));
    // Two more units arrive while the first sync waits: they wait to share the next commit.
    const second = insertAgency(runner, 'ag-b');
    await new Promise((r) => setImmediate(r));
    const third = insertAgency(runner, 'ag-c');
    await new Promise((r) => setTimeout(r, 20));
    expect(await agenciesIn(['ag-b', 'ag-c'])).toBe(0);
    expect(runner.stats().commits).toBe(1);
    gated.release();
    await first;
    await vi.waitFor(() => expect(gated.sync.calls).toBe(2));
    expect(runner.stats().commits).toBe(2);
    expect(await agenciesIn(['ag-b', 'ag-c'])).toBe(2);
    gated.release();
    await expect(Promise.all([second, third])).resolves.toEqual(['ag-b', 'ag-c']);
    let idle = false;
    await runner.idle().then(() => (idle = true));
    expect(idle).toBe(true);
  });

  it('does not hold a full batch back: it commits while the sync is in flight, and one sync answers for both', async () => {
    const gated = gatedSync(real);
    const runner = createUnitRunner(store, { registry: pathwaysRegistry, now: () => new Date(), hooks: [], beforeCommit: [], listeners: [], groupCommit: true, maxBatch: 2, walSync: gated.wal });
    const first = insertAgency(runner, 'ag-a');
    await vi.waitFor(() => expect(gated.sync.calls).toBe(1));
    const rest = [insertAgency(runner, 'ag-b'), insertAgency(runner, 'ag-c')];
    // A full batch (maxBatch 2) commits at once, before the first sync returns.
    await vi.waitFor(async () => expect(await agenciesIn(['ag-b', 'ag-c'])).toBe(2));
    gated.release();
    await first;
    await vi.waitFor(() => expect(gated.sync.calls).toBe(2));
    gated.release();
    await expect(Promise.all(rest)).resolves.toEqual(['ag-b', 'ag-c']);
    expect(gated.sync.calls).toBe(2);
    await runner.idle();
  });

  it('a failed sync is an error to every caller in it, and listeners hear nothing', async () => {
    const gated = gatedSync(real);
    const heard: StreamChange[] = [];
    const runner = runnerWith(gated.wal, [(changes) => heard.push(...changes)]);
    gated.sync.failWith = new Error('EIO: i/o error, fsync');
    const pending = insertAgency(runner, 'ag-lost');
    await vi.waitFor(() => expect(gated.sync.calls).toBe(1));
    gated.release();
    await expect(pending).rejects.toThrow(/could not be synced to disk/);
    expect(heard).toEqual([]);
    expect(runner.stats().failed).toBe(1);
    await runner.idle();
  });

  it('an engine commits unsynced only its own transactions: FULL again afterwards, and a listener hears after the sync', async () => {
    const engine = createEngine(store);
    try {
      const order: string[] = [];
      engine.onCommit(() => order.push('listener'));
      const opened = await engine.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: '2026-01-02', actor: world.keyworker });
      order.push('resolved');
      expect(order).toEqual(['listener', 'resolved']);
      expect(opened.row.version).toBe(1);
      // 2 = FULL: writes made outside the engine still sync in their own commit.
      expect(store.sqlite!.pragma('synchronous', { simple: true })).toBe(2);
    } finally {
      await engine.close();
    }
  });
});
