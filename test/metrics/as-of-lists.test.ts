/**
 * Every list at a past day: hand-dated journeys change keyworker (one change recorded late)
 * and hand-dated referrals wait, are received (one receipt recorded late), accepted,
 * contacted and rejected. At several past days the referrals lists, the caseloads and who
 * held each journey are what was true at the end of that day, worked out here by hand from
 * the dated events, and each list is as long as the dashboard's figure for that day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgency, startLiveWorld, type LiveWorld } from '../live/live-world.ts';
import { addPerson, addUser, openJourney, sendReferral } from './cohort-builder.ts';

type RefItem = { id: string; state: string; sentAt: string; days: number; to: { id: string } };
type Page<T> = { total: number; items: T[]; nextCursor: string | null };
type Ref = 'r1' | 'r2' | 'r3';
type Job = 'a' | 'b' | 'c';
type Worker = 'k1' | 'k2';
type Load = { keyworker: { id: string } | null; open: number; overdue: number; waiting: number; waitingOver21Days: number };

describe.each(['sqlite', 'postgres'] as const)('referrals and caseloads on a past day (%s)', (dialect) => {
  let w: LiveWorld;
  let token: string;
  const refs: Record<Ref, string> = { r1: '', r2: '', r3: '' };
  const jobs: Record<Job, string> = { a: '', b: '', c: '' };
  const workers: Record<Worker, string> = { k1: '', k2: '' };

  const get = async (path: string) => w.api(token, 'GET', path);
  /** Every item of a list, two at a time (to walk the cursor). */
  async function walk<T>(path: string): Promise<{ total: number; items: T[] }> {
    const first = (await get(`${path}&limit=2`)).body as unknown as Page<T>;
    const items = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = (await get(`${path}&limit=2&cursor=${cursor}`)).body as unknown as Page<T>;
      items.push(...page.items);
      cursor = page.nextCursor;
    }
    return { total: first.total, items };
  }

  beforeAll(async () => {
    w = await startLiveWorld(dialect, { now: '2026-03-02T12:00:00.000Z' });
    const provider = await addAgency(w.store.db, 'treatment_provider', 'West');
    const housing = await addAgency(w.store.db, 'housing', 'West');
    token = (await w.user(provider, 'manager', 400 * 24 * 60)).token;
    workers.k1 = await addUser(w.store.db, provider, 'keyworker');
    workers.k2 = await addUser(w.store.db, provider, 'keyworker');
    const person = () => addPerson(w.store.db, provider);
    // A: referred 2 March, held by K1; K2 takes it on 1 April.
    const a = await openJourney(w.engine, w.clock, { personId: await person(), agencyId: provider, referredOn: '2026-03-02', keyworkerId: workers.k1 });
    // R1: sent 3 March, received the next day, accepted 2 April, first contact 20 April.
    const r1 = await sendReferral(w.engine, w.clock, { personId: await person(), fromAgencyId: provider, toAgencyId: housing, kind: 'housing', at: '2026-03-03T09:00:00.000Z' });
    await r1.on('2026-03-04', { type: 'REFERRAL_RECEIVED' });
    await a.on('2026-03-05', { type: 'SCREENING_STARTED' });
    // B: referred 10 March with nobody; K1 from 20 March; screening 1 May, discharged 20 May.
    const b = await openJourney(w.engine, w.clock, { personId: await person(), agencyId: provider, referredOn: '2026-03-10' });
    await b.on('2026-03-20', { type: 'KEYWORKER_ASSIGNED', keyworkerId: workers.k1 });
    // R2: sent 25 March, never acknowledged; rejected 1 May.
    const r2 = await sendReferral(w.engine, w.clock, { personId: await person(), fromAgencyId: provider, toAgencyId: housing, kind: 'housing', at: '2026-03-25T09:00:00.000Z' });
    await a.on('2026-04-01', { type: 'KEYWORKER_ASSIGNED', keyworkerId: workers.k2 });
    // C: referred 1 April, held by K2; K1 took it on 5 April, recorded on the 20th.
    const c = await openJourney(w.engine, w.clock, { personId: await person(), agencyId: provider, referredOn: '2026-04-01', keyworkerId: workers.k2 });
    await r1.on('2026-04-02', { type: 'REFERRAL_ACCEPTED' });
    // R3: sent 8 April; its receipt on the 9th is recorded on the 15th.
    const r3 = await sendReferral(w.engine, w.clock, { personId: await person(), fromAgencyId: provider, toAgencyId: housing, kind: 'housing', at: '2026-04-08T09:00:00.000Z' });
    await r3.on('2026-04-15', { type: 'REFERRAL_RECEIVED' }, '2026-04-09T10:00:00.000Z');
    await c.on('2026-04-20', { type: 'KEYWORKER_ASSIGNED', keyworkerId: workers.k1 }, '2026-04-05T10:00:00.000Z');
    await r1.on('2026-04-20', { type: 'FIRST_CONTACT_MADE', contactOn: '2026-04-20' });
    await b.on('2026-05-01', { type: 'SCREENING_STARTED' });
    await r2.on('2026-05-01', { type: 'REFERRAL_REJECTED', reason: 'no capacity' });
    await b.on('2026-05-20', { type: 'DISCHARGED', reason: 'dropped_out', dischargedOn: '2026-05-20' });
    Object.assign(refs, { r1: r1.id, r2: r2.id, r3: r3.id });
    Object.assign(jobs, { a: a.id, b: b.id, c: c.id });
    w.clock.set('2026-06-30T12:00:00.000Z');
  }, 120_000);
  afterAll(async () => w.close());

  // At the end of each day, by hand. Housing referrals: acknowledged within 48 hours, first
  // contact within 10 days (R1 due mid-March, R2 early April, R3 mid-April).
  const REFERRAL_DAYS: Array<{ day: string; waiting: Partial<Record<Ref, string>>; notAcknowledged: Ref[]; notContacted: Ref[] }> = [
    { day: '2026-03-31', waiting: { r1: 'received', r2: 'requested' }, notAcknowledged: ['r2'], notContacted: ['r1'] },
    // R3's receipt counts from the 9th though it was written on the 15th: not late to acknowledge.
    { day: '2026-04-10', waiting: { r1: 'accepted', r2: 'requested', r3: 'received' }, notAcknowledged: ['r2'], notContacted: ['r1', 'r2'] },
    { day: '2026-04-30', waiting: { r2: 'requested', r3: 'received' }, notAcknowledged: ['r2'], notContacted: ['r2', 'r3'] },
    { day: '2026-05-25', waiting: { r3: 'received' }, notAcknowledged: [], notContacted: ['r3'] },
  ];

  it('lists the referrals each past day held, as long as that day\'s figures', async () => {
    for (const { day, waiting, notAcknowledged, notContacted } of REFERRAL_DAYS) {
      const asOf = `${day}T12:00:00.000Z`;
      const figure = (await get(`/api/v1/metrics/referrals-waiting?asOf=${asOf}`)).body as unknown as { referralsWaiting: { total: number; rows: Array<{ state: string; count: number }> } };
      const list = await walk<RefItem>(`/api/v1/metrics/referrals?figure=referralsWaiting&asOf=${asOf}`);
      expect(list.total, day).toBe(figure.referralsWaiting.total);
      expect(Object.fromEntries(list.items.map((i) => [i.id, i.state])), day).toEqual(Object.fromEntries(Object.entries(waiting).map(([k, state]) => [refs[k as Ref], state])));
      // Oldest first, aged to the end of the day.
      expect(list.items.map((i) => i.sentAt), day).toEqual([...list.items.map((i) => i.sentAt)].sort());
      for (const i of list.items) expect(i.days, `${day} ${i.id}`).toBe(Math.round((Date.parse(`${day}T00:00:00.000Z`) - Date.parse(`${i.sentAt.slice(0, 10)}T00:00:00.000Z`)) / 86_400_000));
      // One state's list is that state's figure.
      for (const row of figure.referralsWaiting.rows) {
        const one = await walk<RefItem>(`/api/v1/metrics/referrals?figure=referralsWaiting&state=${row.state}&asOf=${asOf}`);
        expect(one.total, `${day} ${row.state}`).toBe(row.count);
        expect(one.items.every((i) => i.state === row.state)).toBe(true);
      }
      const summary = (await get(`/api/v1/metrics/summary?asOf=${asOf}`)).body as unknown as Record<string, { value: number }>;
      for (const [name, expected] of [
        ['referralsNotAcknowledged', notAcknowledged],
        ['referralsNotContacted', notContacted],
      ] as const) {
        const late = await walk<RefItem>(`/api/v1/metrics/referrals?figure=${name}&asOf=${asOf}`);
        expect(late.items.map((i) => i.id).sort(), `${day} ${name}`).toEqual(expected.map((k) => refs[k]).sort());
        expect(late.total, `${day} ${name}`).toBe(summary[name]?.value);
        // Each in the state it was in then.
        for (const i of late.items) expect(i.state, `${day} ${name} ${i.id}`).toBe(Object.entries(waiting).find(([k]) => refs[k as Ref] === i.id)?.[1]);
      }
    }
    // Today R3 still waits, received; the past did not change today's list.
    const today = await walk<RefItem>('/api/v1/metrics/referrals?figure=referralsWaiting');
    expect(today.items.map((i) => [i.id, i.state])).toEqual([[refs.r3, 'received']]);
  });

  // Whose caseload each open journey was in at the end of each day (waiting since referral: A 2 March, B 10 March, C 1 April).
  const CASELOAD_DAYS: Array<{ day: string; held: Partial<Record<Job, Worker>>; late: Job[] }> = [
    // B has waited 21 days: within.
    { day: '2026-03-31', held: { a: 'k1', b: 'k1' }, late: ['a'] },
    // C moved to K1 on the 5th, recorded on the 20th.
    { day: '2026-04-10', held: { a: 'k2', b: 'k1', c: 'k1' }, late: ['a', 'b'] },
    { day: '2026-05-25', held: { a: 'k2', c: 'k1' }, late: ['a', 'c'] },
  ];

  it('shows each past day\'s caseloads and who held each journey then', async () => {
    for (const { day, held, late } of CASELOAD_DAYS) {
      const asOf = `${day}T12:00:00.000Z`;
      const loads = (await get(`/api/v1/metrics/caseloads?asOf=${asOf}`)).body as unknown as { keyworkers: Load[]; teams: Array<{ open: number; waiting: number; waitingOver21Days: number; overdue: number }> };
      const expected = (['k1', 'k2'] as const)
        .map((k) => {
          const mine = (Object.keys(held) as Job[]).filter((j) => held[j] === k);
          const over = mine.filter((j) => late.includes(j)).length;
          // Nobody has started treatment: every open journey is waiting.
          return { keyworker: workers[k], open: mine.length, waiting: mine.length, waitingOver21Days: over, overdue: over };
        })
        .filter((k) => k.open > 0);
      expect(
        loads.keyworkers.map((k) => ({ keyworker: k.keyworker?.id, open: k.open, waiting: k.waiting, waitingOver21Days: k.waitingOver21Days, overdue: k.overdue })).sort((x, y) => String(x.keyworker).localeCompare(String(y.keyworker))),
        day,
      ).toEqual(expected.sort((x, y) => x.keyworker.localeCompare(y.keyworker)));
      // The team's totals are its keyworkers', and as many as the dashboard's work in progress and waiting figures.
      const summary = (await get(`/api/v1/metrics/summary?asOf=${asOf}`)).body as unknown as { workInProgress: { total: number }; waitingOver21Days: { value: number } };
      expect(loads.teams.reduce((s, t) => s + t.open, 0), day).toBe(summary.workInProgress.total);
      expect(loads.teams.reduce((s, t) => s + t.waitingOver21Days, 0), day).toBe(summary.waitingOver21Days.value);
      // The list of open journeys names the keyworker who held each then.
      const wip = await walk<{ id: string; keyworker: { id: string } | null }>(`/api/v1/metrics/journeys?figure=workInProgress&asOf=${asOf}`);
      expect(Object.fromEntries(wip.items.map((i) => [i.id, i.keyworker?.id])), day).toEqual(Object.fromEntries((Object.keys(held) as Job[]).map((j) => [jobs[j], workers[held[j] as Worker]])));
    }
    // Today: C is K1's, A is K2's, B is closed.
    const now = (await get('/api/v1/metrics/caseloads')).body as unknown as { keyworkers: Load[] };
    expect(now.keyworkers.map((k) => [k.keyworker?.id, k.open]).sort()).toEqual([
      [workers.k1, 1],
      [workers.k2, 1],
    ].sort());
  });
});
