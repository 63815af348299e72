/**
 * Worker-thread side of a parallel seed: generates the batches it is asked for and posts
 * them back. Generation is pure (each person's rows depend only on the seed and their
 * number), so which thread makes a batch never changes its rows.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { newBatch, newTally } from './cohort-batch.ts';
import { idMaker } from './cohort-ids.ts';
import { generatePerson, type CohortContext } from './person-generator.ts';

/** What the main thread tells a worker at start. */
export interface WorkerSetup {
  seed: number;
  referenceMs: number;
  horizonDays: number;
}

/** A request for the people [first, last). */
export interface BatchRequest {
  batch: number;
  first: number;
  last: number;
}

const setup = workerData as WorkerSetup;
const ctx: CohortContext = { seed: setup.seed, referenceMs: setup.referenceMs, horizonDays: setup.horizonDays, ids: idMaker(setup.seed) };

parentPort?.on('message', (request: BatchRequest) => {
  try {
    const batch = newBatch();
    const tally = newTally();
    for (let index = request.first; index < request.last; index++) generatePerson(ctx, index, batch, tally);
    parentPort?.postMessage({ batch: request.batch, rows: batch, tally });
  } catch (err) {
    parentPort?.postMessage({ batch: request.batch, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
