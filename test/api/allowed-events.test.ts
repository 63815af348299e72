/**
 * `allowedEvents` means allowed, through the real API on both stores: a new journey does
 * not offer COMMUNITY_ENGAGED; `eventOptions` names the values accepted now (discharge
 * reasons, interventions); a refusal (`invalid_transition`) carries both and says which
 * values would pass; a referral's view carries `eventOptions` too.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUCCESSFUL_DISCHARGE_REASONS, UNSUCCESSFUL_DISCHARGE_REASONS } from '../../machines/codes.ts';
import { as, caseEvent, caseEvents, createApiHarness, makeAgency, makePerson, makeUser, type ApiHarness, type TestUser } from '../support/api.ts';
import { DIALECTS } from '../support/stores.ts';

describe.each(DIALECTS)('allowedEvents and eventOptions through the API on %s', (dialect) => {
  let h: ApiHarness;
  let keyworker: TestUser;
  let caseId: string;
  let version: number;
  beforeAll(async () => {
    h = await createApiHarness(dialect);
    const provider = await makeAgency(h, 'treatment_provider');
    keyworker = await makeUser(h, provider.id, 'keyworker');
    const personId = await makePerson(h, keyworker);
    const opened = await as(h, keyworker).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: h.clock.today() });
    expect(opened.status).toBe(201);
    caseId = opened.body.id as string;
    version = opened.body.version as number;
  });
  afterAll(async () => {
    await h.close();
  });

  it('a new journey lists only what it accepts, with the discharge reasons it accepts', async () => {
    const res = await as(h, keyworker).get(`/api/v1/cases/${caseId}`);
    expect(res.status).toBe(200);
    expect(res.body.allowedEvents).toEqual(['APPOINTMENT_BOOKED', 'CONTACT_RECORDED', 'CUSTODY_STARTED', 'DISCHARGED', 'KEYWORKER_ASSIGNED', 'SCREENING_STARTED']);
    expect(res.body.allowedEvents).not.toContain('COMMUNITY_ENGAGED');
    expect(res.body.eventOptions).toEqual({ DISCHARGED: { reason: [...UNSUCCESSFUL_DISCHARGE_REASONS] } });
  });

  it('refuses COMMUNITY_ENGAGED on a new journey with allowedEvents and eventOptions in the problem', async () => {
    const res = await caseEvent(h, keyworker, caseId, { type: 'COMMUNITY_ENGAGED', expectedVersion: version });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('invalid_transition');
    expect(res.body.allowedEvents).not.toContain('COMMUNITY_ENGAGED');
    expect(res.body.eventOptions.DISCHARGED.reason).toEqual([...UNSUCCESSFUL_DISCHARGE_REASONS]);
  });

  it('a successful discharge before treatment is refused, naming the reasons accepted now', async () => {
    const res = await caseEvent(h, keyworker, caseId, { type: 'DISCHARGED', reason: 'completed_drug_free', dischargedOn: h.clock.today(), expectedVersion: version });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('invalid_transition');
    expect(res.body.detail).toContain('DISCHARGED is accepted now with reason one of dropped_out');
    expect(res.body.detail).not.toMatch(/one of [^.]*completed_drug_free/);
  });

  it('after an event the answer lists the next choices: interventions by id, then every reason in treatment', async () => {
    const planned = await caseEvents(h, keyworker, caseId, version, [
      { type: 'SCREENING_STARTED' },
      { type: 'SCREENING_COMPLETED', outcome: 'assess' },
      { type: 'ASSESSMENT_COMPLETED', domains: {} },
      { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'psy', modality: 'structured_psychosocial' }, { id: 'rs', modality: 'recovery_support' }] },
      { type: 'INTERVENTION_OFFERED', interventionId: 'psy' },
    ]);
    expect(planned.eventOptions).toMatchObject({ INTERVENTION_OFFERED: { interventionId: ['rs'] }, INTERVENTION_STARTED: { interventionId: ['psy'] } });
    expect(planned.allowedEvents).not.toContain('INTERVENTION_ENDED');
    const treated = await caseEvents(h, keyworker, caseId, planned.version as number, [{ type: 'INTERVENTION_STARTED', interventionId: 'psy' }]);
    const options = treated.eventOptions as Record<string, Record<string, string[]>>;
    expect(options.INTERVENTION_ENDED).toEqual({ interventionId: ['psy'], exitStatus: ['planned', 'unplanned', 'withdrawn'] });
    expect([...options.DISCHARGED!.reason!].sort()).toEqual([...SUCCESSFUL_DISCHARGE_REASONS, ...UNSUCCESSFUL_DISCHARGE_REASONS].sort());
  });

  it('a referral view carries eventOptions beside allowedEvents', async () => {
    const housing = await makeAgency(h, 'housing');
    const personId = await makePerson(h, keyworker);
    const sent = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: housing.id, kind: 'housing', reason: 'Housing help', urgency: 'routine', safeguardingOverride: { justification: 'At risk of rough sleeping tonight' } });
    expect(sent.status).toBe(201);
    expect(sent.body.allowedEvents).toEqual(['REFERRAL_CANCELLED']);
    expect(sent.body.eventOptions).toEqual({});
  });
});
