/**
 * Reads summed counters for a scope: one or more metrics, a set of agencies, one breakdown
 * dimension, optionally a day range. Every metric is kept in day blocks (`metric_day_totals`
 * and `metric_day_blocks`, day-blocks.ts), read as whole 32-day blocks, with the day columns
 * of the blocks at a range's ragged ends. The cost follows the number of blocks, stages and
 * breakdown values — not the number of journeys. On PostgreSQL the counter changes appended
 * and not folded yet (`metric_day_deltas`, counter-fold.ts) are read along with the blocks,
 * so a figure counts every committed change.
 */
import { sql, type RawBuilder } from 'kysely';
import { BLOCK_DAYS, BLOCKED_METRICS, DAY_COLUMNS, blockOf } from './day-blocks.ts';
import type { Dimension } from '../../machines/measure-dimensions.ts';
import { isPostgres } from './counter-store.ts';
import { jsonRowsOf, parseJsonRows } from './json-rows.ts';
import type { MetricsDb } from './metric-tables.ts';

/** Sums `n` by a key built from each row. */
export function sumBy<R extends { n: number }, K extends string>(rows: readonly R[], key: (r: R) => K): Map<K, number> {
  const out = new Map<K, number>();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + r.n);
  return out;
}

/** One sum over a day range. */
export interface SumRow {
  /** The agency, when the sums were asked per agency. */
  agencyId?: string;
  metric: string;
  value: string;
  k: string;
  n: number;
}

interface SumQuery {
  metrics: readonly string[];
  agencyIds: readonly string[];
  dim: Dimension;
  dayFrom?: number | undefined;
  dayTo?: number | undefined;
  /** Keep agencies apart. */
  byAgency?: boolean;
}

/**
 * Sums several metrics over the scope and an inclusive day range in one read per table,
 * grouped by metric, breakdown value and sub-key (no days): what period figures need.
 */
export async function readSums(db: MetricsDb, q: SumQuery): Promise<SumRow[]> {
  if (q.agencyIds.length === 0 || q.metrics.length === 0) return [];
  const unknown = q.metrics.filter((m) => !BLOCKED_METRICS.has(m));
  if (unknown.length > 0) throw new Error(`Metrics: no day blocks are kept for ${unknown.join(', ')}; see BLOCKED_METRICS in src/metrics/day-blocks.ts.`);
  return readBlockSums(db, q);
}

/** The sum of day columns `from`–`to` of a block row of table `t` (its `n` when that is all of them). */
function daySpan(t: string, from: number, to: number): RawBuilder<number> {
  // A period that ends before it starts holds no days.
  if (from > to) return sql<number>`0`;
  if (from === 0 && to === BLOCK_DAYS - 1) return sql<number>`${sql.ref(`${t}.n`)}`;
  return sql<number>`(${sql.join(DAY_COLUMNS.slice(from, to + 1).map((c) => sql.ref(`${t}.${c}`)), sql` + `)})`;
}

/** Which day-block rows a reader wants: metrics over agencies, one dimension, a block range. */
interface BlockScope {
  metrics: readonly string[];
  agencyIds: readonly string[];
  dim: Dimension;
  firstBlock?: number | undefined;
  lastBlock?: number | undefined;
  /** Add the changes appended and not folded yet (PostgreSQL; counter-fold.ts). */
  appended?: boolean;
}

const BLOCK_COLUMNS = sql.raw(['metric', 'agency_id', 'k', 'block', 'n', ...DAY_COLUMNS].map((c) => `b.${c}`).join(', '));

/**
 * The appended changes in `scope` of its dimension, as block rows with their `value`. No
 * `n <> 0` here: an appended row may move a count between days of a block and sum to zero.
 */
function appendedRows(scope: BlockScope): RawBuilder<unknown> {
  return sql`select ${BLOCK_COLUMNS}, b.value from metric_day_deltas b
    where b.metric in (${sql.join(scope.metrics)}) and b.agency_id in (${sql.join(scope.agencyIds)}) and b.dim = ${scope.dim}${
      scope.firstBlock === undefined ? sql`` : sql` and b.block >= ${scope.firstBlock}`
    }${scope.lastBlock === undefined ? sql`` : sql` and b.block <= ${scope.lastBlock}`}`;
}

/**
 * The FROM and WHERE clauses of the day-block rows in `scope`, as rows `b` with `b.value`
 * their breakdown value: the undivided rows are `metric_day_totals` itself; a breakdown
 * walks the non-zero total rows `t` of the range and, for each, seeks the breakdown rows of
 * that one dimension in `metric_day_blocks` (whose key starts metric, agency, sub-key,
 * block, dimension). Every count is at least zero, so a total of zero has no breakdown rows
 * to find. The cost is the range's total rows plus the dimension's rows in it — never
 * another dimension's, whatever the number of journeys behind them. `cross join` keeps
 * SQLite's planner from turning the walk around, and `t.block + 0` keeps it from carrying
 * the block range over to `b` (it would then walk every block of the range, in every
 * dimension, for each total row instead of seeking one block of one dimension).
 */
export function blockRowsFrom(scope: BlockScope): { from: RawBuilder<unknown>; value: RawBuilder<string> } {
  const range = (t: string): RawBuilder<unknown> =>
    sql`${sql.ref(`${t}.metric`)} in (${sql.join(scope.metrics)}) and ${sql.ref(`${t}.agency_id`)} in (${sql.join(scope.agencyIds)}) and ${sql.ref(`${t}.n`)} <> 0${
      scope.firstBlock === undefined ? sql`` : sql` and ${sql.ref(`${t}.block`)} >= ${scope.firstBlock}`
    }${scope.lastBlock === undefined ? sql`` : sql` and ${sql.ref(`${t}.block`)} <= ${scope.lastBlock}`}`;
  if (scope.dim === 'all') {
    if (!scope.appended) return { from: sql`from metric_day_totals b where ${range('b')}`, value: sql<string>`cast('all' as text)` };
    return {
      from: sql`from (select ${BLOCK_COLUMNS}, cast('all' as text) as value from metric_day_totals b where ${range('b')} union all ${appendedRows(scope)}) b`,
      value: sql<string>`b.value`,
    };
  }
  const stored = sql`from metric_day_totals t cross join metric_day_blocks b
      where ${range('t')} and b.metric = t.metric and b.agency_id = t.agency_id and b.k = t.k and b.block = t.block + 0 and b.dim = ${scope.dim} and b.n <> 0`;
  if (!scope.appended) return { from: stored, value: sql<string>`b.value` };
  return { from: sql`from (select ${BLOCK_COLUMNS}, b.value ${stored} union all ${appendedRows(scope)}) b`, value: sql<string>`b.value` };
}

async function readBlockSums(db: MetricsDb, q: SumQuery): Promise<SumRow[]> {
  // Whole blocks count `n`; the first and last block of the range only their days inside it.
  const first = q.dayFrom === undefined ? undefined : blockOf(q.dayFrom);
  const last = q.dayTo === undefined ? undefined : blockOf(q.dayTo);
  const fromOffset = q.dayFrom === undefined || first === undefined ? 0 : q.dayFrom - first;
  const toOffset = q.dayTo === undefined || last === undefined ? BLOCK_DAYS - 1 : q.dayTo - last;
  let amount: RawBuilder<number>;
  if (first === undefined && last === undefined) amount = sql<number>`b.n`;
  else if (first !== undefined && first === last) amount = daySpan('b', fromOffset, toOffset);
  else {
    const head = first === undefined ? sql`` : sql`when b.block = ${first} then ${daySpan('b', fromOffset, BLOCK_DAYS - 1)} `;
    const tail = last === undefined ? sql`` : sql`when b.block = ${last} then ${daySpan('b', 0, toOffset)} `;
    amount = sql<number>`case ${head}${tail}else b.n end`;
  }
  const { from, value } = blockRowsFrom({ ...q, firstBlock: first, lastBlock: last, appended: isPostgres(db) });
  // The rows as found, one per agency and block, added up here: a GROUP BY would sort them
  // all into a temporary tree first, several times the cost of finding them.
  const agency = q.byAgency ? sql`b.agency_id` : sql`cast('' as text)`;
  const { rows } = await sql<{ rows: unknown }>`select ${jsonRowsOf(db, [agency, sql`b.metric`, value, sql`b.k`, amount])} as rows ${from}`.execute(db);
  const sums = new Map<string, SumRow>();
  for (const [agencyId, metric, v, k, n] of parseJsonRows(rows[0]?.rows) as Array<[string, string, string, string, number]>) {
    const key = `${agencyId}\u0000${metric}\u0000${v}\u0000${k}`;
    const hit = sums.get(key);
    if (hit) hit.n += Number(n);
    else sums.set(key, { ...(q.byAgency ? { agencyId } : {}), metric, value: v, k, n: Number(n) });
  }
  return [...sums.values()].filter((r) => r.n !== 0);
}

/** A blocked metric's total over all its days, by sub-key and breakdown value (and agency when asked). */
export async function readBlockTotals(
  db: MetricsDb,
  q: { metric: string; agencyIds: readonly string[]; dim: Dimension; byAgency?: boolean },
): Promise<Array<{ agencyId?: string; k: string; value: string; n: number }>> {
  if (q.agencyIds.length === 0) return [];
  const { from, value } = blockRowsFrom({ metrics: [q.metric], agencyIds: q.agencyIds, dim: q.dim, appended: isPostgres(db) });
  // Added up here, as readBlockSums does.
  const { rows } = await sql<{ rows: unknown }>`select ${jsonRowsOf(db, [sql`b.agency_id`, sql`b.k`, value, sql`b.n`])} as rows ${from}`.execute(db);
  const sums = new Map<string, { agencyId?: string; k: string; value: string; n: number }>();
  for (const [agencyId, k, v, n] of parseJsonRows(rows[0]?.rows) as Array<[string, string, string, number]>) {
    const key = `${q.byAgency ? agencyId : ''}\u0000${k}\u0000${v}`;
    const hit = sums.get(key);
    if (hit) hit.n += Number(n);
    else sums.set(key, { ...(q.byAgency ? { agencyId } : {}), k, value: v, n: Number(n) });
  }
  return [...sums.values()].filter((r) => r.n !== 0);
}
