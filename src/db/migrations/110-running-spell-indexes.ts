/**
 * Caseloads and referral lists at a past day (src/metrics/caseloads.ts,
 * src/metrics/referral-lists-then.ts) and today's caseloads.
 *
 * A past day reads the spells running at its end (`from_day <= D` and `to_day` null or
 * after D). An index on either day alone covers much of the history on each side of D, so
 * the reads walked every spell of the area. These indexes put the spell's length class
 * (`spanClassSql`: running; up to 4, 16, 64, 256, 1024, 4096 days; longer) before
 * `from_day`: in a class of spells at most L days long, those running at D began in
 * (D − L, D], a short range, so a past day is one range per class, each mostly spells that
 * were running then. Nothing is stored beyond the indexes: the class is worked out from
 * the row, and an index on it is kept by the database with each write of the row.
 *
 * - `metric_referral_history_running`: every referral spell (waiting, deadlines running).
 * - `metric_case_history_running`: a journey's waiting, review basis and continuity spells
 *   (partial: the caseload's flags), for the caseloads of a past day.
 * - `cases_open_id`: the open journeys by id with their team and keyworker, so today's
 *   waiting clocks find their journey's keyworker in a small index instead of the table.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

/** The longest spell of each bounded class, in days; class 0 is a spell still running, the last class has no bound. */
export const SPAN_CLASS_MAX_DAYS: readonly number[] = [4, 16, 64, 256, 1024, 4096];

/**
 * A spell's length class as SQL, of the columns of `alias` ('' for the bare columns). The
 * indexes hold this expression; a query reads them only with this very text.
 */
export function spanClassSql(alias: string): string {
  const c = (name: string) => (alias ? `${alias}.${name}` : name);
  const bounded = SPAN_CLASS_MAX_DAYS.map((max, i) => `when ${c('to_day')} - ${c('from_day')} <= ${max} then ${i + 1}`).join(' ');
  return `(case when ${c('to_day')} is null then 0 ${bounded} else ${SPAN_CLASS_MAX_DAYS.length + 1} end)`;
}

/** The journeys' spells `metric_case_history_running` holds (its partial condition, to be repeated verbatim by a query on SQLite). */
export function caseFlagMetricsSql(alias: string): string {
  return `${alias ? `${alias}.` : ''}metric in ('waiting', 'review_basis', 'continuity_open')`;
}

export const runningSpellIndexesMigration: Migration = {
  name: '110-running-spell-indexes',
  async up(db: Kysely<unknown>) {
    await sql`create index metric_referral_history_running on metric_referral_history (agency_id, metric, ${sql.raw(spanClassSql(''))}, from_day, to_day, day, k, since_at)`.execute(db);
    await sql`create index metric_case_history_running on metric_case_history (agency_id, metric, ${sql.raw(spanClassSql(''))}, from_day, to_day, day) where ${sql.raw(caseFlagMetricsSql(''))}`.execute(db);
    await db.schema.createIndex('cases_open_id').on('cases').columns(['id', 'lead_agency_id', 'keyworker_id']).where(sql.ref('closed_at'), 'is', null).execute();
  },
};
