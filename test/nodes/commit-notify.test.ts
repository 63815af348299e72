/**
 * PostgreSQL: a node's commit wakes every node's log tail at once (the `NOTIFY` sent with the
 * COMMIT, src/engine/unit-runner.ts), and only once the events are there to read. The tail
 * here never polls (a minute between polls), so only the notification can bring it the
 * events another node commits, as a batch of several or as a unit alone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/db/database.ts';
import type { EventRow } from '../../src/db/schema.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { startLogTail, type LogTail } from '../../src/live/log-tail.ts';
import { createEngineWorld, type EngineWorld } from '../support/engine-world.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the commit notification on PostgreSQL', () => {
  let store: TestStore;
  let other: Store;
  let writer: Engine;
  let world: EngineWorld;
  let tail: LogTail;
  const tailed: EventRow[] = [];

  beforeEach(async () => {
    store = await createTestStore('postgres');
    other = await openStore(store.url);
    writer = createEngine(other);
    world = await createEngineWorld(store.db);
    tailed.length = 0;
    tail = await startLogTail(store, {
      onEvents: async (rows) => {
        tailed.push(...rows);
      },
      pollMs: 60_000,
    });
  });
  afterEach(async () => {
    await tail.close();
    await writer.close();
    await other.close();
    await store.dispose();
  });

  it("brings another node's commits to the tail without a poll, a unit alone and a batch alike", async () => {
    const open = () => writer.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: '2026-03-01', actor: world.keyworker });
    const first = await open();
    await until(() => tailed.some((e) => e.seq === first.event.seq), 'the first opening');
    // Several at once share a batch, and one COMMIT (with its notification).
    const opened = await Promise.all([open(), open(), open()]);
    await until(() => opened.every((o) => tailed.some((e) => e.seq === o.event.seq)), 'the batch');
    const moved = await writer.apply({ stream: 'case', id: first.row.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: 1, actor: world.keyworker });
    await until(() => tailed.some((e) => e.seq === moved.event.seq), 'the transition');
    expect(tailed.map((e) => e.seq)).toEqual([...tailed.map((e) => e.seq)].sort((a, b) => a - b));
  });
});
