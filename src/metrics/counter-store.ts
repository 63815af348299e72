/**
 * Writes counter deltas: one statement per chunk that adds each delta to its stored row,
 * creating rows as needed, in the day blocks (`metric_day_totals` for the undivided rows,
 * `metric_day_blocks` for the breakdowns; day-blocks.ts). The rows travel as one JSON text
 * (SQLite, `json_each`) or as column arrays (PostgreSQL, `unnest`), so each statement's
 * text is fixed — built once here, never compiled per call — whatever the number of rows.
 * On PostgreSQL the rows for both tables go in one statement (one round trip). Rows that
 * fall to zero stay (cheaper than deleting and re-inserting as journeys move); readers
 * ignore them and a rebuild drops them.
 */
import { CompiledQuery, PostgresAdapter, type Kysely } from 'kysely';
import type { DirectSql } from '../db/direct-sql.ts';
import { pgNumberArray, pgTextArray } from '../db/pg-array.ts';
import type { Database } from '../db/schema.ts';
import type { BlockDelta } from './counter-deltas.ts';
import { BLOCK_DAYS, DAY_COLUMNS } from './day-blocks.ts';

const CHUNK = 20_000;

/** True when `db` talks to PostgreSQL. */
export function isPostgres<DB>(db: Kysely<DB>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

const DAY_LIST = DAY_COLUMNS.join(', ');
// n and every day column add up: `d0 = metric_day_blocks.d0 + excluded.d0`, …
const sums = (table: string): string => ['n', ...DAY_COLUMNS].map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');
const BLOCKS_KEY = `on conflict (metric, agency_id, k, block, dim, value) do update set ${sums('metric_day_blocks')}`;
const TOTALS_KEY = `on conflict (metric, agency_id, block, k) do update set ${sums('metric_day_totals')}`;

// One JSON row per day delta, [metric, agency, k, block, dim, value, amount, day offset],
// spread over the day columns after one parse (reading 32 columns out of the JSON would
// parse it 32 times). Two days of one block add up, as SQLite applies an upsert row by row.
// `where true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
const SQLITE_DAY_SPREAD = DAY_COLUMNS.map((_, i) => `(o = ${i}) * x`).join(', ');
const SQLITE_BLOCKS = `with r as materialized (
    select value ->> 0 as m, value ->> 1 as a, value ->> 2 as k, value ->> 3 as b, value ->> 4 as d, value ->> 5 as v, value ->> 6 as x, value ->> 7 as o
    from json_each(?))
  insert into metric_day_blocks (metric, agency_id, k, block, dim, value, n, ${DAY_LIST})
  select m, a, k, b, d, v, x, ${SQLITE_DAY_SPREAD} from r where true
  ${BLOCKS_KEY}`;
// The undivided rows: [metric, agency, k, block, amount, day offset].
const SQLITE_TOTALS = `with r as materialized (
    select value ->> 0 as m, value ->> 1 as a, value ->> 2 as k, value ->> 3 as b, value ->> 4 as x, value ->> 5 as o
    from json_each(?))
  insert into metric_day_totals (metric, agency_id, block, k, n, ${DAY_LIST})
  select m, a, b, k, x, ${SQLITE_DAY_SPREAD} from r where true
  ${TOTALS_KEY}`;

// `?` placeholders throughout (as DirectSql takes them); numbered for PostgreSQL when run through Kysely.
const pgArrays = (types: readonly string[]): string => types.map((t) => `?::${t}[]`).join(', ');
const BLOCK_TYPES = ['text', 'text', 'text', 'int', 'text', 'text', 'int', ...DAY_COLUMNS.map(() => 'int')];
const TOTAL_TYPES = ['text', 'text', 'int', 'text', 'int', ...DAY_COLUMNS.map(() => 'int')];
const pgBlocksText = (): string => `insert into metric_day_blocks (metric, agency_id, k, block, dim, value, n, ${DAY_LIST})
  select * from unnest(${pgArrays(BLOCK_TYPES)})
  ${BLOCKS_KEY}`;
const pgTotalsText = (): string => `insert into metric_day_totals (metric, agency_id, block, k, n, ${DAY_LIST})
  select * from unnest(${pgArrays(TOTAL_TYPES)})
  ${TOTALS_KEY}`;
// A serving node's commits append their changes instead (counter-fold.ts): one row per block row.
// Its columns named rather than `select *`, so that PostgreSQL keeps it prepared (direct-sql.ts).
const PG_APPEND = `insert into metric_day_deltas (metric, agency_id, k, block, dim, value, n, ${DAY_LIST})
  select metric, agency_id, k, block, dim, value, n, ${DAY_LIST}
  from unnest(${pgArrays(BLOCK_TYPES)}) as u(metric, agency_id, k, block, dim, value, n, ${DAY_LIST})`;
const PG_BLOCKS = pgBlocksText();
const PG_TOTALS = pgTotalsText();
// Both in one round trip (PostgreSQL runs data-modifying CTEs); empty arrays insert nothing.
const PG_ALL = `with day_totals as (${pgTotalsText()}) ${pgBlocksText()}`;

// The fold: every appended row the statement's snapshot sees, deleted and, in the same
// statement, added to the block rows they change, in key order. A row is folded by the
// transaction that deletes it, so once whoever folds at the same time. All of them, not a
// number of them: a snapshot's committed changes are the counts at one moment (a journey's
// later change commits after its earlier one), so the blocks stay counts of some moment —
// never below zero, a total zero only when its breakdown is — which the readers' skipping of
// zero rows relies on; an arbitrary part of them could take a count off before it was added.
const sumsOf = (keys: string): string => `${keys}, sum(n), ${DAY_COLUMNS.map((c) => `sum(${c})`).join(', ')} from gone`;
const PG_FOLD = `with gone as (
    delete from metric_day_deltas returning *),
  day_totals as (insert into metric_day_totals (metric, agency_id, block, k, n, ${DAY_LIST})
    select ${sumsOf('metric, agency_id, block, k')} where dim = 'all' group by 1, 2, 3, 4 order by 1, 2, 3, 4
    ${TOTALS_KEY}),
  day_blocks as (insert into metric_day_blocks (metric, agency_id, k, block, dim, value, n, ${DAY_LIST})
    select ${sumsOf('metric, agency_id, k, block, dim, value')} where dim <> 'all' group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6
    ${BLOCKS_KEY})
  select count(*)::int as n from gone`;

const numberedText = new Map<string, string>();
/** `?` placeholders as PostgreSQL's `$1, $2, …` (the texts here hold no other question mark). */
function numbered(text: string): string {
  let out = numberedText.get(text);
  if (out === undefined) {
    let n = 0;
    out = text.replace(/\?/g, () => `$${++n}`);
    numberedText.set(text, out);
  }
  return out;
}

/**
 * PostgreSQL refuses an upsert that reaches one row twice, so the day deltas are first
 * gathered into one row per block: its total and its 32 days.
 */
function pgBlockRows(deltas: readonly BlockDelta[]): Array<{ d: BlockDelta; n: number; days: number[] }> {
  const rows = new Map<string, { d: BlockDelta; n: number; days: number[] }>();
  for (const d of deltas) {
    const key = `${d.metric}\u0000${d.agency_id}\u0000${d.k}\u0000${d.block}\u0000${d.dim}\u0000${d.value}`;
    let row = rows.get(key);
    if (!row) {
      row = { d, n: 0, days: new Array<number>(BLOCK_DAYS).fill(0) };
      rows.set(key, row);
    }
    row.n += d.n;
    row.days[d.offset] = (row.days[d.offset] ?? 0) + d.n;
  }
  return [...rows.values()];
}

// The column arrays go as array literals built here (src/db/pg-array.ts): 39 of them a
// statement, most of them day columns of small numbers, which pg's own conversion of each
// element made a measurable share of a transition.
/** One array literal per day column of the rows. */
function dayArrays(list: ReturnType<typeof pgBlockRows>): string[] {
  return DAY_COLUMNS.map((_, i) => pgNumberArray(list.map((r) => r.days[i] ?? 0)));
}

function pgBlockParams(deltas: readonly BlockDelta[]): unknown[] {
  const list = pgBlockRows(deltas);
  return [
    pgTextArray(list.map((r) => r.d.metric)),
    pgTextArray(list.map((r) => r.d.agency_id)),
    pgTextArray(list.map((r) => r.d.k)),
    pgNumberArray(list.map((r) => r.d.block)),
    pgTextArray(list.map((r) => r.d.dim)),
    pgTextArray(list.map((r) => r.d.value)),
    pgNumberArray(list.map((r) => r.n)),
    ...dayArrays(list),
  ];
}

function pgTotalParams(deltas: readonly BlockDelta[]): unknown[] {
  const list = pgBlockRows(deltas);
  return [
    pgTextArray(list.map((r) => r.d.metric)),
    pgTextArray(list.map((r) => r.d.agency_id)),
    pgNumberArray(list.map((r) => r.d.block)),
    pgTextArray(list.map((r) => r.d.k)),
    pgNumberArray(list.map((r) => r.n)),
    ...dayArrays(list),
  ];
}

function sqliteBlockParams(rows: readonly BlockDelta[]): unknown[] {
  return [JSON.stringify(rows.map((r) => [r.metric, r.agency_id, r.k, r.block, r.dim, r.value, r.n, r.offset]))];
}

function sqliteTotalParams(rows: readonly BlockDelta[]): unknown[] {
  return [JSON.stringify(rows.map((r) => [r.metric, r.agency_id, r.k, r.block, r.n, r.offset]))];
}

/**
 * Adds each day delta to its block row's day and total. Inside an engine transaction pass
 * its `DirectSql` (src/db/direct-sql.ts): the fixed texts then skip the query builder
 * altogether.
 */
export async function applyCounterDeltas<DB>(db: Kysely<DB>, blocks: readonly BlockDelta[], direct?: DirectSql): Promise<void> {
  const postgres = isPostgres(db);
  const run = async (text: string, params: unknown[]): Promise<void> => {
    if (direct) await direct.run(text, params);
    else await db.executeQuery(CompiledQuery.raw(postgres ? numbered(text) : text, params));
  };
  // Undivided day deltas go to metric_day_totals, the breakdowns to metric_day_blocks.
  const totals: BlockDelta[] = [];
  const divided: BlockDelta[] = [];
  for (const b of blocks) (b.dim === 'all' ? totals : divided).push(b);
  if (postgres) {
    if (totals.length <= CHUNK && divided.length <= CHUNK) {
      if (totals.length + divided.length > 0) await run(PG_ALL, [...pgTotalParams(totals), ...pgBlockParams(divided)]);
      return;
    }
    // A chunk boundary may cut one block's days in two: two statements, each upserting it once.
    for (let i = 0; i < totals.length; i += CHUNK) await run(PG_TOTALS, pgTotalParams(totals.slice(i, i + CHUNK)));
    for (let i = 0; i < divided.length; i += CHUNK) await run(PG_BLOCKS, pgBlockParams(divided.slice(i, i + CHUNK)));
    return;
  }
  for (let i = 0; i < totals.length; i += CHUNK) await run(SQLITE_TOTALS, sqliteTotalParams(totals.slice(i, i + CHUNK)));
  for (let i = 0; i < divided.length; i += CHUNK) await run(SQLITE_BLOCKS, sqliteBlockParams(divided.slice(i, i + CHUNK)));
}

/**
 * PostgreSQL: appends each block row's change to `metric_day_deltas` for the fold to add
 * later (counter-fold.ts), so the commit locks no row another commit needs. The counters'
 * readers add the rows not folded yet, so a figure is exact as soon as the commit is.
 */
export async function appendCounterDeltas<DB>(db: Kysely<DB>, blocks: readonly BlockDelta[], direct?: DirectSql): Promise<void> {
  if (!isPostgres(db)) throw new Error('Counter deltas are appended on PostgreSQL only; SQLite adds them to the blocks (applyCounterDeltas).');
  for (let i = 0; i < blocks.length; i += CHUNK) {
    const params = pgBlockParams(blocks.slice(i, i + CHUNK));
    // Nothing reads its answer: at a commit it goes without waiting, COMMIT behind it (DirectSql.send).
    if (direct) await direct.send(PG_APPEND, params);
    else await db.executeQuery(CompiledQuery.raw(numbered(PG_APPEND), params));
  }
}

/**
 * PostgreSQL: folds the appended rows into the block rows, in the caller's transaction;
 * returns how many it folded.
 */
export async function foldAppendedCounters(db: Kysely<Database>): Promise<number> {
  const { rows } = await db.executeQuery<{ n: number }>(CompiledQuery.raw(PG_FOLD, []));
  return rows[0]?.n ?? 0;
}
