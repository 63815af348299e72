/**
 * `cases.overdue`: 1 while an open journey is past a deadline (machines/overdue.ts), kept
 * by the engine with every change, so `GET /api/v1/cases?overdue=true` reads partial
 * indexes holding only those journeys instead of matching text in every snapshot (1.3 s a
 * page for the largest provider at national scale). Existing journeys are worked out here:
 * the few whose stored text can hold a deadline are read and judged by the same rule.
 */
import { sql, type Kysely } from 'kysely';
import { overdueFlag } from '../../../machines/overdue.ts';
import type { Migration } from '../migrator.ts';

const BATCH = 2000;

export const caseOverdueMigration: Migration = {
  name: '012-case-overdue',
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('cases').addColumn('overdue', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    // Only these texts can carry a passed deadline; every other journey stays 0.
    let after = '';
    for (;;) {
      const rows = (await sql<{ id: string; snapshot: string; closed_at: string | null }>`
        select id, snapshot, closed_at from cases
        where closed_at is null and id > ${after}
          and (state_value like '%reviewDue%' or snapshot like '%"waitingTimeBreached":true%'
               or snapshot like '%"breached":true%' or snapshot like '%"due":true%')
        order by id limit ${sql.lit(BATCH)}`.execute(db)).rows;
      if (rows.length === 0) break;
      const overdue = rows.filter((r) => overdueFlag(JSON.parse(r.snapshot) as { value: unknown; context: Record<string, unknown> }, r.closed_at !== null) === 1).map((r) => r.id);
      if (overdue.length > 0) await sql`update cases set overdue = 1 where id in (${sql.join(overdue)})`.execute(db);
      after = rows.at(-1)!.id;
    }
    await db.schema.createIndex('cases_agency_overdue').on('cases').columns(['lead_agency_id', 'opened_at', 'id']).where(sql.ref('overdue'), '=', 1).execute();
    await db.schema.createIndex('cases_overdue_opened').on('cases').columns(['opened_at', 'id']).where(sql.ref('overdue'), '=', 1).execute();
  },
};
