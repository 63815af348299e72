/** Flow between stages: moves per day or ISO week in the period. */
import { sql } from 'kysely';
import { isPostgres } from '../counter-store.ts';
import { BLOCK_DAYS, DAY_COLUMNS, FLOW_WEEKS, WEEK_BLOCK_DAYS, blockOf, weekBlockOf } from '../day-blocks.ts';
import { dateOfDay, weekStartOf } from '../days.ts';
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import { jsonRowsOf, parseJsonRows } from '../json-rows.ts';
import type { MetricsDb } from '../metric-tables.ts';
import type { MeasureQuery } from './measure-query.ts';

export interface Flow {
  flow: {
    definition: string;
    granularity: 'day' | 'week';
    rows: Array<{ period: string; from: string; to: string; group: string; count: number }>;
  };
}

/**
 * Ranks of strings in the order of String.prototype.localeCompare (strings it holds equal
 * share a rank), so tens of thousands of rows sort on numbers: the few distinct stage
 * and group names are compared once, not at every comparison of the sort.
 */
function localeRanks(values: Iterable<string>): Map<string, number> {
  const { compare } = new Intl.Collator();
  const sorted = [...new Set(values)].sort(compare);
  const ranks = new Map<string, number>();
  let rank = 0;
  sorted.forEach((v, i) => {
    if (i > 0 && compare(sorted[i - 1] as string, v) !== 0) rank += 1;
    ranks.set(v, rank);
  });
  return ranks;
}

/**
 * The period's flow rows as [move, group, day, count], the day a bucket's first day. Read
 * from the day blocks (day-blocks.ts), a row per block of 32 days (undivided) or 32 weeks
 * (broken down) for each agency, move and group: a year is a dozen rows per move
 * undivided, two or three per move and group broken down. A breakdown visits only the
 * moves with an undivided count in the period (counts are never below zero, so a move
 * without one has none in any group) and seeks each one's week blocks of the one dimension.
 */
async function flowRows(db: MetricsDb, q: MeasureQuery, dayFrom: number): Promise<Array<[string, string, number, number]>> {
  if (q.agencyIds.length === 0) return [];
  const days = sql.join(DAY_COLUMNS.map((c) => sql.ref(`b.${c}`)));
  const out: Array<[string, string, number, number]> = [];
  const period = sql`t.metric = 'flow' and t.agency_id in (${sql.join(q.agencyIds)}) and t.block >= ${blockOf(dayFrom)} and t.block <= ${blockOf(q.toDay)}`;
  const inPeriod = sql`${period} and t.n <> 0`;
  // On PostgreSQL with the changes appended and not folded yet (src/metrics/counter-fold.ts),
  // whose rows may sum to zero over their days.
  const appended = isPostgres(db);
  const tDays = sql.join(DAY_COLUMNS.map((c) => sql.ref(`t.${c}`)));
  const totals = appended
    ? sql`(select t.agency_id, t.k, t.block, ${tDays} from metric_day_totals t where ${inPeriod}
        union all select t.agency_id, t.k, t.block, ${tDays} from metric_day_deltas t where ${period} and t.dim = 'all') t`
    : sql`metric_day_totals t where ${inPeriod}`;
  if (q.dim === 'all') {
    const { rows } = await sql<{ rows: unknown }>`select ${jsonRowsOf(db, [sql`t.k`, sql`t.block`, ...DAY_COLUMNS.map((c) => sql.ref(`t.${c}`))])} as rows
      from ${totals}`.execute(db);
    for (const row of parseJsonRows(rows[0]?.rows)) {
      const k = row[0] as string;
      const block = row[1] as number;
      // Only the period's days: a bucket (a week) may run past the period's end.
      for (let i = Math.max(0, dayFrom - block); i < BLOCK_DAYS && block + i <= q.toDay; i += 1) {
        const n = row[2 + i] as number;
        if (n !== 0) out.push([k, 'all', block + i, n]);
      }
    }
    return out;
  }
  const weekBlocks: number[] = [];
  for (let b = weekBlockOf(dayFrom).block; b <= q.toDay; b += WEEK_BLOCK_DAYS) weekBlocks.push(b);
  // The moves with a count in the period: distinct (agency, move) of the undivided blocks.
  const inWeeks = sql`b.metric = ${FLOW_WEEKS} and b.block in (${sql.join(weekBlocks)}) and b.dim = ${q.dim}`;
  const weekRows = appended
    ? sql`(select b.agency_id, b.k, b.value, b.block, ${days} from metric_day_blocks b where ${inWeeks} and b.n <> 0
        union all select b.agency_id, b.k, b.value, b.block, ${days} from metric_day_deltas b where ${inWeeks}) b
      where b.agency_id = m.agency_id and b.k = m.k`
    : sql`metric_day_blocks b
      where b.agency_id = m.agency_id and b.k = m.k and ${inWeeks} and b.n <> 0`;
  const { rows } = await sql<{ rows: unknown }>`select ${jsonRowsOf(db, [sql`b.k`, sql`b.value`, sql`b.block`, days])} as rows
    from (select distinct t.agency_id, t.k from ${totals}) m
    cross join ${weekRows}`.execute(db);
  for (const row of parseJsonRows(rows[0]?.rows)) {
    const k = row[0] as string;
    const value = row[1] as string;
    const block = row[2] as number;
    for (let i = 0; i < BLOCK_DAYS; i += 1) {
      const n = row[3 + i] as number;
      if (n !== 0) out.push([k, value, block + 7 * i, n]);
    }
  }
  return out;
}

/** Stage-to-stage moves in the period, bucketed by day or by week (the bucket's first day). */
export async function flow(db: MetricsDb, q: MeasureQuery, asked: 'day' | 'week'): Promise<Flow> {
  // Broken-down flows are kept per week (day-blocks.ts): answer whole weeks.
  const granularity = q.dim === 'all' ? asked : 'week';
  const dayFrom = granularity === 'week' ? weekStartOf(q.fromDay) : q.fromDay;
  const rows = await flowRows(db, q, dayFrom);
  // A year broken down is tens of thousands of rows: moves and groups are numbered once,
  // rows are added up in one dense array indexed by (bucket, move, group), and the answer
  // is read out of it in order — buckets ascending, moves and groups by their ranks — so
  // nothing is sorted but the few names.
  const step = granularity === 'week' ? 7 : 1;
  const moves = new Interned();
  const groups = new Interned();
  const moveOf = new Int32Array(rows.length);
  const groupOf = new Int32Array(rows.length);
  rows.forEach(([k, value], i) => {
    moveOf[i] = moves.id(k);
    groupOf[i] = groups.id(value);
  });
  // A period that ends before it starts holds no buckets.
  const buckets = Math.max(0, Math.floor((q.toDay - dayFrom) / step) + 1);
  const nm = moves.names.length;
  const ng = groups.names.length;
  const sums = new Float64Array(buckets * nm * ng);
  rows.forEach(([, , day, n], i) => {
    const bucket = Math.floor((day - dayFrom) / step);
    if (bucket < 0 || bucket >= buckets) return;
    const at = (bucket * nm + (moveOf[i] as number)) * ng + (groupOf[i] as number);
    sums[at] = (sums[at] as number) + n;
  });

  const ends = moves.names.map((m) => {
    const cut = m.indexOf('>');
    return { from: m.slice(0, cut), to: m.slice(cut + 1) };
  });
  // Periods are ISO dates, whose text order is their day order; names sort by their ranks.
  const rank = localeRanks([...ends.flatMap((e) => [e.from, e.to]), ...groups.names]);
  const r = (name: string): number => rank.get(name) ?? 0;
  const moveOrder = ends.map((_, i) => i).sort((a, b) => r(ends[a]?.from ?? '') - r(ends[b]?.from ?? '') || r(ends[a]?.to ?? '') - r(ends[b]?.to ?? ''));
  const groupOrder = groups.names.map((_, i) => i).sort((a, b) => r(groups.names[a] ?? '') - r(groups.names[b] ?? ''));
  const out: Flow['flow']['rows'] = [];
  for (let bucket = 0; bucket < buckets; bucket += 1) {
    let period: string | undefined;
    for (const move of moveOrder) {
      const base = (bucket * nm + move) * ng;
      const end = ends[move] ?? { from: '', to: '' };
      for (const group of groupOrder) {
        const count = sums[base + group] as number;
        if (count === 0) continue;
        period ??= dateOfDay(dayFrom + bucket * step);
        out.push({ period, from: end.from, to: end.to, group: groups.names[group] ?? '', count });
      }
    }
  }
  return { flow: { definition: FIGURE_DEFINITIONS.flow, granularity, rows: out } };
}

/** Small numbers for repeated names, in order of first sight. */
class Interned {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }
}
