/** Reads every stored measure in a stable order, to compare the incremental path with a rebuild. */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { BLOCKED_METRICS, blockOf } from '../../src/metrics/day-blocks.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';

const line = (r: object): string => JSON.stringify(Object.entries(r).map(([k, v]: [string, unknown]) => [k, typeof v === 'bigint' ? Number(v) : v]));

export async function metricSnapshot(
  db: Kysely<Database>,
): Promise<{ counts: string[]; blocks: string[]; caseFacts: string[]; referralFacts: string[]; deadlines: string[] }> {
  const m = metricsDb(db);
  const counts = await m.selectFrom('metric_counts').selectAll().where('n', '<>', 0).execute();
  const blocks = await m.selectFrom('metric_count_blocks').selectAll().where('n', '<>', 0).execute();
  const caseFacts = await m.selectFrom('metric_case_facts').selectAll().execute();
  const referralFacts = await m.selectFrom('metric_referral_facts').selectAll().execute();
  const deadlines = await m.selectFrom('metric_deadlines').selectAll().execute();
  return {
    counts: counts.map(line).sort(),
    blocks: blocks.map((r) => blockLine(r.metric, r.agency_id, r.k, Number(r.block), r.dim, r.value, Number(r.n))).sort(),
    caseFacts: caseFacts.map(line).sort(),
    referralFacts: referralFacts.map(line).sort(),
    deadlines: deadlines.map(line).sort(),
  };
}

function blockLine(metric: string, agencyId: string, k: string, block: number, dim: string, value: string, n: number): string {
  return JSON.stringify([metric, agencyId, k, block, dim, value, n]);
}

/** What the block rows must be: the day counters of every blocked metric summed per 32-day block, in `metricSnapshot`'s form. */
export async function blocksFromDays(db: Kysely<Database>): Promise<string[]> {
  const rows = await metricsDb(db).selectFrom('metric_counts').selectAll().execute();
  const sums = new Map<string, { metric: string; agencyId: string; k: string; block: number; dim: string; value: string; n: number }>();
  for (const r of rows) {
    if (!BLOCKED_METRICS.has(r.metric)) continue;
    const block = blockOf(Number(r.day));
    const key = JSON.stringify([r.metric, r.agency_id, r.k, block, r.dim, r.value]);
    const s = sums.get(key) ?? { metric: r.metric, agencyId: r.agency_id, k: r.k, block, dim: r.dim, value: r.value, n: 0 };
    s.n += Number(r.n);
    sums.set(key, s);
  }
  return [...sums.values()]
    .filter((s) => s.n !== 0)
    .map((s) => blockLine(s.metric, s.agencyId, s.k, s.block, s.dim, s.value, s.n))
    .sort();
}
