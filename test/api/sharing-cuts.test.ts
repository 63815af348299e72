/**
 * Who sees what, over HTTP: a withdrawal stops the flow to the agency it named at once
 * (what it held stays readable as it stood, marked; nothing later anywhere), progress
 * reported back to a referrer is cut to what the person agreed to, and a journey's stage
 * is treatment progress — custody is offending — in the view and in the list's filters.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/stores.ts';
import { as, caseEvents, createApiHarness, giveConsent, makeAgency, makePerson, makeTop, makeUser, referralEvents, type ApiHarness, type TestUser } from '../support/api.ts';

describe.each(DIALECTS)('sharing cuts on %s', (dialect) => {
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

  const later = (minutes = 1) => h.clock.set(new Date(h.clock.now().getTime() + minutes * 60_000).toISOString());

  /** A work coach's TPR1 to the provider, accepted; the claimant consents to the jobcentre for `jcpCategories`. */
  async function tpr1(jcpCategories: string[]) {
    const jcp = await makeAgency(h, 'jobcentre_plus');
    const coach = await makeUser(h, jcp.id, 'referrer');
    const personId = await makePerson(h, coach);
    await giveConsent(h, coach, personId, { toAgencyId: provider.id }, ['identity', 'contact', 'substance_use']);
    const jcpConsent = await giveConsent(h, coach, personId, { toAgencyId: jcp.id }, jcpCategories);
    const sent = await as(h, coach).post('/api/v1/referrals', { personId, toAgencyId: provider.id, kind: 'treatment', reason: 'Asked for help with alcohol', urgency: 'routine' });
    expect(sent.status).toBe(201);
    const referralId = sent.body.id as string;
    const accepted = await referralEvents(h, keyworker, referralId, [{ type: 'REFERRAL_ACCEPTED' }]);
    return { jcp, coach, personId, jcpConsent, referralId, caseId: accepted.caseId as string };
  }

  it('after the claimant withdraws consent to the jobcentre, the coach reads the referral and journey as they stood, and nothing new', async () => {
    const t = await tpr1(['identity', 'treatment_progress']);
    await referralEvents(h, keyworker, t.referralId, [{ type: 'FIRST_CONTACT_MADE', contactOn: h.clock.today() }]);
    // An appointment attended before the withdrawal is reported back.
    const attend = async (startsAt: string) => {
      const made = await as(h, keyworker).post(`/api/v1/cases/${t.caseId}/appointments`, { kind: 'keywork', startsAt });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      const done = await as(h, keyworker).post(`/api/v1/appointments/${made.body.id as string}/events`, { type: 'APPOINTMENT_ATTENDED' });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      return made.body.id as string;
    };
    const before = await attend(new Date(h.clock.now().getTime() - 3_600_000).toISOString());
    expect((await as(h, t.coach).get(`/api/v1/referrals/${t.referralId}/attendance`)).body.items.map((r: { appointmentId: string }) => r.appointmentId)).toEqual([before]);
    const journey = await as(h, keyworker).get(`/api/v1/cases/${t.caseId}`);
    const held = await caseEvents(h, keyworker, t.caseId, journey.body.version as number, [{ type: 'SCREENING_STARTED' }]);
    let seen = await as(h, t.coach).get(`/api/v1/referrals/${t.referralId}`);
    expect(seen.body).toMatchObject({ status: 'inProgress', firstContactOn: h.clock.today(), consentWithdrawn: false, sharedUntil: null });

    later();
    const withdrawn = await as(h, keyworker).post(`/api/v1/people/${t.personId}/consents/${t.jcpConsent}/withdraw`, { reason: 'Claimant asked' });
    expect(withdrawn.status).toBe(200);
    const sharedUntil = withdrawn.body.withdrawnAt as string;
    later();
    await referralEvents(h, keyworker, t.referralId, [{ type: 'REFERRAL_COMPLETED', outcome: 'Engaged; in structured treatment' }]);
    await caseEvents(h, keyworker, t.caseId, held.version as number, [{ type: 'SCREENING_COMPLETED', outcome: 'assess' }]);
    await attend(new Date(h.clock.now().getTime() - 30_000).toISOString());
    // Attendance: what was reported before the withdrawal stays, nothing after.
    expect((await as(h, t.coach).get(`/api/v1/referrals/${t.referralId}/attendance`)).body.items.map((r: { appointmentId: string }) => r.appointmentId)).toEqual([before]);

    // The referral as it stood: in progress, first contact held, no outcome, marked.
    seen = await as(h, t.coach).get(`/api/v1/referrals/${t.referralId}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ status: 'inProgress', firstContactOn: h.clock.today(), outcome: null, closedAt: null, consentWithdrawn: true, sharedUntil });
    const listed = await as(h, t.coach).get('/api/v1/referrals?box=outbox');
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ id: t.referralId, status: 'inProgress', consentWithdrawn: true });
    expect(JSON.stringify(listed.body)).not.toContain('Engaged; in structured treatment');
    // The completed status is not findable by its filter either.
    expect((await as(h, t.coach).get('/api/v1/referrals?box=outbox&status=completed')).body.items.filter((r: { status: string }) => r.status === 'completed')).toEqual([]);

    // The journey as it stood at the withdrawal, not listed any more, its timeline cut there.
    const c = await as(h, t.coach).get(`/api/v1/cases/${t.caseId}`);
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ stage: 'screening', version: held.version, consentWithdrawn: true, sharedUntil });
    const timeline = await as(h, t.coach).get(`/api/v1/cases/${t.caseId}/timeline`);
    expect(timeline.body.items.at(-1)).toMatchObject({ type: 'SCREENING_STARTED', version: held.version });
    expect((await as(h, t.coach).get('/api/v1/cases')).body.items).toEqual([]);

    // The provider sees everything, unmarked.
    const own = await as(h, keyworker).get(`/api/v1/referrals/${t.referralId}`);
    expect(own.body).toMatchObject({ status: 'completed', outcome: 'Engaged; in structured treatment', consentWithdrawn: false });

    expect(seen.body.version).toBeLessThan(own.body.version as number);
  });

  it('cuts progress reported back to the referrer to the categories the person agreed to', async () => {
    const t = await tpr1(['identity']);
    await referralEvents(h, keyworker, t.referralId, [{ type: 'FIRST_CONTACT_MADE', contactOn: h.clock.today() }]);
    const seen = await as(h, t.coach).get(`/api/v1/referrals/${t.referralId}`);
    // Attendance is progress: the coach sees the referral accepted, no first contact, no outcome.
    expect(seen.body).toMatchObject({ status: 'accepted', firstContactOn: null, failureReason: null });
    expect(seen.body).not.toHaveProperty('outcome');
    expect(seen.body.withheld).toEqual(expect.arrayContaining(['progress', 'outcome']));
    expect((await as(h, t.coach).get('/api/v1/referrals?status=inProgress')).body.items).toEqual([]);
    const provider = await as(h, keyworker).get(`/api/v1/referrals/${t.referralId}`);
    expect(provider.body).toMatchObject({ status: 'inProgress', firstContactOn: h.clock.today() });
  });

  it('shows the agency that sent a referral who it referred (name and date of birth) on that referral, ended or after a withdrawal, and nothing more without consent', async () => {
    // The provider holds the person and refers them to housing, which refers them on to mental health.
    const housing = await makeAgency(h, 'housing');
    const officer = await makeUser(h, housing.id, 'referrer');
    const mentalHealth = await makeAgency(h, 'mental_health');
    const nurse = await makeUser(h, mentalHealth.id, 'keyworker');
    const bystander = await makeUser(h, (await makeAgency(h, 'probation')).id, 'referrer');
    const personId = await makePerson(h, keyworker, { givenName: 'Robin', familyName: 'Referred', dateOfBirth: '1979-04-03' });
    const housingConsent = await giveConsent(h, keyworker, personId, { toAgencyId: housing.id }, ['identity', 'contact', 'housing']);
    expect((await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: housing.id, kind: 'housing', reason: 'No fixed abode', urgency: 'routine' })).status).toBe(201);
    await giveConsent(h, keyworker, personId, { toAgencyId: mentalHealth.id }, ['identity', 'contact', 'health']);
    const sent = await as(h, officer).post('/api/v1/referrals', { personId, toAgencyId: mentalHealth.id, kind: 'mental_health', reason: 'Low mood', urgency: 'routine' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const referralId = sent.body.id as string;
    expect(sent.body.person).toMatchObject({ givenName: 'Robin', contact: { phone: '07700 900123' } });

    // Mental health declines it and the person withdraws consent to housing: housing may no
    // longer see the person, yet its own sent referral still says who it was for.
    await referralEvents(h, nurse, referralId, [{ type: 'REFERRAL_REJECTED', reason: 'Not our area' }]);
    later();
    expect((await as(h, keyworker).post(`/api/v1/people/${personId}/consents/${housingConsent}/withdraw`, { reason: 'Asked to stop' })).status).toBe(200);
    expect((await as(h, officer).get(`/api/v1/people/${personId}`)).status).toBe(404);
    const own = await as(h, officer).get(`/api/v1/referrals/${referralId}`);
    expect(own.status).toBe(200);
    expect(own.body.person).toMatchObject({ id: personId, givenName: 'Robin', familyName: 'Referred', dateOfBirth: '1979-04-03' });
    for (const field of ['contact', 'sex', 'postcodeDistrict']) expect(own.body.person).not.toHaveProperty(field);
    expect(own.body.withheld).not.toContain('person');
    const outbox = await as(h, officer).get('/api/v1/referrals?box=outbox');
    expect(outbox.body.items.map((r: { id: string; person?: { givenName?: string } }) => [r.id, r.person?.givenName])).toEqual([[referralId, 'Robin']]);
    // What it received from the provider is not its own: there the person is not shown any more.
    const inbox = await as(h, officer).get('/api/v1/referrals?box=inbox');
    expect(inbox.body.items).toHaveLength(1);
    expect(inbox.body.items[0]).not.toHaveProperty('person');
    expect(inbox.body.items[0].withheld).toContain('person');
    // Nobody else gains anything: another agency still cannot find the referral.
    expect((await as(h, bystander).get(`/api/v1/referrals/${referralId}`)).status).toBe(404);
  });

  describe('a journey in custody', () => {
    async function setup() {
      const housing = await makeAgency(h, 'housing');
      const housingOfficer = await makeUser(h, housing.id, 'referrer');
      const mentalHealth = await makeAgency(h, 'mental_health');
      const nurse = await makeUser(h, mentalHealth.id, 'keyworker');
      const probation = await makeAgency(h, 'probation');
      const officer = await makeUser(h, probation.id, 'referrer');
      const personId = await makePerson(h, keyworker);
      const opened = await as(h, keyworker).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: h.clock.today(), keyworkerId: keyworker.id });
      const today = h.clock.today();
      const inTreatment = await caseEvents(h, keyworker, opened.body.id as string, opened.body.version as number, [
        { type: 'SCREENING_STARTED' },
        { type: 'SCREENING_COMPLETED', outcome: 'assess' },
        { type: 'ASSESSMENT_COMPLETED', domains: { offending: 'Shoplifting', housingNeed: 'housing_problem' }, substanceGroup: 'opiate' },
        { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'p1', modality: 'structured_psychosocial' }] },
        { type: 'INTERVENTION_OFFERED', interventionId: 'p1', offeredOn: today },
        { type: 'INTERVENTION_STARTED', interventionId: 'p1', startedOn: today },
        { type: 'REVIEW_COMPLETED', reviewedOn: today, top: makeTop('review', today) },
      ]);
      // Housing: no treatment progress. Mental health: progress but not offending. Probation: both.
      const share = async (agencyId: string, kind: string, categories: string[]) => {
        await giveConsent(h, keyworker, personId, { toAgencyId: agencyId }, categories);
        const sent = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: agencyId, kind, reason: 'Support', urgency: 'routine', caseId: opened.body.id });
        expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      };
      await share(housing.id, 'housing', ['identity', 'contact', 'housing']);
      await share(mentalHealth.id, 'mental_health', ['identity', 'contact', 'health', 'treatment_progress']);
      await share(probation.id, 'housing', ['identity', 'contact', 'housing', 'treatment_progress', 'offending']);
      // Custody on a day the review is overdue (the review clock paused, the flag kept).
      h.clock.advanceDays(10);
      await caseEvents(h, keyworker, opened.body.id as string, inTreatment.version as number, [{ type: 'CUSTODY_STARTED', custodyOn: h.clock.today() }]);
      return { caseId: opened.body.id as string, housingOfficer, nurse, officer };
    }

    it('shows an agency without consent to treatment progress only that the journey is open, and nothing of custody or treatment', async () => {
      const s = await setup();
      const res = await as(h, s.housingOfficer).get(`/api/v1/cases/${s.caseId}`);
      expect(res.status).toBe(200);
      for (const field of ['stage', 'state', 'stateValue', 'status', 'lastReviewOn', 'overdue', 'keyworkerId', 'custody', 'continuity', 'dueTimers', 'reviews', 'closedAt']) {
        expect(res.body, field).not.toHaveProperty(field);
      }
      expect(res.body).toMatchObject({ id: s.caseId, open: true });
      expect(JSON.stringify(res.body)).not.toMatch(/inCustody|inTreatment|Shoplifting/);
      for (const query of ['stage=inCustody', 'stage=inTreatment', `keyworker=${keyworker.id}`, 'overdue=true']) {
        const list = await as(h, s.housingOfficer).get(`/api/v1/cases?${query}`);
        expect(list.status).toBe(200);
        expect(list.body.items, query).toEqual([]);
      }
      expect((await as(h, s.housingOfficer).get('/api/v1/cases')).body.items.map((i: { id: string }) => i.id)).toEqual([s.caseId]);
    });

    it('shows an agency with treatment progress but not offending the stage the journey paused in, and finds it only there', async () => {
      const s = await setup();
      const res = await as(h, s.nurse).get(`/api/v1/cases/${s.caseId}`);
      expect(res.body).toMatchObject({ stage: 'inTreatment', state: 'inTreatment.active', stateValue: 'inTreatment.active', lastReviewOn: expect.any(String) });
      expect(res.body).not.toHaveProperty('custody');
      expect(JSON.stringify(res.body)).not.toContain('inCustody');
      expect((await as(h, s.nurse).get('/api/v1/cases?stage=inCustody')).body.items).toEqual([]);
      expect((await as(h, s.nurse).get('/api/v1/cases?stage=inTreatment')).body.items.map((i: { id: string }) => i.id)).toEqual([s.caseId]);
      const timeline = await as(h, s.nurse).get(`/api/v1/cases/${s.caseId}/timeline`);
      expect(JSON.stringify(timeline.body)).not.toMatch(/CUSTODY_STARTED|inCustody/);
      // The episode's substance group is substance use: not shared without it, in the view or the timeline.
      expect(res.body).not.toHaveProperty('substanceGroup');
      const assessed = (timeline.body.items as Array<{ type: string; payload: Record<string, unknown> }>).find((e) => e.type === 'ASSESSMENT_COMPLETED');
      expect(assessed?.payload).not.toHaveProperty('substanceGroup');
      expect((await as(h, keyworker).get(`/api/v1/cases/${s.caseId}`)).body.substanceGroup).toBe('opiate');
    });

    it('shows custody to an agency with consent to offending, and finds it by ?stage=inCustody', async () => {
      const s = await setup();
      const res = await as(h, s.officer).get(`/api/v1/cases/${s.caseId}`);
      expect(res.body).toMatchObject({ stage: 'inCustody', custody: { stageBeforeCustody: 'inTreatment.active' } });
      expect((await as(h, s.officer).get('/api/v1/cases?stage=inCustody')).body.items.map((i: { id: string }) => i.id)).toEqual([s.caseId]);
      expect((await as(h, keyworker).get('/api/v1/cases?stage=inCustody')).body.items.map((i: { id: string }) => i.id)).toEqual([s.caseId]);
    });
  });
});
