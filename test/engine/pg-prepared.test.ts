/**
 * PostgreSQL keeps the engine's hot statements prepared and plans them once: a journey's
 * read names its columns (src/db/column-list.ts) so it can be a named prepared statement,
 * and every engine transaction asks for generic plans, which PostgreSQL would otherwise
 * re-plan on each call for the measures' write (its arrays make every custom plan look
 * cheaper). The read must still bring every column a `select *` brings.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { addAgency, addPerson, openJourney, testClock } from '../metrics/cohort-builder.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

describe('the engine on PostgreSQL plans its statements once', () => {
  let store: TestStore;
  let engine: Engine;
  const clock = testClock('2026-03-02');
  beforeEach(async () => {
    store = await createTestStore('postgres');
    engine = createEngine(store, { now: clock.now });
    attachMetrics(engine);
  });
  afterEach(async () => {
    await engine.close();
    await store.dispose();
  });

  it('reads a journey by a prepared statement, with every column, under generic plans', async () => {
    const agencyId = await addAgency(store.db, 'treatment_provider', 'North');
    const personId = await addPerson(store.db, agencyId);
    const journey = await openJourney(engine, clock, { personId, agencyId, referredOn: '2026-03-02' });
    await journey.on('2026-03-02', { type: 'SCREENING_STARTED' });

    const seen = await engine.transaction(async (tx) => {
      const row = await tx.load('case', journey.id);
      const all = await sql<Record<string, unknown>>`select * from cases where id = ${journey.id}`.execute(tx.trx);
      const mode = await tx.sql.get<{ mode: string }>(`select current_setting('plan_cache_mode') as mode`, []);
      const prepared = await tx.sql.all<{ statement: string }>(`select statement from pg_prepared_statements where name like 'pw_%'`, []);
      return { row, all: all.rows[0], mode: mode?.mode, prepared: prepared.map((p) => p.statement) };
    });

    expect(seen.row).toEqual(seen.all);
    expect(Object.keys(seen.row!).sort()).toEqual(Object.keys(seen.all!).sort());
    expect(seen.mode).toBe('force_generic_plan');
    expect(seen.prepared.some((s) => /^select id, person_id, .* from cases where id = \$1/.test(s))).toBe(true);
  });
});
