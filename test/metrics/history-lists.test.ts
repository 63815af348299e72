/**
 * The lists of a past day (and of a breakdown group) read the history's spells running at
 * the day's end through its end blocks (migration 115): every list's total and its pages,
 * walked by the cursor, equal the straightforward answer — every spell of the figure that
 * began by the day and had not ended, in (day, journey) order — and the dashboard's figure
 * of that day; over a made-up history of thousands of spells of every length, open and
 * ended, and over journeys moved by the engine, after each further event (a spell ending,
 * a discharge, a relapse).
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.ts';
import { breachesByStage, journeysBehind, type DrillDialect, type JourneyDrillQuery, type JourneyDrillRow } from '../../src/metrics/drill-down.ts';
import { END_BLOCK_DAYS, historyTotals } from '../../src/metrics/history-reader.ts';
import { insertCaseHistory, type CaseHistoryRow } from '../../src/metrics/case-history.ts';
import { dayOf } from '../../src/metrics/days.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';
import { REVIEW_INTERVAL_DAYS } from '../../src/metrics/measures/deadlines.ts';
import { STANDARD_DAYS } from '../../src/metrics/case-facts.ts';
import type { JourneyListFigure } from '../../machines/figure-lists.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';
import { addAgency, startLiveWorld, type LiveWorld } from '../live/live-world.ts';
import { addPerson, completeSuccessfully, intoTreatment, openJourney, type StreamDriver } from './cohort-builder.ts';

const FIGURES: Record<JourneyListFigure, { metric: string; overDays: number | null }> = {
  workInProgress: { metric: 'stage_age', overDays: null },
  waitingOver21Days: { metric: 'waiting', overDays: STANDARD_DAYS },
  reviewsOverdue: { metric: 'review_basis', overDays: REVIEW_INTERVAL_DAYS },
  continuityOver21Days: { metric: 'continuity_open', overDays: STANDARD_DAYS },
};
const STAGES = ['referred', 'screening', 'carePlanning', 'inTreatment', 'recoveryCheckups'];
const BANDS = ['18-24', '25-34', '35-44'];

type Row = Pick<JourneyDrillRow, 'caseId' | 'agencyId' | 'day'>;

/** The straightforward answer: every spell of the figure running at the end of the day (today: every open spell, as today's clock rows), in list order. */
async function straightforward(db: Kysely<Database>, q: JourneyDrillQuery): Promise<Row[]> {
  const spec = FIGURES[q.figure];
  const d = q.asOfDay ?? dayOf(q.asOf);
  const upper = spec.overDays === null ? d : d - spec.overDays - 1;
  const r = await sql<{ case_id: string; agency_id: string; day: number | string }>`
    select case_id, agency_id, day from metric_case_history
    where metric = ${spec.metric} and agency_id in (${sql.join(q.agencyIds)})
    ${q.figure === 'workInProgress' && q.stage ? sql`and k = ${q.stage}` : sql``}
    ${q.group ? sql`and ${sql.ref(q.group.dim)} = ${q.group.value}` : sql``}
    ${q.past ? sql`and day <= ${upper} and from_day <= ${d} and (to_day is null or to_day > ${d})` : sql`and to_day is null ${spec.overDays === null ? sql`` : sql`and day <= ${upper}`}`}`.execute(db);
  return r.rows
    .map((x) => ({ caseId: x.case_id, agencyId: x.agency_id, day: Number(x.day) }))
    .sort((a, b) => a.day - b.day || (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));
}

/** The list as a reader pages it: its total, and every row, following the cursor. */
async function walked(db: Kysely<Database>, dialect: DrillDialect, q: JourneyDrillQuery): Promise<{ total: number; rows: Row[] }> {
  const first = await journeysBehind(db, dialect, q);
  const rows: Row[] = [];
  let page = first.rows;
  for (;;) {
    rows.push(...page.map((r) => ({ caseId: r.caseId, agencyId: r.agencyId, day: r.day })));
    const last = page[page.length - 1];
    if (page.length < q.limit || !last) break;
    page = (await journeysBehind(db, dialect, { ...q, after: { at: String(last.day), id: last.caseId } })).rows;
  }
  return { total: first.total, rows };
}

/** The dashboard's figure of that day (the history's totals), for the same query. */
async function dashboardFigure(db: Kysely<Database>, q: JourneyDrillQuery): Promise<number> {
  const spec = FIGURES[q.figure];
  const d = q.asOfDay ?? dayOf(q.asOf);
  const rows = await historyTotals(metricsDb(db), {
    metric: spec.metric,
    agencyIds: q.agencyIds,
    dim: q.group?.dim ?? 'all',
    asOfDay: d,
    ...(spec.overDays === null ? {} : { dayTo: d - spec.overDays - 1 }),
  });
  return rows.filter((r) => (!q.stage || r.k === q.stage) && (!q.group || r.value === q.group.value)).reduce((n, r) => n + r.n, 0);
}

/** Every list shape on one day: each figure, a stage, a group, a page size that splits the list. */
function queries(agencyIds: string[], day: number, past: boolean): JourneyDrillQuery[] {
  const base = { agencyIds, asOf: `${new Date(day * 86_400_000).toISOString().slice(0, 10)}T12:00:00.000Z`, asOfDay: day, past, limit: 25 };
  return [
    { ...base, figure: 'workInProgress' },
    { ...base, figure: 'workInProgress', stage: 'inTreatment' },
    { ...base, figure: 'workInProgress', stage: 'screening', group: { dim: 'age_band', value: '25-34' } },
    { ...base, figure: 'workInProgress', group: { dim: 'age_band', value: '18-24' } },
    { ...base, figure: 'waitingOver21Days' },
    { ...base, figure: 'reviewsOverdue', limit: 3 },
    { ...base, figure: 'continuityOver21Days' },
    { ...base, figure: 'waitingOver21Days', agencyIds: agencyIds.slice(0, 1), group: { dim: 'age_band', value: '35-44' } },
  ];
}

async function expectSameAnswers(
  db: Kysely<Database>,
  dialect: DrillDialect,
  agencyIds: string[],
  days: number[],
  past: (day: number) => boolean,
  historyOnly = false,
): Promise<number> {
  let seen = 0;
  for (const day of days) {
    // Today's lists read today's clock rows and counters (a made-up history has neither).
    for (const q of queries(agencyIds, day, past(day)).filter((x) => !historyOnly || x.past)) {
      const label = `${q.figure} ${q.stage ?? ''} ${q.group?.value ?? ''} ${q.agencyIds.length} on ${day}`;
      const want = await straightforward(db, q);
      const got = await walked(db, dialect, q);
      expect(got.total, label).toBe(want.length);
      expect(got.rows, label).toEqual(want);
      if (q.past) expect(await dashboardFigure(db, q), label).toBe(want.length);
      seen += want.length;
    }
  }
  return seen;
}

describe.each(['sqlite', 'postgres'] as const)('lists of a past day from the end blocks (%s)', (dialect) => {
  describe('over a made-up history of spells of every length', () => {
    let store: TestStore;
    const agencies = ['agency-a', 'agency-b', 'agency-c'];
    // Days 20,000–21,100 (2024–2027): spells of 1 day to 3 years, a fifth still open.
    const START = 20_000;
    const END = 21_100;

    beforeAll(async () => {
      store = await createTestStore(dialect);
      let seed = 7;
      const rand = (n: number) => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        // The high bits: an LCG's low bits repeat within a few draws.
        return Math.floor(seed / 65_536) % n;
      };
      const rows: CaseHistoryRow[] = [];
      for (let c = 0; c < 300; c += 1) {
        const caseId = `case-${String(c).padStart(4, '0')}`;
        const agency = agencies[rand(agencies.length)]!;
        const dims = { sex: 'female', age_band: BANDS[rand(BANDS.length)]!, ethnicity: 'x', postcode_district: 'NB1', referral_source: 'self', substance: 'alcohol' };
        for (const metric of ['stage_age', 'waiting', 'review_basis', 'continuity_open']) {
          // Consecutive spells; some lengths cross many end blocks, some end within one.
          let from = START + rand(400);
          for (let s = 0; s < 4 && from < END; s += 1) {
            const length = [1, 3, 20, 63, 64, 65, 200, 700][rand(8)]!;
            const open = rand(5) === 0 || from + length > END;
            // The clock's day: mostly the spell's first day, sometimes earlier (a clock carried over), now and then later.
            const day = from - [0, 0, 0, 5, 40, -2][rand(6)]!;
            const k = metric === 'stage_age' ? STAGES[rand(STAGES.length)]! : '';
            rows.push({ case_id: caseId, metric, k, agency_id: agency, day, from_day: from, to_day: open ? null : from + length, ...dims });
            if (open) break;
            from += length + rand(3);
          }
        }
      }
      await insertCaseHistory(store.db, rows);
    }, 120_000);
    afterAll(async () => store.dispose());

    it('gives every list on every kind of day the straightforward answer, the dashboard\'s figure with it', async () => {
      const days = [START - 1, START + 10, START + 63, START + 64, START + 300, START + 511, START + 512, START + 700, END - 1, END, END + 90];
      // Around the edges of end blocks: the day before a block's first, its last, its first.
      for (let b = 5; b < 8; b += 1) for (const edge of [-2, -1, 0]) days.push(Math.floor(START / END_BLOCK_DAYS + b) * END_BLOCK_DAYS + edge);
      const seen = await expectSameAnswers(store.db, store.dialect, agencies, days, (day) => day < END, true);
      // The comparison is not empty: the made-up history fills the lists.
      expect(seen).toBeGreaterThan(1000);
    }, 120_000);

    it('counts a past day\'s breaches by stage as the straightforward join does', async () => {
      const edge = Math.floor(START / END_BLOCK_DAYS + 6) * END_BLOCK_DAYS;
      for (const day of [START + 40, edge - 2, edge - 1, edge, START + 511, END - 1]) {
        const got = await breachesByStage(store.db, agencies, '2026-01-01T12:00:00.000Z', { asOfDay: day, past: true });
        const want: Array<{ stage: string; figure: string; count: number }> = [];
        for (const figure of ['waitingOver21Days', 'reviewsOverdue', 'continuityOver21Days'] as const) {
          const spec = FIGURES[figure];
          const r = await sql<{ stage: string; n: number | string }>`
            select s.k as stage, count(*) as n from metric_case_history h
            join metric_case_history s on s.case_id = h.case_id and s.metric = 'stage_age' and s.from_day <= ${day} and (s.to_day is null or s.to_day > ${day})
            where h.metric = ${spec.metric} and h.agency_id in (${sql.join(agencies)}) and h.day <= ${day - (spec.overDays ?? 0) - 1}
            and h.from_day <= ${day} and (h.to_day is null or h.to_day > ${day})
            group by s.k`.execute(store.db);
          for (const row of r.rows) want.push({ stage: row.stage, figure, count: Number(row.n) });
        }
        want.sort((a, b) => a.stage.localeCompare(b.stage) || a.figure.localeCompare(b.figure));
        expect(got, String(day)).toEqual(want);
        expect(want.length, String(day)).toBeGreaterThan(0);
      }
    });

    it('walks only the end blocks from the day\'s on', async () => {
      if (dialect !== 'sqlite') return;
      // SQLite refuses a statement whose index hint cannot be followed, so reading at all proves the index is the end blocks'.
      const plan = await sql<{ detail: string }>`explain query plan select count(*) from metric_case_history h indexed by metric_case_history_ends
        where h.agency_id = 'agency-a' and h.metric = 'waiting' and (coalesce(h.to_day, 1000000000) / 64) = 320 and h.day <= 20500`.execute(store.db);
      expect(plan.rows.map((r) => r.detail).join('\n')).toContain('<expr>=?');
    });
  });

  describe('over journeys the engine moves', () => {
    let w: LiveWorld;
    let provider: string;
    const j: Record<string, StreamDriver> = {};

    beforeAll(async () => {
      w = await startLiveWorld(dialect, { now: '2025-01-06T12:00:00.000Z' });
      provider = await addAgency(w.store.db, 'treatment_provider', 'North');
      const open = async (key: string, on: string, band: string) => {
        const born = { '18-24': '2004-01-01', '25-34': '1995-01-01', '35-44': '1985-01-01' }[band]!;
        j[key] = await openJourney(w.engine, w.clock, { personId: await addPerson(w.store.db, provider, { dateOfBirth: born }), agencyId: provider, referredOn: on });
      };
      await open('a', '2025-01-06', '25-34');
      await open('b', '2025-01-20', '18-24');
      await open('c', '2025-03-03', '25-34');
      await open('d', '2025-05-05', '35-44');
      await intoTreatment(j.a!, '2025-02-10', '2025-02-17');
      await intoTreatment(j.c!, '2025-06-02', '2025-06-09');
    }, 120_000);
    afterAll(async () => w.close());

    const DAYS = ['2025-01-31', '2025-02-16', '2025-03-31', '2025-06-30', '2025-09-30', '2025-12-31', '2026-03-31', '2026-06-30'].map(dayOf);
    const check = async (today: string) => {
      w.clock.set(today);
      const t = dayOf(today);
      await expectSameAnswers(w.store.db, w.store.dialect, [provider], [...DAYS.filter((d) => d < t), t], (d) => d < t);
    };

    it('keeps the answers after each further event: a spell ending, a discharge, a relapse', async () => {
      await check('2025-07-01');
      // B's waiting ends: it starts screening (its referred spell ends, a screening spell begins).
      await j.b!.on('2025-08-04', { type: 'SCREENING_STARTED' });
      await check('2025-08-05');
      // A completes treatment, then relapses: back to a new episode with a new waiting clock.
      await completeSuccessfully(j.a!, '2025-10-06');
      await check('2025-10-07');
      await j.a!.on('2026-01-12', { type: 'RELAPSE_REPORTED', reportedOn: '2026-01-12' });
      await check('2026-01-13');
      // D drops out; C's review is done late, recorded as of its day.
      await j.d!.on('2026-02-02', { type: 'DISCHARGED', reason: 'dropped_out', dischargedOn: '2026-02-02' });
      await check('2026-07-01');
    }, 240_000);
  });
});
