/**
 * The spells running at the end of a past day, read through the length-class indexes of
 * migration 110: one index range per class (spells at most L days long that ran at the end
 * of day D began in (D − L, D]; running ones began by D), joined with `union all`. Each
 * arm keeps the spells running at D, so the arms together hold each running spell once
 * (every spell is in exactly one class).
 */
import { sql, type RawBuilder } from 'kysely';
import { SPAN_CLASS_MAX_DAYS, caseFlagMetricsSql, spanClassSql } from '../db/migrations/110-running-spell-indexes.ts';
import { caseloadSpellsSql } from '../db/migrations/112-caseload-spell-indexes.ts';

/** The length-class indexes and their partial conditions: SQLite reads a partial index only for a query repeating its condition. */
const PARTIAL = {
  metric_referral_history_running: null,
  metric_case_history_running: caseFlagMetricsSql('h'),
  metric_case_history_caseload: caseloadSpellsSql('h'),
} as const;

/** Which running spells to read. */
export interface RunningSpellRead {
  /** The history table, read as `h`. */
  table: 'metric_case_history' | 'metric_referral_history';
  /** The length-class index to walk on SQLite (PostgreSQL plans by itself). */
  index: keyof typeof PARTIAL;
  sqlite: boolean;
  /** What each arm selects (of `h`). */
  select: RawBuilder<unknown>;
  /** The rest of the condition: the agencies and metric first (the index's leading columns). */
  where: RawBuilder<unknown>;
  asOfDay: number;
}

/** The arms, one per length class, as one `union all` (to be wrapped by the caller). */
export function runningSpells(q: RunningSpellRead): RawBuilder<unknown> {
  const hint = q.sqlite ? sql.raw(`indexed by ${q.index}`) : sql``;
  const span = sql.raw(spanClassSql('h'));
  const condition = PARTIAL[q.index];
  const partial = condition === null ? sql`` : sql.raw(` and ${condition}`);
  const bounds: Array<number | null> = [null, ...SPAN_CLASS_MAX_DAYS, null];
  const arms = bounds.map((max, cls) => {
    const began = max === null ? sql`h.from_day <= ${q.asOfDay}` : sql`h.from_day > ${q.asOfDay - max} and h.from_day <= ${q.asOfDay}`;
    const running = cls === 0 ? sql`h.to_day is null` : sql`h.to_day > ${q.asOfDay}`;
    return sql`select ${q.select} from ${sql.table(q.table)} h ${hint} where ${q.where}${partial} and ${span} = ${sql.lit(cls)} and ${began} and ${running}`;
  });
  return sql.join(arms, sql` union all `);
}
