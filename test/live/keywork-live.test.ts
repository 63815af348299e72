/**
 * A keyworker's day, live: attendance and did-not-attend reach the referring Jobcentre
 * Plus office over its socket only where the claimant consented to that office for
 * treatment progress (`attendance.reported`), and a contact entry's `case.changed` names
 * its type only to an agency that may see the entry's category.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachAttendanceReports } from '../../src/keywork/attendance-reports.ts';
import { agencyRoom } from '../../src/live/live-events.ts';
import { addPerson } from '../metrics/cohort-builder.ts';
import { addAgency, addConsent, spy, startLiveWorld, type LiveWorld, type Spy } from './live-world.ts';

describe.each(['sqlite', 'postgres'] as const)('a keyworker’s day, live (%s)', (dialect) => {
  let w: LiveWorld;
  let provider: string;
  let jcp: string;
  let keyworker: string;
  let coach: string;
  let coachSpy: Spy;
  let otherSpy: Spy;
  let detach: () => void;

  beforeAll(async () => {
    w = await startLiveWorld(dialect);
    // Wired as startPathways wires it.
    detach = attachAttendanceReports({ engine: w.engine, db: w.store.db, io: w.live.io, now: w.clock.now, room: agencyRoom });
    provider = await addAgency(w.store.db, 'treatment_provider', 'North');
    jcp = await addAgency(w.store.db, 'jobcentre_plus', 'North');
    const other = await addAgency(w.store.db, 'jobcentre_plus', 'North');
    keyworker = (await w.user(provider, 'keyworker')).token;
    coach = (await w.user(jcp, 'referrer')).token;
    coachSpy = await spy(w.url, { token: coach });
    otherSpy = await spy(w.url, { token: (await w.user(other, 'referrer')).token });
  }, 60_000);

  afterAll(async () => {
    detach();
    coachSpy.socket.close();
    otherSpy.socket.close();
    await w.close();
  });

  /** A claimant referred by the jobcentre (TPR1), accepted: returns the journey id. */
  async function referred(jcpCategories: string[]): Promise<string> {
    const personId = await addPerson(w.store.db, jcp);
    await addConsent(w.store, personId, provider, ['identity', 'contact', 'substance_use']);
    if (jcpCategories.length > 0) await addConsent(w.store, personId, jcp, jcpCategories);
    const sent = await w.api(coach, 'POST', '/api/v1/referrals', { personId, toAgencyId: provider, kind: 'treatment', reason: 'Help with alcohol', urgency: 'routine' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const accepted = await w.api(keyworker, 'POST', `/api/v1/referrals/${String(sent.body.id)}/events`, { type: 'REFERRAL_ACCEPTED' });
    return accepted.body.caseId as string;
  }

  async function missedAppointment(caseId: string): Promise<string> {
    const booked = await w.api(keyworker, 'POST', `/api/v1/cases/${caseId}/appointments`, { kind: 'keywork', startsAt: '2026-03-02T09:00:00Z' });
    expect(booked.status).toBe(201);
    const id = booked.body.id as string;
    expect((await w.api(keyworker, 'POST', `/api/v1/appointments/${id}/events`, { type: 'APPOINTMENT_MISSED' })).status).toBe(200);
    return id;
  }

  it('reports a did-not-attend to the referring office only with the claimant’s consent', async () => {
    const withoutConsent = await missedAppointment(await referred(['identity']));
    const withConsent = await missedAppointment(await referred(['identity', 'treatment_progress']));
    const report = await coachSpy.waitFor((m) => m.event === 'attendance.reported' && m.payload.appointmentId === withConsent);
    expect(report.payload).toMatchObject({ status: 'did_not_attend', kind: 'keywork', basis: 'consent', outcome: null });
    expect(typeof report.payload.seq).toBe('number');
    // Reports leave in commit order: the earlier, unconsented one would have come first.
    expect(coachSpy.about(withoutConsent)).toEqual([]);
    await w.live.drain();
    expect(otherSpy.received.filter((m) => m.event === 'attendance.reported')).toEqual([]);
  });

  it('tells a partner a journey with a contact entry changed, never what the entry was', async () => {
    const caseId = await referred(['identity', 'treatment_progress']);
    const health = await w.api(keyworker, 'POST', `/api/v1/cases/${caseId}/contacts`, { contactOn: '2026-03-02', mode: 'phone', category: 'health', summary: 'Liver function test booked' });
    expect(health.status).toBe(201);
    const booked = await w.api(keyworker, 'POST', `/api/v1/cases/${caseId}/appointments`, { kind: 'group', startsAt: '2026-03-05T10:00:00Z' });
    expect(booked.status).toBe(201);
    // The booking after it is named (treatment progress); the entry before it only says "changed".
    const named = await coachSpy.waitFor((m) => m.event === 'case.changed' && m.payload.id === caseId && m.payload.type === 'APPOINTMENT_BOOKED');
    const entry = coachSpy.received.filter((m) => m.event === 'case.changed' && m.payload.id === caseId && m.payload.version === (named.payload.version as number) - 1);
    expect(entry).toHaveLength(1);
    expect(entry[0]!.payload.type).toBeUndefined();
    expect(JSON.stringify(coachSpy.about(caseId))).not.toContain('Liver');
    // What the partner may read of the entries, it reads from the API, cut to its categories.
    expect((await w.api(coach, 'GET', `/api/v1/cases/${caseId}/contacts`)).body.items).toEqual([]);
  });
});
