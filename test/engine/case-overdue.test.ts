/**
 * `cases.overdue` (machines/overdue.ts): the engine keeps it with every change of a
 * journey, and migration 012 works it out for journeys stored before the column existed.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caseOverdueMigration } from '../../src/db/migrations/012-case-overdue.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { createEngineWorld, type EngineWorld } from '../support/engine-world.ts';
import { DIALECTS, createTestStore, type TestStore } from '../support/stores.ts';

const T0 = new Date('2026-03-02T12:00:00.000Z');

describe.each(DIALECTS)('the overdue column on %s', (dialect) => {
  let store: TestStore;
  let world: EngineWorld;
  let engine: Engine;
  let now = T0;

  beforeEach(async () => {
    store = await createTestStore(dialect);
    world = await createEngineWorld(store.db);
    now = T0;
    engine = createEngine(store, { now: () => now });
  });
  afterEach(async () => {
    await engine.close();
    await store.dispose();
  });

  const open = async () =>
    (await engine.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: '2026-03-02', actor: world.keyworker })).row.id;
  const overdue = async () =>
    Object.fromEntries((await store.db.selectFrom('cases').select(['id', 'overdue']).execute()).map((r) => [r.id, Number(r.overdue)]));

  it('follows the journey: 0 when opened, 1 once the 21-day wait passes, 0 when it closes', async () => {
    const waiting = await open();
    expect(await overdue()).toEqual({ [waiting]: 0 });
    now = new Date(T0.getTime() + 23 * 86_400_000);
    await engine.sweepDueTimers();
    const row = await store.db.selectFrom('cases').select(['version', 'snapshot']).where('id', '=', waiting).executeTakeFirstOrThrow();
    expect((JSON.parse(row.snapshot) as { context: { waitingTimeBreached: boolean } }).context.waitingTimeBreached).toBe(true);
    expect(await overdue()).toEqual({ [waiting]: 1 });
    await engine.apply({ stream: 'case', id: waiting, event: { type: 'DISCHARGED', reason: 'moved_away', dischargedOn: '2026-03-25' }, expectedVersion: row.version, actor: world.keyworker });
    expect(await overdue()).toEqual({ [waiting]: 0 });
  });

  it('is worked out for journeys stored before the column existed', async () => {
    const late = await open();
    now = new Date(T0.getTime() + 23 * 86_400_000);
    await engine.sweepDueTimers();
    const fresh = await open();
    expect(await overdue()).toEqual({ [late]: 1, [fresh]: 0 });
    // Back to the schema before 012 (and 105's index, which holds the column), then 012 again.
    await sql`drop index cases_open_caseload`.execute(store.db);
    await sql`drop index cases_agency_overdue`.execute(store.db);
    await sql`drop index cases_overdue_opened`.execute(store.db);
    await sql`alter table cases drop column overdue`.execute(store.db);
    await caseOverdueMigration.up(store.db as never, dialect);
    expect(await overdue()).toEqual({ [late]: 1, [fresh]: 0 });
  });
});
