/**
 * PostgreSQL writers take `seq` without a lock and commit out of `seq` order: the log tail
 * (every node's live feed) must never skip an event that commits late, a rolled-back unit's
 * hole must not hold it for good, and the chain sealed after concurrent writers on two
 * nodes (two stores, two engines, one schema) must verify with every event in it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/db/database.ts';
import type { EventRow } from '../../src/db/schema.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { startLogTail, type LogTail } from '../../src/live/log-tail.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { createEngineWorld, type EngineWorld } from '../support/engine-world.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

const NOW = new Date('2026-03-02T12:00:00.000Z');

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Seals until nothing is left unsealed: a hole settles once every transaction on the server that was running when it was seen has ended. */
async function sealAll(engine: Engine): Promise<void> {
  const end = Date.now() + 20_000;
  for (;;) {
    await engine.sealChain();
    const left = await verifyChain(storeOf(engine));
    if (left.ok && left.unsealed === 0) return;
    if (Date.now() > end) throw new Error('the chain was not sealed within 20 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stores = new WeakMap<Engine, Store>();
const storeOf = (engine: Engine) => stores.get(engine)!.db;

describe('the PostgreSQL log read out of commit order', () => {
  let store: TestStore;
  let second: Store;
  let one: Engine;
  let two: Engine;
  let world: EngineWorld;
  let tail: LogTail;
  const tailed: EventRow[] = [];

  beforeEach(async () => {
    store = await createTestStore('postgres');
    second = await openStore(store.url);
    one = createEngine(store, { now: () => NOW });
    two = createEngine(second, { now: () => NOW });
    attachMetrics(one);
    attachMetrics(two);
    stores.set(one, store);
    stores.set(two, second);
    world = await createEngineWorld(store.db);
    tailed.length = 0;
    tail = await startLogTail(store, {
      onEvents: async (rows) => {
        tailed.push(...rows);
      },
      pollMs: 50,
    });
  });
  afterEach(async () => {
    await tail.close();
    await one.close();
    await two.close();
    await second.close();
    await store.dispose();
  });

  /** Another person like the world's (journeys of one person are recounted one at a time, under a lock of theirs). */
  let people = 0;
  async function anotherPerson(): Promise<string> {
    const row = await store.db.selectFrom('people').selectAll().where('id', '=', world.personId).executeTakeFirstOrThrow();
    const id = `${world.personId}-${++people}`;
    await store.db.insertInto('people').values({ ...row, id }).execute();
    return id;
  }

  const openCase = async (engine: Engine) =>
    engine.openCase({ personId: await anotherPerson(), leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: '2026-03-01', actor: world.keyworker });

  it('holds back events after a unit still in flight, then hands on both in seq order', async () => {
    const [a, b] = [await openCase(one), await openCase(one)];
    await until(() => tailed.length === 2, 'the openings');
    tailed.length = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let lateSeq = 0;
    // Node one writes an event and keeps its transaction open.
    const late = one.transaction(async (tx) => {
      const applied = await tx.apply({ stream: 'case', id: a.row.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: 1, actor: world.keyworker });
      lateSeq = applied.event.seq;
      await gate;
      return applied;
    });
    await until(() => lateSeq > 0, 'the late unit to write its event');
    // Node two commits an event after it in seq order, and its NOTIFY wakes the tail.
    const early = await two.apply({ stream: 'case', id: b.row.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: 1, actor: world.keyworker });
    expect(early.event.seq).toBeGreaterThan(lateSeq);
    tail.poke();
    await new Promise((r) => setTimeout(r, 200));
    expect(tailed.map((e) => Number(e.seq))).not.toContain(early.event.seq);

    release();
    await late;
    await until(() => tailed.some((e) => Number(e.seq) === early.event.seq), 'the tail to pass the early event');
    expect(tailed.map((e) => Number(e.seq))).toEqual([lateSeq, early.event.seq]);

    await sealAll(one);
    expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 4, unsealed: 0 });
  });

  it('passes the hole a rolled-back unit left, once no transaction can still fill it', async () => {
    const [a, b] = [await openCase(one), await openCase(one)];
    await until(() => tailed.length === 2, 'the openings');
    tailed.length = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holeSeq = 0;
    const failed = one
      .transaction(async (tx) => {
        holeSeq = (await tx.apply({ stream: 'case', id: a.row.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: 1, actor: world.keyworker })).event.seq;
        await gate;
        throw new Error('changed my mind');
      })
      .catch((err: unknown) => err);
    await until(() => holeSeq > 0, 'the unit to write its event');
    const after = await two.apply({ stream: 'case', id: b.row.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: 1, actor: world.keyworker });
    expect(after.event.seq).toBeGreaterThan(holeSeq);
    release();
    expect(await failed).toBeInstanceOf(Error);
    await until(() => tailed.some((e) => Number(e.seq) === after.event.seq), 'the tail to pass the hole');
    expect(tailed.map((e) => Number(e.seq))).toEqual([after.event.seq]);
    await sealAll(one);
    expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: 3, unsealed: 0 });
  });

  it('seals one whole chain after concurrent writers on two nodes, each journey in version order', async () => {
    const journeys = await Promise.all(Array.from({ length: 12 }, (_, i) => openCase(i % 2 === 0 ? one : two)));
    const steps = [{ type: 'SCREENING_STARTED' }, { type: 'SCREENING_COMPLETED', outcome: 'assess' }, { type: 'ASSESSMENT_COMPLETED', domains: {} }];
    // Each journey's events go through both nodes in turn; the journeys run side by side.
    await Promise.all(
      journeys.map(async (j, i) => {
        let version = j.row.version;
        for (const [n, event] of steps.entries()) {
          const engine = (i + n) % 2 === 0 ? one : two;
          version = (await engine.apply({ stream: 'case', id: j.row.id, event, expectedVersion: version, actor: world.keyworker })).row.version;
        }
      }),
    );
    const total = journeys.length * (1 + steps.length);
    await until(() => tailed.length === total, 'the tail to read every event');
    const seqs = tailed.map((e) => Number(e.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(total);
    for (const j of journeys) {
      expect(tailed.filter((e) => e.stream_id === j.row.id).map((e) => e.stream_version)).toEqual([1, 2, 3, 4]);
    }

    await Promise.all([one.sealChain(), two.sealChain()]);
    await sealAll(one);
    expect(await verifyChain(store.db)).toMatchObject({ ok: true, rowsChecked: total, unsealed: 0 });
  });
});
