/**
 * Password hashing on its own bounded pool: a flood beyond the queue is refused at once
 * with `rate_limited` and a Retry-After, the rest are hashed correctly, sign-in keeps
 * working through the pool, and (Linux) the pool's threads run at the nice value asked.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createHashPool } from '../../src/auth/hash-pool.ts';
import { hashPassword, passwordHashPool, verifyPassword } from '../../src/auth/password.ts';
import { PathwaysError } from '../../src/errors.ts';

describe('password hashing pool', () => {
  const pool = createHashPool({ workers: 1, queueLimit: 3 });
  afterAll(async () => pool.close());

  it('runs one job per worker, queues up to the limit and refuses the rest with rate_limited', async () => {
    const job = { password: 'a flood of guesses', salt: Buffer.alloc(16, 1), keyLength: 32, N: 2 ** 14, r: 8, p: 1, maxmem: 256 * 2 ** 14 * 8 };
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => pool.derive(job)));
    const done = settled.filter((s) => s.status === 'fulfilled');
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    // One running and three queued were taken; the other six were refused at once.
    expect(done).toHaveLength(4);
    expect(refused).toHaveLength(6);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(PathwaysError);
      expect((r.reason as PathwaysError).code).toBe('rate_limited');
      expect((r.reason as PathwaysError).details.retryAfterSeconds).toBe(1);
    }
    const keys = done.map((d) => (d).value.toString('hex'));
    expect(new Set(keys).size).toBe(1);
    expect(pool.stats()).toMatchObject({ workers: 1, busy: 0, queued: 0, refused: 6 });
  });

  /** Threads of this process at nice `n`, from /proc (field 19 of each thread's stat). */
  const threadsAtNice = (n: number): number =>
    readdirSync('/proc/self/task').filter((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) === n;
    }).length;

  it('runs its threads at the nice value asked, leaving the rest of the process as it was', async () => {
    const job = { password: 'niced', salt: Buffer.alloc(16, 2), keyLength: 32, N: 1024, r: 8, p: 1, maxmem: 256 * 1024 * 8 };
    const plain = createHashPool({ workers: 1, nice: 0 });
    const niced = createHashPool({ workers: 2, nice: 17 });
    const mainNice = (): number => {
      const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const mainBefore = mainNice();
    try {
      const before = threadsAtNice(17);
      await plain.derive(job);
      expect(threadsAtNice(17)).toBe(before);
      await Promise.all([niced.derive(job), niced.derive(job)]);
      expect(threadsAtNice(17)).toBe(before + 2);
      // The main thread keeps its priority.
      expect(mainNice()).toBe(mainBefore);
    } finally {
      await plain.close();
      await niced.close();
    }
    expect(threadsAtNice(17)).toBe(0);
  });

  it('hashes and verifies through the process pool', async () => {
    const stored = await hashPassword('lantern orchard mosaic');
    expect(await verifyPassword('lantern orchard mosaic', stored)).toBe(true);
    expect(await verifyPassword('lantern orchard mosaics', stored)).toBe(false);
    expect(passwordHashPool().stats().workers).toBeGreaterThan(0);
  });
});
