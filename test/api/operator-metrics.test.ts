/**
 * `/metrics` histograms of how the engine commits and how long callers wait for a
 * PostgreSQL connection: units per commit (the group-commit size) add up to the units the
 * engine committed, one observation per commit; every connection Kysely takes is timed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startPathways, type RunningPathways } from '../../cli/commands/serve.ts';
import { createEngineWorld } from '../support/engine-world.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';

const OPERATOR = 'operator-token-for-metrics-4567';

/** The value of one sample line (`name{labels} value` or `name value`). */
function sample(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  if (!found) throw new Error(`no sample ${line} in:\n${text}`);
  return Number(found.slice(line.length + 1));
}

describe.each(DIALECTS)('operator metrics on %s', (dialect) => {
  let store: TestStore | undefined;
  let running: RunningPathways | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await store?.dispose();
  });

  it('counts units per commit and, on PostgreSQL, the wait for each pooled connection', async () => {
    store = await createTestStore(dialect);
    const world = await createEngineWorld(store.db);
    running = await startPathways(store, { port: 0, webDist: '', metricsToken: OPERATOR, shutdownGraceMs: 5000 });
    const referredOn = new Date().toISOString().slice(0, 10);
    // Asked for together, the openings share commits.
    await Promise.all(
      Array.from({ length: 12 }, () => running!.engine.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn, actor: world.keyworker })),
    );
    const res = await fetch(`${running.server.url}/metrics`, { headers: { authorization: `Bearer ${OPERATOR}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const stats = running.engine.stats();
    expect(stats.units).toBeGreaterThanOrEqual(12);
    // One observation per commit, and the observations add up to the units committed.
    expect(sample(text, 'pathways_group_commit_units_count')).toBe(stats.commits);
    expect(sample(text, 'pathways_group_commit_units_sum')).toBe(stats.units);
    expect(sample(text, 'pathways_group_commit_units_bucket{le="256"}')).toBe(stats.commits);
    // Twelve units in fewer commits: at least one commit held more than one.
    expect(sample(text, 'pathways_group_commit_units_bucket{le="1"}')).toBeLessThan(stats.commits);
    expect(stats.commits).toBeLessThan(stats.units);
    if (dialect === 'postgres') {
      const waits = sample(text, 'pathways_pg_pool_wait_seconds_count');
      expect(waits).toBeGreaterThan(0);
      expect(sample(text, 'pathways_pg_pool_wait_seconds_bucket{le="+Inf"}')).toBe(waits);
      expect(sample(text, 'pathways_pg_pool_wait_seconds_sum')).toBeGreaterThanOrEqual(0);
    } else {
      expect(text).not.toContain('pathways_pg_pool_wait_seconds');
    }
    // The operator token alone opens it.
    expect((await fetch(`${running.server.url}/metrics`)).status).toBe(401);
  });
});
