/**
 * Operations: `GET /metrics` in Prometheus format for the operator token only, and a
 * graceful stop that answers and stores a transition in flight.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startPathways, type RunningPathways } from '../../cli/commands/serve.ts';
import { issueToken } from '../../src/auth/bearer-tokens.ts';
import { createEngineWorld } from '../support/engine-world.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';

const OPERATOR = 'operator-token-for-metrics-0123';

describe.each(DIALECTS)('operations on %s', (dialect) => {
  let store: TestStore | undefined;
  let running: RunningPathways | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await store?.dispose();
  });

  async function start() {
    store = await createTestStore(dialect);
    const world = await createEngineWorld(store.db);
    running = await startPathways(store, { port: 0, webDist: '', metricsToken: OPERATOR, shutdownGraceMs: 5000 });
    const { token } = await issueToken(store.db, world.provider.userId, new Date(), 60);
    const { row } = await running.engine.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: new Date().toISOString().slice(0, 10), actor: world.keyworker });
    return { url: running.server.url, token, caseId: row.id };
  }

  it('serves /metrics to the operator token only, with latency by route, transitions and sockets', async () => {
    const { url, token, caseId } = await start();
    const moved = await fetch(`${url}/api/v1/cases/${caseId}/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'SCREENING_STARTED', expectedVersion: 1 }) });
    expect(moved.status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${OPERATOR}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/http_request_duration_seconds_count\{route="\/api\/v1\/cases\/:id\/events",method="POST",status="200"\} 1/);
    expect(text).toMatch(/pathways_transitions_total\{stream="case",by="user"\} 2/);
    expect(text).toContain('pathways_live_sockets 0');
    expect(text).toContain('pathways_committed_units');
    if (dialect === 'postgres') expect(text).toContain('pathways_pg_pool_waiting');
  });

  it('a stop answers and stores the transition in flight', async () => {
    const { url, token, caseId } = await start();
    // Hold the unit open long enough for the stop to begin while it runs.
    let entered!: () => void;
    const inUnit = new Promise<void>((r) => (entered = r));
    running!.engine.useInTransaction(async () => {
      entered();
      await new Promise((r) => setTimeout(r, 300));
    });
    const request = fetch(`${url}/api/v1/cases/${caseId}/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'SCREENING_STARTED', expectedVersion: 1 }) });
    await inUnit;
    const stopping = running!.stop();
    running = undefined;
    const answer = await request;
    expect(answer.status).toBe(200);
    await stopping;
    const row = await store!.db.selectFrom('cases').select('version').where('id', '=', caseId).executeTakeFirstOrThrow();
    expect(row.version).toBe(2);
  });
});
