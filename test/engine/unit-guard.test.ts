/**
 * Calling `store.db` or `engine.*` inside `engine.transaction` (or an engine hook) fails at
 * once with an error naming what to use instead (src/db/unit-guard.ts) — it used to wait for
 * ever on SQLite. Calls from outside a unit, even while one is pending, still run.
 */
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { defineRoute } from '../../api/routing/route.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { createEngineWorld, type EngineWorld } from '../support/engine-world.ts';
import { DIALECTS, createTestStore, type TestStore } from '../support/stores.ts';

const NOW = new Date('2026-03-02T10:00:00.000Z');

describe.each(DIALECTS)('re-entering the engine from inside a unit (%s)', (dialect) => {
  let store: TestStore;
  let engine: Engine;
  let world: EngineWorld;

  beforeEach(async () => {
    store = await createTestStore(dialect);
    engine = createEngine(store, { now: () => NOW });
    world = await createEngineWorld(store.db);
  });
  afterEach(async () => {
    await engine.close();
    await store.dispose();
  });

  const journey = () => ({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: '2026-03-02', actor: world.keyworker });
  const countCases = async () => (await store.db.selectFrom('cases').select('id').execute()).length;

  it('engine.openCase inside a transaction is refused at once, naming tx.openCase; nothing is written', async () => {
    const attempt = engine.transaction(async () => {
      await engine.openCase(journey());
    });
    await expect(attempt).rejects.toMatchObject({ code: 'internal_error', details: { reentry: 'engine.openCase' } });
    await expect(attempt).rejects.toThrow(/engine\.openCase was called inside engine\.transaction.*tx\.openCase/s);
    expect(await countCases()).toBe(0);
  });

  it('engine.apply after awaiting tx work in the callback is refused too, and the transaction rolls back', async () => {
    const attempt = engine.transaction(async (tx) => {
      const opened = await tx.openCase(journey());
      await engine.apply({ stream: 'case', id: opened.row.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: 1, actor: world.keyworker });
    });
    await expect(attempt).rejects.toThrow(/engine\.apply .*Inside a transaction use tx\.apply/s);
    expect(await countCases()).toBe(0);
  });

  it('store.db inside a transaction is refused at once, naming tx.trx; tx.trx works', async () => {
    const attempt = engine.transaction(async (tx) => {
      await tx.openCase(journey());
      await store.db.selectFrom('cases').select('id').execute();
    });
    await expect(attempt).rejects.toThrow(/store\.db was called inside engine\.transaction.*tx\.trx/s);
    const ids = await engine.transaction(async (tx) => {
      await tx.openCase(journey());
      return tx.trx.selectFrom('cases').select('id').execute();
    });
    expect(ids).toHaveLength(1);
  });

  it('a hook that uses store.db fails its change with the same message', async () => {
    engine.useInTransaction(async () => {
      await store.db.selectFrom('agencies').select('id').execute();
    });
    await expect(engine.openCase(journey())).rejects.toThrow(/store\.db .*tx\.trx or tx\.sql \(in a hook, the trx and sql it is given\)/s);
    expect(await countCases()).toBe(0);
  });

  it('calls from outside wait for a pending transaction instead of being refused', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const inside = engine.transaction(async (tx) => {
      const opened = await tx.openCase(journey());
      await gate;
      return opened.row.id;
    });
    // Started while the transaction's callback is pending, but not from it.
    const outsideApply = engine.openCase(journey());
    const outsideRead = store.db.selectFrom('agencies').select('id').execute();
    open();
    const [insideId, outsideOpened, agencies] = await Promise.all([inside, outsideApply, outsideRead]);
    expect(insideId).toBeTruthy();
    expect(outsideOpened.row.id).not.toBe(insideId);
    expect(agencies.length).toBeGreaterThanOrEqual(2);
    expect(await countCases()).toBe(2);
  });

  it('code known to be outside (a request\'s sign-in) reads through store.db while a transaction is pending', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const inside = engine.transaction(async (tx) => {
      await tx.openCase(journey());
      await gate;
    });
    const read = store.unitGuard.outside(() => store.db.selectFrom('agencies').select('id').execute());
    open();
    const [, agencies] = await Promise.all([inside, read]);
    expect(agencies.length).toBeGreaterThanOrEqual(2);
  });

  it('a route that uses store.db inside its engine transaction is still refused (routes start their units outside)', async () => {
    const route = defineRoute({
      method: 'post',
      path: '/test/reentry',
      operationId: 'testReentry',
      summary: 'store.db inside a transaction',
      tag: 'Test',
      auth: 'public',
      responses: { 200: { description: 'the refusal, if any' } },
      handle: async ({ ctx }) => {
        try {
          await ctx.engine.transaction(async () => {
            await ctx.store.db.selectFrom('agencies').select('id').execute();
          });
          return { status: 200, body: { refused: null } };
        } catch (err) {
          return { status: 200, body: { refused: (err as Error).message } };
        }
      },
    });
    const app = createApp({ store, engine, now: () => NOW, webDist: null, routes: [route] });
    const res = await request(app).post('/test/reentry').send({});
    expect(res.status).toBe(200);
    expect((res.body as { refused: string | null }).refused).toMatch(/store\.db was called inside engine\.transaction/);
  });

});

describe('a call known to be outside every unit (postgres)', () => {
  let store: TestStore;
  let engine: Engine;

  beforeEach(async () => {
    store = await createTestStore('postgres');
    engine = createEngine(store, { now: () => NOW });
    await createEngineWorld(store.db);
  });
  afterEach(async () => {
    await engine.close();
    await store.dispose();
  });

  // On PostgreSQL store.db inside a unit takes another pool connection, so a spared look
  // shows as a query answered (on SQLite it would wait for the unit's own connection).
  it('`outside` spares the look for what runs before its first await, and only that', async () => {
    const spared = await engine.transaction(async () => await store.unitGuard.outside(() => store.db.selectFrom('agencies').select('id').execute()));
    expect(spared.length).toBeGreaterThanOrEqual(2);
    const attempt = engine.transaction(
      async () =>
        await store.unitGuard.outside(async () => {
          await Promise.resolve();
          return store.db.selectFrom('agencies').select('id').execute();
        }),
    );
    await expect(attempt).rejects.toThrow(/store\.db was called inside engine\.transaction/);
  });
});
