/** Reads every stored measure in a stable order, to compare the incremental path with a rebuild. */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { foldCounterDeltas } from '../../src/metrics/counter-fold.ts';
import { isPostgres } from '../../src/metrics/counter-store.ts';
import { DAY_COLUMNS } from '../../src/metrics/day-blocks.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';

const line = (r: object): string => JSON.stringify(Object.entries(r).map(([k, v]: [string, unknown]) => [k, typeof v === 'bigint' ? Number(v) : v]));

export async function metricSnapshot(
  db: Kysely<Database>,
): Promise<{ blocks: string[]; caseFacts: string[]; referralFacts: string[]; deadlines: string[]; personEpisodes: string[]; clocks: string[]; history: string[]; referralHistory: string[] }> {
  const m = metricsDb(db);
  const blocks = await dayBlockRows(db);
  const caseFacts = await m.selectFrom('metric_case_facts').selectAll().execute();
  const referralFacts = await m.selectFrom('metric_referral_facts').selectAll().execute();
  const deadlines = await m.selectFrom('metric_deadlines').selectAll().execute();
  const tables = db.withTables<{ metric_case_clocks: Record<string, unknown>; metric_case_history: Record<string, unknown>; metric_referral_history: Record<string, unknown> }>();
  const clocks = await tables.selectFrom('metric_case_clocks').selectAll().execute();
  const history = await tables.selectFrom('metric_case_history').selectAll().execute();
  const referralHistory = await tables.selectFrom('metric_referral_history').selectAll().execute();
  const personEpisodes = await m.selectFrom('metric_person_episodes').selectAll().execute();
  return {
    // Rows left at zero everywhere are as good as absent (a rebuild drops them).
    blocks: blocks.filter((r) => r.n !== 0 || DAY_COLUMNS.some((c) => Number(r[c]) !== 0)).map(line).sort(),
    caseFacts: caseFacts.map(line).sort(),
    referralFacts: referralFacts.map(line).sort(),
    deadlines: deadlines.map(line).sort(),
    clocks: clocks.map(line).sort(),
    history: history.map(line).sort(),
    referralHistory: referralHistory.map(line).sort(),
    personEpisodes: personEpisodes.map(line).sort(),
  };
}

/**
 * Every day-block row in one shape: the breakdown rows of `metric_day_blocks` and the
 * undivided rows of `metric_day_totals` as rows of dimension and value `all` — on
 * PostgreSQL after folding the counter changes appended and not folded yet.
 */
export async function dayBlockRows(db: Kysely<Database>): Promise<Array<Record<string, unknown> & { n: number }>> {
  const m = metricsDb(db);
  if (isPostgres(db)) await foldCounterDeltas(db);
  const divided = await m.selectFrom('metric_day_blocks').selectAll().execute();
  const totals = await m.selectFrom('metric_day_totals').selectAll().execute();
  return [
    ...divided,
    ...totals.map(({ metric, agency_id, k, block, n, ...days }) => ({ metric, agency_id, k, block, dim: 'all', value: 'all', n, ...days })),
  ].map((r) => {
    // One column order whichever table a row came from.
    const out: Record<string, unknown> & { n: number } = { metric: r.metric, agency_id: r.agency_id, k: r.k, block: r.block, dim: r.dim, value: r.value, n: r.n };
    for (const c of DAY_COLUMNS) out[c] = (r as Record<string, unknown>)[c];
    return out;
  });
}

/** Day-block rows whose total is not the sum of their days, or with a day below zero (none, when the blocks are sound). */
export async function unsoundBlocks(db: Kysely<Database>): Promise<string[]> {
  const rows = await dayBlockRows(db);
  return rows
    .filter((r) => {
      const days = DAY_COLUMNS.map((c) => Number(r[c]));
      return days.reduce((s, d) => s + d, 0) !== Number(r.n) || days.some((d) => d < 0);
    })
    .map(line);
}
