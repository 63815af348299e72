/**
 * The measures over HTTP: managers read their own area (or one agency of it), nobody else
 * reads measures, every figure carries its definition (in the response and in the OpenAPI
 * document), and bad filters answer 400 naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIGURE_DEFINITIONS } from '../../src/metrics/definitions.ts';
import { addAgency, startLiveWorld, type LiveWorld } from '../live/live-world.ts';
import { addPerson, intoTreatment, openJourney } from './cohort-builder.ts';

const ROUTES = ['summary', 'wip', 'time-in-stage', 'flow', 'deadlines', 'outcomes', 'referrals-waiting'];

describe.each(['sqlite', 'postgres'] as const)('metrics routes (%s)', (dialect) => {
  let w: LiveWorld;
  let provider: string;
  let south: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    w = await startLiveWorld(dialect, { now: '2026-06-30T12:00:00.000Z' });
    provider = await addAgency(w.store.db, 'treatment_provider', 'North');
    south = await addAgency(w.store.db, 'treatment_provider', 'South');
    for (const role of ['manager', 'keyworker', 'referrer', 'admin', 'auditor']) tokens[role] = (await w.user(provider, role)).token;
    tokens.southManager = (await w.user(south, 'manager')).token;
    // Two journeys in North (one started on day 21, one waiting 30 days), one in South.
    const a = await openJourney(w.engine, w.clock, { personId: await addPerson(w.store.db, provider, { sex: 'female' }), agencyId: provider, referredOn: '2026-05-01' });
    await intoTreatment(a, '2026-05-01', '2026-05-22');
    await openJourney(w.engine, w.clock, { personId: await addPerson(w.store.db, provider, { sex: 'male' }), agencyId: provider, referredOn: '2026-05-31' });
    await openJourney(w.engine, w.clock, { personId: await addPerson(w.store.db, south), agencyId: south, referredOn: '2026-06-01' });
    w.clock.set('2026-06-30T12:00:00.000Z');
  }, 60_000);
  afterAll(async () => w.close());

  it('answers a manager with their area figures, each with its definition', async () => {
    for (const route of ROUTES) {
      const res = await w.api(tokens.manager!, 'GET', `/api/v1/metrics/${route}`);
      expect(res.status, `${route}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.area).toBe('North');
      expect(res.body.agencyIds).not.toContain(south);
      const figures = Object.entries(res.body).filter(([k]) => k in FIGURE_DEFINITIONS);
      expect(figures.length, route).toBeGreaterThan(0);
      for (const [name, figure] of figures) expect((figure as { definition: string }).definition).toBe(FIGURE_DEFINITIONS[name as keyof typeof FIGURE_DEFINITIONS]);
    }
    const summary = await w.api(tokens.manager!, 'GET', '/api/v1/metrics/summary');
    expect(summary.body.workInProgress).toMatchObject({ total: 2, byStage: { inTreatment: 1, referred: 1 } });
    expect(summary.body.waitingOver21Days).toMatchObject({ value: 1 });
    expect(summary.body.startedWithin21Days).toMatchObject({ value: 1 });
    const bySex = await w.api(tokens.manager!, 'GET', '/api/v1/metrics/wip?breakdown=sex');
    const rows = (bySex.body.workInProgress as { rows: Array<{ stage: string; group: string; count: number }> }).rows;
    expect(rows).toEqual([
      { stage: 'inTreatment', group: 'female', count: 1 },
      { stage: 'referred', group: 'male', count: 1 },
    ]);
    const oneAgency = await w.api(tokens.manager!, 'GET', `/api/v1/metrics/wip?agencyId=${provider}&area=North`);
    expect(oneAgency.body.agencyIds).toEqual([provider]);
    const asOfEarlier = await w.api(tokens.manager!, 'GET', '/api/v1/metrics/deadlines?asOf=2026-06-21T12:00:00Z');
    expect((asOfEarlier.body.waitingOver21Days as { total: number }).total).toBe(0);
  });

  it('refuses every other role, another area and an agency outside the area', async () => {
    for (const role of ['keyworker', 'referrer', 'admin', 'auditor']) {
      for (const route of ROUTES) {
        const res = await w.api(tokens[role]!, 'GET', `/api/v1/metrics/${route}`);
        expect(res.status, `${role} ${route}`).toBe(403);
        expect(JSON.stringify(res.body)).not.toMatch(/workInProgress|"total"/);
      }
    }
    expect((await fetch(`${w.url}/api/v1/metrics/summary`)).status).toBe(401);
    expect((await w.api(tokens.manager!, 'GET', '/api/v1/metrics/wip?area=South')).status).toBe(403);
    expect((await w.api(tokens.manager!, 'GET', `/api/v1/metrics/wip?agencyId=${south}`)).status).toBe(403);
    const southView = await w.api(tokens.southManager!, 'GET', '/api/v1/metrics/wip');
    expect(southView.body.workInProgress).toMatchObject({ total: 1 });
  });

  it('answers bad filters with 400 naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['/api/v1/metrics/wip?breakdown=shoe_size', 'breakdown'],
      ['/api/v1/metrics/outcomes?from=2026-07-01&to=2026-06-01', 'from'],
      ['/api/v1/metrics/flow?granularity=hour', 'granularity'],
      ['/api/v1/metrics/deadlines?asOf=yesterday', 'asOf'],
      ['/api/v1/metrics/wip?agencyId=not-an-id', 'agencyId'],
      ['/api/v1/metrics/wip?unknown=1', ''],
    ];
    for (const [path, field] of cases) {
      const res = await w.api(tokens.manager!, 'GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      if (field) expect(JSON.stringify(res.body), path).toContain(field);
    }
  });

  it('documents every measures route with its figure definitions in the OpenAPI document', async () => {
    const doc = await (await fetch(`${w.url}/api/v1/openapi.json`)).json() as { paths: Record<string, { get?: unknown }> };
    for (const route of ROUTES) expect(doc.paths[`/api/v1/metrics/${route}`]?.get, route).toBeDefined();
    const text = JSON.stringify(doc.paths['/api/v1/metrics/outcomes']);
    expect(text).toContain('Public Health Outcomes Framework indicator C19');
    expect(text).toContain('day 182 counts as within');
  });
});
