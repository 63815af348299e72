import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/main.ts';
import { migrate, MIGRATIONS } from '../src/db/migrator.ts';
import { metricCaseHistoryMigration } from '../src/db/migrations/070-metric-case-history.ts';
import { createEngine } from '../src/engine/engine.ts';
import { attachMetrics } from '../src/metrics/attach-metrics.ts';
import { addAgency, addPerson, intoTreatment, openJourney, testClock } from './metrics/cohort-builder.ts';
import { hasMetricCounts } from './metrics/legacy-metric-counts.ts';
import { metricSnapshot } from './metrics/metric-snapshot.ts';
import { createTestStore, DIALECTS, type TestStore } from './support/stores.ts';

/** Runs the migrations a release shipped (up to and including `last`), as its migrator did. */
async function migrateUpTo(store: TestStore, last: string): Promise<void> {
  await store.db.schema.createTable('pathways_migrations').ifNotExists().addColumn('name', 'text', (c) => c.primaryKey()).addColumn('applied_at', 'text', (c) => c.notNull()).execute();
  const upTo = MIGRATIONS.findIndex((m) => m.name === last);
  expect(upTo).toBeGreaterThan(0);
  for (const m of MIGRATIONS.slice(0, upTo + 1)) {
    await store.db.transaction().execute(async (trx) => {
      await m.up(trx as unknown as Kysely<unknown>, store.dialect);
      await trx.insertInto('pathways_migrations').values({ name: m.name, applied_at: new Date().toISOString() }).execute();
    });
  }
}

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  let store: TestStore | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await store?.dispose();
    store = undefined;
  });

  it('applies every migration once and is idempotent', async () => {
    store = await createTestStore(dialect, { migrate: false });
    const first = await migrate(store);
    expect(first.applied).toEqual(MIGRATIONS.map((m) => m.name));
    const second = await migrate(store);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(MIGRATIONS.map((m) => m.name));
    const rows = await store.db.selectFrom('pathways_migrations').select('name').execute();
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('migrates a store of the previous release (to 055, with journeys and their measures): metric_counts goes, the measures stay, and audit verify passes', async () => {
    store = await createTestStore(dialect, { migrate: false });
    await migrateUpTo(store, '055-metric-case-clocks');
    expect(await hasMetricCounts(store.db)).toBe(true);
    // This release's engine keeps the history of counted states, which the previous release
    // had not: kept while the journeys are written, then dropped, so migration 070's
    // backfill from the event log must give back what live maintenance wrote.
    await metricCaseHistoryMigration.up(store.db as unknown as Kysely<unknown>, dialect);
    const clock = testClock('2026-01-01T12:00:00.000Z');
    const engine = createEngine(store, { now: clock.now });
    attachMetrics(engine);
    const agency = await addAgency(store.db, 'treatment_provider', 'North');
    for (const [referredOn, startedOn] of [['2026-01-01', '2026-01-15'], ['2026-01-02', '2026-02-20']] as const) {
      const j = await openJourney(engine, clock, { personId: await addPerson(store.db, agency), agencyId: agency, referredOn });
      await intoTreatment(j, referredOn, startedOn);
    }
    await engine.close();
    const kept = await metricSnapshot(store.db);
    expect(kept.blocks.length).toBeGreaterThan(0);
    expect(kept.history.length).toBeGreaterThan(6);
    await sql`drop table metric_case_history`.execute(store.db);

    const result = await migrate(store);
    const since = MIGRATIONS.map((m) => m.name).slice(MIGRATIONS.findIndex((m) => m.name === '055-metric-case-clocks') + 1);
    expect(since).toContain('060-drop-metric-counts');
    expect(result.applied).toEqual(since);
    expect(await hasMetricCounts(store.db)).toBe(false);
    expect(await metricSnapshot(store.db)).toEqual(kept);

    vi.stubEnv('DATABASE_URL', store.url);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const code = await main(['audit', 'verify']);
    expect(code, [...log.mock.calls, ...err.mock.calls].flat().join(' ')).toBe(0);
    expect(log.mock.calls.flat().join(' ')).toMatch(/Event log OK: 14 rows checked/);
  });
});
