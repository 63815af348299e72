/**
 * The synthetic cohort: `people` invented people and their journeys, spread over every
 * stage with realistic dates over the two years before the reference date, with the
 * referrals, consents, event log and timers the engine would have written for them.
 *
 * Deterministic: the same seed and reference date give the same rows, ids included.
 * Streaming: people are generated and written a batch at a time (one transaction each),
 * so memory stays flat however large the cohort.
 */
import type { Store } from '../src/db/database.ts';
import { rebuildMetrics } from '../src/metrics/rebuild.ts';
import { rebuildSearchIndex } from '../src/people/search-index.ts';
import { availableParallelism } from 'node:os';
import { generateBatches } from './cohort/batch-source.ts';
import { mergeTally, newTally, type CohortTally } from './cohort/cohort-batch.ts';
import { idMaker } from './cohort/cohort-ids.ts';
import { createBatchWriter } from './cohort/cohort-writer.ts';
import type { CohortContext } from './cohort/person-generator.ts';
import { silentProgress, type ProgressReporter } from './progress-bar.ts';

export type { CohortTally } from './cohort/cohort-batch.ts';

/** The seed used when none is given. */
export const DEFAULT_COHORT_SEED = 20260401;

/** How many days back the cohort's referrals reach (the journeys still open, and those closed in the period). */
export const COHORT_HORIZON_DAYS = 730;

export interface CohortOptions {
  people: number;
  seed?: number;
  /** `YYYY-MM-DD`; every seeded fact happens before its midnight (UTC). Default: today. */
  referenceDate?: string;
  /** People per transaction (default 5,000; 2,000 with worker threads). */
  batchSize?: number;
  /**
   * Worker threads generating batches while this thread writes. Default: one per core (at
   * most 4) for cohorts of 20,000 or more, none below. The rows are the same either way.
   */
  workers?: number;
  progress?: ProgressReporter;
  /**
   * Recompute the measures afterwards (default true): the seed writes rows directly, not
   * through the engine's in-transaction hooks that keep the measures current.
   */
  rebuildMetrics?: boolean;
  /** Progress of that rebuild, given the number of events it will replay. */
  metricsProgress?: (events: number) => ProgressReporter;
}

export interface CohortResult extends CohortTally {
  seed: number;
  referenceDate: string;
  /** True when this seed's cohort was already in the store, so nothing was written. */
  alreadySeeded: boolean;
  /** Generating and writing the cohort. */
  ms: number;
  /** Rebuilding the measures afterwards (0 when skipped). */
  metricsMs: number;
}

/** Today's date (UTC), the default reference date. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Generates and writes the cohort. Run the migrations and load the demo area first: the
 * journeys belong to its agencies and keyworkers.
 */
export async function seedCohort(store: Store, options: CohortOptions): Promise<CohortResult> {
  const started = performance.now();
  const seed = options.seed ?? DEFAULT_COHORT_SEED;
  const referenceDate = options.referenceDate ?? todayUtc();
  const referenceMs = Date.parse(`${referenceDate}T00:00:00.000Z`);
  if (!Number.isFinite(referenceMs)) throw new RangeError(`reference date "${referenceDate}" is not a YYYY-MM-DD date`);
  const ids = idMaker(seed);
  const ctx: CohortContext = { seed, referenceMs, horizonDays: COHORT_HORIZON_DAYS, ids };
  const tally = newTally();
  let ms = 0;
  let metricsMs = 0;
  const result = (alreadySeeded: boolean): CohortResult => ({ ...tally, seed, referenceDate, alreadySeeded, ms, metricsMs });

  // The first person's id names this seed's cohort: if it is there, the cohort is.
  const existing = await store.db.selectFrom('people').select('id').where('id', '=', ids('person', 0)).executeTakeFirst();
  if (existing || options.people <= 0) {
    ms = Math.round(performance.now() - started);
    return result(Boolean(existing));
  }

  const write = createBatchWriter(store);
  const progress = options.progress ?? silentProgress;
  const workers = Math.max(0, Math.floor(options.workers ?? (options.people >= 20_000 ? Math.min(4, availableParallelism()) : 0)));
  // Smaller batches when workers run ahead: several are in memory at once (being made,
  // in the post, waiting to be written).
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? (workers > 0 ? 2000 : 5000)));
  progress.update(0);
  for await (const batch of generateBatches(ctx, { people: options.people, batchSize, workers })) {
    await write(batch.rows);
    mergeTally(tally, batch.tally);
    progress.update(batch.done);
  }
  progress.finish();
  // People were written as rows, not registered one by one: their search terms are built
  // in one pass (src/people/search-index.ts), so staff can find them.
  await rebuildSearchIndex(store.db);
  ms = Math.round(performance.now() - started);
  if (options.rebuildMetrics !== false) {
    // Minutes at national scale: show it moving, as the generation did.
    const events = await store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const bar = options.metricsProgress?.(Number(events.n)) ?? silentProgress;
    bar.update(0);
    metricsMs = (await rebuildMetrics(store, { onProgress: (n) => bar.update(n) })).ms;
    bar.finish();
  }
  return result(false);
}
