/**
 * Care packages with recovery support beside treatment (employment, education, training,
 * volunteering, mutual aid, housing): the support starts without starting structured
 * treatment (the waiting clock runs on), and ETE starts count in `GET /metrics/ete`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_SYSTEMS } from '../../machines/codes.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { DIALECTS } from '../support/stores.ts';
import { startLiveWorld, type LiveWorld } from '../live/live-world.ts';
import { addAgency, addPerson, openJourney } from './cohort-builder.ts';
import { metricSnapshot } from './metric-snapshot.ts';

describe.each(DIALECTS)('ETE and recovery support in care packages (%s)', (dialect) => {
  let world: LiveWorld;
  beforeAll(async () => {
    world = await startLiveWorld(dialect, { now: '2026-04-01T09:00:00.000Z' });
  });
  afterAll(async () => {
    await world.close();
  });

  it('are intervention modalities of the reference codes', () => {
    const codes = (CODE_SYSTEMS.intervention_modality ?? []).map((c) => c.code);
    expect(codes).toEqual(expect.arrayContaining(['employment_support', 'education_support', 'training_support', 'volunteering_support', 'mutual_aid', 'housing_support']));
  });

  it('start beside treatment, and ETE starts are counted per modality', async () => {
    const agencyId = await addAgency(world.store.db, 'treatment_provider', `ete-${dialect}`);
    const manager = await world.user(agencyId, 'manager');
    const personId = await addPerson(world.store.db, agencyId);
    const j = await openJourney(world.engine, world.clock, { personId, agencyId, referredOn: '2026-04-01' });
    await j.on('2026-04-02', { type: 'SCREENING_STARTED' });
    await j.on('2026-04-02', { type: 'SCREENING_COMPLETED', outcome: 'assess' });
    await j.on('2026-04-03', { type: 'ASSESSMENT_COMPLETED', domains: { ete: 'out of work two years' } });
    const interventions = [
      { id: 'psy', modality: 'structured_psychosocial' },
      { id: 'job', modality: 'employment_support' },
      { id: 'vol', modality: 'volunteering_support' },
      { id: 'aid', modality: 'mutual_aid' },
      { id: 'home', modality: 'housing_support' },
    ];
    await j.on('2026-04-03', { type: 'CARE_PLAN_AGREED', interventions });
    for (const i of interventions) await j.on('2026-04-04', { type: 'INTERVENTION_OFFERED', interventionId: i.id });
    // Employment support and mutual aid start first: still care planning, the wait runs on.
    await j.on('2026-04-06', { type: 'INTERVENTION_STARTED', interventionId: 'job' });
    const supported = await j.on('2026-04-07', { type: 'INTERVENTION_STARTED', interventionId: 'aid' });
    expect(supported.toStage).toBe('carePlanning');
    // Treatment starts with the psychosocial intervention, on day 20.
    const treated = await j.on('2026-04-21', { type: 'INTERVENTION_STARTED', interventionId: 'psy' });
    expect(treated.toStage).toBe('inTreatment');
    await j.on('2026-05-02', { type: 'INTERVENTION_STARTED', interventionId: 'vol' });
    await j.on('2026-05-03', { type: 'INTERVENTION_STARTED', interventionId: 'home' });

    const asOf = '2026-05-31T12:00:00.000Z';
    const res = await world.api(manager.token, 'GET', `/api/v1/metrics/ete?agencyId=${agencyId}&from=2026-04-01&to=2026-05-31&asOf=${asOf}`);
    expect(res.status).toBe(200);
    const figure = res.body.ete as { definition: string; rows: unknown[] };
    expect(figure.definition).toContain('employment_support');
    expect(figure.rows).toEqual([
      { group: 'all', started: 2, byModality: { employment_support: 1, education_support: 0, training_support: 0, volunteering_support: 1 }, inTreatment: 1 },
    ]);
    // Only April's employment support falls in April.
    const april = await world.api(manager.token, 'GET', `/api/v1/metrics/ete?agencyId=${agencyId}&from=2026-04-01&to=2026-04-30&asOf=${asOf}`);
    expect((april.body.ete as { rows: Array<{ started: number }> }).rows[0]?.started).toBe(1);
    // The wait is from the referral to the psychosocial start (20 days), not to the support.
    const outcomes = await world.api(manager.token, 'GET', `/api/v1/metrics/outcomes?agencyId=${agencyId}&from=2026-04-01&to=2026-05-31&asOf=${asOf}`);
    expect((outcomes.body.startedWithin21Days as { rows: unknown[] }).rows).toEqual([{ group: 'all', started: 1, within: 1, share: 1 }]);
    const view = await world.api(manager.token, 'GET', `/api/v1/cases/${j.id}`);
    expect(view.status).toBe(200);
    // A rebuild from the event log counts the same.
    const kept = await metricSnapshot(world.store.db);
    await rebuildMetrics(world.store);
    expect(await metricSnapshot(world.store.db)).toEqual(kept);
  });
});
