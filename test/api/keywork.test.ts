/**
 * A keyworker's day through the real API on both stores: the team queue and assignment,
 * appointments (booked, attended, missed, cancelled) with their follow-up tasks, "my day",
 * contact entries cut to consent, attendance reported back to Jobcentre Plus only with the
 * claimant's consent, and the police custody pathway's required assessment.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   response bodies are untyped JSON from supertest; the assertions are what check their shape */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/stores.ts';
import { as, createApiHarness, giveConsent, makeAgency, makePerson, makeUser, referralEvents, type ApiHarness, type TestUser } from '../support/api.ts';

describe.each(DIALECTS)('a keyworker’s day on %s', (dialect) => {
  let h: ApiHarness;
  let provider: { id: string };
  let keyworker: TestUser;
  let colleague: TestUser;
  let manager: TestUser;
  beforeEach(async () => {
    // Monday 2 March 2026, 10:00 UTC (also 10:00 in London).
    h = await createApiHarness(dialect, { start: '2026-03-02T10:00:00.000Z' });
    provider = await makeAgency(h, 'treatment_provider');
    keyworker = await makeUser(h, provider.id, 'keyworker');
    colleague = await makeUser(h, provider.id, 'keyworker');
    manager = await makeUser(h, provider.id, 'manager');
  });
  afterEach(async () => {
    await h.close();
  });

  /** A Jobcentre Plus referral accepted by the provider: the journey opens with no keyworker. */
  async function referredByJobcentre(categories: string[]) {
    const jcp = await makeAgency(h, 'jobcentre_plus');
    const coach = await makeUser(h, jcp.id, 'referrer');
    const personId = await makePerson(h, coach);
    await giveConsent(h, coach, personId, { toAgencyId: provider.id }, ['identity', 'contact', 'substance_use', 'treatment_progress']);
    await giveConsent(h, coach, personId, { toAgencyId: jcp.id }, categories);
    const sent = await as(h, coach).post('/api/v1/referrals', { personId, toAgencyId: provider.id, kind: 'treatment', reason: 'Asked for help with alcohol', urgency: 'routine' });
    expect(sent.status).toBe(201);
    const accepted = await referralEvents(h, keyworker, sent.body.id as string, [{ type: 'REFERRAL_ACCEPTED' }]);
    return { coach, personId, referralId: sent.body.id as string, caseId: accepted.caseId as string };
  }

  it('queues an accepted referral’s journey for the team until it is assigned, with caseload sizes', async () => {
    const { caseId } = await referredByJobcentre(['treatment_progress']);
    const queue = await as(h, manager).get('/api/v1/team-queue');
    expect(queue.status).toBe(200);
    expect(queue.body.journeys.map((j: { id: string }) => j.id)).toEqual([caseId]);
    expect(queue.body.journeys[0].personName).toMatch(/^Alex Tester/);
    expect(queue.body.keyworkers).toEqual(expect.arrayContaining([{ id: keyworker.id, name: expect.any(String), caseload: 0 }]));

    const assigned = await as(h, manager).post(`/api/v1/cases/${caseId}/assignment`, { keyworkerId: keyworker.id });
    expect(assigned.status).toBe(200);
    expect(assigned.body.keyworkerId).toBe(keyworker.id);
    const after = await as(h, keyworker).get('/api/v1/team-queue');
    expect(after.body.journeys).toEqual([]);
    expect(after.body.keyworkers.find((k: { id: string }) => k.id === keyworker.id).caseload).toBe(1);

    // Reassigning takes a reason, which the timeline keeps.
    const noReason = await as(h, manager).post(`/api/v1/cases/${caseId}/assignment`, { keyworkerId: colleague.id });
    expect(noReason.status).toBe(400);
    expect(noReason.body.issues[0].path).toBe('reason');
    const moved = await as(h, manager).post(`/api/v1/cases/${caseId}/assignment`, { keyworkerId: colleague.id, reason: 'Caseload balancing' });
    expect(moved.status).toBe(200);
    const timeline = await as(h, manager).get(`/api/v1/cases/${caseId}/timeline`);
    expect(timeline.body.items.at(-1)).toMatchObject({ type: 'KEYWORKER_ASSIGNED', payload: { keyworkerId: colleague.id, reason: 'Caseload balancing' } });
    const notKeyworker = await as(h, manager).post(`/api/v1/cases/${caseId}/assignment`, { keyworkerId: manager.id, reason: 'x' });
    expect(notKeyworker.status).toBe(400);
  });

  it('books, misses and follows up appointments; three missed in 28 days call a case review; tasks are assigned and done', async () => {
    const { caseId, coach, referralId } = await referredByJobcentre(['treatment_progress']);
    await as(h, manager).post(`/api/v1/cases/${caseId}/assignment`, { keyworkerId: keyworker.id });

    const booked = await as(h, keyworker).post(`/api/v1/cases/${caseId}/appointments`, { kind: 'keywork', startsAt: '2026-03-06T14:00:00Z', withWhom: 'Sam (keyworker)' });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ kind: 'keywork', status: 'booked', startsAt: '2026-03-06T14:00:00Z', bookedBy: keyworker.id });
    const apptId = booked.body.id as string;

    // Not missed before it starts.
    const early = await as(h, keyworker).post(`/api/v1/appointments/${apptId}/events`, { type: 'APPOINTMENT_MISSED' });
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/cannot be missed before it starts/);

    // Friday: it is in my day.
    h.clock.set('2026-03-06T09:00:00.000Z');
    const day = await as(h, keyworker).get('/api/v1/my-day');
    expect(day.status).toBe(200);
    expect(day.body.date).toBe('2026-03-06');
    expect(day.body.appointments.map((a: { id: string }) => a.id)).toEqual([apptId]);
    expect(day.body.appointments[0].personName).toMatch(/^Alex Tester/);

    h.clock.set('2026-03-06T15:00:00.000Z');
    const missed = await as(h, keyworker).post(`/api/v1/appointments/${apptId}/events`, { type: 'APPOINTMENT_MISSED' });
    expect(missed.status).toBe(200);
    expect(missed.body.status).toBe('did_not_attend');
    // Re-engage within 2 working days: Friday → Tuesday.
    const tasks = await as(h, keyworker).get('/api/v1/tasks?assignee=me');
    expect(tasks.body.items).toMatchObject([{ kind: 'dna_follow_up', appointmentId: apptId, dueOn: '2026-03-10', assigneeId: keyworker.id, status: 'open' }]);
    const again = await as(h, keyworker).post(`/api/v1/appointments/${apptId}/events`, { type: 'APPOINTMENT_ATTENDED' });
    expect(again.status).toBe(409);

    // Jobcentre Plus, with the claimant's consent naming it, hears of the did-not-attend.
    const reports = await as(h, coach).get(`/api/v1/referrals/${referralId}/attendance`);
    expect(reports.status).toBe(200);
    expect(reports.body.items).toEqual([expect.objectContaining({ appointmentId: apptId, status: 'did_not_attend', outcome: null, basis: 'consent' })]);

    // Two more misses within 28 days: a case review.
    for (const startsAt of ['2026-03-10T10:00:00Z', '2026-03-20T10:00:00Z']) {
      const b = await as(h, keyworker).post(`/api/v1/cases/${caseId}/appointments`, { kind: 'keywork', startsAt });
      h.clock.set(new Date(Date.parse(startsAt) + 3_600_000).toISOString());
      expect((await as(h, keyworker).post(`/api/v1/appointments/${b.body.id}/events`, { type: 'APPOINTMENT_MISSED' })).status).toBe(200);
    }
    const open = await as(h, keyworker).get('/api/v1/tasks');
    expect(open.body.items.map((t: { kind: string }) => t.kind).sort()).toEqual(['case_review', 'dna_follow_up', 'dna_follow_up', 'dna_follow_up']);

    // Assigned to a colleague, who does it with one click; who and when are kept.
    const review = open.body.items.find((t: { kind: string }) => t.kind === 'case_review');
    const handed = await as(h, keyworker).post(`/api/v1/tasks/${review.id}/events`, { type: 'TASK_ASSIGNED', assigneeId: colleague.id, reason: 'On leave' });
    expect(handed.status).toBe(200);
    expect(handed.body).toMatchObject({ assigneeId: colleague.id, assignedReason: 'On leave' });
    const theirs = await as(h, colleague).get('/api/v1/tasks?assignee=me');
    expect(theirs.body.items.map((t: { id: string }) => t.id)).toEqual([review.id]);
    const stranger = await makeUser(h, (await makeAgency(h, 'treatment_provider')).id, 'keyworker');
    const done = await as(h, colleague).post(`/api/v1/tasks/${review.id}/events`, { type: 'TASK_COMPLETED' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', doneBy: colleague.id, doneAt: h.clock.now().toISOString() });
    expect((await as(h, colleague).post(`/api/v1/tasks/${review.id}/events`, { type: 'TASK_COMPLETED' })).status).toBe(409);
    const toStranger = await as(h, keyworker).post(`/api/v1/tasks/${review.id}/events`, { type: 'TASK_ASSIGNED', assigneeId: stranger.id });
    expect(toStranger.status).toBe(400);
    expect(toStranger.body.issues[0].path).toBe('assigneeId');
    // …and the stranger cannot touch the task at all.
    expect((await as(h, stranger).post(`/api/v1/tasks/${review.id}/events`, { type: 'TASK_COMPLETED' })).status).toBe(404);

    // Cancelled by the person: no task, and nothing reported.
    const c = await as(h, keyworker).post(`/api/v1/cases/${caseId}/appointments`, { kind: 'group', startsAt: '2026-03-25T10:00:00Z' });
    const cancelled = await as(h, keyworker).post(`/api/v1/appointments/${c.body.id}/events`, { type: 'APPOINTMENT_CANCELLED', by: 'person', reason: 'Job interview' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled_by_person', cancellationReason: 'Job interview' });
    const list = await as(h, keyworker).get(`/api/v1/cases/${caseId}/appointments`);
    expect(list.body.items.map((a: { status: string }) => a.status)).toEqual(['did_not_attend', 'did_not_attend', 'did_not_attend', 'cancelled_by_person']);
    expect((await as(h, coach).get(`/api/v1/referrals/${referralId}/attendance`)).body.items).toHaveLength(3);
  });

  it('follows the service’s follow-up rules, says which are in force, and keeps on each did-not-attend the rules it was recorded under', async () => {
    expect((await as(h, keyworker).get('/api/v1/settings')).body).toEqual({ followUp: { followUpWorkingDays: 2, reviewAfterMissed: 3, missedWindowDays: 28 } });
    const ruled = await createApiHarness(dialect, { start: '2026-03-02T10:00:00.000Z', followUp: { followUpWorkingDays: 5, reviewAfterMissed: 2, missedWindowDays: 10 } });
    try {
      const agency = await makeAgency(ruled, 'treatment_provider');
      const kw = await makeUser(ruled, agency.id, 'keyworker');
      const admin = await makeUser(ruled, agency.id, 'admin');
      expect((await as(ruled, admin).get('/api/v1/settings')).body).toEqual({ followUp: { followUpWorkingDays: 5, reviewAfterMissed: 2, missedWindowDays: 10 } });
      const personId = await makePerson(ruled, kw);
      const opened = await as(ruled, kw).post('/api/v1/cases', { personId, referralSource: 'self', referredOn: '2026-03-02', keyworkerId: kw.id });
      expect(opened.status, JSON.stringify(opened.body)).toBe(201);
      const caseId = opened.body.id as string;
      const miss = async (startsAt: string) => {
        const b = await as(ruled, kw).post(`/api/v1/cases/${caseId}/appointments`, { kind: 'keywork', startsAt });
        ruled.clock.set(new Date(Date.parse(startsAt) + 3_600_000).toISOString());
        const missed = await as(ruled, kw).post(`/api/v1/appointments/${b.body.id as string}/events`, { type: 'APPOINTMENT_MISSED' });
        expect(missed.status, JSON.stringify(missed.body)).toBe(200);
        return b.body.id as string;
      };
      // Friday 6 March: re-engage within 5 working days → Friday 13 March.
      const first = await miss('2026-03-06T14:00:00Z');
      let tasks = (await as(ruled, kw).get('/api/v1/tasks?assignee=me')).body.items;
      expect(tasks).toMatchObject([{ kind: 'dna_follow_up', appointmentId: first, dueOn: '2026-03-13' }]);
      // A second miss 11 days later is outside the 10-day window: no review yet; a third within it calls one.
      await miss('2026-03-17T10:00:00Z');
      tasks = (await as(ruled, kw).get('/api/v1/tasks?assignee=me')).body.items;
      expect(tasks.map((t: { kind: string }) => t.kind).sort()).toEqual(['dna_follow_up', 'dna_follow_up']);
      await miss('2026-03-19T10:00:00Z');
      tasks = (await as(ruled, kw).get('/api/v1/tasks?assignee=me')).body.items;
      expect(tasks.map((t: { kind: string }) => t.kind).sort()).toEqual(['case_review', 'dna_follow_up', 'dna_follow_up', 'dna_follow_up']);
      // Each did-not-attend carries its rules, so a replay makes the same tasks whatever the settings are later.
      const events = await ruled.store.db.selectFrom('events').select('payload').where('stream_id', '=', caseId).where('type', '=', 'APPOINTMENT_MISSED').execute();
      expect(events.map((e) => (JSON.parse(e.payload) as { followUp?: unknown }).followUp)).toEqual(Array(3).fill({ followUpWorkingDays: 5, reviewAfterMissed: 2, missedWindowDays: 10 }));
      // The rules are the service's, not the caller's.
      const b = await as(ruled, kw).post(`/api/v1/cases/${caseId}/appointments`, { kind: 'keywork', startsAt: '2026-03-20T10:00:00Z' });
      ruled.clock.set('2026-03-20T12:00:00.000Z');
      const forged = await as(ruled, kw).post(`/api/v1/appointments/${b.body.id as string}/events`, { type: 'APPOINTMENT_MISSED', followUp: { followUpWorkingDays: 90, reviewAfterMissed: 99, missedWindowDays: 1 } });
      expect(forged.status).toBe(400);
    } finally {
      await ruled.close();
    }
  });

  it('reports nothing to Jobcentre Plus without the claimant’s consent to treatment progress', async () => {
    const { caseId, coach, referralId } = await referredByJobcentre(['identity']);
    const b = await as(h, keyworker).post(`/api/v1/cases/${caseId}/appointments`, { kind: 'three_way_jobcentre', startsAt: '2026-03-02T09:00:00Z' });
    const attended = await as(h, keyworker).post(`/api/v1/appointments/${b.body.id}/events`, { type: 'APPOINTMENT_ATTENDED', outcome: 'Agreed a work search plan' });
    expect(attended.status).toBe(200);
    expect((await as(h, coach).get(`/api/v1/referrals/${referralId}/attendance`)).body.items).toEqual([]);
    // Nor can the coach read the provider's diary.
    expect((await as(h, coach).get(`/api/v1/cases/${caseId}/appointments`)).status).toBe(404);
  });

  it('keeps contact entries append-only, checks their dates, and shares only consented categories', async () => {
    const { caseId, coach } = await referredByJobcentre(['treatment_progress']);
    const phone = await as(h, keyworker).post(`/api/v1/cases/${caseId}/contacts`, { contactOn: '2026-03-02', mode: 'phone', category: 'treatment_progress', summary: 'Confirmed first appointment' });
    expect(phone.status).toBe(201);
    expect(phone.body).toMatchObject({ mode: 'phone', authorId: keyworker.id, corrects: null, correctedBy: null });
    const health = await as(h, keyworker).post(`/api/v1/cases/${caseId}/contacts`, { contactOn: '2026-03-01', mode: 'home_visit', category: 'health', summary: 'Discussed liver function test' });
    expect(health.status).toBe(201);
    const future = await as(h, keyworker).post(`/api/v1/cases/${caseId}/contacts`, { contactOn: '2026-03-03', mode: 'phone', category: 'health', summary: 'x' });
    expect(future.status).toBe(409);
    expect(future.body.detail).toMatch(/not in the future/);
    const unknown = await as(h, keyworker).post(`/api/v1/cases/${caseId}/contacts`, { contactOn: '2026-03-02', mode: 'letter', category: 'health', summary: 'x', corrects: coach.id });
    expect(unknown.status).toBe(409);

    const fix = await as(h, keyworker).post(`/api/v1/cases/${caseId}/contacts`, { contactOn: '2026-03-02', mode: 'phone', category: 'treatment_progress', summary: 'Confirmed first appointment for Friday, not Thursday', corrects: phone.body.id });
    expect(fix.status).toBe(201);
    const mine = await as(h, keyworker).get(`/api/v1/cases/${caseId}/contacts`);
    expect(mine.body.items).toHaveLength(3);
    expect(mine.body.items.find((c: { id: string }) => c.id === phone.body.id)).toMatchObject({ summary: 'Confirmed first appointment', correctedBy: fix.body.id });

    // Jobcentre Plus holds the referral and consent to treatment progress, not health.
    const theirs = await as(h, coach).get(`/api/v1/cases/${caseId}/contacts`);
    expect(theirs.status).toBe(200);
    expect(theirs.body.items.map((c: { category: string }) => c.category)).toEqual(['treatment_progress', 'treatment_progress']);
    expect(JSON.stringify(theirs.body)).not.toContain('liver');
    const timeline = await as(h, coach).get(`/api/v1/cases/${caseId}/timeline`);
    expect(JSON.stringify(timeline.body)).not.toContain('liver');
    expect(timeline.body.items.filter((e: { type: string }) => e.type === 'CONTACT_RECORDED')).toHaveLength(2);
    // A partner reads; it does not write the provider's record.
    expect((await as(h, coach).post(`/api/v1/cases/${caseId}/contacts`, { contactOn: '2026-03-02', mode: 'phone', category: 'employment', summary: 'x' })).status).toBe(403);
  });

  it('runs the police custody pathway: a required assessment with its outcome, a follow-up missed, both reported to the custody team', async () => {
    const custody = await makeAgency(h, 'police_custody');
    const officer = await makeUser(h, custody.id, 'referrer');
    const personId = await makePerson(h, officer);
    // Consent to the referral's own needs only: nothing about treatment progress.
    await giveConsent(h, officer, personId, { toAgencyId: provider.id }, ['identity', 'contact', 'substance_use']);
    const sent = await as(h, officer).post('/api/v1/referrals', { personId, toAgencyId: provider.id, kind: 'treatment', reason: 'Positive test for opiates on arrest; required assessment', urgency: 'urgent' });
    expect(sent.status).toBe(201);
    const caseId = (await referralEvents(h, keyworker, sent.body.id as string, [{ type: 'REFERRAL_ACCEPTED' }])).caseId as string;

    const required = await as(h, keyworker).post(`/api/v1/cases/${caseId}/appointments`, { kind: 'required_assessment', startsAt: '2026-03-02T09:30:00Z', partnerAgencyId: custody.id });
    const noOutcome = await as(h, keyworker).post(`/api/v1/appointments/${required.body.id}/events`, { type: 'APPOINTMENT_ATTENDED' });
    expect(noOutcome.status).toBe(409);
    expect(noOutcome.body.detail).toMatch(/needs its outcome/);
    const attended = await as(h, keyworker).post(`/api/v1/appointments/${required.body.id}/events`, { type: 'APPOINTMENT_ATTENDED', outcome: 'Assessed: follow-up assessment required' });
    expect(attended.status).toBe(200);

    const followUp = await as(h, keyworker).post(`/api/v1/cases/${caseId}/appointments`, { kind: 'follow_up_assessment', startsAt: '2026-03-09T09:30:00Z', partnerAgencyId: custody.id });
    const keywork = await as(h, keyworker).post(`/api/v1/cases/${caseId}/appointments`, { kind: 'keywork', startsAt: '2026-03-09T11:00:00Z' });
    h.clock.set('2026-03-09T12:00:00.000Z');
    expect((await as(h, keyworker).post(`/api/v1/appointments/${followUp.body.id}/events`, { type: 'APPOINTMENT_MISSED' })).status).toBe(200);
    expect((await as(h, keyworker).post(`/api/v1/appointments/${keywork.body.id}/events`, { type: 'APPOINTMENT_ATTENDED' })).status).toBe(200);

    const reports = await as(h, officer).get(`/api/v1/referrals/${sent.body.id}/attendance`);
    expect(reports.body.items).toEqual([
      expect.objectContaining({ kind: 'required_assessment', status: 'attended', outcome: 'Assessed: follow-up assessment required', basis: 'custody_required_assessment' }),
      expect.objectContaining({ kind: 'follow_up_assessment', status: 'did_not_attend', basis: 'custody_required_assessment' }),
    ]);
    // The ordinary keywork session stays with the provider.
    expect(JSON.stringify(reports.body)).not.toContain(keywork.body.id);
    const audit = await h.store.db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'attendance').where('entity_id', '=', sent.body.id).execute();
    expect(audit).toHaveLength(1);
  });
});
