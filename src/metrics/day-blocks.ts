/**
 * Day blocks: the counters of a measure with a day are also kept summed over fixed blocks
 * of 32 days (`metric_count_blocks`), so a read over a long span takes whole blocks and
 * only its ragged ends day by day. A breakdown over the whole history then reads a few
 * dozen rows per stage and group instead of one per day, however many journeys there are,
 * and stays exact: a block is the sum of its days (a percentile that falls inside a block
 * is found by reading that block's days; see day-histograms.ts).
 */

/** Days per block. Blocks start on day numbers that are multiples of it (1970-01-01 is day 0). */
export const BLOCK_DAYS = 32;

/**
 * Metrics whose counters carry a day and are read over long spans, so they are also kept
 * per block. Not `flow` (read over a period as rows per day or week, and kept per week when
 * broken down), nor `wip` and `ref_state` (no day).
 */
export const BLOCKED_METRICS: ReadonlySet<string> = new Set([
  'stage_age',
  'waiting',
  'continuity_open',
  'review_basis',
  'tx_start',
  'tx_end',
  'ref_waiting',
  'started',
  'success',
  'success_represented',
  'release',
  'engaged',
  'representation',
  'death',
]);

/** The first day of the block holding `day` (floor, so days before 1970 work too). */
export function blockOf(day: number): number {
  return Math.floor(day / BLOCK_DAYS) * BLOCK_DAYS;
}

/** The last day of the block starting at `block`. */
export function blockEnd(block: number): number {
  return block + BLOCK_DAYS - 1;
}

/** An inclusive day range cut into whole blocks and the days left at either end. */
export interface BlockSplit {
  /** First and last block start of the whole blocks inside the range (absent when none). */
  blocks?: { from?: number; to?: number };
  /** Day ranges (inclusive) not covered by whole blocks. */
  days: Array<{ from?: number; to?: number }>;
}

/**
 * Splits an inclusive day range (either end open) into whole blocks and ragged ends. An
 * open end takes whole blocks up to it: counters never reach past any block.
 */
export function splitRange(dayFrom: number | undefined, dayTo: number | undefined): BlockSplit {
  const firstBlock = dayFrom === undefined ? undefined : blockOf(dayFrom) === dayFrom ? dayFrom : blockOf(dayFrom) + BLOCK_DAYS;
  const lastBlock = dayTo === undefined ? undefined : blockEnd(blockOf(dayTo)) === dayTo ? blockOf(dayTo) : blockOf(dayTo) - BLOCK_DAYS;
  if (firstBlock !== undefined && lastBlock !== undefined && firstBlock > lastBlock) {
    // No whole block inside: the range is read day by day.
    return { days: [{ from: dayFrom, to: dayTo }] };
  }
  const days: BlockSplit['days'] = [];
  if (dayFrom !== undefined && firstBlock !== undefined && firstBlock > dayFrom) days.push({ from: dayFrom, to: firstBlock - 1 });
  if (dayTo !== undefined && lastBlock !== undefined && blockEnd(lastBlock) < dayTo) days.push({ from: blockEnd(lastBlock) + 1, to: dayTo });
  return { blocks: { from: firstBlock, to: lastBlock }, days };
}
