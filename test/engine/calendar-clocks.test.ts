/**
 * Every clock on days N − 1, N and N + 1 of its standard, in Europe/London calendar days,
 * and across the clock changes of late March and late October: the journey's (or
 * referral's) own flag, the list's `?overdue=true`, the live `deadline.breached` message
 * and the published measure must agree at each moment. "Within N days" runs to the last
 * instant of local day N; the breach is the first instant of day N + 1. The instants below
 * are worked out by hand (BST is UTC+1 from 29 March to 25 October 2026).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/stores.ts';
import { addAgency, addPerson, intoTreatment, openJourney, sendReferral, type StreamDriver } from '../metrics/cohort-builder.ts';
import { spy, startLiveWorld, type LiveWorld, type Spy } from '../live/live-world.ts';

interface Clock {
  /** The journey flag (`overdue.<flag>`) or referral flag (`overdue.firstContact`). */
  flag: string;
  /** The `deadline.breached` message's `deadline`. */
  deadline: string;
  /** The figure of `GET /metrics/deadlines` that counts it. */
  figure: string;
}

const TWO_YEARS = 2 * 366 * 24 * 60;
const WAITING: Clock = { flag: 'waitingTime', deadline: 'waiting_time', figure: 'waitingOver21Days' };
const REVIEW: Clock = { flag: 'review', deadline: 'review', figure: 'reviewsOverdue' };
const CONTINUITY: Clock = { flag: 'continuityOfCare', deadline: 'continuity_of_care', figure: 'continuityOver21Days' };
const FIRST_CONTACT: Clock = { flag: 'firstContact', deadline: 'first_contact', figure: 'referralsNotContacted' };

describe.each(DIALECTS)('calendar-day clocks agree everywhere (%s)', (dialect) => {
  let world: LiveWorld;
  let area: string;

  beforeAll(async () => {
    world = await startLiveWorld(dialect, { now: '2026-01-01T12:00:00.000Z' });
    area = `clocks-${dialect}`;
  });
  afterAll(async () => {
    await world.close();
  });

  /** A fresh agency (so its figures count this one stream) with a keyworker, a manager and a socket. */
  async function agency(kind = 'treatment_provider') {
    const agencyId = await addAgency(world.store.db, kind, area);
    // Tokens outlast the year the clock moves through.
    const keyworker = await world.user(agencyId, 'keyworker', TWO_YEARS);
    const manager = await world.user(agencyId, 'manager', TWO_YEARS);
    const socket = await spy(world.url, { token: keyworker.token });
    return { agencyId, keyworker, manager, socket };
  }

  /** Sweeps the timers due at `at`, then reads the four places the deadline shows and expects each to say `breached`. */
  async function expectAt(
    at: string,
    breached: boolean,
    o: { stream: 'case' | 'referral'; id: string; clock: Clock; agencyId: string; token: string; managerToken: string; socket: Spy; dueAt: string },
  ): Promise<void> {
    world.clock.set(at);
    const swept = await world.engine.sweepDueTimers({ now: new Date(at) });
    const path = o.stream === 'case' ? `/api/v1/cases/${o.id}` : `/api/v1/referrals/${o.id}`;
    const view = await world.api(o.token, 'GET', path);
    expect(view.status).toBe(200);
    const flag = (view.body.overdue as Record<string, boolean>)[o.clock.flag];
    const listPath = o.stream === 'case' ? '/api/v1/cases?overdue=true' : '/api/v1/referrals?overdue=true&box=inbox';
    const list = await world.api(o.token, 'GET', listPath);
    const listed = (list.body.items as Array<{ id: string }>).some((i) => i.id === o.id);
    const measures = await world.api(o.managerToken, 'GET', `/api/v1/metrics/deadlines?agencyId=${o.agencyId}&asOf=${encodeURIComponent(at)}`);
    expect(measures.status).toBe(200);
    const counted = (measures.body[o.clock.figure] as { total: number }).total;
    const isBreach = (m: { event: string; payload: Record<string, unknown> }) => m.event === 'deadline.breached' && m.payload.id === o.id && m.payload.deadline === o.clock.deadline;
    if (breached && swept.fired > 0) await o.socket.waitFor(isBreach);
    const messages = o.socket.received.filter(isBreach);
    expect({ at, flag, listed, counted, messages: messages.length }).toEqual({ at, flag: breached, listed: breached, counted: breached ? 1 : 0, messages: breached ? 1 : 0 });
    if (breached) expect(messages[0]?.payload.at).toBe(o.dueAt);
  }

  /** A journey referred on `referredOn`, opened by a keyworker of a fresh agency. */
  async function journey(referredOn: string) {
    const a = await agency();
    const personId = await addPerson(world.store.db, a.agencyId);
    const j = await openJourney(world.engine, world.clock, { personId, agencyId: a.agencyId, referredOn, actor: { userId: a.keyworker.id, agencyId: a.agencyId } });
    return { ...a, j };
  }

  const on = (a: Awaited<ReturnType<typeof journey>>, clock: Clock, dueAt: string) => ({
    stream: 'case' as const,
    id: a.j.id,
    clock,
    agencyId: a.agencyId,
    token: a.keyworker.token,
    managerToken: a.manager.token,
    socket: a.socket,
    dueAt,
  });

  it('21-day wait in summer: day 21 (25 May) is within, the breach is midnight BST starting 26 May', async () => {
    const a = await journey('2026-05-04');
    const o = on(a, WAITING, '2026-05-25T23:00:00.000Z');
    await expectAt('2026-05-24T11:00:00.000Z', false, o); // day 20
    await expectAt('2026-05-25T11:00:00.000Z', false, o); // day 21
    await expectAt('2026-05-25T22:59:59.999Z', false, o); // last instant of day 21 (23:59:59.999 BST)
    await expectAt('2026-05-25T23:00:00.000Z', true, o); // 00:00 BST, day 22
    await expectAt('2026-05-26T11:00:00.000Z', true, o); // day 22
    a.socket.socket.close();
  });

  it('21-day wait across the March change: referred 10 March (GMT), breached at midnight BST starting 1 April', async () => {
    const a = await journey('2026-03-10');
    const o = on(a, WAITING, '2026-03-31T23:00:00.000Z');
    await expectAt('2026-03-30T12:00:00.000Z', false, o); // day 20
    await expectAt('2026-03-31T22:59:59.999Z', false, o); // day 21, 23:59:59.999 BST
    await expectAt('2026-03-31T23:00:00.000Z', true, o); // day 22, 00:00 BST
    a.socket.socket.close();
  });

  it('21-day wait across the October change: referred 10 October (BST), breached at midnight GMT starting 1 November', async () => {
    const a = await journey('2026-10-10');
    const o = on(a, WAITING, '2026-11-01T00:00:00.000Z');
    await expectAt('2026-10-30T12:00:00.000Z', false, o); // day 20
    await expectAt('2026-10-31T23:59:59.999Z', false, o); // day 21, 23:59:59.999 GMT
    await expectAt('2026-11-01T00:00:00.000Z', true, o); // day 22
    a.socket.socket.close();
  });

  it('a first intervention on day 21 stops the wait in time', async () => {
    const a = await journey('2026-06-01');
    await intoTreatment(a.j, '2026-06-01', '2026-06-22T22:30:00.000Z'); // 23:30 BST on day 21
    const o = on(a, WAITING, '');
    await expectAt('2026-06-23T12:00:00.000Z', false, o);
    const started = await world.api(a.manager.token, 'GET', `/api/v1/metrics/outcomes?agencyId=${a.agencyId}&from=2026-06-01&to=2026-06-30&asOf=2026-06-23T12:00:00.000Z`);
    expect((started.body.startedWithin21Days as { rows: Array<{ started: number; within: number }> }).rows).toEqual([expect.objectContaining({ started: 1, within: 1 })]);
    a.socket.socket.close();
  });

  it('a first intervention recorded late, dated day 14, withdraws the breach: flag, list and measure agree, the breach stays in the log', async () => {
    const a = await journey('2026-06-01');
    const o = on(a, WAITING, '2026-06-22T23:00:00.000Z');
    await expectAt('2026-06-23T12:00:00.000Z', true, o);
    // The breach timer moved the journey on: carry on from its version.
    a.j.version = (await world.store.db.selectFrom('cases').select('version').where('id', '=', a.j.id).executeTakeFirstOrThrow()).version;
    // Recorded on day 30: the person started on day 14.
    await a.j.on('2026-06-30T09:00:00.000Z', { type: 'SCREENING_STARTED' });
    await a.j.on('2026-06-30T09:05:00.000Z', { type: 'SCREENING_COMPLETED', outcome: 'assess' });
    await a.j.on('2026-06-30T09:10:00.000Z', { type: 'ASSESSMENT_COMPLETED', domains: {} });
    await a.j.on('2026-06-30T09:15:00.000Z', { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'i1', modality: 'structured_psychosocial' }] });
    await a.j.on('2026-06-30T09:20:00.000Z', { type: 'INTERVENTION_OFFERED', interventionId: 'i1', offeredOn: '2026-06-10' });
    await a.j.on('2026-06-30T09:25:00.000Z', { type: 'INTERVENTION_STARTED', interventionId: 'i1', startedOn: '2026-06-15' });
    const row = await world.store.db.selectFrom('cases').select(['snapshot', 'overdue', 'version']).where('id', '=', a.j.id).executeTakeFirstOrThrow();
    // The answer to the start was the journey after the engine's correcting event: its version is the one to send next.
    expect(a.j.version).toBe(row.version);
    const startedSeq = Number((await world.store.db.selectFrom('events').select('seq').where('stream_id', '=', a.j.id).where('type', '=', 'INTERVENTION_STARTED').executeTakeFirstOrThrow()).seq);
    const reason = 'first intervention started on 2026-06-15, within 21 days of 2026-06-01 (recorded after the breach)';
    const context = (JSON.parse(row.snapshot) as { context: Record<string, unknown> }).context;
    expect(context.waitingTimeBreached).toBe(false);
    expect(context.withdrawnBreaches).toEqual([{ deadline: 'waiting_time', withdrawnOn: '2026-06-30', reason, byEventSeq: startedSeq }]);
    // The engine appended the correcting event right after the fact, in the same unit, by the same user.
    const correction = await world.store.db.selectFrom('events').selectAll().where('stream_id', '=', a.j.id).where('type', '=', 'BREACH_WITHDRAWN').execute();
    expect(correction).toHaveLength(1);
    expect(Number(correction[0]?.seq)).toBe(startedSeq + 1);
    expect(correction[0]?.user_id).toBe(a.keyworker.id);
    expect(JSON.parse(correction[0]?.payload ?? '{}')).toEqual({ clock: 'waiting_time', breachedAt: '2026-06-22T23:00:00.000Z', reason, byEventSeq: startedSeq });
    // Live: the keyworker's socket hears it as a change of the journey.
    await a.socket.waitFor((m) => m.event === 'case.changed' && m.payload.id === a.j.id && m.payload.type === 'BREACH_WITHDRAWN');
    // The timeline shows it.
    const timeline = await world.api(a.keyworker.token, 'GET', `/api/v1/cases/${a.j.id}/timeline`);
    expect(JSON.stringify(timeline.body)).toContain('BREACH_WITHDRAWN');
    expect(row.overdue).toBe(0);
    const list = await world.api(a.keyworker.token, 'GET', '/api/v1/cases?overdue=true');
    expect((list.body.items as Array<{ id: string }>).some((i) => i.id === a.j.id)).toBe(false);
    const view = await world.api(a.keyworker.token, 'GET', `/api/v1/cases/${a.j.id}`);
    expect((view.body.overdue as Record<string, boolean>).waitingTime).toBe(false);
    const measures = await world.api(a.manager.token, 'GET', `/api/v1/metrics/deadlines?agencyId=${a.agencyId}&asOf=2026-06-30T12:00:00.000Z`);
    expect((measures.body.waitingOver21Days as { total: number }).total).toBe(0);
    const outcomes = await world.api(a.manager.token, 'GET', `/api/v1/metrics/outcomes?agencyId=${a.agencyId}&from=2026-06-01&to=2026-06-30&asOf=2026-06-23T12:00:00.000Z`);
    expect((outcomes.body.startedWithin21Days as { rows: unknown[] }).rows).toEqual([{ group: 'all', started: 1, within: 1, share: 1 }]);
    // The breach stays in the log.
    const logged = await world.store.db.selectFrom('events').select('type').where('stream_id', '=', a.j.id).where('type', '=', 'WAITING_TIME_BREACHED').execute();
    expect(logged).toHaveLength(1);
    a.socket.socket.close();
  });

  it('182-day review across the March change: started 22 January, day 182 (23 July) within, overdue from midnight BST starting 24 July', async () => {
    const a = await journey('2026-01-12');
    await intoTreatment(a.j, '2026-01-12', '2026-01-22');
    const o = on(a, REVIEW, '2026-07-23T23:00:00.000Z');
    await expectAt('2026-07-22T12:00:00.000Z', false, o); // day 181
    await expectAt('2026-07-23T22:59:59.999Z', false, o); // day 182, 23:59:59.999 BST
    await expectAt('2026-07-23T23:00:00.000Z', true, o); // day 183
    a.socket.socket.close();
  });

  it('182-day review: custody neither pauses nor restarts it (the flag and the measure keep one rule)', async () => {
    const a = await journey('2026-01-12');
    await intoTreatment(a.j, '2026-01-12', '2026-01-22');
    await a.j.on('2026-05-01', { type: 'CUSTODY_STARTED' });
    await a.j.on('2026-06-01', { type: 'RELEASED_FROM_CUSTODY' });
    await a.j.on('2026-06-02', { type: 'COMMUNITY_ENGAGED' });
    // Back in treatment on 1 June, the review is still due from the start on 22 January.
    const o = on(a, REVIEW, '2026-07-23T23:00:00.000Z');
    await expectAt('2026-07-23T22:59:59.999Z', false, o);
    await expectAt('2026-07-23T23:00:00.000Z', true, o);
    a.socket.socket.close();
  });

  it('a release after the review fell due is overdue at once', async () => {
    const a = await journey('2026-01-12');
    await intoTreatment(a.j, '2026-01-12', '2026-01-22');
    await a.j.on('2026-06-01', { type: 'CUSTODY_STARTED' });
    await a.j.on('2026-08-03', { type: 'RELEASED_FROM_CUSTODY' });
    await a.j.on('2026-08-03T13:00:00.000Z', { type: 'COMMUNITY_ENGAGED' });
    // Due at release (12:00 UTC on 3 August): the timer falls due as the release is recorded.
    await expectAt('2026-08-03T14:00:00.000Z', true, on(a, REVIEW, '2026-08-03T12:00:00.000Z'));
    a.socket.socket.close();
  });

  it('21-day continuity of care across the October change: released 15 October (BST), breached at midnight GMT starting 6 November', async () => {
    const a = await journey('2026-09-01');
    await intoTreatment(a.j, '2026-09-01', '2026-09-10');
    await a.j.on('2026-10-01', { type: 'CUSTODY_STARTED' });
    await a.j.on('2026-10-15T08:00:00.000Z', { type: 'RELEASED_FROM_CUSTODY', releasedOn: '2026-10-15' });
    const o = on(a, CONTINUITY, '2026-11-06T00:00:00.000Z');
    await expectAt('2026-11-04T12:00:00.000Z', false, o); // day 20
    await expectAt('2026-11-05T23:59:59.999Z', false, o); // day 21
    await expectAt('2026-11-06T00:00:00.000Z', true, o); // day 22
    a.socket.socket.close();
  });

  it('21-day continuity of care in summer: released 1 June, breached at midnight BST starting 23 June; an engagement recorded late, dated day 19, withdraws it with a correcting event', async () => {
    const a = await journey('2026-05-01');
    await intoTreatment(a.j, '2026-05-01', '2026-05-10');
    await a.j.on('2026-05-20', { type: 'CUSTODY_STARTED' });
    await a.j.on('2026-06-01', { type: 'RELEASED_FROM_CUSTODY' });
    const o = on(a, CONTINUITY, '2026-06-22T23:00:00.000Z');
    await expectAt('2026-06-21T12:00:00.000Z', false, o); // day 20
    await expectAt('2026-06-22T22:59:59.999Z', false, o); // day 21
    await expectAt('2026-06-22T23:00:00.000Z', true, o); // day 22
    // Recorded on 25 June: the person engaged on 20 June (day 19). The engine appends the
    // correcting event, and flag, list, measure and log agree.
    a.j.version = (await world.store.db.selectFrom('cases').select('version').where('id', '=', a.j.id).executeTakeFirstOrThrow()).version;
    await a.j.on('2026-06-25T10:00:00.000Z', { type: 'COMMUNITY_ENGAGED', engagedOn: '2026-06-20' });
    const view = await world.api(a.keyworker.token, 'GET', `/api/v1/cases/${a.j.id}`);
    expect((view.body.overdue as Record<string, boolean>).continuityOfCare).toBe(false);
    const list = await world.api(a.keyworker.token, 'GET', '/api/v1/cases?overdue=true');
    expect((list.body.items as Array<{ id: string }>).some((i) => i.id === a.j.id)).toBe(false);
    const due = await world.api(a.manager.token, 'GET', `/api/v1/metrics/deadlines?agencyId=${a.agencyId}&asOf=2026-06-25T12:00:00.000Z`);
    expect((due.body.continuityOver21Days as { total: number }).total).toBe(0);
    const out = await world.api(a.manager.token, 'GET', `/api/v1/metrics/outcomes?agencyId=${a.agencyId}&from=2026-06-01&to=2026-06-30&asOf=2026-06-25T12:00:00.000Z`);
    expect((out.body.continuityOfCare as { rows: unknown[] }).rows).toEqual([expect.objectContaining({ released: 1, engagedWithin21Days: 1, share: 1 })]);
    const logged = await world.store.db.selectFrom('events').select(['type', 'payload']).where('stream_id', '=', a.j.id).where('type', 'in', ['CONTINUITY_OF_CARE_BREACHED', 'BREACH_WITHDRAWN']).orderBy('seq').execute();
    expect(logged.map((e) => e.type)).toEqual(['CONTINUITY_OF_CARE_BREACHED', 'BREACH_WITHDRAWN']);
    expect(JSON.parse(logged[1]?.payload ?? '{}')).toMatchObject({ clock: 'continuity_of_care', breachedAt: '2026-06-22T23:00:00.000Z' });
    await a.socket.waitFor((m) => m.event === 'case.changed' && m.payload.id === a.j.id && m.payload.type === 'BREACH_WITHDRAWN');
    a.socket.socket.close();
  });

  it('referral first contact (21 calendar days) across the October change: sent 12 October, breached at midnight GMT starting 3 November', async () => {
    const sender = await addAgency(world.store.db, 'probation', area);
    const receiver = await agency();
    const personId = await addPerson(world.store.db, sender);
    const r: StreamDriver = await sendReferral(world.engine, world.clock, { personId, fromAgencyId: sender, toAgencyId: receiver.agencyId, kind: 'treatment', at: '2026-10-12T09:00:00.000Z' });
    // Received the same day: the 48-hour acknowledgement is met, first contact runs on.
    await r.on('2026-10-12T10:00:00.000Z', { type: 'REFERRAL_RECEIVED' });
    const o = {
      stream: 'referral' as const,
      id: r.id,
      clock: FIRST_CONTACT,
      agencyId: receiver.agencyId,
      token: receiver.keyworker.token,
      managerToken: receiver.manager.token,
      socket: receiver.socket,
      dueAt: '2026-11-03T00:00:00.000Z',
    };
    await expectAt('2026-11-01T12:00:00.000Z', false, o); // day 20
    await expectAt('2026-11-02T23:59:59.999Z', false, o); // day 21
    await expectAt('2026-11-03T00:00:00.000Z', true, o); // day 22
    const view = await world.api(receiver.keyworker.token, 'GET', `/api/v1/referrals/${r.id}`);
    expect(view.body.firstContactBy).toBe('2026-11-03T00:00:00.000Z');
    receiver.socket.socket.close();
  });
});
