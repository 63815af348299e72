import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/main.ts';
import { migrate, MIGRATIONS } from '../src/db/migrator.ts';
import { createEngine } from '../src/engine/engine.ts';
import { rebuildMetrics } from '../src/metrics/rebuild.ts';
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
    const clock = testClock('2026-01-01T12:00:00.000Z');
    // This release's measures keep tables that release did not have (the people's episodes,
    // migration 065), so the journeys are written without them: 065's backfill computes
    // every measure from the event log.
    // On PostgreSQL this release's engine writes an event first and chains it after commit
    // (migration 075), so the hash columns take nulls while it writes; closing the engine
    // chains every event, and the columns are required again, as that release left them.
    if (dialect === 'postgres') await sql`alter table events alter column prev_hash drop not null, alter column hash drop not null`.execute(store.db);
    // This release's search index counts its terms as it writes them (migration 095): the
    // counts' table stands in while the journeys are written, and goes before migrating,
    // so 095 counts the index that release left.
    await sql`create table person_search_term_counts (agency_id text not null, term text not null, n integer not null, primary key (agency_id, term))`.execute(store.db);
    const engine = createEngine(store, { now: clock.now });
    const agency = await addAgency(store.db, 'treatment_provider', 'North');
    for (const [referredOn, startedOn] of [['2026-01-01', '2026-01-15'], ['2026-01-02', '2026-02-20']] as const) {
      const j = await openJourney(engine, clock, { personId: await addPerson(store.db, agency), agencyId: agency, referredOn });
      await intoTreatment(j, referredOn, startedOn);
    }
    await engine.close();
    if (dialect === 'postgres') await sql`alter table events alter column prev_hash set not null, alter column hash set not null`.execute(store.db);
    await sql`drop table person_search_term_counts`.execute(store.db);

    const result = await migrate(store);
    const since = MIGRATIONS.map((m) => m.name).slice(MIGRATIONS.findIndex((m) => m.name === '055-metric-case-clocks') + 1);
    expect(since).toContain('060-drop-metric-counts');
    expect(since).toContain('065-metric-person-episodes');
    expect(result.applied).toEqual(since);
    expect(await hasMetricCounts(store.db)).toBe(false);
    // The search index's terms, counted per agency: each of the two people's terms once.
    const counts = await store.db.selectFrom('person_search_term_counts').select(['term', 'n']).where('agency_id', '=', agency).execute();
    const terms = await store.db.selectFrom('person_search_terms').select('term').where('agency_id', '=', agency).execute();
    expect(counts.reduce((sum, c) => sum + Number(c.n), 0)).toBe(terms.length);
    expect(terms.length).toBeGreaterThan(10);
    const kept = await metricSnapshot(store.db);
    expect(kept.blocks.length).toBeGreaterThan(0);
    expect(kept.caseFacts.length).toBe(2);
    // Two people, one episode each, both in treatment.
    expect(kept.personEpisodes.length).toBe(2);
    // Each journey's spells: care planning, waiting, in treatment and its review clock (the
    // stages it passed through on its referral day never held it at a day's end), and its
    // place in a caseload (migration 090).
    expect(kept.history.length).toBe(10);
    await rebuildMetrics(store);
    expect(await metricSnapshot(store.db)).toEqual(kept);

    vi.stubEnv('DATABASE_URL', store.url);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const code = await main(['audit', 'verify']);
    expect(code, [...log.mock.calls, ...err.mock.calls].flat().join(' ')).toBe(0);
    expect(log.mock.calls.flat().join(' ')).toMatch(/Event log OK: 14 rows checked/);
  });
});
