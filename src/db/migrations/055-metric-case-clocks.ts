/**
 * `metric_case_clocks`: the journeys behind each counted state (src/metrics/case-clocks.ts),
 * so the dashboard's figures open onto the lists behind them. Two indexes: by agency (a
 * figure of one agency) and by metric alone (a figure of the whole area, walked in day
 * order and filtered by the area's agencies, which stops at a page).
 *
 * Filled from the stored facts of every journey with the counting rule of this release;
 * a later change to that rule rebuilds the table with the measures (`pathways metrics rebuild`).
 */
import { sql, type Kysely } from 'kysely';
import { caseStateCounts } from '../../metrics/counter-deltas.ts';
import type { CaseFacts } from '../../metrics/case-facts.ts';
import { clockRowsOf, insertCaseClocks } from '../../metrics/case-clocks.ts';
import type { Database } from '../schema.ts';
import type { Migration } from '../migrator.ts';

export const metricCaseClocksMigration: Migration = {
  name: '055-metric-case-clocks',
  async up(db: Kysely<unknown>, dialect) {
    const create = db.schema
      .createTable('metric_case_clocks')
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('k', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('day', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('metric_case_clocks_pk', ['case_id', 'metric']);
    await (dialect === 'sqlite' ? create.modifyEnd(sql`without rowid`) : create).execute();
    await db.schema.createIndex('metric_case_clocks_agency').on('metric_case_clocks').columns(['agency_id', 'metric', 'k', 'day', 'case_id']).execute();
    await db.schema.createIndex('metric_case_clocks_metric').on('metric_case_clocks').columns(['metric', 'k', 'day', 'case_id']).execute();

    const typed = db as unknown as Kysely<Database & { metric_case_facts: { case_id: string; agency_id: string; facts: string } }>;
    let after = '';
    for (;;) {
      const page = await typed.selectFrom('metric_case_facts').select(['case_id', 'agency_id', 'facts']).where('case_id', '>', after).orderBy('case_id').limit(5000).execute();
      const rows = page.flatMap((r) => clockRowsOf(r.case_id, r.agency_id, caseStateCounts(JSON.parse(r.facts) as CaseFacts)));
      await insertCaseClocks(db as Kysely<Database>, rows);
      const last = page[page.length - 1];
      if (!last || page.length < 5000) break;
      after = last.case_id;
    }
  },
};
