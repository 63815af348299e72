/**
 * Password hashing on worker threads of its own, with a bounded queue.
 *
 * node's async `scrypt` runs on libuv's thread pool (four threads), the same pool that
 * syncs SQLite's log after each group commit (src/engine/wal-sync.ts) and serves file
 * reads. A flood of sign-in attempts (each ~50–100 ms of scrypt) filled that pool and
 * journey writes waited behind it. Here hashing has `workers` threads to itself (default:
 * one fewer than the cores, at least one, at most four) and at most `queueLimit` attempts
 * waiting; past that an attempt is refused at once with `rate_limited` and `Retry-After`,
 * so the cost of a flood is bounded and the rest of the server keeps its threads.
 *
 * The threads also run at a lower CPU priority (`nice`, default 19, the lowest; Linux, where
 * each thread has its own): on a machine whose cores are all busy, a hashing thread that
 * is always runnable otherwise takes its full share of a core from the event loop, and
 * every journey write waits for it. Niced, it gets what the rest of the server leaves; a
 * flood then fills the queue sooner and is refused sooner, which is the point.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PathwaysError } from '../errors.ts';

/** One scrypt derivation. */
export interface DeriveJob {
  password: string;
  salt: Buffer;
  keyLength: number;
  N: number;
  r: number;
  p: number;
  maxmem: number;
}

// Plain JavaScript evaluated in the worker: no loader needed, nothing of ours imported.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
if (workerData.nice > 0) {
  try {
    // /proc/thread-self names this thread's id; setpriority on a thread id renices that thread alone.
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    require('node:os').setPriority(tid, workerData.nice);
  } catch {
    // Not Linux (or no /proc): the threads keep the process's priority.
  }
}
parentPort.on('message', (job) => {
  try {
    const key = scryptSync(job.password, Buffer.from(job.salt), job.keyLength, { N: job.N, r: job.r, p: job.p, maxmem: job.maxmem });
    parentPort.postMessage({ id: job.id, key });
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: String(err && err.message || err) });
  }
});
`;

interface Pending {
  job: DeriveJob & { id: number };
  resolve(key: Buffer): void;
  reject(err: Error): void;
}

/** Counters for /metrics. */
export interface HashPoolStats {
  workers: number;
  busy: number;
  queued: number;
  refused: number;
}

export interface HashPool {
  derive(job: DeriveJob): Promise<Buffer>;
  stats(): HashPoolStats;
  close(): Promise<void>;
}

/** Default worker count for this machine. */
export const defaultHashWorkers = (): number => Math.min(4, Math.max(1, availableParallelism() - 1));

/** How a pool is sized and prioritised (`PATHWAYS_HASH_THREADS`, `PATHWAYS_HASH_QUEUE`, `PATHWAYS_HASH_NICE`). */
export interface HashPoolOptions {
  /** Threads (default `defaultHashWorkers()`). */
  workers?: number;
  /** Attempts allowed to wait for a thread (default 64). */
  queueLimit?: number;
  /** The threads' nice value, 0 (the process's own priority) to 19 (the lowest; the default). */
  nice?: number;
}

/** Default nice of the hashing threads: the lowest priority. */
export const DEFAULT_HASH_NICE = 19;

/** Creates a pool; workers start on first use and do not keep the process alive. */
export function createHashPool(options: HashPoolOptions = {}): HashPool {
  const size = options.workers ?? defaultHashWorkers();
  const queueLimit = options.queueLimit ?? 64;
  const nice = options.nice ?? DEFAULT_HASH_NICE;
  const idle: Worker[] = [];
  const running = new Map<Worker, Pending>();
  const queue: Pending[] = [];
  let started = 0;
  let nextId = 0;
  let refused = 0;

  function spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { nice } });
    worker.on('message', (msg: { id: number; key?: Uint8Array; error?: string }) => {
      const task = running.get(worker);
      running.delete(worker);
      if (task) {
        if (msg.key) task.resolve(Buffer.from(msg.key));
        else task.reject(new Error(msg.error ?? 'password hashing failed'));
      }
      next(worker);
    });
    worker.on('error', (err) => {
      const task = running.get(worker);
      running.delete(worker);
      task?.reject(err);
      started -= 1;
    });
    started += 1;
    return worker;
  }

  // A busy worker keeps the process alive (its caller awaits the answer); an idle one does not.
  function assign(worker: Worker, task: Pending): void {
    running.set(worker, task);
    worker.ref();
    worker.postMessage(task.job);
  }

  function next(worker: Worker): void {
    const task = queue.shift();
    if (!task) {
      worker.unref();
      idle.push(worker);
      return;
    }
    assign(worker, task);
  }

  return {
    derive(job) {
      return new Promise<Buffer>((resolve, reject) => {
        const task: Pending = { job: { ...job, id: nextId++ }, resolve, reject };
        const worker = idle.pop() ?? (started < size ? spawn() : undefined);
        if (worker) {
          assign(worker, task);
          return;
        }
        if (queue.length >= queueLimit) {
          refused += 1;
          reject(new PathwaysError('rate_limited', 'Sign-in is busy; try again in a second.', { retryAfterSeconds: 1 }));
          return;
        }
        queue.push(task);
      });
    },
    stats: () => ({ workers: started, busy: running.size, queued: queue.length, refused }),
    async close() {
      const all = [...idle, ...running.keys()];
      idle.length = 0;
      for (const t of queue.splice(0)) t.reject(new Error('The password hashing pool was closed.'));
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
