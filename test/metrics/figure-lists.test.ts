/**
 * The lists behind the figures: for every drillable figure the list's total and its pages
 * hold exactly what the figure counts, named where the manager may see the person; the
 * caseloads add up per keyworker and team; CSV exports carry the definition and are
 * audited; other roles and other areas are refused; a rebuild writes the same rows.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayOf } from '../../src/metrics/days.ts';
import { rebuildMetrics } from '../../src/metrics/rebuild.ts';
import { addAgency, startLiveWorld, type LiveWorld } from '../live/live-world.ts';
import { addPerson, intoTreatment, openJourney, sendReferral } from './cohort-builder.ts';

type Item = { id: string; person: { name: string } | null; stage: string; days: number; keyworker: { name: string } | null };
type Page = { total: number; items: Item[]; nextCursor: string | null; definition: string };

describe.each(['sqlite', 'postgres'] as const)('lists behind the figures (%s)', (dialect) => {
  let w: LiveWorld;
  let provider: string;
  let partner: string;
  let south: string;
  let keyworker: string;
  const tokens: Record<string, string> = {};
  const asOf = '2026-12-01T12:00:00.000Z';

  /** Every item of a list, page by page (one at a time, to walk the cursor). */
  async function walk(path: string): Promise<{ first: Page; items: Item[] }> {
    const sep = path.includes('?') ? '&' : '?';
    const first = (await w.api(tokens.manager!, 'GET', `${path}${sep}limit=1&asOf=${asOf}`)).body as unknown as Page;
    const items = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = (await w.api(tokens.manager!, 'GET', `${path}${sep}limit=1&asOf=${asOf}&cursor=${cursor}`)).body as unknown as Page;
      items.push(...page.items);
      cursor = page.nextCursor;
    }
    return { first, items };
  }

  beforeAll(async () => {
    w = await startLiveWorld(dialect, { now: '2026-05-01T12:00:00.000Z' });
    provider = await addAgency(w.store.db, 'treatment_provider', 'North');
    partner = await addAgency(w.store.db, 'jobcentre', 'North');
    south = await addAgency(w.store.db, 'treatment_provider', 'South');
    const year = 400 * 24 * 60;
    const kw = await w.user(provider, 'keyworker', year);
    keyworker = kw.id;
    for (const role of ['manager', 'keyworker', 'referrer', 'admin', 'auditor']) tokens[role] = role === 'keyworker' ? kw.token : (await w.user(provider, role, year)).token;
    tokens.southManager = (await w.user(south, 'manager', year)).token;
    const actor = { userId: keyworker, agencyId: provider };
    // In treatment since May (review overdue by December), assigned to the keyworker.
    const a = await openJourney(w.engine, w.clock, { personId: await addPerson(w.store.db, provider), agencyId: provider, referredOn: '2026-05-01', actor });
    await a.on('2026-05-01', { type: 'KEYWORKER_ASSIGNED', keyworkerId: keyworker });
    await intoTreatment(a, '2026-05-01', '2026-05-10');
    // In treatment since late November: neither waiting nor overdue.
    const b = await openJourney(w.engine, w.clock, { personId: await addPerson(w.store.db, provider), agencyId: provider, referredOn: '2026-11-01', actor });
    await intoTreatment(b, '2026-11-01', '2026-11-20');
    // Waiting: referred 2026-11-09 (day 22 on 2026-12-01: over) and 2026-11-10 (day 21: within).
    await openJourney(w.engine, w.clock, { personId: await addPerson(w.store.db, provider), agencyId: provider, referredOn: '2026-11-09' });
    await openJourney(w.engine, w.clock, { personId: await addPerson(w.store.db, provider), agencyId: provider, referredOn: '2026-11-10' });
    // Another area's journey never shows.
    await openJourney(w.engine, w.clock, { personId: await addPerson(w.store.db, south), agencyId: south, referredOn: '2026-10-01' });
    // A referral waiting at the partner, sent a week before the as-of day.
    await sendReferral(w.engine, w.clock, { personId: await addPerson(w.store.db, provider), fromAgencyId: provider, toAgencyId: partner, kind: 'employment_support', at: '2026-11-24T09:00:00.000Z' });
    w.clock.set(asOf);
    // The deadlines' timers fire as the sweeper would deliver them (the journeys' overdue flags).
    await w.engine.sweepDueTimers();
  }, 120_000);
  afterAll(async () => w.close());

  it('lists exactly the journeys each figure counts, page by page, with names', async () => {
    const summary = (await w.api(tokens.manager!, 'GET', `/api/v1/metrics/summary?asOf=${asOf}`)).body as Record<string, { value?: number; total?: number; byStage?: Record<string, number> }>;
    const wip = await walk('/api/v1/metrics/journeys?figure=workInProgress');
    expect(wip.first.total).toBe(summary.workInProgress!.total);
    expect(wip.items).toHaveLength(4);
    expect(new Set(wip.items.map((i) => i.id)).size).toBe(4);
    // The pages, merged from each agency's and stage's range, follow the one order of all the clock rows.
    const inOrder = await sql<{ case_id: string }>`
      select case_id from metric_case_clocks where metric = 'stage_age' and agency_id in (${provider}, ${partner}) order by day, case_id`.execute(w.store.db);
    expect(wip.items.map((i) => i.id)).toEqual(inOrder.rows.map((r) => r.case_id));
    expect(new Set(wip.items.map((i) => i.stage)).size).toBeGreaterThan(1);
    for (const [stage, count] of Object.entries(summary.workInProgress!.byStage!)) {
      const one = await walk(`/api/v1/metrics/journeys?figure=workInProgress&stage=${stage}`);
      expect(one.first.total, stage).toBe(count);
      expect(one.items.every((i) => i.stage === stage)).toBe(true);
    }
    for (const figure of ['waitingOver21Days', 'reviewsOverdue', 'continuityOver21Days'] as const) {
      const list = await walk(`/api/v1/metrics/journeys?figure=${figure}`);
      expect(list.first.total, figure).toBe(summary[figure]!.value);
      expect(list.items, figure).toHaveLength(summary[figure]!.value!);
    }
    const waiting = await walk('/api/v1/metrics/journeys?figure=waitingOver21Days');
    expect(waiting.items).toHaveLength(1);
    expect(waiting.items[0]!.days).toBe(22);
    expect(waiting.items[0]!.person?.name).toMatch(/^Sam Person/);
    const reviews = await walk('/api/v1/metrics/journeys?figure=reviewsOverdue');
    expect(reviews.items).toHaveLength(1);
    expect(reviews.items[0]!.keyworker?.name).toMatch(/^keyworker/);
  });

  it('counts the journeys past each deadline by their stage', async () => {
    const res = await w.api(tokens.manager!, 'GET', `/api/v1/metrics/stage-breaches?asOf=${asOf}`);
    expect(res.status).toBe(200);
    const rows = (res.body as { rows: Array<{ stage: string; figure: string; count: number }> }).rows;
    expect(rows).toEqual([
      { stage: 'inTreatment', figure: 'reviewsOverdue', count: 1 },
      { stage: 'referred', figure: 'waitingOver21Days', count: 1 },
    ]);
  });

  it('lists the referrals behind referrals waiting, oldest first, for one agency', async () => {
    const figure = (await w.api(tokens.manager!, 'GET', `/api/v1/metrics/referrals-waiting?asOf=${asOf}`)).body as { referralsWaiting: { total: number } };
    const list = await walk(`/api/v1/metrics/referrals?figure=referralsWaiting&agencyId=${partner}`);
    expect(list.first.total).toBe(figure.referralsWaiting.total);
    expect(list.items).toHaveLength(1);
    const deadlines = (await w.api(tokens.manager!, 'GET', `/api/v1/metrics/deadlines?asOf=${asOf}`)).body as Record<string, { total: number }>;
    for (const name of ['referralsNotAcknowledged', 'referralsNotContacted']) {
      const l = await walk(`/api/v1/metrics/referrals?figure=${name}`);
      expect(l.first.total, name).toBe(deadlines[name]!.total);
      expect(l.items, name).toHaveLength(deadlines[name]!.total);
    }
  });

  it('adds caseloads up per keyworker and per team', async () => {
    const res = await w.api(tokens.manager!, 'GET', `/api/v1/metrics/caseloads?asOf=${asOf}`);
    expect(res.status).toBe(200);
    const body = res.body as { keyworkers: Array<{ keyworker: { id: string } | null; open: number; overdue: number; waiting: number; waitingOver21Days: number }>; teams: Array<{ agency: { id: string }; open: number; unassigned: number; waiting: number; waitingOver21Days: number }> };
    const mine = body.keyworkers.find((k) => k.keyworker?.id === keyworker);
    expect(mine).toMatchObject({ open: 1, overdue: 1, waiting: 0 });
    const team = body.teams.find((t) => t.agency.id === provider);
    expect(team).toMatchObject({ open: 4, unassigned: 3, waiting: 2, waitingOver21Days: 1 });
    expect(body.teams.some((t) => t.agency.id === south)).toBe(false);
  });

  it('counts each caseload as the open journeys grouped with their waiting clocks do', async () => {
    const body = (await w.api(tokens.manager!, 'GET', `/api/v1/metrics/caseloads?asOf=${asOf}`)).body as { keyworkers: Array<{ agency: { id: string }; keyworker: { id: string } | null; open: number; overdue: number; waiting: number; waitingOver21Days: number }> };
    // The whole grouping in one query, row by row over the journeys (what the two index walks replace).
    const grouped = await sql<{ lead_agency_id: string; keyworker_id: string | null; open: number | string; overdue: number | string; waiting: number | string; late: number | string }>`
      select c.lead_agency_id, c.keyworker_id, count(*) as open, sum(c.overdue) as overdue, count(w.case_id) as waiting,
        sum(case when w.day <= ${dayOf(asOf) - 22} then 1 else 0 end) as late
      from cases c left join metric_case_clocks w on w.case_id = c.id and w.metric = 'waiting'
      where c.lead_agency_id in (${provider}, ${partner}) and c.closed_at is null
      group by c.lead_agency_id, c.keyworker_id`.execute(w.store.db);
    const key = (agency: string, kw: string | null) => `${agency}/${kw ?? ''}`;
    const expected = grouped.rows.map((r) => [key(r.lead_agency_id, r.keyworker_id), Number(r.open), Number(r.overdue), Number(r.waiting), Number(r.late)]);
    const answered = body.keyworkers.map((k) => [key(k.agency.id, k.keyworker?.id ?? null), k.open, k.overdue, k.waiting, k.waitingOver21Days]);
    expect(answered.sort()).toEqual(expected.sort());
    expect(answered.length).toBeGreaterThan(1);
  });

  it('exports a list as CSV with its definition first, and records the export', async () => {
    const res = await fetch(`${w.url}/api/v1/metrics/journeys?figure=workInProgress&format=csv&asOf=${asOf}`, { headers: { authorization: `Bearer ${tokens.manager}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^"?Definition: /);
    expect(lines[1]).toBe('journey,person,agency,keyworker,stage,since,days,overdue');
    expect(lines).toHaveLength(2 + 4);
    const audit = await w.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'export').execute();
    expect(audit.some((a) => a.entity_type === 'metrics_journeys' && (JSON.parse(a.detail) as { rows: number }).rows === 4)).toBe(true);
    const caseloads = await fetch(`${w.url}/api/v1/metrics/caseloads?format=csv`, { headers: { authorization: `Bearer ${tokens.manager}` } });
    expect((await caseloads.text()).split('\r\n')[1]).toBe('team,keyworker,open,overdue,waiting,waitingOver21Days');
  });

  it('refuses other roles, other areas and bad filters', async () => {
    for (const role of ['keyworker', 'referrer', 'admin', 'auditor']) {
      for (const path of ['journeys', 'referrals', 'caseloads', 'stage-breaches']) expect((await w.api(tokens[role]!, 'GET', `/api/v1/metrics/${path}`)).status, `${role} ${path}`).toBe(403);
    }
    expect((await w.api(tokens.manager!, 'GET', `/api/v1/metrics/journeys?agencyId=${south}`)).status).toBe(403);
    const southList = (await w.api(tokens.southManager!, 'GET', '/api/v1/metrics/journeys')).body as unknown as Page;
    expect(southList.total).toBe(1);
    for (const [path, field] of [
      ['/api/v1/metrics/journeys?figure=everything', 'figure'],
      ['/api/v1/metrics/journeys?cursor=nonsense', 'cursor'],
      ['/api/v1/metrics/journeys?stage=in%20custody', 'stage'],
      ['/api/v1/metrics/referrals?state=closed', 'state'],
      ['/api/v1/metrics/caseloads?format=xml', 'format'],
    ] as const) {
      const res = await w.api(tokens.manager!, 'GET', path);
      expect(res.status, path).toBe(400);
      expect(JSON.stringify(res.body), path).toContain(field);
    }
  });

  it('writes the same rows from a rebuild as from the events', async () => {
    const read = async () => (await w.store.db.withTables<{ metric_case_clocks: { case_id: string; metric: string; k: string; agency_id: string; day: number } }>().selectFrom('metric_case_clocks').selectAll().orderBy('case_id').orderBy('metric').execute()).map((r) => ({ ...r, day: Number(r.day) }));
    const incremental = await read();
    expect(incremental.length).toBeGreaterThan(5);
    await rebuildMetrics(w.store);
    expect(await read()).toEqual(incremental);
  });
});
