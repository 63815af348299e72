/**
 * Exact day histograms (count, median, 90th percentile, maximum of ages in days) read from
 * the 32-day blocks first and the day counters only where a percentile or the maximum
 * falls: whole blocks give the counts and tell which block holds each rank; then only
 * those blocks are read day by day. A series over years of history costs a few dozen
 * block rows plus at most three blocks of days, whatever the number of journeys, and
 * gives the same answer as summing every day (nearest-rank, see percentiles.ts).
 */
import { sql } from 'kysely';
import { blockEnd, splitRange } from './day-blocks.ts';
import type { Dimension } from './dimensions.ts';
import type { MetricsDb } from './metric-tables.ts';
import type { DaySummary } from './percentiles.ts';

export interface DaySummaryQuery {
  /** A metric of BLOCKED_METRICS whose counters hold the day something started. */
  metric: string;
  agencyIds: readonly string[];
  dim: Dimension;
  /** Ages are days from a counter's day to this one; a day after it counts as age 0. */
  asOfDay: number;
  /** Only counters on or before this day (inclusive). */
  dayTo?: number;
  /** Keep agencies apart instead of summing over them. */
  byAgency?: boolean;
}

/** One series' summary: per sub-key and breakdown value (and agency when asked). */
export interface DaySummaryRow extends DaySummary {
  agencyId?: string;
  k: string;
  value: string;
}

/** Ages `lo`–`hi` (inclusive) holding `n` counts; exact when lo = hi. `block` names a block still to read by day. */
interface Bucket {
  lo: number;
  hi: number;
  n: number;
  block?: number;
}

interface Series {
  agencyId?: string;
  k: string;
  value: string;
  buckets: Bucket[];
}

const SEP = '\u0000';

/** The summaries of every series of `q.metric` in the scope, exact. */
export async function readDaySummaries(db: MetricsDb, q: DaySummaryQuery): Promise<DaySummaryRow[]> {
  if (q.agencyIds.length === 0) return [];
  const ageOf = (day: number): number => Math.max(0, q.asOfDay - day);
  const series = new Map<string, Series>();
  const seriesOf = (agencyId: string | undefined, k: string, value: string): Series => {
    const key = `${agencyId ?? ''}${SEP}${k}${SEP}${value}`;
    let s = series.get(key);
    if (!s) {
      s = { agencyId, k, value, buckets: [] };
      series.set(key, s);
    }
    return s;
  };

  const split = splitRange(undefined, q.dayTo);
  const [blockRows, ...dayRows] = await Promise.all([
    split.blocks ? readBlocks(db, q, split.blocks.to) : Promise.resolve([]),
    ...split.days.map((range) => readDays(db, q, range.from, range.to)),
  ]);
  for (const r of blockRows) {
    const lo = ageOf(blockEnd(r.block));
    const hi = ageOf(r.block);
    seriesOf(r.agencyId, r.k, r.value).buckets.push(lo === hi ? { lo, hi, n: r.n } : { lo, hi, n: r.n, block: r.block });
  }
  for (const rows of dayRows) for (const r of rows) seriesOf(r.agencyId, r.k, r.value).buckets.push({ lo: ageOf(r.day), hi: ageOf(r.day), n: r.n });

  // Which blocks hold a rank or the maximum: read those day by day, all series at once.
  const wanted = new Map<number, Series[]>();
  for (const s of series.values()) {
    for (const b of ranksAndMax(s.buckets)) {
      if (b.block === undefined) continue;
      const list = wanted.get(b.block) ?? [];
      list.push(s);
      wanted.set(b.block, list);
    }
  }
  const refined = await Promise.all([...wanted.entries()].map(async ([block, list]) => ({ block, list, rows: await readBlockDays(db, q, block, list) })));
  for (const { block, list, rows } of refined) {
    for (const s of list) {
      const days = rows.filter((r) => r.k === s.k && r.value === s.value && (r.agencyId ?? '') === (s.agencyId ?? ''));
      s.buckets = s.buckets.filter((b) => b.block !== block);
      for (const r of days) s.buckets.push({ lo: ageOf(r.day), hi: ageOf(r.day), n: r.n });
    }
  }

  const out: DaySummaryRow[] = [];
  for (const s of series.values()) {
    const summary = summarise(s.buckets);
    if (summary.count === 0) continue;
    out.push({ ...(q.byAgency ? { agencyId: s.agencyId ?? '' } : {}), k: s.k, value: s.value, ...summary });
  }
  return out;
}

function sortBuckets(buckets: Bucket[]): Bucket[] {
  return buckets.filter((b) => b.n > 0).sort((a, b) => a.lo - b.lo || a.hi - b.hi);
}

/** The buckets holding the median rank, the 90th-percentile rank and the largest age. */
function ranksAndMax(buckets: Bucket[]): Bucket[] {
  const sorted = sortBuckets(buckets);
  const count = sorted.reduce((s, b) => s + b.n, 0);
  if (count === 0) return [];
  const out = new Set<Bucket>([at(sorted, Math.ceil(0.5 * count)), at(sorted, Math.ceil(0.9 * count)), sorted[sorted.length - 1] as Bucket]);
  return [...out];
}

function at(sorted: Bucket[], rank: number): Bucket {
  let seen = 0;
  for (const b of sorted) {
    seen += b.n;
    if (seen >= rank) return b;
  }
  return sorted[sorted.length - 1] as Bucket;
}

/** Count, nearest-rank median and 90th percentile, maximum; the buckets at those ranks must be exact days by now. */
function summarise(buckets: Bucket[]): DaySummary {
  const sorted = sortBuckets(buckets);
  const count = sorted.reduce((s, b) => s + b.n, 0);
  if (count === 0) return { count: 0, medianDays: null, p90Days: null, maxDays: null };
  const exact = (b: Bucket): number => {
    if (b.lo !== b.hi) throw new Error(`Metrics: a percentile fell in block ${b.block ?? '?'} that was not read by day.`);
    return b.lo;
  };
  return {
    count,
    medianDays: exact(at(sorted, Math.ceil(0.5 * count))),
    p90Days: exact(at(sorted, Math.ceil(0.9 * count))),
    maxDays: exact(sorted[sorted.length - 1] as Bucket),
  };
}

interface BlockRow {
  agencyId?: string;
  k: string;
  value: string;
  block: number;
  n: number;
}

interface DayRow {
  agencyId?: string;
  k: string;
  value: string;
  day: number;
  n: number;
}

async function readBlocks(db: MetricsDb, q: DaySummaryQuery, lastBlock: number | undefined): Promise<BlockRow[]> {
  let query = db
    .selectFrom('metric_count_blocks')
    .select(['k', 'value', 'block', sql<number>`sum(n)`.as('n')])
    .where('metric', '=', q.metric)
    .where('agency_id', 'in', q.agencyIds)
    .where('dim', '=', q.dim);
  if (lastBlock !== undefined) query = query.where('block', '<=', lastBlock);
  if (q.byAgency) {
    const rows = await query.select('agency_id').groupBy(['agency_id', 'k', 'value', 'block']).having(sql`sum(n)`, '<>', 0).execute();
    return rows.map((r) => ({ agencyId: r.agency_id, k: r.k, value: r.value, block: Number(r.block), n: Number(r.n) }));
  }
  const rows = await query.groupBy(['k', 'value', 'block']).having(sql`sum(n)`, '<>', 0).execute();
  return rows.map((r) => ({ k: r.k, value: r.value, block: Number(r.block), n: Number(r.n) }));
}

async function readDays(db: MetricsDb, q: DaySummaryQuery, dayFrom: number | undefined, dayTo: number | undefined, only?: Series[]): Promise<DayRow[]> {
  let query = db
    .selectFrom('metric_counts')
    .select(['k', 'value', 'day', sql<number>`sum(n)`.as('n')])
    .where('metric', '=', q.metric)
    .where('agency_id', 'in', q.agencyIds)
    .where('dim', '=', q.dim);
  if (dayFrom !== undefined) query = query.where('day', '>=', dayFrom);
  if (dayTo !== undefined) query = query.where('day', '<=', dayTo);
  if (only) {
    // A superset of the series wanted (every sub-key × every value named); the caller picks.
    query = query.where('k', 'in', [...new Set(only.map((s) => s.k))]).where('value', 'in', [...new Set(only.map((s) => s.value))]);
  }
  if (q.byAgency) {
    const rows = await query.select('agency_id').groupBy(['agency_id', 'k', 'value', 'day']).having(sql`sum(n)`, '<>', 0).execute();
    return rows.map((r) => ({ agencyId: r.agency_id, k: r.k, value: r.value, day: Number(r.day), n: Number(r.n) }));
  }
  const rows = await query.groupBy(['k', 'value', 'day']).having(sql`sum(n)`, '<>', 0).execute();
  return rows.map((r) => ({ k: r.k, value: r.value, day: Number(r.day), n: Number(r.n) }));
}

function readBlockDays(db: MetricsDb, q: DaySummaryQuery, block: number, only: Series[]): Promise<DayRow[]> {
  return readDays(db, q, block, blockEnd(block), only);
}
