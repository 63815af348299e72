/**
 * The tables the measures keep (migrations 004-metrics, 007-metric-day-blocks and
 * 011-metric-day-totals), typed for Kysely. They are kept here rather than in
 * src/db/schema.ts because only src/metrics reads or writes them; `metricsDb(db)` widens a
 * handle to see them.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { DayColumn } from './day-blocks.ts';

/**
 * Counters broken down by a dimension, in rows of 32 days (day-blocks.ts): `metric` names
 * the measure, `agency_id` the agency it belongs to (the lead agency of a journey, the
 * receiving agency of a referral), `k` a sub-key (stage, `from>to`, reason, …), `dim`/`value`
 * the breakdown, `block` the block's first day, `d0`…`d31` the count of each of its days and
 * `n` their sum. Kept in the same transaction as each change. The undivided rows (`all`)
 * are in `metric_day_totals`.
 */
export type MetricDayBlockTable = {
  metric: string;
  agency_id: string;
  k: string;
  block: number;
  dim: string;
  value: string;
  n: number;
} & Record<DayColumn, number>;

/**
 * The undivided (`all`) day blocks of the metrics in BLOCKED_METRICS, keyed by metric,
 * agency, block and sub-key: the same columns as `metric_day_blocks` without `dim` and
 * `value`. Each block row of a breakdown partitions the total row of its metric, agency,
 * sub-key and block, so a breakdown is read by visiting the total rows of its period.
 */
export type MetricDayTotalTable = {
  metric: string;
  agency_id: string;
  block: number;
  k: string;
  n: number;
} & Record<DayColumn, number>;

/**
 * Counter changes not yet folded into the day blocks (migration 100; counter-fold.ts): one
 * block row's change each, `dim` and `value` `all` for a `metric_day_totals` row. A row's
 * `n` may be zero while its days are not (a count moved from one day of a block to another).
 */
export type MetricDayDeltaTable = MetricDayBlockTable;

/** The per-journey facts the reducer keeps between events (JSON of CaseFacts). */
export type MetricCaseFactsTable = {
  case_id: string;
  person_id: string;
  agency_id: string;
  version: number;
  seq: number;
  facts: string;
}

/** The per-referral facts (JSON of ReferralFacts). */
export type MetricReferralFactsTable = {
  referral_id: string;
  to_agency_id: string;
  version: number;
  seq: number;
  facts: string;
}

/** Referral deadlines still running, one row per referral and deadline, so overdue ones are an index range. */
export type MetricDeadlineTable = {
  stream_id: string;
  deadline: string;
  agency_id: string;
  due_at: string;
  since_at: string;
}

/**
 * One treatment episode of a person, as the person-level measures read it
 * (migration 065; src/metrics/person-facts.ts).
 */
export type PersonEpisodeTable = {
  person_key: string;
  case_id: string;
  /** The episode's place in its journey (0 the first, then one per relapse). */
  episode: number;
  agency_id: string;
  sex: string;
  age_band: string;
  ethnicity: string;
  postcode_district: string;
  referral_source: string;
  substance: string;
  open_day: number;
  start_day: number | null;
  end_day: number | null;
  /** 1 for a successful completion, else 0. */
  successful: number;
  /** 1 when discharged as died, else 0. */
  died: number;
  /** For a successful completion: the first return to treatment within 182 days of `end_day`, if any. */
  returned_day: number | null;
};

// A type alias, not an interface: Kysely's withTables wants an indexable record.
export type MetricTables = {
  metric_day_blocks: MetricDayBlockTable;
  metric_day_totals: MetricDayTotalTable;
  metric_day_deltas: MetricDayDeltaTable;
  metric_case_facts: MetricCaseFactsTable;
  metric_referral_facts: MetricReferralFactsTable;
  metric_deadlines: MetricDeadlineTable;
  metric_person_episodes: PersonEpisodeTable;
};

/** A database handle that sees the metric tables. */
export type MetricsDb = Kysely<Database & MetricTables>;

// `withTables` builds a new Kysely instance each call; one transition asks for its handle's
// widening several times (the measures' hooks, the counter writes), so each handle keeps one.
const widened = new WeakMap<Kysely<Database>, MetricsDb>();

/** Widens a handle (or transaction) to the metric tables. */
export function metricsDb(db: Kysely<Database>): MetricsDb {
  let out = widened.get(db);
  if (!out) {
    out = db.withTables<MetricTables>();
    widened.set(db, out);
  }
  return out;
}
