/**
 * The lists behind the dashboard's figures: which journeys make up a stage's work in
 * progress or a deadline count, and which referrals wait on an agency. Each list walks the
 * same rows its figure counts — `metric_case_clocks` for journeys (case-clocks.ts),
 * `metric_deadlines` and the referrals' own state for referrals — so its length equals
 * the figure, and a page is one index range, oldest first, whatever the number of journeys.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { deadlineClocksSql } from '../db/migrations/116-clock-journey-attributes.ts';
import type { Database } from '../db/schema.ts';
import { STANDARD_DAYS } from './case-facts.ts';
import { REVIEW_INTERVAL_DAYS } from './measures/deadlines.ts';
import { REFERRAL_WAITING_STATES } from './referral-facts.ts';
import { dayOf } from './days.ts';
import type { JourneyListFigure, ReferralListFigure } from '../../machines/figure-lists.ts';
import type { Dimension } from '../../machines/measure-dimensions.ts';
import { readBlockTotals, readSums } from './count-reader.ts';
import { isPostgres } from './counter-store.ts';
import { OPEN_END_BLOCK, endBlock, endBlockIndex, historyGroupColumn, runningAt, runningEndBlocks, type EndBlockRange } from './history-reader.ts';
import { metricsDb } from './metric-tables.ts';
import { countReferralsThen, listReferralsThen } from './referral-lists-then.ts';

/** The counted state each journey figure with a list is made of. */
const JOURNEY_FIGURES: Record<JourneyListFigure, { metric: string; overDays: number | null }> = {
  /** Open journeys (of one stage with `stage`): the stage ages. */
  workInProgress: { metric: 'stage_age', overDays: null },
  waitingOver21Days: { metric: 'waiting', overDays: STANDARD_DAYS },
  reviewsOverdue: { metric: 'review_basis', overDays: REVIEW_INTERVAL_DAYS },
  continuityOver21Days: { metric: 'continuity_open', overDays: STANDARD_DAYS },
};

/** Where a page starts: after this position in list order (a day number or a sending time, then the id). */
export interface DrillCursor {
  at: string;
  id: string;
}

/** The stores differ in one thing here: SQLite is told which index to walk. */
export type DrillDialect = 'sqlite' | 'postgres';

export interface JourneyDrillQuery {
  agencyIds: readonly string[];
  figure: JourneyListFigure;
  /** Work in progress of one stage. */
  stage?: string | undefined;
  asOf: string;
  /** The as-of day in the service's calendar (default: the UTC date of `asOf`). */
  asOfDay?: number | undefined;
  /** A day before today: where journeys were at its end, from the history (case-history.ts). */
  past?: boolean | undefined;
  /** One group of a breakdown (the measures' `breakdown` dimension and one of its values). */
  group?: { dim: Exclude<Dimension, 'all'>; value: string } | undefined;
  after?: DrillCursor | undefined;
  limit: number;
}

/** One journey of a figure: which, where, and the day its counted state began. */
export interface JourneyDrillRow {
  caseId: string;
  agencyId: string;
  stage: string;
  /** The day the counted state began (stage entered, waiting clock started, review basis, release). */
  day: number;
}

function asOfDayOfQuery(q: Pick<JourneyDrillQuery, 'asOf' | 'asOfDay'>): number {
  return q.asOfDay ?? dayOf(q.asOf);
}

/** Today's lists without a group read today's clock rows; the others the history (today's group counted by the counters). */
function fromHistory(q: JourneyDrillQuery): boolean {
  return Boolean(q.past || q.group);
}

/** The conditions of a figure over `t`, the clock rows (`c`) or the history (`h`). */
function journeyWhere(q: JourneyDrillQuery, t: 'c' | 'h' = fromHistory(q) ? 'h' : 'c'): RawBuilder<unknown> {
  const spec = JOURNEY_FIGURES[q.figure];
  const col = (name: string) => sql.ref(`${t}.${name}`);
  const parts: Array<RawBuilder<unknown>> = [sql`${col('metric')} = ${spec.metric}`, sql`${col('agency_id')} in (${sql.join(q.agencyIds.map((a) => sql`${a}`))})`];
  if (q.figure === 'workInProgress' && q.stage) parts.push(sql`${col('k')} = ${q.stage}`);
  const asOfDay = asOfDayOfQuery(q);
  // A figure counts those past its standard on the as-of day: day N is within, N + 1 over.
  if (spec.overDays !== null) parts.push(sql`${col('day')} <= ${asOfDay - spec.overDays - 1}`);
  if (t === 'h') {
    // Spells begin on or before their clock's day is passed, so this bounds the walk too.
    if (spec.overDays === null) parts.push(sql`h.day <= ${asOfDay}`);
    parts.push(runningAt(asOfDay));
    if (q.group) parts.push(sql`${historyGroupColumn(q.group.dim)} = ${q.group.value}`);
  }
  return sql.join(parts, sql` and `);
}

/**
 * Today's figure per agency and sub-key (the stage, for the stage ages) from the counters,
 * which hold the same entries as the clock rows (both are `caseStateCounts` of each journey,
 * kept in the same transaction): a stage's open journeys, or a deadline clock's entries on
 * days past its standard. A read of day blocks, whatever the number of journeys; counting
 * the rows themselves read some 200,000 index entries for an area's work in progress at
 * 330,000 journeys.
 */
async function clockRangesNow(db: Kysely<Database>, q: JourneyDrillQuery): Promise<Array<{ agencyId: string; k: string; n: number }>> {
  const spec = JOURNEY_FIGURES[q.figure];
  // A breakdown group's: the counters of its dimension (the figure its cell shows), its value's rows.
  const scope = { agencyIds: q.agencyIds, dim: q.group?.dim ?? ('all' as const), byAgency: true };
  const rows =
    spec.overDays === null
      ? await readBlockTotals(metricsDb(db), { ...scope, metric: spec.metric })
      : await readSums(metricsDb(db), { ...scope, metrics: [spec.metric], dayTo: asOfDayOfQuery(q) - spec.overDays - 1 });
  return rows
    .filter((r) => (!(q.figure === 'workInProgress' && q.stage) || r.k === q.stage) && (!q.group || r.value === q.group.value))
    .map((r) => ({ agencyId: r.agencyId ?? '', k: r.k, n: r.n }));
}

type ClockPageRow = { case_id: string; agency_id: string; k: string; day: number | string };

/**
 * Today's page: the first rows after the cursor of each (agency, sub-key) range of the clock
 * rows that the counters say is not empty, each a walk of the agency index in list order
 * that stops at the page size, merged by the database. One ordered walk of the whole area
 * cannot stop early (the agencies are separate ranges of the index), so it read and sorted
 * every row of the figure for each page.
 */
async function clockPageNow(db: Kysely<Database>, dialect: DrillDialect, q: JourneyDrillQuery, ranges: ReadonlyArray<{ agencyId: string; k: string }>): Promise<ClockPageRow[]> {
  if (ranges.length === 0 || q.limit <= 0) return [];
  const spec = JOURNEY_FIGURES[q.figure];
  const hint = dialect === 'sqlite' ? sql.raw('indexed by metric_case_clocks_agency') : sql``;
  const bound = spec.overDays === null ? sql`` : sql` and c.day <= ${asOfDayOfQuery(q) - spec.overDays - 1}`;
  const after = q.after ? sql` and (c.day, c.case_id) > (${Number(q.after.at)}, ${q.after.id})` : sql``;
  const arms = ranges.map(
    (r, i) => sql`select * from (select c.case_id, c.agency_id, c.k, c.day from metric_case_clocks c ${hint}
      where c.agency_id = ${r.agencyId} and c.metric = ${spec.metric} and c.k = ${r.k}${bound}${after}
      order by c.day, c.case_id limit ${q.limit}) as ${sql.ref(`p${i}`)}`,
  );
  return (await sql<ClockPageRow>`${sql.join(arms, sql` union all `)} order by day, case_id limit ${q.limit}`.execute(db)).rows;
}

/**
 * The history's spells of a figure (a past day, or a breakdown group) where they can be
 * running at the end of the as-of day: each agency's end blocks from that day's on
 * (history-reader.ts), so neither the total nor a page reads the spells that ended before
 * the day — most of the history on a day a year back. Today's group: the open spells'
 * block alone (today's clock rows, as the counters count them).
 */
async function historyRanges(db: Kysely<Database>, q: JourneyDrillQuery): Promise<EndBlockRange[]> {
  if (!q.past) return [...new Set(q.agencyIds)].map((agencyId) => ({ agencyId, blocks: [OPEN_END_BLOCK] }));
  return runningEndBlocks(metricsDb(db), { metric: JOURNEY_FIGURES[q.figure].metric, agencyIds: q.agencyIds, asOfDay: asOfDayOfQuery(q) });
}

/** How many journeys a past day's (or a breakdown group's) figure holds: the spells running then, counted in their end blocks. */
async function countHistory(db: Kysely<Database>, q: JourneyDrillQuery, ranges: readonly EndBlockRange[]): Promise<number> {
  if (ranges.length === 0) return 0;
  const blocks = [...new Set(ranges.flatMap((x) => x.blocks))];
  const r = await sql<{ n: number | string }>`select count(*) as n from metric_case_history h ${endBlockIndex(metricsDb(db))}
    where ${endBlock} in (${sql.join(blocks)}) and ${journeyWhere(q, 'h')}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

// Arms of one statement: SQLite allows 500 selects in a compound select.
const ARMS_PER_STATEMENT = 400;

/**
 * A page of the history's spells (a past day, or a breakdown group), in list order: the
 * first after the cursor of each agency and end block, each a walk in list order that
 * stops at the page size. The arms' rows are gathered first (`materialized`) and then
 * sorted: SQLite would otherwise merge the arms pairwise, one arm after another, at a cost
 * growing with the square of their number.
 */
async function historyPage(db: Kysely<Database>, q: JourneyDrillQuery, ranges: readonly EndBlockRange[]): Promise<ClockPageRow[]> {
  if (ranges.length === 0 || q.limit <= 0) return [];
  const hint = endBlockIndex(metricsDb(db));
  const spec = JOURNEY_FIGURES[q.figure];
  const asOfDay = asOfDayOfQuery(q);
  // A past day: the spells running at its end. Today (a group): the open spells, today's
  // clock rows — those the counters count, whatever day a fact was dated — past the
  // standard's day for a deadline.
  const parts: Array<RawBuilder<unknown>> = q.past ? [runningAt(asOfDay), sql`h.day <= ${spec.overDays === null ? asOfDay : asOfDay - spec.overDays - 1}`] : [sql`h.to_day is null`];
  if (!q.past && spec.overDays !== null) parts.push(sql`h.day <= ${asOfDay - spec.overDays - 1}`);
  if (q.figure === 'workInProgress' && q.stage) parts.push(sql`h.k = ${q.stage}`);
  if (q.group) parts.push(sql`${historyGroupColumn(q.group.dim)} = ${q.group.value}`);
  if (q.after) parts.push(sql`(h.day, h.case_id) > (${Number(q.after.at)}, ${q.after.id})`);
  const where = sql.join(parts, sql` and `);
  const arms = ranges.flatMap((r) =>
    r.blocks.map(
      (b) => sql`select h.case_id as case_id, h.agency_id as agency_id, h.k as k, h.day as day from metric_case_history h ${hint}
        where h.agency_id = ${r.agencyId} and h.metric = ${spec.metric} and ${endBlock} = ${b} and ${where}
        order by h.day, h.case_id limit ${q.limit}`,
    ),
  );
  const found: ClockPageRow[] = [];
  for (let i = 0; i < arms.length; i += ARMS_PER_STATEMENT) {
    const part = arms.slice(i, i + ARMS_PER_STATEMENT).map((arm, j) => sql`select * from (${arm}) as ${sql.ref(`p${j}`)}`);
    const r = await sql<ClockPageRow>`with arms as materialized (${sql.join(part, sql` union all `)})
      select * from arms order by day, case_id limit ${q.limit}`.execute(db);
    found.push(...r.rows);
  }
  if (arms.length <= ARMS_PER_STATEMENT) return found;
  const byOrder = (x: ClockPageRow, y: ClockPageRow) => Number(x.day) - Number(y.day) || (x.case_id < y.case_id ? -1 : x.case_id > y.case_id ? 1 : 0);
  return found.sort(byOrder).slice(0, q.limit);
}

/** How many journeys the figure holds (the list's length) and one page of them, oldest counted state first. */
export async function journeysBehind(db: Kysely<Database>, dialect: DrillDialect, q: JourneyDrillQuery): Promise<{ total: number; rows: JourneyDrillRow[] }> {
  if (q.agencyIds.length === 0) return { total: 0, rows: [] };
  let total: number;
  let found: ClockPageRow[];
  if (fromHistory(q)) {
    const ranges = await historyRanges(db, q);
    // Today's group is counted by the counters (its cell's figure), as today's lists are:
    // counting its open spells read every open spell of the metric in the area.
    const count = q.past ? countHistory(db, q, ranges) : clockRangesNow(db, q).then((rs) => rs.reduce((n, r) => n + r.n, 0));
    [total, found] = await Promise.all([count, historyPage(db, q, ranges)]);
  } else {
    const ranges = await clockRangesNow(db, q);
    total = ranges.reduce((n, r) => n + r.n, 0);
    found = await clockPageNow(db, dialect, q, ranges);
  }
  return { total, rows: await withStages(db, q, found) };
}

/** The page's rows with each journey's stage (a deadline clock's is the journey's own). */
async function withStages(db: Kysely<Database>, q: JourneyDrillQuery, found: readonly ClockPageRow[]): Promise<JourneyDrillRow[]> {
  const rows = found.map((row) => ({ caseId: row.case_id, agencyId: row.agency_id, stage: row.k, day: Number(row.day) }));
  if (q.figure === 'workInProgress') return rows;
  // The deadline clocks have no sub-key: the stage is the journey's own, then.
  const ids = rows.map((x) => x.caseId);
  const stages = fromHistory(q) ? await stagesAt(db, ids, asOfDayOfQuery(q)) : await stagesOf(db, ids);
  return rows.map((x) => ({ ...x, stage: stages.get(x.caseId) ?? '' }));
}

async function stagesOf(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('cases').select(['id', 'stage']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.stage]));
}

/** The stage each journey was in at the end of `asOfDay` (its stage spell running then). */
async function stagesAt(db: Kysely<Database>, ids: readonly string[], asOfDay: number): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const r = await sql<{ case_id: string; k: string }>`
    select h.case_id, h.k from metric_case_history h
    where h.case_id in (${sql.join(ids)}) and h.metric = 'stage_age' and ${runningAt(asOfDay)}`.execute(db);
  return new Map(r.rows.map((row) => [row.case_id, row.k]));
}

/**
 * Which of these journeys were past any journey deadline at the end of `asOfDay` (the
 * list's `overdue` on a past day): a deadline clock running then, older than its standard.
 */
export async function overdueAt(db: Kysely<Database>, ids: readonly string[], asOfDay: number): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const over = (['waitingOver21Days', 'reviewsOverdue', 'continuityOver21Days'] as const).map(
    (f) => sql`(h.metric = ${JOURNEY_FIGURES[f].metric} and h.day <= ${asOfDay - (JOURNEY_FIGURES[f].overDays ?? 0) - 1})`,
  );
  const r = await sql<{ case_id: string }>`
    select distinct h.case_id from metric_case_history h
    where h.case_id in (${sql.join(ids)}) and ${runningAt(asOfDay)} and (${sql.join(over, sql` or `)})`.execute(db);
  return new Set(r.rows.map((row) => row.case_id));
}

export interface ReferralDrillQuery {
  agencyIds: readonly string[];
  figure: ReferralListFigure;
  /** Referrals waiting in one state (requested, received, accepted). */
  state?: string | undefined;
  asOf: string;
  /** The as-of day in the service's calendar (default: the UTC date of `asOf`). */
  asOfDay?: number | undefined;
  /** A day before today: the referrals as they stood at its end, from their history (referral-lists-then.ts). */
  past?: boolean | undefined;
  after?: DrillCursor | undefined;
  limit: number;
}

/** One referral of a figure. */
export interface ReferralDrillRow {
  referralId: string;
  /** The receiving agency. */
  agencyId: string;
  state: string;
  /** When it was sent. */
  createdAt: string;
  /** For deadline figures, when the deadline fell. */
  dueAt: string | null;
}

const DEADLINE_OF: Record<Exclude<ReferralListFigure, 'referralsWaiting'>, string> = {
  referralsNotAcknowledged: 'acknowledge',
  referralsNotContacted: 'first_contact',
};

function referralWhere(q: ReferralDrillQuery): RawBuilder<unknown> {
  const agencies = sql.join(q.agencyIds.map((a) => sql`${a}`));
  if (q.figure === 'referralsWaiting') {
    const states = q.state ? [q.state] : [...REFERRAL_WAITING_STATES];
    return sql`r.to_agency_id in (${agencies}) and r.state in (${sql.join(states.map((s) => sql`${s}`))})`;
  }
  return sql`d.agency_id in (${agencies}) and d.deadline = ${DEADLINE_OF[q.figure]} and d.due_at < ${q.asOf}`;
}

function referralFrom(q: ReferralDrillQuery): RawBuilder<unknown> {
  return q.figure === 'referralsWaiting' ? sql`referrals r` : sql`metric_deadlines d join referrals r on r.id = d.stream_id`;
}

/** How many referrals the figure holds. */
export async function countReferralsBehind(db: Kysely<Database>, q: ReferralDrillQuery): Promise<number> {
  if (q.agencyIds.length === 0) return 0;
  if (q.past) return countReferralsThen(db, { ...q, asOfDay: q.asOfDay ?? dayOf(q.asOf) });
  // A deadline's count needs no referral row: its index range (agency, deadline, due time) alone.
  const from = q.figure === 'referralsWaiting' ? referralFrom(q) : sql`metric_deadlines d`;
  const r = await sql<{ n: number | string }>`select count(*) as n from ${from} where ${referralWhere(q)}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * Today's page of referrals waiting: the first after the cursor of each receiving agency and
 * waiting state, each a walk of the referrals' (receiver, state, sending time) index that
 * stops at the page size, merged by the database — rather than every waiting referral of
 * the area read and sorted.
 */
async function waitingPageNow(db: Kysely<Database>, q: ReferralDrillQuery): Promise<ReferralDrillRow[]> {
  const hint = isPostgres(db) ? sql`` : sql.raw('indexed by referrals_to_state_created');
  const after = q.after ? sql` and (r.created_at, r.id) > (${q.after.at}, ${q.after.id})` : sql``;
  const states = q.state ? [q.state] : [...REFERRAL_WAITING_STATES];
  const arms = q.agencyIds.flatMap((agency, a) =>
    states.map(
      (state, i) => sql`select * from (select r.id, r.to_agency_id, r.state, r.created_at from referrals r ${hint}
        where r.to_agency_id = ${agency} and r.state = ${state}${after} order by r.created_at, r.id limit ${q.limit}) as ${sql.ref(`p${a}_${i}`)}`,
    ),
  );
  const r = await sql<{ id: string; to_agency_id: string; state: string; created_at: string }>`${sql.join(arms, sql` union all `)} order by created_at, id limit ${q.limit}`.execute(db);
  return r.rows.map((row) => ({ referralId: row.id, agencyId: row.to_agency_id, state: row.state, createdAt: row.created_at, dueAt: null }));
}

/** One page of the referrals behind a figure, oldest first (by sending time). */
export async function listReferralsBehind(db: Kysely<Database>, q: ReferralDrillQuery): Promise<ReferralDrillRow[]> {
  if (q.agencyIds.length === 0) return [];
  if (q.past) return listReferralsThen(db, { ...q, asOfDay: q.asOfDay ?? dayOf(q.asOf) });
  if (q.figure === 'referralsWaiting') return waitingPageNow(db, q);
  const after = q.after ? sql` and (r.created_at > ${q.after.at} or (r.created_at = ${q.after.at} and r.id > ${q.after.id}))` : sql``;
  const r = await sql<{ id: string; to_agency_id: string; state: string; created_at: string; due_at: string | null }>`
    select r.id, r.to_agency_id, r.state, r.created_at, d.due_at from ${referralFrom(q)}
    where ${referralWhere(q)}${after}
    order by r.created_at, r.id limit ${q.limit}`.execute(db);
  return r.rows.map((row) => ({ referralId: row.id, agencyId: row.to_agency_id, state: row.state, createdAt: row.created_at, dueAt: row.due_at }));
}

/** Journeys past a deadline, by the stage they are in now (the drawing's breaches per stage). */
export interface StageBreachRow {
  stage: string;
  figure: JourneyListFigure;
  count: number;
}

/**
 * How many journeys of each stage are past each journey deadline on the as-of day: the
 * same rows the deadline figures count, grouped by the journey's stage. Reads only the
 * breaching rows (an index range per deadline), whatever the number of journeys.
 */
export async function breachesByStage(db: Kysely<Database>, agencyIds: readonly string[], asOf: string, at: { asOfDay?: number; past?: boolean } = {}): Promise<StageBreachRow[]> {
  if (agencyIds.length === 0) return [];
  const out: StageBreachRow[] = [];
  for (const figure of ['waitingOver21Days', 'reviewsOverdue', 'continuityOver21Days'] as const) {
    const q: JourneyDrillQuery = { agencyIds, figure, asOf, asOfDay: at.asOfDay, past: at.past, limit: 0 };
    // On a past day, the stage each journey was in then: the breaching spells are read in
    // their end blocks (history-reader.ts) first (SQLite is told the index and, by `cross
    // join`, the order), each then finding its journey's stage spell by the history's key.
    const blocks = at.past ? [...new Set((await historyRanges(db, q)).flatMap((x) => x.blocks))] : [];
    const r = at.past
      ? await sql<{ stage: string; n: number | string }>`
          select s.k as stage, count(*) as n from metric_case_history h ${endBlockIndex(metricsDb(db))} ${isPostgres(db) ? sql`,` : sql`cross join`} metric_case_history s
          where s.case_id = h.case_id and s.metric = 'stage_age' and s.from_day <= ${at.asOfDay ?? dayOf(asOf)} and (s.to_day is null or s.to_day > ${at.asOfDay ?? dayOf(asOf)})
          and ${blocks.length > 0 ? sql`${endBlock} in (${sql.join(blocks)})` : sql`1 = 0`} and ${journeyWhere(q, 'h')}
          group by s.k`.execute(db)
      : // Today, the breaching clock rows themselves, each carrying its journey's stage
        // (migration 116): one range of the deadline clocks' index, no seek per row.
        await sql<{ stage: string; n: number | string }>`
          select c.stage, count(*) as n from metric_case_clocks c ${isPostgres(db) ? sql`` : sql.raw('indexed by metric_case_clocks_stage')}
          where ${sql.raw(deadlineClocksSql('c'))} and ${journeyWhere(q, 'c')}
          group by c.stage`.execute(db);
    for (const row of r.rows) out.push({ stage: row.stage, figure, count: Number(row.n) });
  }
  return out.sort((a, b) => a.stage.localeCompare(b.stage) || a.figure.localeCompare(b.figure));
}
