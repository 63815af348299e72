/**
 * Caseloads at a past day (src/metrics/caseloads.ts) from the journeys' caseload spells
 * (`metric_case_history`, metric `caseload`, `k` the keyworker), two partial indexes of
 * those spells alone:
 *
 * - `metric_case_history_caseload`: by team and keyworker, then length class (migration
 *   110's `spanClassSql`) and start day, so each keyworker's journeys open at the end of a
 *   past day are one short range per class — instead of every caseload spell of the area
 *   walked (some 350,000 at 330,000 journeys) through the wide agency index.
 * - `metric_case_history_caseload_case`: by journey, with the days, team and keyworker, so
 *   the journeys waiting or overdue then find whose caseload they were in within a narrow
 *   index instead of the table.
 *
 * And today's caseloads: `cases_open_id` (migration 110) becomes `cases_open_by_id`, the
 * same with `closed_at` (always null in it) as a column, as SQLite counts an index covering
 * only when it holds every column the query names — its partial condition's included —
 * and fetched each waiting journey's row from the table after all.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';
import { spanClassSql } from './110-running-spell-indexes.ts';

/** The indexes' partial condition, to be repeated verbatim by a query on SQLite. */
export function caseloadSpellsSql(alias: string): string {
  return `${alias ? `${alias}.` : ''}metric = 'caseload'`;
}

export const caseloadSpellIndexesMigration: Migration = {
  name: '112-caseload-spell-indexes',
  async up(db: Kysely<unknown>) {
    const partial = sql.raw(caseloadSpellsSql(''));
    await sql`create index metric_case_history_caseload on metric_case_history (agency_id, metric, k, ${sql.raw(spanClassSql(''))}, from_day, to_day) where ${partial}`.execute(db);
    await sql`create index metric_case_history_caseload_case on metric_case_history (case_id, from_day, to_day, agency_id, k) where ${partial}`.execute(db);
    await db.schema.dropIndex('cases_open_id').execute();
    await db.schema.createIndex('cases_open_by_id').on('cases').columns(['id', 'lead_agency_id', 'keyworker_id', 'closed_at']).where(sql.ref('closed_at'), 'is', null).execute();
  },
};
