/**
 * `metrics.changed` carries the area's open journeys by stage and agency, read after the
 * change committed: the same counts `GET /api/v1/metrics/wip` answers for the whole area,
 * so a dashboard can show a stage's new count from the message alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPerson } from '../metrics/cohort-builder.ts';
import { addAgency, spy, startLiveWorld, type LiveWorld, type Spy } from './live-world.ts';

interface LiveWip {
  total: number;
  byStage: Record<string, number>;
  byAgency: Array<{ agencyId: string; stage: string; count: number }>;
}

describe.each(['sqlite', 'postgres'] as const)('metrics.changed with the stage counts (%s)', (dialect) => {
  let w: LiveWorld;
  let provider: string;
  let otherProvider: string;
  let keyworker: string;
  let otherKeyworker: string;
  let managerToken: string;
  let manager: Spy;

  beforeAll(async () => {
    w = await startLiveWorld(dialect);
    provider = await addAgency(w.store.db, 'treatment_provider', 'North');
    otherProvider = await addAgency(w.store.db, 'treatment_provider', 'North');
    await addAgency(w.store.db, 'treatment_provider', 'South');
    keyworker = (await w.user(provider, 'keyworker')).token;
    otherKeyworker = (await w.user(otherProvider, 'keyworker')).token;
    managerToken = (await w.user(provider, 'manager')).token;
    manager = await spy(w.url, { token: managerToken });
  }, 60_000);

  afterAll(async () => {
    manager?.socket.close();
    await w?.close();
  });

  async function openAndScreen(token: string, agencyId: string): Promise<void> {
    const personId = await addPerson(w.store.db, agencyId, { sex: 'female' });
    const opened = await w.api(token, 'POST', '/api/v1/cases', { personId, referralSource: 'self', referredOn: '2026-03-02' });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const moved = await w.api(token, 'POST', `/api/v1/cases/${String(opened.body.id)}/events`, { type: 'SCREENING_STARTED', expectedVersion: opened.body.version });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  }

  it('counts as GET /metrics/wip does, per stage and per agency, once the changes are in', async () => {
    await openAndScreen(keyworker, provider);
    await openAndScreen(keyworker, provider);
    await openAndScreen(otherKeyworker, otherProvider);
    await w.live.drain();
    const wip = await w.api(managerToken, 'GET', '/api/v1/metrics/wip');
    expect(wip.status).toBe(200);
    const body = wip.body as { workInProgress: { total: number; rows: Array<{ stage: string; group: string; count: number }>; byAgency: LiveWip['byAgency'] } };
    expect(body.workInProgress.total).toBe(3);

    // The message that follows the last change (earlier ones hold the counts of their own time).
    const last = await manager.waitFor((m) => m.event === 'metrics.changed' && (m.payload.workInProgress as LiveWip | undefined)?.byStage.screening === 3, 5000);
    const live = last.payload.workInProgress as LiveWip;
    expect(last.payload).toMatchObject({ area: 'North' });
    expect(live.total).toBe(body.workInProgress.total);
    expect(live.byStage).toEqual(Object.fromEntries(body.workInProgress.rows.filter((r) => r.group === 'all').map((r) => [r.stage, r.count])));
    expect(live.byStage).toEqual({ screening: 3 });
    const byAgency = (rows: LiveWip['byAgency']) => [...rows].sort((a, b) => a.agencyId.localeCompare(b.agencyId) || a.stage.localeCompare(b.stage));
    expect(byAgency(live.byAgency)).toEqual(byAgency(body.workInProgress.byAgency));
    expect(live.byAgency.find((r) => r.agencyId === provider)?.count).toBe(2);
    expect(live.byAgency.find((r) => r.agencyId === otherProvider)?.count).toBe(1);
    // The message names the measures to refetch, as before.
    expect(last.payload.measures).toEqual(expect.arrayContaining(['summary', 'wip', 'time-in-stage']));
  });
});
