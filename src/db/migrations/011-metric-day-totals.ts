/**
 * The undivided day blocks get a table of their own (`metric_day_totals`, keyed metric,
 * agency, block, sub-key; src/metrics/day-blocks.ts): in `metric_day_blocks` a read of
 * the `all` rows walked every breakdown row of each stage and block, so the headline
 * figures grew with the number of breakdown values in use (with the journeys). The `all`
 * rows are carried over and leave `metric_day_blocks`, which keeps the breakdowns only.
 *
 * Flows move into the day blocks as well (per day undivided, per week broken down), so a
 * year of them is a few rows per move and group instead of one per day or week.
 *
 * Also new: `ref_due`, the referral deadlines still running counted per day they fall due
 * (undivided, sub-key the deadline), filled here from `metric_deadlines`, so counting the
 * overdue ones reads day blocks instead of every overdue referral; and an index of the
 * running deadlines by the day the referral was sent, so the oldest overdue one is found
 * from the front of it.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

// Kept here (not imported) so the migration means the same thing whenever it runs.
const DAYS = 32;

export const metricDayTotalsMigration: Migration = {
  name: '011-metric-day-totals',
  async up(db: Kysely<unknown>, dialect) {
    const create = db.schema.createTable('metric_day_totals');
    let table = (dialect === 'sqlite' ? create.modifyEnd(sql`without rowid`) : create)
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull())
      .addColumn('block', 'integer', (c) => c.notNull())
      .addColumn('k', 'text', (c) => c.notNull())
      .addColumn('n', 'integer', (c) => c.notNull());
    for (let i = 0; i < DAYS; i += 1) table = table.addColumn(`d${i}`, 'integer', (c) => c.notNull().defaultTo(0));
    // Block before sub-key: a period is one range per metric and agency, and the rows one
    // change touches (the current blocks of a few stages) lie together.
    await table.addPrimaryKeyConstraint('metric_day_totals_pk', ['metric', 'agency_id', 'block', 'k']).execute();

    const dayColumns = Array.from({ length: DAYS }, (_, i) => sql.ref(`d${i}`));
    await sql`
      insert into metric_day_totals (metric, agency_id, block, k, n, ${sql.join(dayColumns)})
      select metric, agency_id, block, k, n, ${sql.join(dayColumns)}
      from metric_day_blocks
      where dim = 'all' and value = 'all'`.execute(db);
    await sql`delete from metric_day_blocks where dim = 'all'`.execute(db);

    // Running referral deadlines per day due. Day numbers from the date part of the ISO
    // text, as src/metrics/days.ts reads them; blocks floor as blockOf does.
    const day = dialect === 'sqlite' ? sql`cast(julianday(substr(due_at, 1, 10)) - 2440587.5 as integer)` : sql`(cast(substr(due_at, 1, 10) as date) - date '1970-01-01')`;
    const block = sql`(${day} - (((${day}) % ${sql.lit(DAYS)}) + ${sql.lit(DAYS)}) % ${sql.lit(DAYS)})`;
    const daySums = Array.from({ length: DAYS }, (_, i) => sql`sum(case when ${day} - ${block} = ${sql.lit(i)} then 1 else 0 end)`);
    await sql`
      insert into metric_day_totals (metric, agency_id, block, k, n, ${sql.join(dayColumns)})
      select 'ref_due', agency_id, ${block}, deadline, count(*), ${sql.join(daySums)}
      from metric_deadlines
      group by agency_id, ${block}, deadline`.execute(db);

    // Flows leave `metric_counts` for the day blocks too: undivided, per day, into the totals
    // (32 days a row); broken down, kept per ISO week (their days are Mondays), into
    // `metric_day_blocks` rows of metric `flow_weeks` whose 32 day columns are 32 weeks
    // from a Monday, blocks starting on 1970-01-05 (day 4) every 224 days.
    const dayBlock = sql`(day - ((day % ${sql.lit(DAYS)}) + ${sql.lit(DAYS)}) % ${sql.lit(DAYS)})`;
    const flowDays = Array.from({ length: DAYS }, (_, i) => sql`sum(case when day - ${dayBlock} = ${sql.lit(i)} then n else 0 end)`);
    await sql`
      insert into metric_day_totals (metric, agency_id, block, k, n, ${sql.join(dayColumns)})
      select 'flow', agency_id, ${dayBlock}, k, sum(n), ${sql.join(flowDays)}
      from metric_counts
      where metric = 'flow' and dim = 'all'
      group by agency_id, ${dayBlock}, k
      having sum(n) <> 0`.execute(db);
    const span = DAYS * 7;
    const weekBlock = sql`(day - ((((day - 4) % ${sql.lit(span)}) + ${sql.lit(span)}) % ${sql.lit(span)}))`;
    const weekSums = Array.from({ length: DAYS }, (_, i) => sql`sum(case when day - ${weekBlock} = ${sql.lit(i * 7)} then n else 0 end)`);
    await sql`
      insert into metric_day_blocks (metric, agency_id, k, block, dim, value, n, ${sql.join(dayColumns)})
      select 'flow_weeks', agency_id, k, ${weekBlock}, dim, value, sum(n), ${sql.join(weekSums)}
      from metric_counts
      where metric = 'flow' and dim <> 'all'
      group by agency_id, k, ${weekBlock}, dim, value
      having sum(n) <> 0`.execute(db);
    await sql`delete from metric_counts where metric = 'flow'`.execute(db);

    await db.schema.createIndex('metric_deadlines_since').on('metric_deadlines').columns(['agency_id', 'deadline', 'since_at', 'due_at']).execute();
  },
};
