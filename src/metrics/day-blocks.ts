/**
 * Day blocks: the counters of a measure with a day are kept in rows of 32 days
 * (`metric_day_blocks`): one row per metric, agency, sub-key, block, dimension and value,
 * holding the block's total `n` and each day's count `d0`…`d31`. A read over years of
 * history is then a few dozen rows per stage and group, however many journeys there are,
 * and stays exact to the day (a percentile or a ragged period end reads the day columns).
 * One change touches the rows of one block for every dimension, which lie together in the
 * key order, so keeping them costs about one page per metric moved.
 *
 * The undivided rows (`all`) are kept apart, in `metric_day_totals` (metric, agency, block,
 * sub-key): a headline read is then one key range per metric and agency whatever the
 * breakdown values in use, and a breakdown read visits the total rows of its period and,
 * for each, seeks the breakdown rows of that one dimension (count-reader.ts), so neither
 * walks another dimension's rows. Writing them costs about one more page per change.
 */

/** Days per block. Blocks start on day numbers that are multiples of it (1970-01-01 is day 0). */
export const BLOCK_DAYS = 32;

/** The day columns of a block row, `d0` (the block's first day) to `d31`. */
export const DAY_COLUMNS = Array.from({ length: BLOCK_DAYS }, (_, i) => `d${i}` as DayColumn);

/** One day column's name. */
export type DayColumn =
  | 'd0' | 'd1' | 'd2' | 'd3' | 'd4' | 'd5' | 'd6' | 'd7' | 'd8' | 'd9' | 'd10' | 'd11' | 'd12' | 'd13' | 'd14' | 'd15'
  | 'd16' | 'd17' | 'd18' | 'd19' | 'd20' | 'd21' | 'd22' | 'd23' | 'd24' | 'd25' | 'd26' | 'd27' | 'd28' | 'd29' | 'd30' | 'd31';

/**
 * Metrics kept in day blocks (and only there). `flow` too: undivided, per day in
 * `metric_day_totals`; broken down, per ISO week in week blocks (FLOW_WEEKS, below).
 */
export const BLOCKED_METRICS: ReadonlySet<string> = new Set([
  'flow',
  'stage_age',
  'waiting',
  'continuity_open',
  'review_basis',
  'tx_start',
  'tx_end',
  'ref_waiting',
  'started',
  'release',
  'engaged',
  'ref_due',
  'ete_start',
]);

/**
 * Blocked metrics kept undivided only (no breakdown rows): `ref_due`, the running referral
 * deadlines per day due, is read per agency, never by a breakdown.
 */
export const UNDIVIDED_METRICS: ReadonlySet<string> = new Set(['ref_due']);

/**
 * Flows broken down by a dimension are kept per ISO week (per day they would be the largest
 * rows by far, and a breakdown is read over weeks anyway), in `metric_day_blocks` rows of
 * metric `flow_weeks` whose 32 columns are 32 weeks: `block` is the Monday starting the
 * block, `d0`…`d31` its weeks. A year broken down is then two or three rows per move and
 * group instead of 53.
 */
export const FLOW_WEEKS = 'flow_weeks';

/** Days in a block of 32 weeks. */
export const WEEK_BLOCK_DAYS = BLOCK_DAYS * 7;

// 1970-01-05, the first Monday: week blocks start on it, every 224 days.
const FIRST_MONDAY = 4;

/** The week block holding `day`: its first Monday and the place of `day`'s week in it (0–31). */
export function weekBlockOf(day: number): { block: number; offset: number } {
  const block = Math.floor((day - FIRST_MONDAY) / WEEK_BLOCK_DAYS) * WEEK_BLOCK_DAYS + FIRST_MONDAY;
  return { block, offset: Math.floor((day - block) / 7) };
}

/** The first day of the block holding `day` (floor, so days before 1970 work too). */
export function blockOf(day: number): number {
  return Math.floor(day / BLOCK_DAYS) * BLOCK_DAYS;
}
