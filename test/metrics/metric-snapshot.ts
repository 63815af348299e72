/** Reads every stored measure in a stable order, to compare the incremental path with a rebuild. */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';

export async function metricSnapshot(db: Kysely<Database>): Promise<{ counts: string[]; caseFacts: string[]; referralFacts: string[]; deadlines: string[] }> {
  const m = metricsDb(db);
  const counts = await m.selectFrom('metric_counts').selectAll().where('n', '<>', 0).execute();
  const caseFacts = await m.selectFrom('metric_case_facts').selectAll().execute();
  const referralFacts = await m.selectFrom('metric_referral_facts').selectAll().execute();
  const deadlines = await m.selectFrom('metric_deadlines').selectAll().execute();
  const line = (r: object): string => JSON.stringify(Object.entries(r).map(([k, v]: [string, unknown]) => [k, typeof v === 'bigint' ? Number(v) : v]));
  return {
    counts: counts.map(line).sort(),
    caseFacts: caseFacts.map(line).sort(),
    referralFacts: referralFacts.map(line).sort(),
    deadlines: deadlines.map(line).sort(),
  };
}
