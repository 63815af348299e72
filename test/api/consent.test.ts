/**
 * Consent at the API: no consent → 422 naming what is missing; a withdrawal cuts access
 * at once; a receiving agency never sees a category it has no consent for; a safeguarding
 * override is recorded and flagged to auditors.
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

describe.each(DIALECTS)('consent on %s', (dialect) => {
  let h: ApiHarness;
  let provider: { id: string };
  let keyworker: TestUser;
  let probation: { id: string };
  let officer: TestUser;
  let personId: string;
  beforeEach(async () => {
    h = await createApiHarness(dialect);
    provider = await makeAgency(h, 'treatment_provider');
    keyworker = await makeUser(h, provider.id, 'keyworker');
    probation = await makeAgency(h, 'probation');
    officer = await makeUser(h, probation.id, 'referrer');
    personId = await makePerson(h, keyworker, { nhsNumber: '9434765919' });
  });
  afterEach(async () => {
    await h.close();
  });

  /** A journey at the provider, in treatment, with an assessment and a TOP. */
  async function journeyInTreatment(): Promise<{ id: string; version: number }> {
    const opened = await as(h, keyworker).post('/api/v1/cases', { personId, referralSource: 'probation', referredOn: h.clock.today() });
    expect(opened.status).toBe(201);
    const c = await caseEvents(h, keyworker, opened.body.id as string, opened.body.version as number, [
      { type: 'SCREENING_STARTED' },
      { type: 'SCREENING_COMPLETED', outcome: 'assess' },
      { type: 'ASSESSMENT_COMPLETED', domains: { substanceUse: 'Crack cocaine', offending: 'Shoplifting', mentalHealth: 'Low mood', housingNeed: 'none' } },
      { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'i1', modality: 'structured_psychosocial' }] },
      { type: 'INTERVENTION_OFFERED', interventionId: 'i1' },
      { type: 'INTERVENTION_STARTED', interventionId: 'i1' },
      { type: 'TOP_RECORDED', top: makeTop('start', h.clock.today()) },
    ]);
    return { id: c.id as string, version: c.version as number };
  }

  it('refuses a referral without consent with 422 naming the missing consent, and writes nothing', async () => {
    const res = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: probation.id, kind: 'housing', reason: 'Needs housing help', urgency: 'routine' });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'consent_required', missing: { personId, toAgencyId: probation.id, categories: ['identity', 'contact', 'housing'] } });
    expect(res.body.detail).toMatch(/identity, contact, housing/);
    const count = await h.store.db.selectFrom('referrals').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);

    // Partial consent is still refused, naming only what is missing.
    await giveConsent(h, keyworker, personId, { toAgencyId: probation.id }, ['identity', 'contact']);
    const partial = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: probation.id, kind: 'housing', reason: 'Needs housing help', urgency: 'routine' });
    expect(partial.status).toBe(422);
    expect(partial.body.missing.categories).toEqual(['housing']);
  });

  it('a receiving agency sees only consented categories of the person, the journey and its timeline', async () => {
    const journey = await journeyInTreatment();
    // Probation may see identity and treatment progress, and offending — not substance use, health, contact.
    await giveConsent(h, keyworker, personId, { toAgencyId: probation.id }, ['identity', 'treatment_progress', 'offending', 'safeguarding']);
    const sent = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: probation.id, kind: 'safeguarding', reason: 'Concern for children at home', urgency: 'urgent', caseId: journey.id });
    expect(sent.status).toBe(201);

    const person = await as(h, officer).get(`/api/v1/people/${personId}`);
    expect(person.status).toBe(200);
    expect(person.body.givenName).toBe('Alex');
    expect(person.body.nhsNumber).toBe('9434765919');
    expect(person.body.parentalResponsibility).toBe(true);
    expect(person.body).not.toHaveProperty('contact');
    expect(person.body).not.toHaveProperty('pregnant');
    expect(person.body.withheld).toEqual(expect.arrayContaining(['contact', 'health', 'substance_use']));
    expect(JSON.stringify(person.body)).not.toContain('Canal Street');

    const seen = await as(h, officer).get(`/api/v1/cases/${journey.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.stage).toBe('inTreatment');
    expect(seen.body.assessment.domains).toEqual({ offending: 'Shoplifting' });
    const top = seen.body.tops[0];
    expect(top).toHaveProperty('shopliftingDays');
    expect(top).not.toHaveProperty('substanceDays');
    expect(top).not.toHaveProperty('psychologicalHealth');
    expect(top).not.toHaveProperty('atRiskOfEviction');
    expect(JSON.stringify(seen.body)).not.toMatch(/Crack cocaine|Low mood|opiates/);

    const timeline = await as(h, officer).get(`/api/v1/cases/${journey.id}/timeline`);
    expect(timeline.status).toBe(200);
    expect(JSON.stringify(timeline.body)).not.toMatch(/Crack cocaine|Low mood|substanceDays|psychologicalHealth/);
    expect(timeline.body.items.map((e: { type: string }) => e.type)).toContain('ASSESSMENT_COMPLETED');

    // The list carries the same cut.
    const list = await as(h, officer).get('/api/v1/cases');
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toMatch(/Crack cocaine|substanceDays/);
  });

  it('withdrawing consent stops the flow at once: what was held stays as it was, marked; nothing new; the person and accepting refused', async () => {
    const journey = await journeyInTreatment();
    const consentId = await giveConsent(h, keyworker, personId, { toAgencyId: probation.id }, ['identity', 'contact', 'housing', 'treatment_progress']);
    const sent = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: probation.id, kind: 'housing', reason: 'Housing advice', urgency: 'routine', caseId: journey.id });
    expect(sent.status).toBe(201);
    expect((await as(h, officer).get(`/api/v1/people/${personId}`)).status).toBe(200);
    const before = await as(h, officer).get(`/api/v1/cases/${journey.id}`);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ stage: 'inTreatment', consentWithdrawn: false, sharedUntil: null });

    h.clock.set(new Date(h.clock.now().getTime() + 60_000).toISOString());
    const withdrawn = await as(h, keyworker).post(`/api/v1/people/${personId}/consents/${consentId}/withdraw`, { reason: 'Person asked us to stop sharing' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ active: false, withdrawnBy: keyworker.id });
    const sharedUntil = withdrawn.body.withdrawnAt as string;
    // The journey moves on after the withdrawal.
    h.clock.set(new Date(h.clock.now().getTime() + 60_000).toISOString());
    await caseEvents(h, keyworker, journey.id, journey.version, [{ type: 'CUSTODY_STARTED' }]);

    const person = await as(h, officer).get(`/api/v1/people/${personId}`);
    expect(person.status).toBe(404);
    expect(JSON.stringify(person.body)).not.toContain('Alex');
    const c = await as(h, officer).get(`/api/v1/cases/${journey.id}`);
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ id: journey.id, version: journey.version, stage: 'inTreatment', consentWithdrawn: true, sharedUntil, dueTimers: [], allowedEvents: [] });
    expect(c.body).not.toHaveProperty('person');
    const timeline = await as(h, officer).get(`/api/v1/cases/${journey.id}/timeline`);
    expect(timeline.body).toMatchObject({ consentWithdrawn: true, sharedUntil });
    expect(timeline.body.items.map((e: { type: string }) => e.type)).not.toContain('CUSTODY_STARTED');
    expect(timeline.body.items.at(-1).version).toBe(journey.version);
    // Nothing new in lists: the journey is no longer listed for the agency.
    expect((await as(h, officer).get('/api/v1/cases')).body.items).toEqual([]);
    const referral = await as(h, officer).get(`/api/v1/referrals/${sent.body.id as string}`);
    expect(referral.status).toBe(200);
    expect(referral.body).not.toHaveProperty('person');
    expect(referral.body).toMatchObject({ reason: 'Housing advice', status: 'requested', consentWithdrawn: true, sharedUntil });
    expect(referral.body.withheld).toEqual(expect.arrayContaining(['person']));
    const accept = await as(h, officer).post(`/api/v1/referrals/${sent.body.id as string}/events`, { type: 'REFERRAL_ACCEPTED' });
    expect(accept.status).toBe(422);
    expect(accept.body.code).toBe('consent_required');

    const again = await as(h, keyworker).post(`/api/v1/people/${personId}/consents/${consentId}/withdraw`, {});
    expect(again.status).toBe(409);
  });

  it('a consent ends after its last valid day', async () => {
    const res = await as(h, keyworker).post(`/api/v1/people/${personId}/consents`, {
      toAgencyId: probation.id,
      categories: ['identity', 'contact', 'housing'],
      purpose: 'Housing advice this week',
      validUntil: h.clock.today(),
    });
    expect(res.status).toBe(201);
    const sent = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: probation.id, kind: 'housing', reason: 'Housing advice', urgency: 'routine' });
    expect(sent.status).toBe(201);
    expect((await as(h, officer).get(`/api/v1/people/${personId}`)).status).toBe(200);
    h.clock.advanceDays(1);
    expect((await as(h, officer).get(`/api/v1/people/${personId}`)).status).toBe(404);
    const again = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: probation.id, kind: 'housing', reason: 'Housing advice', urgency: 'routine' });
    expect(again.status).toBe(422);
    const listed = await as(h, keyworker).get(`/api/v1/people/${personId}/consents`);
    expect(listed.body.items[0]).toMatchObject({ active: false, validUntil: res.body.validUntil });
  });

  it('a safeguarding override sends without consent, is recorded and flagged to auditors', async () => {
    const children = await makeAgency(h, 'children_services');
    const social = await makeUser(h, children.id, 'referrer');
    const auditor = await makeUser(h, provider.id, 'auditor');
    const short = await as(h, keyworker).post('/api/v1/referrals', { personId, toAgencyId: children.id, kind: 'safeguarding', reason: 'Child at risk', urgency: 'urgent', safeguardingOverride: { justification: 'risk' } });
    expect(short.status).toBe(400);
    expect(short.body.issues[0].path).toBe('safeguardingOverride.justification');

    const sent = await as(h, keyworker).post('/api/v1/referrals', {
      personId,
      toAgencyId: children.id,
      kind: 'safeguarding',
      reason: 'Child at risk',
      urgency: 'urgent',
      safeguardingOverride: { justification: 'Disclosed that a child at home is left alone while parent uses; immediate risk.' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.safeguardingOverride).toMatchObject({ by: keyworker.id });
    // The receiver sees what a safeguarding referral shares (identity, safeguarding) and no more.
    const seen = await as(h, social).get(`/api/v1/people/${personId}`);
    expect(seen.status).toBe(200);
    expect(seen.body.parentalResponsibility).toBe(true);
    expect(seen.body).not.toHaveProperty('contact');
    await referralEvents(h, social, sent.body.id as string, [{ type: 'REFERRAL_ACCEPTED' }]);

    const flagged = await as(h, auditor).get('/api/v1/audit?flagged=true');
    expect(flagged.status).toBe(200);
    expect(flagged.body.items).toHaveLength(1);
    expect(flagged.body.items[0]).toMatchObject({ action: 'override', personId, userId: keyworker.id, flagged: true, entityId: sent.body.id });
    // The justification is read by the area auditor, who reviews overrides; the agency auditor sees that one happened.
    expect(flagged.body.items[0]).toMatchObject({ purpose: null, withheld: ['overrideJustification'] });
    const areaAuditor = await makeUser(h, provider.id, 'area_auditor');
    const reviewed = await as(h, areaAuditor).get('/api/v1/audit?flagged=true');
    expect(reviewed.body.items[0].purpose).toMatch(/child at home/);
    const reads = await as(h, auditor).get(`/api/v1/audit?personId=${personId}&userId=${social.id}&action=read`);
    expect(reads.body.items.length).toBeGreaterThan(0);
  });
});
