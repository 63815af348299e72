/**
 * Caseloads and referral lists read through the length-class indexes (migration 110)
 * against the straightforward reads of the same tables: a seeded two-year cohort, whose
 * spells run from a day to most of the two years, at a past day every five weeks or so (and
 * at the ends of the history) and today. Each fast answer must equal the plain query's, on
 * both stores.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../cli/commands/seed.ts';
import { spanClassSql } from '../../src/db/migrations/110-running-spell-indexes.ts';
import { STANDARD_DAYS } from '../../src/metrics/case-facts.ts';
import { caseloads } from '../../src/metrics/caseloads.ts';
import { dayOf } from '../../src/metrics/days.ts';
import { REVIEW_INTERVAL_DAYS } from '../../src/metrics/measures/deadlines.ts';
import { REFERRAL_WAITING_STATES } from '../../src/metrics/referral-facts.ts';
import { countReferralsThen, listReferralsThen } from '../../src/metrics/referral-lists-then.ts';
import type { ReferralListFigure } from '../../machines/figure-lists.ts';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';

const REFERENCE_DATE = '2026-06-30';
const TODAY = `${REFERENCE_DATE}T12:00:00.000Z`;
const LAST_DAY = dayOf(TODAY);
/** Every 37 days back over the two years, and the days at both ends. */
const DAYS = [LAST_DAY - 1, ...Array.from({ length: 21 }, (_, i) => LAST_DAY - 3 - 37 * i), LAST_DAY - 760];
const asOfOf = (day: number) => `${new Date(day * 86_400_000).toISOString().slice(0, 10)}T12:00:00.000Z`;

type Load = { agency: string; keyworker: string | null; open: number; overdue: number; waiting: number; late: number };
const byKey = (a: Load, b: Load) => `${a.agency}/${a.keyworker}`.localeCompare(`${b.agency}/${b.keyworker}`);

describe.each(DIALECTS)('caseloads and referral lists through the length-class indexes (%s)', (dialect) => {
  let store: TestStore;
  let agencyIds: string[];

  beforeAll(async () => {
    store = await createTestStore(dialect);
    await seedDemo(store, { people: 400, referenceDate: REFERENCE_DATE, seed: 11 });
    agencyIds = (await store.db.selectFrom('agencies').select('id').orderBy('id').execute()).map((a) => a.id);
  }, 300_000);
  afterAll(async () => store.dispose());

  /** The caseloads at the end of a past day, every open journey's spells joined (the query before migration 110). */
  async function caseloadsPlain(day: number): Promise<Load[]> {
    const over = day - STANDARD_DAYS - 1;
    const running = (a: string) => sql.raw(`${a}.from_day <= ${day} and (${a}.to_day is null or ${a}.to_day > ${day})`);
    const join = (a: string, metric: string) => sql`left join metric_case_history ${sql.raw(a)} on ${sql.raw(a)}.case_id = h.case_id and ${sql.raw(a)}.metric = ${metric} and ${running(a)}`;
    const r = await sql<{ agency: string; k: string; open: number | string; overdue: number | string; waiting: number | string; late: number | string }>`
      select h.agency_id as agency, h.k, count(*) as open,
        sum(case when w.day <= ${over} or r.day <= ${day - REVIEW_INTERVAL_DAYS - 1} or o.day <= ${over} then 1 else 0 end) as overdue,
        count(w.case_id) as waiting, sum(case when w.day <= ${over} then 1 else 0 end) as late
      from metric_case_history h ${join('w', 'waiting')} ${join('r', 'review_basis')} ${join('o', 'continuity_open')}
      where h.metric = 'caseload' and h.agency_id in (${sql.join(agencyIds)}) and ${running('h')}
      group by h.agency_id, h.k`.execute(store.db);
    return r.rows
      .map((row) => ({ agency: row.agency, keyworker: row.k === '' ? null : row.k, open: Number(row.open), overdue: Number(row.overdue), waiting: Number(row.waiting), late: Number(row.late) }))
      .sort(byKey);
  }

  /** Today's caseloads: every open journey with its waiting clock, if any. */
  async function caseloadsTodayPlain(day: number): Promise<Load[]> {
    const r = await sql<{ agency: string; keyworker: string | null; open: number | string; overdue: number | string; waiting: number | string; late: number | string }>`
      select c.lead_agency_id as agency, c.keyworker_id as keyworker, count(*) as open, sum(c.overdue) as overdue,
        count(w.case_id) as waiting, sum(case when w.day <= ${day - STANDARD_DAYS - 1} then 1 else 0 end) as late
      from cases c left join metric_case_clocks w on w.case_id = c.id and w.metric = 'waiting'
      where c.lead_agency_id in (${sql.join(agencyIds)}) and c.closed_at is null
      group by c.lead_agency_id, c.keyworker_id`.execute(store.db);
    return r.rows
      .map((row) => ({ agency: row.agency, keyworker: row.keyworker, open: Number(row.open), overdue: Number(row.overdue ?? 0), waiting: Number(row.waiting), late: Number(row.late ?? 0) }))
      .sort(byKey);
  }

  async function caseloadsFast(day: number, past: boolean, keyworkersPerRead?: number): Promise<Load[]> {
    const loads = await caseloads(store.db, dialect, agencyIds, asOfOf(day), { asOfDay: day, past, keyworkersPerRead });
    return loads.keyworkers
      .map((k) => ({ agency: k.agency.id, keyworker: k.keyworker?.id ?? null, open: k.open, overdue: k.overdue, waiting: k.waiting, late: k.waitingOver21Days }))
      .sort(byKey);
  }

  /** The referrals a figure held at the end of a past day, oldest first: every spell of the history tested. */
  async function referralsPlain(figure: ReferralListFigure, day: number, state?: string): Promise<Array<{ referralId: string; agencyId: string; createdAt: string }>> {
    const which =
      figure === 'referralsWaiting'
        ? sql`h.metric = 'ref_waiting' and h.k in (${sql.join(state ? [state] : [...REFERRAL_WAITING_STATES])})`
        : sql`h.metric = ${figure === 'referralsNotAcknowledged' ? 'ref_due_acknowledge' : 'ref_due_first_contact'} and h.day <= ${day}`;
    const r = await sql<{ referral_id: string; agency_id: string; since_at: string }>`
      select h.referral_id, h.agency_id, h.since_at from metric_referral_history h
      where h.agency_id in (${sql.join(agencyIds)}) and ${which} and h.from_day <= ${day} and (h.to_day is null or h.to_day > ${day})
      order by h.since_at, h.referral_id`.execute(store.db);
    return r.rows.map((row) => ({ referralId: row.referral_id, agencyId: row.agency_id, createdAt: row.since_at }));
  }

  it('holds spells of every length the classes tell apart, so each class is read', async () => {
    for (const table of ['metric_case_history', 'metric_referral_history'] as const) {
      const r = await sql<{ cls: number | string; n: number | string }>`select ${sql.raw(spanClassSql(''))} as cls, count(*) as n from ${sql.table(table)} group by 1`.execute(store.db);
      const classes = r.rows.filter((row) => Number(row.n) > 0).map((row) => Number(row.cls));
      expect(classes.length, `${table}: ${classes.join(',')}`).toBeGreaterThanOrEqual(table === 'metric_case_history' ? 6 : 4);
    }
  });

  it('counts each past day\'s caseloads as every open journey\'s spells joined do', async () => {
    let open = 0;
    let flagged = 0;
    for (const day of DAYS) {
      const plain = await caseloadsPlain(day);
      expect(await caseloadsFast(day, true), asOfOf(day)).toEqual(plain);
      open += plain.reduce((s, l) => s + l.open, 0);
      flagged += plain.reduce((s, l) => s + l.waiting + l.overdue + l.late, 0);
    }
    expect(open).toBeGreaterThan(1000);
    expect(flagged).toBeGreaterThan(100);
  });

  it('counts a past day\'s caseloads the same when the keyworkers\' ranges are split over several statements', async () => {
    const day = DAYS[5]!;
    const plain = await caseloadsPlain(day);
    expect(plain.filter((l) => l.keyworker !== null).length).toBeGreaterThan(2);
    expect(await caseloadsFast(day, true, 2)).toEqual(plain);
  });

  it('counts today\'s caseloads as every open journey with its waiting clock does', async () => {
    const plain = await caseloadsTodayPlain(LAST_DAY);
    expect(plain.reduce((s, l) => s + l.waiting, 0)).toBeGreaterThan(0);
    expect(await caseloadsFast(LAST_DAY, false)).toEqual(plain);
  });

  it('lists and counts each past day\'s referrals as every spell of the history tested does', async () => {
    let listed = 0;
    const queries: Array<{ figure: ReferralListFigure; state?: string }> = [
      { figure: 'referralsWaiting' },
      { figure: 'referralsWaiting', state: 'received' },
      { figure: 'referralsNotAcknowledged' },
      { figure: 'referralsNotContacted' },
    ];
    for (const day of DAYS) {
      for (const { figure, state } of queries) {
        const plain = await referralsPlain(figure, day, state);
        const q = { agencyIds, figure, state, asOfDay: day, limit: 7 };
        expect(await countReferralsThen(store.db, q), `${asOfOf(day)} ${figure} ${state ?? ''}`).toBe(plain.length);
        // Page by page, after each page's last.
        const items: Array<{ referralId: string; agencyId: string; createdAt: string }> = [];
        for (;;) {
          const last = items[items.length - 1];
          const page = await listReferralsThen(store.db, { ...q, after: last ? { at: last.createdAt, id: last.referralId } : undefined });
          items.push(...page.map((p) => ({ referralId: p.referralId, agencyId: p.agencyId, createdAt: p.createdAt })));
          if (page.length < q.limit) break;
        }
        expect(items, `${asOfOf(day)} ${figure} ${state ?? ''}`).toEqual(plain);
        listed += items.length;
      }
    }
    expect(listed).toBeGreaterThan(100);
  });
});
