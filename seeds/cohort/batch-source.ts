/**
 * Produces the cohort's batches in order, either in this thread or from worker threads.
 * Workers generate ahead (one batch each, plus one waiting) while this thread writes, so a
 * large seed uses every core without holding more than a few batches in memory.
 */
import { Worker } from 'node:worker_threads';
import { newBatch, newTally, type CohortBatch, type CohortTally } from './cohort-batch.ts';
import type { BatchRequest, WorkerSetup } from './cohort-worker.ts';
import { generatePerson, type CohortContext } from './person-generator.ts';

export interface GeneratedBatch {
  rows: CohortBatch;
  tally: CohortTally;
  /** People generated so far, this batch included. */
  done: number;
}

export interface BatchPlan {
  people: number;
  batchSize: number;
  /** Worker threads; 0 generates in this thread. */
  workers: number;
}

/** The batches of the cohort, in order. */
export function generateBatches(ctx: CohortContext, plan: BatchPlan): AsyncGenerator<GeneratedBatch> {
  return plan.workers > 0 ? fromWorkers(ctx, plan) : inProcess(ctx, plan);
}

function requestFor(plan: BatchPlan, batch: number): BatchRequest {
  const first = batch * plan.batchSize;
  return { batch, first, last: Math.min(plan.people, first + plan.batchSize) };
}

async function* inProcess(ctx: CohortContext, plan: BatchPlan): AsyncGenerator<GeneratedBatch> {
  const count = Math.ceil(plan.people / plan.batchSize);
  for (let b = 0; b < count; b++) {
    const { first, last } = requestFor(plan, b);
    const rows = newBatch();
    const tally = newTally();
    for (let index = first; index < last; index++) generatePerson(ctx, index, rows, tally);
    yield { rows, tally, done: last };
  }
}

interface WorkerReply {
  batch: number;
  rows?: CohortBatch;
  tally?: CohortTally;
  error?: string;
}

/** Starts a worker that runs `cohort-worker.ts` through tsx, like the rest of Pathways. */
function startWorker(setup: WorkerSetup): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./cohort-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: setup });
}

async function* fromWorkers(ctx: CohortContext, plan: BatchPlan): AsyncGenerator<GeneratedBatch> {
  const count = Math.ceil(plan.people / plan.batchSize);
  const setup: WorkerSetup = { seed: ctx.seed, referenceMs: ctx.referenceMs, horizonDays: ctx.horizonDays };
  const workers = Array.from({ length: Math.min(plan.workers, count) }, () => startWorker(setup));
  const ready = new Map<number, WorkerReply>();
  let wake: (() => void) | null = null;
  const failed: { error: Error | null } = { error: null };
  let next = 0;
  let written = 0;
  // Batch b is made by worker b mod n, so each worker's queue is in order.
  const ask = (): void => {
    // One batch in hand per worker plus one waiting: enough to keep every thread busy.
    while (next < count && next < written + workers.length + 1) {
      workers[next % workers.length]!.postMessage(requestFor(plan, next));
      next += 1;
    }
  };
  for (const w of workers) {
    w.on('message', (reply: WorkerReply) => {
      ready.set(reply.batch, reply);
      wake?.();
    });
    w.on('error', (err) => {
      failed.error = err;
      wake?.();
    });
  }
  try {
    ask();
    while (written < count) {
      const reply = ready.get(written);
      if (!reply) {
        if (failed.error) throw failed.error;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      ready.delete(written);
      if (reply.error || !reply.rows || !reply.tally) throw new Error(`cohort worker failed on batch ${written}: ${reply.error ?? 'no rows'}`);
      written += 1;
      ask();
      yield { rows: reply.rows, tally: reply.tally, done: requestFor(plan, written - 1).last };
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
