/**
 * Slows down password guessing, in the database so every node shares it (a second node or
 * a restart must not forgive failures). Failures are counted per window on three subjects:
 * - one account from one address (`pair`): the owner mistyping, or one guesser;
 * - one account from anywhere (`account`): many addresses guessing one password;
 * - one address against any account (`address`): one address spraying many emails.
 * Past a subject's limit, sign-in answers 429 with `Retry-After` until its window ends.
 *
 * The account and address limits do not apply from an address the account signed in from
 * successfully in the last `KNOWN_ADDRESS_DAYS` days: an attacker elsewhere cannot lock the
 * real user out, nor can a shared office address that someone else abused. Unknown emails
 * are counted exactly like known ones (keyed by the email, not the user), so the answers do
 * not tell which emails exist. Emails and addresses are stored only as SHA-256 digests.
 *
 * A flood from one address is refused in memory once this process knows the block: each
 * block the database reports is remembered with its end and with whom it spares (the emails
 * whose accounts are known at a blocked address, the known addresses of a blocked account),
 * and `knownRetryAfterSeconds` refuses from that alone, before any read. The database stays
 * the truth: the memory only refuses what the database refused, never past the block's end
 * and never longer than `MEMO_TRUST_MS` after reading it (so a block lifted early elsewhere,
 * or an address that became known meanwhile, is seen within that time), and anything it does
 * not refuse is decided by the database as before.
 *
 * A refusal is answered after a pause (`REFUSAL_PAUSE_MS`), so a client guessing back to back
 * guesses once a pause rather than as fast as the server can refuse; past `HELD_REFUSALS`
 * held at once, refusals are answered at once, so the pause never holds more than that.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** Limits per window, by subject. */
export const THROTTLE_LIMITS = { pair: 5, account: 20, address: 30 } as const;
/** The window, in milliseconds, over which failures are counted. */
export const WINDOW_MS = 15 * 60_000;
/** How long a successful sign-in makes an address known for its account. */
export const KNOWN_ADDRESS_DAYS = 30;
/** How long a block read from the database is trusted without reading it again, in milliseconds. */
export const MEMO_TRUST_MS = 10_000;
/** The most blocks one process remembers; past it the oldest is forgotten (and read again when met). */
const MEMO_LIMIT = 10_000;
/** How long a refused sign-in waits for its answer, in milliseconds. */
export const REFUSAL_PAUSE_MS = 1000;
/** The most refusals waiting at once; past it they are answered at once. */
export const HELD_REFUSALS = 512;

type Scope = keyof typeof THROTTLE_LIMITS;

/** One sign-in attempt as the throttle sees it. */
export interface SignInAttempt {
  email: string;
  ip: string;
  /** The account the email names, or null when there is none. */
  userId: string | null;
}

export interface LoginThrottle {
  /**
   * Seconds the caller must wait by a block this process already read from the database,
   * without reading anything; 0 when none is known (then ask `retryAfterSeconds`).
   */
  knownRetryAfterSeconds(attempt: Pick<SignInAttempt, 'email' | 'ip'>, now: Date): number;
  /** Seconds the caller must wait, or 0 when the attempt may go ahead (read from the database). */
  retryAfterSeconds(attempt: SignInAttempt, now: Date): Promise<number>;
  /** Resolves when a refusal may be answered: after the pause, or at once when too many are held. */
  pauseRefusal(): Promise<void>;
  recordFailure(attempt: SignInAttempt, now: Date): Promise<void>;
  recordSuccess(attempt: SignInAttempt, now: Date): Promise<void>;
}

const digest = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 40);

function subjects(attempt: Pick<SignInAttempt, 'email' | 'ip'>): Record<Scope, string> {
  const email = digest(attempt.email.trim().toLowerCase());
  const ip = digest(attempt.ip);
  return { pair: `${email}:${ip}`, account: email, address: ip };
}

/** How a throttle counts and pauses (defaults: the constants above). */
export interface LoginThrottleOptions {
  limits?: Record<Scope, number>;
  windowMs?: number;
  refusalPauseMs?: number;
  heldRefusals?: number;
}

/** Creates the database-backed throttle. */
export function createLoginThrottle(db: Kysely<Database>, options: LoginThrottleOptions = {}): LoginThrottle {
  const { limits = THROTTLE_LIMITS, windowMs = WINDOW_MS, refusalPauseMs = REFUSAL_PAUSE_MS, heldRefusals = HELD_REFUSALS } = options;
  let held = 0;
  const cutoff = (now: Date): string => new Date(now.getTime() - windowMs).toISOString();
  const knownSince = (now: Date): string => new Date(now.getTime() - KNOWN_ADDRESS_DAYS * 86_400_000).toISOString();
  const memo = createBlockMemo();

  async function knownAddress(userId: string, ip: string, now: Date): Promise<boolean> {
    const since = knownSince(now);
    const row = await db
      .selectFrom('sign_in_addresses')
      .select('user_id')
      .where('user_id', '=', userId)
      .where('address', '=', digest(ip))
      .where('last_success_at', '>', since)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Whom a block spares, as digests: a blocked address spares the emails of accounts known
   * to sign in from it; a blocked account spares its known addresses; a pair spares no one.
   */
  async function spared(scope: Scope, attempt: SignInAttempt, now: Date): Promise<Set<string>> {
    if (scope === 'pair') return new Set();
    if (scope === 'account') {
      if (attempt.userId === null) return new Set();
      const rows = await db.selectFrom('sign_in_addresses').select('address').where('user_id', '=', attempt.userId).where('last_success_at', '>', knownSince(now)).execute();
      return new Set(rows.map((r) => r.address));
    }
    const rows = await db
      .selectFrom('sign_in_addresses')
      .innerJoin('users', 'users.id', 'sign_in_addresses.user_id')
      .select('users.email')
      .where('sign_in_addresses.address', '=', digest(attempt.ip))
      .where('sign_in_addresses.last_success_at', '>', knownSince(now))
      .execute();
    return new Set(rows.map((r) => digest(r.email.trim().toLowerCase())));
  }

  return {
    async retryAfterSeconds(attempt, now) {
      const keys = subjects(attempt);
      const rows = await db
        .selectFrom('sign_in_failures')
        .select(['scope', 'window_start', 'failures'])
        .where((eb) => eb.or((Object.keys(keys) as Scope[]).map((scope) => eb.and([eb('scope', '=', scope), eb('subject', '=', keys[scope])]))))
        .where('window_start', '>', cutoff(now))
        .execute();
      const over = rows.filter((r) => r.failures >= limits[r.scope as Scope]);
      if (over.length === 0) return 0;
      // The account and address limits spare an address the account is known to sign in from.
      const binding =
        over.some((r) => r.scope === 'pair') || attempt.userId === null || !(await knownAddress(attempt.userId, attempt.ip, now))
          ? over
          : over.filter((r) => r.scope === 'pair');
      if (binding.length === 0) return 0;
      for (const row of binding) {
        const scope = row.scope as Scope;
        memo.remember(scope, keys[scope], { learnt: now.getTime(), ends: Date.parse(row.window_start) + windowMs, spares: await spared(scope, attempt, now) });
      }
      const ends = Math.max(...binding.map((r) => Date.parse(r.window_start) + windowMs));
      return Math.max(1, Math.ceil((ends - now.getTime()) / 1000));
    },

    knownRetryAfterSeconds(attempt, now) {
      return memo.retryAfterSeconds(subjects(attempt), now.getTime());
    },

    pauseRefusal() {
      if (refusalPauseMs <= 0 || held >= heldRefusals) return Promise.resolve();
      held += 1;
      return new Promise((resolve) =>
        setTimeout(() => {
          held -= 1;
          resolve();
        }, refusalPauseMs),
      );
    },

    async recordFailure(attempt, now) {
      const keys = subjects(attempt);
      const at = now.toISOString();
      const old = cutoff(now);
      // One statement for the three counters; a window that has passed starts again at 1.
      await sql`
        insert into sign_in_failures (scope, subject, window_start, failures)
        values ('pair', ${keys.pair}, ${at}, 1), ('account', ${keys.account}, ${at}, 1), ('address', ${keys.address}, ${at}, 1)
        on conflict (scope, subject) do update set
          failures = case when sign_in_failures.window_start <= ${old} then 1 else sign_in_failures.failures + 1 end,
          window_start = case when sign_in_failures.window_start <= ${old} then excluded.window_start else sign_in_failures.window_start end`.execute(db);
      // Forget windows long past now and then, so a spray of random emails does not pile up rows.
      if (Math.random() < 0.01) await db.deleteFrom('sign_in_failures').where('window_start', '<=', old).execute();
    },

    async recordSuccess(attempt, now) {
      const keys = subjects(attempt);
      await db.deleteFrom('sign_in_failures').where('scope', '=', 'pair').where('subject', '=', keys.pair).execute();
      if (attempt.userId === null) return;
      const at = now.toISOString();
      await sql`
        insert into sign_in_addresses (user_id, address, last_success_at) values (${attempt.userId}, ${digest(attempt.ip)}, ${at})
        on conflict (user_id, address) do update set last_success_at = excluded.last_success_at`.execute(db);
    },
  };
}

/** A block read from the database: when it was read, when it ends (ms) and whom it spares (digests). */
interface KnownBlock {
  learnt: number;
  ends: number;
  spares: Set<string>;
}

/** The blocks this process has read, by scope and subject (see the header). */
function createBlockMemo() {
  const blocks = new Map<string, KnownBlock>();
  // Whom each scope's block could spare: the other half of the attempt.
  const other = (scope: Scope, keys: Record<Scope, string>): string => (scope === 'address' ? keys.account : scope === 'account' ? keys.address : '');
  return {
    remember(scope: Scope, subject: string, block: KnownBlock): void {
      const key = `${scope}:${subject}`;
      blocks.delete(key);
      blocks.set(key, block);
      if (blocks.size > MEMO_LIMIT) blocks.delete(blocks.keys().next().value!);
    },
    /** Seconds until the latest known block on these subjects ends; 0 when none applies. */
    retryAfterSeconds(keys: Record<Scope, string>, now: number): number {
      let ends = 0;
      for (const scope of Object.keys(keys) as Scope[]) {
        const key = `${scope}:${keys[scope]}`;
        const block = blocks.get(key);
        if (!block) continue;
        if (now >= block.ends || now >= block.learnt + MEMO_TRUST_MS || now < block.learnt) {
          blocks.delete(key);
          continue;
        }
        if (!block.spares.has(other(scope, keys))) ends = Math.max(ends, block.ends);
      }
      return ends === 0 ? 0 : Math.max(1, Math.ceil((ends - now) / 1000));
    },
  };
}
