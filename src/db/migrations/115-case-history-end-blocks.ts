/**
 * The journeys of a figure on a past day are the spells running at its end (`from_day <= D`
 * and `to_day` null or after D). Walked in (state, day) order, a page skipped every spell
 * that began before the day and ended before it — most of the history a year back — and
 * the list's total counted them all (1.1 s for an area's work in progress at 330,000
 * journeys). This index puts the spell's end block (`to_day` in blocks of 64 days, open
 * spells in a block of their own past any day) between the metric and the day: the spells
 * running at the end of D are those of the blocks from D + 1's on, so a list reads one
 * range per agency and block in day order (src/metrics/history-reader.ts, `endBlock`), and
 * skips only the spells that ended in D's own block before D. The sub-key (a stage) follows
 * the journey: a list of every stage is then one walk per block, not one per stage.
 *
 * An index on an expression, so each store keeps it with every write of the history, in the
 * event's own transaction, and a rebuild's rows are in it as they are written; creating it
 * fills it from the stored rows. The expression is written here as the readers write it
 * (SQLite uses such an index only for the same expression).
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

export const caseHistoryEndBlocksMigration: Migration = {
  name: '115-case-history-end-blocks',
  async up(db: Kysely<unknown>) {
    await sql`create index metric_case_history_ends on metric_case_history (agency_id, metric, (coalesce(to_day, 1000000000) / 64), day, case_id, k, from_day, to_day, sex, age_band, ethnicity, postcode_district, referral_source, substance)`.execute(db);
  },
};
