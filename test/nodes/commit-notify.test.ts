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
  /** When each page reached `onEvents` (performance.now()). */
  const pagesAt: number[] = [];

  beforeEach(async () => {
    store = await createTestStore('postgres');
    other = await openStore(store.url);
    writer = createEngine(other);
    world = await createEngineWorld(store.db);
    tailed.length = 0;
    pagesAt.length = 0;
    tail = await startLogTail(store, {
      onEvents: async (rows) => {
        tailed.push(...rows);
        pagesAt.push(performance.now());
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

  it('gathers commits that come close together into one read: notified reads start at least 10 ms apart', async () => {
    const open = () => writer.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: '2026-03-01', actor: world.keyworker });
    const first = await open();
    await until(() => tailed.some((e) => e.seq === first.event.seq), 'the first opening');
    pagesAt.length = 0;
    // Twenty commits one after another, each its own batch and notification: a few ms apart.
    const seqs: number[] = [];
    for (let i = 0; i < 20; i++) seqs.push(Number((await open()).event.seq));
    await until(() => seqs.every((seq) => tailed.some((e) => Number(e.seq) === seq)), 'the twenty');
    // A read per notification would hand on about a page per commit. Gathered, the reads
    // after the first start READ_GAP_MS (10 ms) apart, so the pages over a span of S ms are
    // about S / 10 + 1. The check allows S / 8 + 3: a page lands its read's own query time
    // after the read starts, so the gaps between pages can come out a little under 10 ms.
    const span = pagesAt[pagesAt.length - 1]! - pagesAt[0]!;
    expect(pagesAt.length).toBeLessThanOrEqual(Math.floor(span / 8) + 3);
    expect(tailed.map((e) => Number(e.seq))).toEqual([...tailed.map((e) => Number(e.seq))].sort((a, b) => a - b));
  });
});
