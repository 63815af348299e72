/**
 * Password hashing on its own bounded pool: a flood beyond the queue is refused at once
 * with `rate_limited` and a Retry-After, the rest are hashed correctly, and sign-in keeps
 * working through the pool.
 */
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

  it('hashes and verifies through the process pool', async () => {
    const stored = await hashPassword('lantern orchard mosaic');
    expect(await verifyPassword('lantern orchard mosaic', stored)).toBe(true);
    expect(await verifyPassword('lantern orchard mosaics', stored)).toBe(false);
    expect(passwordHashPool().stats().workers).toBeGreaterThan(0);
  });
});
