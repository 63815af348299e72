/**
 * Today's caseloads and stage breaches (src/metrics/caseloads.ts, drill-down.ts) group a
 * figure's clock rows (`metric_case_clocks`) by their journey's keyworker or stage. Each
 * waiting clock sought its journey's keyworker in the open journeys' index by id, and each
 * breaching deadline clock its journey's stage-age row: one seek per row, most of either
 * read (about 100 ms for the busiest area at 330,000 journeys).
 *
 * Every clock row now carries its journey's current stage and keyworker (`stage`,
 * `keyworker_id`, null when none is assigned), written with the row from the journey's facts
 * (src/metrics/case-clocks.ts), and two partial indexes make each read one walk of an index:
 *
 * - `metric_case_clocks_keyworker`: the waiting clocks by team, keyworker and day, so an
 *   area's caseload counts are grouped as the index is ordered;
 * - `metric_case_clocks_stage`: the deadline clocks (every metric but the stage ages) by
 *   team, metric, day and stage, so the breaching rows of a deadline are one range.
 *
 * `cases_open_by_id` (migration 112), read only by the seeks replaced here, is dropped.
 *
 * Backfill: each row's stage and keyworker from its journey's stored facts, as the rows
 * written from now on take them (a later change to the facts' rules rebuilds the table
 * with the measures).
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

/** The partial condition of `metric_case_clocks_stage`, to be repeated verbatim by a query on SQLite. */
export function deadlineClocksSql(alias: string): string {
  return `${alias ? `${alias}.` : ''}metric <> 'stage_age'`;
}

export const clockJourneyAttributesMigration: Migration = {
  name: '116-clock-journey-attributes',
  async up(db: Kysely<unknown>, dialect) {
    await db.schema.alterTable('metric_case_clocks').addColumn('stage', 'text', (c) => c.notNull().defaultTo('')).execute();
    await db.schema.alterTable('metric_case_clocks').addColumn('keyworker_id', 'text').execute();
    // Filled before the indexes are made, so each index is built once from the filled rows.
    if (dialect === 'postgres') {
      await sql`update metric_case_clocks c set stage = f.facts::json ->> 'stage', keyworker_id = f.facts::json ->> 'keyworkerId'
        from metric_case_facts f where f.case_id = c.case_id`.execute(db);
    } else {
      await sql`update metric_case_clocks set stage = json_extract(f.facts, '$.stage'), keyworker_id = json_extract(f.facts, '$.keyworkerId')
        from metric_case_facts f where f.case_id = metric_case_clocks.case_id`.execute(db);
    }
    await sql`create index metric_case_clocks_keyworker on metric_case_clocks (agency_id, metric, keyworker_id, day) where metric = 'waiting'`.execute(db);
    await sql`create index metric_case_clocks_stage on metric_case_clocks (agency_id, metric, day, stage) where ${sql.raw(deadlineClocksSql(''))}`.execute(db);
    await db.schema.dropIndex('cases_open_by_id').execute();
  },
};
