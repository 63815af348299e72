/**
 * Migration 116 on a store made before it: a seeded cohort whose clock rows were written
 * without their journeys' stage and keyworker (migrations up to 115, the measures rebuilt
 * as that release rebuilt them) migrates, and every clock row then carries its journey's
 * stage and keyworker — those of the journey's row, and exactly what a rebuild writes now.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCohort } from '../../seeds/cohort.ts';
import { loadDemoArea } from '../../seeds/demo-area.ts';
import { loadReferenceCodes } from '../../seeds/reference-codes.ts';
import { migrate, MIGRATIONS } from '../../src/db/migrator.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { addPerson, openJourney, testClock } from '../metrics/cohort-builder.ts';
import { metricSnapshot } from '../metrics/metric-snapshot.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';

const AT = '2026-01-05T09:00:00.000Z';

/** Runs the migrations up to 115, as the release before this one did. */
async function migrateUpTo115(store: TestStore): Promise<void> {
  await store.db.schema.createTable('pathways_migrations').ifNotExists().addColumn('name', 'text', (c) => c.primaryKey()).addColumn('applied_at', 'text', (c) => c.notNull()).execute();
  const upTo = MIGRATIONS.findIndex((m) => m.name === '115-case-history-end-blocks');
  for (const m of MIGRATIONS.slice(0, upTo + 1)) {
    await store.db.transaction().execute(async (trx) => {
      await m.up(trx as unknown as Kysely<unknown>, store.dialect);
      await trx.insertInto('pathways_migrations').values({ name: m.name, applied_at: AT }).execute();
    });
  }
}

type Clock = { case_id: string; metric: string; stage: string; keyworker_id: string | null; case_stage: string; case_keyworker: string | null; closed_at: string | null };

describe.each(DIALECTS)('migration 116: clock rows carry their journey\'s stage and keyworker (%s)', (dialect) => {
  let store: TestStore;
  let before: Array<Record<string, unknown>>;

  beforeAll(async () => {
    store = await createTestStore(dialect, { migrate: false });
    await migrateUpTo115(store);
    await loadReferenceCodes(store.db);
    await loadDemoArea(store);
    await seedCohort(store, { people: 300, referenceDate: '2026-06-30', seed: 7, rebuildMetrics: false });
    // The cohort's journeys all have a keyworker: three more without one, through the engine.
    const clock = testClock('2026-06-01T12:00:00.000Z');
    const engine = createEngine(store, { now: clock.now });
    const agency = (await store.db.selectFrom('agencies').select('id').where('kind', '=', 'treatment_provider').orderBy('id').executeTakeFirstOrThrow()).id;
    for (const referredOn of ['2026-05-01', '2026-06-10', '2026-06-20']) {
      const j = await openJourney(engine, clock, { personId: await addPerson(store.db, agency), agencyId: agency, referredOn });
      if (referredOn === '2026-06-10') await j.on(referredOn, { type: 'SCREENING_STARTED' });
    }
    await engine.close();
    // The measures as that release rebuilt them, without the new columns.
    await rebuildMetrics(store);
    before = (await sql<Record<string, unknown>>`select * from metric_case_clocks`.execute(store.db)).rows;
    const applied = await migrate(store);
    expect(applied.applied).toContain('116-clock-journey-attributes');
  }, 300_000);
  afterAll(async () => store.dispose());

  it('had clock rows without the columns before it', () => {
    expect(before.length).toBeGreaterThan(200);
    expect(Object.keys(before[0] ?? {}).sort()).toEqual(['agency_id', 'case_id', 'day', 'k', 'metric']);
  });

  it('gives every clock row its journey\'s stage and keyworker, as the journey\'s row has them', async () => {
    const rows = (
      await sql<Clock>`select w.case_id, w.metric, w.stage, w.keyworker_id, c.stage as case_stage, c.keyworker_id as case_keyworker, c.closed_at
        from metric_case_clocks w join cases c on c.id = w.case_id`.execute(store.db)
    ).rows;
    expect(rows).toHaveLength(before.length);
    for (const r of rows) {
      expect(r.closed_at, r.case_id).toBeNull();
      expect({ stage: r.stage, keyworker: r.keyworker_id }, `${r.case_id} ${r.metric}`).toEqual({ stage: r.case_stage, keyworker: r.case_keyworker });
    }
    // Both kinds are there: journeys with a keyworker and without, and several stages.
    expect(rows.filter((r) => r.keyworker_id === null).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.keyworker_id !== null).length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.stage)).size).toBeGreaterThan(3);
    // Each row's stage is its journey's stage-age row's.
    const mismatched = await sql<{ n: number | string }>`select count(*) as n from metric_case_clocks w join metric_case_clocks s on s.case_id = w.case_id and s.metric = 'stage_age' where w.stage <> s.k`.execute(store.db);
    expect(Number(mismatched.rows[0]?.n)).toBe(0);
  });

  it('leaves the same rows a rebuild writes now', async () => {
    const migrated = await metricSnapshot(store.db);
    await rebuildMetrics(store);
    const rebuilt = await metricSnapshot(store.db);
    expect(migrated.clocks).toEqual(rebuilt.clocks);
    expect(migrated.clocks.length).toBe(before.length);
  });
});
