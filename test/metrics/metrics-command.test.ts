/**
 * `pathways metrics rebuild` on a real store: it replaces counters that drifted (here:
 * wiped) with the ones the event log gives, and refuses anything but `rebuild`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { attachMetrics } from '../../src/metrics/attach-metrics.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';
import { addAgency, addPerson, intoTreatment, openJourney, testClock } from './cohort-builder.ts';
import { metricSnapshot } from './metric-snapshot.ts';

describe.each(DIALECTS)('pathways metrics rebuild (%s)', (dialect) => {
  let store: TestStore | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await store?.dispose();
    store = undefined;
  });

  it('recomputes the counters from the event log', async () => {
    store = await createTestStore(dialect);
    const clock = testClock('2026-01-01T12:00:00.000Z');
    const engine = createEngine(store, { now: clock.now });
    attachMetrics(engine);
    const agency = await addAgency(store.db, 'treatment_provider', 'North');
    const j = await openJourney(engine, clock, { personId: await addPerson(store.db, agency), agencyId: agency, referredOn: '2026-01-01' });
    await intoTreatment(j, '2026-01-01', '2026-01-15');
    await engine.close();
    const kept = await metricSnapshot(store.db);
    expect(kept.blocks.length).toBeGreaterThan(0);
    await metricsDb(store.db).deleteFrom('metric_day_blocks').execute();
    await metricsDb(store.db).deleteFrom('metric_day_totals').execute();
    expect((await metricSnapshot(store.db)).blocks).toEqual([]);

    vi.stubEnv('DATABASE_URL', store.url);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await main(['metrics', 'rebuild'])).toBe(0);
    expect(log.mock.calls.flat().join(' ')).toMatch(/Rebuilt measures from 7 events: 1 journeys/);
    expect(await metricSnapshot(store.db)).toEqual(kept);
  });

  it('refuses an unknown sub-command with usage', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main(['metrics', 'refresh'])).toBe(2);
    expect(err.mock.calls.flat().join(' ')).toContain('pathways metrics rebuild');
  });
});
