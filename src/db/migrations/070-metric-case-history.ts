/**
 * `metric_case_history`: where each journey was on any past day (src/metrics/case-history.ts),
 * one row per spell of a counted state with the days it began and ended and the journey's
 * breakdown values. Two covering indexes, as `metric_case_clocks` has: by agency and by
 * metric alone, each in (state, day, journey) order, so a list at a past day is one walk of
 * an index in list order, its other filters (the spell's days, a breakdown group) read from
 * the index itself.
 *
 * Backfilled by replaying every journey's stored events through the measures' reducer, in
 * the default time zone (Europe/London); a service in another zone runs
 * `pathways metrics rebuild`, which rebuilds this table with the measures.
 */
import { sql, type Kysely } from 'kysely';
import { reduceCase, type CaseFacts } from '../../metrics/case-facts.ts';
import { insertCaseHistory, type CaseHistoryRow } from '../../metrics/case-history.ts';
import { CaseHistoryReplay, changeOf, replayStreams } from '../../metrics/rebuild.ts';
import { loadCaseSubjects } from '../../metrics/stream-subjects.ts';
import type { Database } from '../schema.ts';
import type { Migration } from '../migrator.ts';

const COVERED = ['from_day', 'to_day', 'sex', 'age_band', 'ethnicity', 'postcode_district', 'referral_source', 'substance'];

export const metricCaseHistoryMigration: Migration = {
  name: '070-metric-case-history',
  async up(db: Kysely<unknown>, dialect) {
    let create = db.schema
      .createTable('metric_case_history')
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('k', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('from_day', 'integer', (c) => c.notNull())
      .addColumn('to_day', 'integer');
    for (const dim of COVERED.slice(2)) create = create.addColumn(dim, 'text', (c) => c.notNull());
    create = create.addPrimaryKeyConstraint('metric_case_history_pk', ['case_id', 'metric', 'from_day']);
    await (dialect === 'sqlite' ? create.modifyEnd(sql`without rowid`) : create).execute();
    await db.schema.createIndex('metric_case_history_agency').on('metric_case_history').columns(['agency_id', 'metric', 'k', 'day', 'case_id', ...COVERED]).execute();
    await db.schema.createIndex('metric_case_history_metric').on('metric_case_history').columns(['metric', 'k', 'day', 'case_id', 'agency_id', ...COVERED]).execute();

    const trx = db as Kysely<Database>;
    const rows: CaseHistoryRow[] = [];
    await replayStreams(trx, 'case', 5000, () => undefined, loadCaseSubjects, async (id, subject, events) => {
      let facts: CaseFacts | null = null;
      const history = new CaseHistoryReplay(id, undefined);
      for (const row of events) {
        const next: CaseFacts = reduceCase(facts, subject, changeOf(row, facts?.stage ?? null, undefined)).facts;
        history.step(facts, next, row.effective_at);
        facts = next;
      }
      if (facts) rows.push(...history.rows(facts));
      if (rows.length >= 5000) await insertCaseHistory(trx, rows.splice(0));
    });
    await insertCaseHistory(trx, rows.splice(0));
  },
};
