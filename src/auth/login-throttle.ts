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

type Scope = keyof typeof THROTTLE_LIMITS;

/** One sign-in attempt as the throttle sees it. */
export interface SignInAttempt {
  email: string;
  ip: string;
  /** The account the email names, or null when there is none. */
  userId: string | null;
}

export interface LoginThrottle {
  /** Seconds the caller must wait, or 0 when the attempt may go ahead. */
  retryAfterSeconds(attempt: SignInAttempt, now: Date): Promise<number>;
  recordFailure(attempt: SignInAttempt, now: Date): Promise<void>;
  recordSuccess(attempt: SignInAttempt, now: Date): Promise<void>;
}

const digest = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 40);

function subjects(attempt: SignInAttempt): Record<Scope, string> {
  const email = digest(attempt.email.trim().toLowerCase());
  const ip = digest(attempt.ip);
  return { pair: `${email}:${ip}`, account: email, address: ip };
}

/** Creates the database-backed throttle. */
export function createLoginThrottle(db: Kysely<Database>, limits: Record<Scope, number> = THROTTLE_LIMITS, windowMs = WINDOW_MS): LoginThrottle {
  const cutoff = (now: Date): string => new Date(now.getTime() - windowMs).toISOString();

  async function knownAddress(userId: string, ip: string, now: Date): Promise<boolean> {
    const since = new Date(now.getTime() - KNOWN_ADDRESS_DAYS * 86_400_000).toISOString();
    const row = await db
      .selectFrom('sign_in_addresses')
      .select('user_id')
      .where('user_id', '=', userId)
      .where('address', '=', digest(ip))
      .where('last_success_at', '>', since)
      .executeTakeFirst();
    return row !== undefined;
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
      const ends = Math.max(...binding.map((r) => Date.parse(r.window_start) + windowMs));
      return Math.max(1, Math.ceil((ends - now.getTime()) / 1000));
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
