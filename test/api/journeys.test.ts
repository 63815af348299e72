/**
 * End-to-end journeys through the real API on both stores: a Jobcentre Plus referral
 * with consent all the way to rapid re-entry, a prison release handed over to community
 * treatment within 21 days, and a police custody (DIP) referral.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/stores.ts';
import {
  as,
  caseEvents,
  createApiHarness,
  giveConsent,
  makeAgency,
  makePerson,
  makeTop,
  makeUser,
  referralEvents,
  type ApiHarness,
  type TestUser,
} from '../support/api.ts';

describe.each(DIALECTS)('journeys through the API on %s', (dialect) => {
  let h: ApiHarness;
  let provider: { id: string };
  let keyworker: TestUser;
  beforeEach(async () => {
    h = await createApiHarness(dialect);
    provider = await makeAgency(h, 'treatment_provider');
    keyworker = await makeUser(h, provider.id, 'keyworker');
  });
  afterEach(async () => {
    await h.close();
  });

  async function getCase(id: string, user = keyworker) {
    const res = await as(h, user).get(`/api/v1/cases/${id}`);
    expect(res.status).toBe(200);
    return res.body as Record<string, unknown> & { version: number; stage: string; state: string; allowedEvents: string[] };
  }

  it('JCP referral with consent → accepted → full journey → check-ups → relapse → rapid re-entry', async () => {
    const jcp = await makeAgency(h, 'jobcentre_plus');
    const coach = await makeUser(h, jcp.id, 'referrer');
    const personId = await makePerson(h, coach);

    const body = { personId, toAgencyId: provider.id, kind: 'treatment', reason: 'Claimant asked for help with heroin use', urgency: 'routine' };
    const refused = await as(h, coach).post('/api/v1/referrals', body);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('consent_required');
    expect(refused.body.missing.categories).toEqual(['identity', 'contact', 'substance_use']);

    await giveConsent(h, coach, personId, { toAgencyId: provider.id }, ['identity', 'contact', 'substance_use', 'treatment_progress']);
    const sent = await as(h, coach).post('/api/v1/referrals', body);
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ status: 'requested', form: 'TPR1', direction: 'outbox', allowedEvents: ['REFERRAL_CANCELLED'] });
    const referralId = sent.body.id as string;

    const inbox = await as(h, keyworker).get('/api/v1/referrals?box=inbox');
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.map((r: { id: string }) => r.id)).toContain(referralId);
    const mine = inbox.body.items.find((r: { id: string }) => r.id === referralId);
    expect(mine.person.givenName).toBe('Alex');
    expect(mine.allowedEvents).toEqual(expect.arrayContaining(['REFERRAL_ACCEPTED', 'REFERRAL_REJECTED', 'REFERRAL_RECEIVED']));

    h.clock.advanceDays(1);
    const accepted = await referralEvents(h, keyworker, referralId, [{ type: 'REFERRAL_RECEIVED' }, { type: 'REFERRAL_ACCEPTED' }]);
    expect(accepted.status).toBe('accepted');
    const caseId = accepted.caseId as string;
    expect(caseId).toBeTruthy();

    let c = await getCase(caseId);
    expect(c).toMatchObject({ stage: 'referred', referralSource: 'employment_service', leadAgencyId: provider.id });
    expect(c.allowedEvents).toContain('SCREENING_STARTED');
    expect((c.dueTimers as Array<{ event: string }>).map((t) => t.event)).toContain('WAITING_TIME_BREACHED');

    h.clock.advanceDays(2);
    const today = () => h.clock.today();
    c = (await caseEvents(h, keyworker, caseId, c.version, [
      { type: 'SCREENING_STARTED' },
      { type: 'SCREENING_COMPLETED', outcome: 'assess' },
      { type: 'ASSESSMENT_COMPLETED', domains: { substanceUse: 'Heroin daily', housingNeed: 'housing_problem', injectingStatus: 'currently' } },
      { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'psy-1', modality: 'structured_psychosocial' }, { id: 'osr-1', modality: 'specialist_prescribing' }] },
      { type: 'INTERVENTION_OFFERED', interventionId: 'psy-1', offeredOn: today() },
      { type: 'INTERVENTION_STARTED', interventionId: 'psy-1', startedOn: today() },
      { type: 'TOP_RECORDED', top: makeTop('start', today()) },
    ])) as typeof c;
    expect(c.stage).toBe('inTreatment');
    expect(c.state).toBe('inTreatment.active');
    expect((c.interventions as Array<{ id: string; status: string }>).find((i) => i.id === 'psy-1')?.status).toBe('started');
    expect(c.tops).toHaveLength(1);

    // The sender sees the status change, and with explicit consent for treatment progress, the outcome.
    await referralEvents(h, keyworker, referralId, [{ type: 'FIRST_CONTACT_MADE', contactOn: today() }, { type: 'REFERRAL_COMPLETED', outcome: 'Attended the voluntary discussion; started treatment' }]);
    let fromSender = await as(h, coach).get(`/api/v1/referrals/${referralId}`);
    expect(fromSender.body.status).toBe('completed');
    expect(fromSender.body.outcome).toBeUndefined();
    expect(fromSender.body.withheld).toContain('outcome');
    await giveConsent(h, coach, personId, { toAgencyId: jcp.id }, ['identity', 'treatment_progress']);
    fromSender = await as(h, coach).get(`/api/v1/referrals/${referralId}`);
    expect(fromSender.body.outcome).toBe('Attended the voluntary discussion; started treatment');

    h.clock.advanceDays(150);
    c = (await caseEvents(h, keyworker, caseId, c.version, [
      { type: 'REVIEW_COMPLETED', reviewedOn: today(), top: makeTop('review', today()) },
      { type: 'INTERVENTION_ENDED', interventionId: 'psy-1', endedOn: today(), exitStatus: 'planned' },
      { type: 'DISCHARGED', reason: 'completed_drug_free', dischargedOn: today(), exitTop: makeTop('exit', today()) },
    ])) as typeof c;
    expect(c.stage).toBe('recoveryCheckups');
    expect((c.discharge as { successful: boolean }).successful).toBe(true);
    expect((c.dueTimers as Array<{ event: string }>).map((t) => t.event)).toEqual(expect.arrayContaining(['CHECKUP_DUE', 'RECOVERY_SUSTAINED']));

    h.clock.advanceDays(29);
    await h.engine.sweepDueTimers();
    c = await getCase(caseId);
    expect((c.checkups as Array<{ due: boolean }>)[0]?.due).toBe(true);
    expect((c.overdue as { checkup: boolean }).checkup).toBe(true);
    const overdue = await as(h, keyworker).get('/api/v1/cases?overdue=true');
    expect(overdue.body.items.map((i: { id: string }) => i.id)).toContain(caseId);
    c = (await caseEvents(h, keyworker, caseId, c.version, [{ type: 'CHECKUP_COMPLETED', checkupOn: today(), top: makeTop('post_exit', today()) }])) as typeof c;
    const cleared = await as(h, keyworker).get('/api/v1/cases?overdue=true');
    expect(cleared.body.items.map((i: { id: string }) => i.id)).not.toContain(caseId);

    // Relapse: the work coach refers again; accepting re-opens the same journey as a rapid re-entry.
    h.clock.advanceDays(20);
    const again = await as(h, coach).post('/api/v1/referrals', { ...body, reason: 'Using again, asked to come back' });
    expect(again.status).toBe(201);
    const reaccepted = await referralEvents(h, keyworker, again.body.id as string, [{ type: 'REFERRAL_ACCEPTED' }]);
    expect(reaccepted.caseId).toBe(caseId);
    c = await getCase(caseId);
    expect(c.stage).toBe('carePlanning');
    expect(c.representations).toBe(1);
    expect((c.carePackage as { interventions: unknown[] }).interventions.length).toBeGreaterThan(0);

    const timeline = await as(h, keyworker).get(`/api/v1/cases/${caseId}/timeline`);
    expect(timeline.status).toBe(200);
    const types = timeline.body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['CASE_OPENED', 'SCREENING_STARTED', 'DISCHARGED', 'CHECKUP_DUE', 'RELAPSE_REPORTED', 'REENTRY_CONFIRMED']));

    // TPR2: the attendance report back to the jobcentre needs the claimant's explicit consent to that office.
    const tpr2 = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: jcp.id, kind: 'employment_support', reason: 'Attendance report', urgency: 'routine', caseId });
    expect(tpr2.status).toBe(422);
    expect(tpr2.body.missing).toMatchObject({ explicit: true, categories: ['contact'] });
    await giveConsent(h, coach, personId, { toAgencyId: jcp.id }, ['contact']);
    const attendance = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: jcp.id, kind: 'employment_support', reason: 'Attendance report', urgency: 'routine', caseId });
    expect(attendance.status).toBe(201);
    expect(attendance.body.form).toBe('TPR2');
    const coachInbox = await as(h, coach).get('/api/v1/referrals?box=inbox');
    expect(coachInbox.body.items.map((r: { id: string }) => r.id)).toEqual([attendance.body.id]);
  });

  it('prison release handed over to community treatment within 21 days', async () => {
    const prison = await makeAgency(h, 'prison');
    const officer = await makeUser(h, prison.id, 'referrer');
    const personId = await makePerson(h, officer, { sex: 'male' });
    await giveConsent(h, officer, personId, { toAgencyKind: 'treatment_provider' }, ['identity', 'contact', 'substance_use', 'offending']);
    const sent = await as(h, officer).post('/api/v1/referrals', { personId, toAgencyId: provider.id, kind: 'treatment', reason: 'Release due next week; on opioid substitution', urgency: 'urgent' });
    expect(sent.status).toBe(201);
    const accepted = await referralEvents(h, keyworker, sent.body.id as string, [{ type: 'REFERRAL_ACCEPTED' }]);
    const caseId = accepted.caseId as string;
    let c = await getCase(caseId);
    expect(c.referralSource).toBe('prison');

    c = (await caseEvents(h, keyworker, caseId, c.version, [{ type: 'CUSTODY_STARTED', custodyOn: h.clock.today() }])) as typeof c;
    expect(c.stage).toBe('inCustody');
    h.clock.advanceDays(5);
    c = (await caseEvents(h, keyworker, caseId, c.version, [{ type: 'RELEASED_FROM_CUSTODY', releasedOn: h.clock.today() }])) as typeof c;
    expect(c.stage).toBe('referred');
    expect((c.dueTimers as Array<{ event: string }>).map((t) => t.event)).toContain('CONTINUITY_OF_CARE_BREACHED');
    h.clock.advanceDays(20);
    await h.engine.sweepDueTimers();
    c = (await caseEvents(h, keyworker, caseId, (await getCase(caseId)).version, [{ type: 'COMMUNITY_ENGAGED', engagedOn: h.clock.today() }])) as typeof c;
    expect(c.continuity).toMatchObject({ breached: false, engagedOn: h.clock.today() });

    await referralEvents(h, keyworker, sent.body.id as string, [{ type: 'FIRST_CONTACT_MADE' }, { type: 'REFERRAL_COMPLETED', outcome: 'Engaged in community treatment' }]);
    // Progress reported back is cut to what the person agreed to share with the prison.
    let back = await as(h, officer).get(`/api/v1/referrals/${sent.body.id as string}`);
    expect(back.body).toMatchObject({ status: 'completed', firstContactOn: null });
    expect(back.body).not.toHaveProperty('outcome');
    // No consent names the prison (only treatment providers), so it sees no journey.
    expect((await as(h, officer).get(`/api/v1/cases/${caseId}`)).status).toBe(404);
    await giveConsent(h, officer, personId, { toAgencyId: prison.id }, ['identity', 'treatment_progress']);
    back = await as(h, officer).get(`/api/v1/referrals/${sent.body.id as string}`);
    expect(back.body).toMatchObject({ status: 'completed', outcome: 'Engaged in community treatment' });
  });

  it('police custody (DIP) referral opens a journey from arrest referral', async () => {
    const custody = await makeAgency(h, 'police_custody');
    const worker = await makeUser(h, custody.id, 'referrer');
    const personId = await makePerson(h, worker, { sex: 'male' });
    await giveConsent(h, worker, personId, { toAgencyId: provider.id }, ['identity', 'contact', 'substance_use']);
    await giveConsent(h, worker, personId, { toAgencyId: custody.id }, ['identity', 'treatment_progress']);
    const sent = await as(h, worker).post('/api/v1/referrals', { personId, toAgencyId: provider.id, kind: 'treatment', reason: 'Positive test for opiates; required assessment', urgency: 'urgent' });
    expect(sent.status).toBe(201);
    expect(sent.body.acknowledgeBy).toBeTruthy();
    const accepted = await referralEvents(h, keyworker, sent.body.id as string, [{ type: 'REFERRAL_RECEIVED' }, { type: 'REFERRAL_ACCEPTED' }, { type: 'FIRST_CONTACT_MADE' }]);
    const caseId = accepted.caseId as string;
    const c = await getCase(caseId);
    expect(c.referralSource).toBe('arrest_referral_dip');
    await caseEvents(h, keyworker, caseId, c.version, [{ type: 'SCREENING_STARTED' }, { type: 'SCREENING_COMPLETED', outcome: 'assess' }]);

    // The custody suite holds the referral and consent for treatment progress: it sees the stage, not substance use.
    const seen = await as(h, worker).get(`/api/v1/cases/${caseId}`);
    expect(seen.status).toBe(200);
    expect(seen.body.stage).toBe('assessment');
    expect(seen.body.access.scope).toBe('shared');
    expect(seen.body.withheld).toContain('substance_use');
    expect(seen.body.allowedEvents).toEqual([]);
    const sendAttempt = await as(h, worker).post(`/api/v1/cases/${caseId}/events`, { type: 'ASSESSMENT_COMPLETED', expectedVersion: seen.body.version, domains: {} });
    expect(sendAttempt.status).toBe(403);
  });
});
