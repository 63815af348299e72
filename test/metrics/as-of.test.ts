/**
 * Where people were on a given day: hand-dated journeys move through their stages (one
 * fact recorded late, dated before it was written), and the dashboard's figures and the
 * lists behind them at several past days agree with each other and with what was true at
 * the end of each day, worked out here by hand; a list narrowed to one breakdown group
 * holds exactly that cell, today and on a past day; before the first journey nobody is
 * anywhere, and a day after today measures today's journeys to that day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgency, startLiveWorld, type LiveWorld } from '../live/live-world.ts';
import { addPerson, openJourney } from './cohort-builder.ts';

type Item = { id: string; stage: string; since: string; days: number; overdue: boolean };
type Page = { total: number; items: Item[]; nextCursor: string | null };
type Key = 'a' | 'b' | 'c' | 'd';
type Summary = { workInProgress: { total: number; byStage: Record<string, number> }; waitingOver21Days: { value: number } };

describe.each(['sqlite', 'postgres'] as const)('the dashboard and its lists on a past day (%s)', (dialect) => {
  let w: LiveWorld;
  let token: string;
  const ids: Record<Key, string> = { a: '', b: '', c: '', d: '' };

  const get = async (path: string) => w.api(token, 'GET', path);
  /** Every item of a list, two at a time (to walk the cursor). */
  async function walk(path: string): Promise<{ total: number; items: Item[] }> {
    const first = (await get(`${path}&limit=2`)).body as unknown as Page;
    const items = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = (await get(`${path}&limit=2&cursor=${cursor}`)).body as unknown as Page;
      items.push(...page.items);
      cursor = page.nextCursor;
    }
    return { total: first.total, items };
  }
  const idsOf = (items: Item[]) => items.map((i) => i.id).sort();
  const names = (...keys: Array<keyof typeof ids>) => keys.map((k) => ids[k]).sort();

  beforeAll(async () => {
    w = await startLiveWorld(dialect, { now: '2026-03-02T12:00:00.000Z' });
    const provider = await addAgency(w.store.db, 'treatment_provider', 'North');
    token = (await w.user(provider, 'manager', 400 * 24 * 60)).token;
    const person = (sex: string) => addPerson(w.store.db, provider, { sex });
    // A (female): referred 2 March, screened, assessed, care plan 20 March, in treatment from 15 April.
    const a = await openJourney(w.engine, w.clock, { personId: await person('female'), agencyId: provider, referredOn: '2026-03-02' });
    await a.on('2026-03-05', { type: 'SCREENING_STARTED' });
    await a.on('2026-03-10', { type: 'SCREENING_COMPLETED', outcome: 'assess' });
    await a.on('2026-03-20', { type: 'ASSESSMENT_COMPLETED', domains: {} });
    await a.on('2026-03-20', { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'i1', modality: 'structured_psychosocial' }] });
    await a.on('2026-03-20', { type: 'INTERVENTION_OFFERED', interventionId: 'i1' });
    await a.on('2026-04-15', { type: 'INTERVENTION_STARTED', interventionId: 'i1', startedOn: '2026-04-15' });
    // B (male): referred 10 March, screening from 1 May, discharged 20 May.
    const b = await openJourney(w.engine, w.clock, { personId: await person('male'), agencyId: provider, referredOn: '2026-03-10' });
    // C (female): referred 1 April; its screening, begun 5 April, is recorded on 20 April.
    const c = await openJourney(w.engine, w.clock, { personId: await person('female'), agencyId: provider, referredOn: '2026-04-01' });
    // D (male): referred 10 April, screening from 12 April.
    const d = await openJourney(w.engine, w.clock, { personId: await person('male'), agencyId: provider, referredOn: '2026-04-10' });
    await d.on('2026-04-12', { type: 'SCREENING_STARTED' });
    await c.on('2026-04-20', { type: 'SCREENING_STARTED' }, '2026-04-05T10:00:00.000Z');
    await b.on('2026-05-01', { type: 'SCREENING_STARTED' });
    await b.on('2026-05-20', { type: 'DISCHARGED', reason: 'dropped_out', dischargedOn: '2026-05-20' });
    Object.assign(ids, { a: a.id, b: b.id, c: c.id, d: d.id });
    w.clock.set('2026-06-30T12:00:00.000Z');
  }, 120_000);
  afterAll(async () => w.close());

  // What was true at the end of each day, by hand (day 21 of waiting is within, 22 over).
  const DAYS: Array<{ day: string; stages: Record<string, Key[]>; waitingOver: Key[] }> = [
    { day: '2026-03-31', stages: { carePlanning: ['a'], referred: ['b'] }, waitingOver: ['a'] },
    // C's screening counts from 5 April though it was written on the 20th; A has not started.
    { day: '2026-04-10', stages: { carePlanning: ['a'], referred: ['b', 'd'], screening: ['c'] }, waitingOver: ['a', 'b'] },
    { day: '2026-04-30', stages: { inTreatment: ['a'], referred: ['b'], screening: ['c', 'd'] }, waitingOver: ['b', 'c'] },
    { day: '2026-05-25', stages: { inTreatment: ['a'], screening: ['c', 'd'] }, waitingOver: ['c', 'd'] },
  ];

  it('shows each past day as it was, figures and lists alike', async () => {
    for (const { day, stages, waitingOver } of DAYS) {
      // Midday UTC is the same calendar day in London, summer or winter.
      const asOf = `${day}T12:00:00.000Z`;
      const summary = (await get(`/api/v1/metrics/summary?asOf=${asOf}`)).body as unknown as Summary;
      const expected = Object.fromEntries(Object.entries(stages).map(([stage, keys]) => [stage, keys.length]));
      expect(summary.workInProgress.byStage, day).toEqual(expected);
      expect(summary.workInProgress.total, day).toBe(Object.values(stages).flat().length);
      expect(summary.waitingOver21Days.value, day).toBe(waitingOver.length);

      const all = await walk(`/api/v1/metrics/journeys?figure=workInProgress&asOf=${asOf}`);
      expect(all.total, day).toBe(summary.workInProgress.total);
      expect(idsOf(all.items), day).toEqual(names(...Object.values(stages).flat()));
      for (const [stage, keys] of Object.entries(stages)) {
        const one = await walk(`/api/v1/metrics/journeys?figure=workInProgress&stage=${stage}&asOf=${asOf}`);
        expect(one.total, `${day} ${stage}`).toBe(keys.length);
        expect(idsOf(one.items), `${day} ${stage}`).toEqual(names(...keys));
        expect(one.items.every((i) => i.stage === stage && i.days >= 0)).toBe(true);
      }
      const waiting = await walk(`/api/v1/metrics/journeys?figure=waitingOver21Days&asOf=${asOf}`);
      expect(waiting.total, day).toBe(waitingOver.length);
      expect(idsOf(waiting.items), day).toEqual(names(...waitingOver));
      // Their stage is the one they were in then, and they were overdue then.
      for (const item of waiting.items) {
        const stage = Object.entries(stages).find(([, keys]) => keys.some((k) => ids[k] === item.id))?.[0];
        expect(item.stage, `${day} ${item.id}`).toBe(stage);
        expect(item.overdue).toBe(true);
      }
      const breaches = (await get(`/api/v1/metrics/stage-breaches?asOf=${asOf}`)).body as unknown as { rows: Array<{ stage: string; figure: string; count: number }> };
      const waitingBreaches = breaches.rows.filter((r) => r.figure === 'waitingOver21Days').reduce((s, r) => s + r.count, 0);
      expect(waitingBreaches, day).toBe(waitingOver.length);
    }
  });

  it('measures ages to the end of the past day', async () => {
    const wip = (await get('/api/v1/metrics/journeys?figure=workInProgress&stage=carePlanning&asOf=2026-03-31T12:00:00.000Z')).body as unknown as Page;
    expect(wip.items.map((i) => [i.since, i.days])).toEqual([['2026-03-20', 11]]);
    const waiting = (await get('/api/v1/metrics/journeys?figure=waitingOver21Days&asOf=2026-03-31T12:00:00.000Z')).body as unknown as Page;
    expect(waiting.items.map((i) => [i.since, i.days])).toEqual([['2026-03-02', 29]]);
    const time = (await get('/api/v1/metrics/time-in-stage?asOf=2026-03-31T12:00:00.000Z')).body as unknown as {
      timeInStage: { rows: Array<{ stage: string; count: number; medianDays: number }> };
    };
    expect(time.timeInStage.rows.map((r) => [r.stage, r.count, r.medianDays])).toEqual([
      ['carePlanning', 1, 11],
      ['referred', 1, 21],
    ]);
  });

  it('a breakdown cell opens the list of its group, today and on a past day', async () => {
    for (const asOf of ['', '&asOf=2026-04-30T12:00:00.000Z']) {
      const wip = (await get(`/api/v1/metrics/wip?breakdown=sex${asOf}`)).body as unknown as { workInProgress: { rows: Array<{ stage: string; group: string; count: number }> } };
      expect(wip.workInProgress.rows.length).toBeGreaterThan(1);
      for (const cell of wip.workInProgress.rows) {
        const list = await walk(`/api/v1/metrics/journeys?figure=workInProgress&stage=${cell.stage}&breakdown=sex&group=${cell.group}${asOf}`);
        expect(list.total, `${asOf} ${cell.stage} ${cell.group}`).toBe(cell.count);
        expect(list.items).toHaveLength(cell.count);
      }
    }
    const screeningMen = await walk('/api/v1/metrics/journeys?figure=workInProgress&stage=screening&breakdown=sex&group=male&asOf=2026-04-30T12:00:00.000Z');
    expect(idsOf(screeningMen.items)).toEqual([ids.d]);
    const waitingWomen = await walk('/api/v1/metrics/journeys?figure=waitingOver21Days&breakdown=sex&group=female&asOf=2026-04-30T12:00:00.000Z');
    expect(idsOf(waitingWomen.items)).toEqual([ids.c]);
    const half = await get('/api/v1/metrics/journeys?figure=workInProgress&group=male');
    expect(half.status).toBe(400);
    expect(JSON.stringify(half.body)).toContain('breakdown');
  });

  it('finds nobody before the first journey, and looks ahead with today\'s journeys after today', async () => {
    const today = (await get('/api/v1/metrics/summary')).body;
    for (const path of ['summary', 'wip', 'journeys?figure=workInProgress', 'stage-breaches']) {
      const sep = path.includes('?') ? '&' : '?';
      const before = await get(`/api/v1/metrics/${path}${sep}asOf=2026-03-01T12:00:00.000Z`);
      expect(before.status, path).toBe(200);
      const ahead = await get(`/api/v1/metrics/${path}${sep}asOf=2026-07-01T12:00:00.000Z`);
      expect(ahead.status, path).toBe(200);
    }
    const empty = await get('/api/v1/metrics/journeys?figure=workInProgress&asOf=2026-03-01T12:00:00.000Z');
    expect((empty.body as { items: unknown[] }).items).toEqual([]);
    const beforeWip = (await get('/api/v1/metrics/summary?asOf=2026-03-01T12:00:00.000Z')).body as { workInProgress: { total: number } };
    expect(beforeWip.workInProgress.total).toBe(0);
    // After today: the same journeys as today, their ages measured a day on.
    const ahead = (await get('/api/v1/metrics/summary?asOf=2026-07-01T12:00:00.000Z')).body as { workInProgress: { total: number } };
    expect(ahead.workInProgress.total).toBe((today as { workInProgress: { total: number } }).workInProgress.total);
    // Later today is still today.
    expect((await get('/api/v1/metrics/summary?asOf=2026-06-30T22:30:00.000Z')).status).toBe(200);
  });
});
