/**
 * The process's configuration: every environment variable Pathways reads, parsed once at
 * start-up by one zod schema. A wrong value stops the command before anything opens, with a
 * message naming the variable and what it takes. The values go down to `src/` and `api/`
 * as options: nothing below the command line reads the environment.
 *
 * The README's Configuration table lists the same variables (`CONFIG_VARIABLES` is what
 * `pathways help` prints and what the README is checked against).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../machines/calendar-days.ts';
import { DEFAULT_KEYWORK_SETTINGS, type KeyworkSettings } from '../machines/keywork-codes.ts';
import { DEFAULT_CONSENT_MONTHS } from '../src/consent/consent-term.ts';
import { DEFAULT_SQLITE_PATH, parseDatabaseUrl } from '../src/config.ts';
import { parseClockSetting, type ClockSetting } from '../src/service-clock.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Blank means unset: `FOO= pathways serve` behaves as if FOO were not there. */
const optionalText = z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().optional());

const wholeNumber = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .trim()
      .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
      .transform(Number)
      .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .default(fallback),
  );

/** An optional whole number (no default). */
const wholeNumberText = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .optional();

const flagDefault = (fallback: '0' | '1') =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.enum(['0', '1'], 'must be 1 (on) or 0 (off)').default(fallback).transform((v) => v === '1'));
const flag = flagDefault('0');
const flagOn = flagDefault('1');

/** Every variable: what it means, for `pathways help` and the README. */
export const CONFIG_VARIABLES = {
  DATABASE_URL: `the store: a file path or sqlite:PATH (SQLite), or postgres://… (PostgreSQL; ?schema=NAME for a schema of its own); default ${DEFAULT_SQLITE_PATH}`,
  PORT: 'port for serve and demo when --port is not given; default 3000',
  PATHWAYS_ADMIN_EMAIL: 'the first administrator, created by serve on a database with no users (with PATHWAYS_ADMIN_PASSWORD)',
  PATHWAYS_ADMIN_PASSWORD: 'that administrator’s password, at least 12 characters',
  PATHWAYS_AREA: 'the area of the first administrator’s agency; default all',
  PATHWAYS_TOKEN_TTL_MINUTES: 'how long a sign-in token lasts, in minutes; default 720',
  PATHWAYS_SCRYPT_COST: 'scrypt cost (N, a power of two from 1024) for new password hashes; default 32768 (lower only for tests)',
  PATHWAYS_PG_POOL: 'PostgreSQL connections per process; default 10',
  PATHWAYS_PG_WRITERS: 'PostgreSQL: batches of writes in flight at once per process, each on a pooled connection; default 1',
  PATHWAYS_PG_SIDE_BY_SIDE: "PostgreSQL: 1 runs a batch's events on distinct journeys and referrals side by side on its connection, 0 one after another; default 1",
  PATHWAYS_HASH_THREADS: 'threads that hash passwords (sign-ins), apart from the rest of the server; default one fewer than the cores, 1 to 4',
  PATHWAYS_HASH_QUEUE: 'sign-ins that may wait for a hashing thread; past it they get 429 with Retry-After; default 64',
  PATHWAYS_HASH_NICE: 'CPU priority (nice, 0 to 19) of the hashing threads on Linux, so a sign-in flood gets only the CPU the rest of the server leaves; 0: the process\'s own; default 19',
  PATHWAYS_TRUST_PROXY: 'the load balancers in front, whose X-Forwarded-For gives the client address for sign-in throttling: a number of hops (1 for one balancer) or addresses and subnets (10.0.0.0/8, loopback); default 0 (off: the connecting address)',
  PATHWAYS_SYNC_IN_COMMIT: '1: SQLite syncs its log inside each COMMIT on the main thread instead of after it on the thread pool; default 0',
  PATHWAYS_LOG_LEVEL: 'log level (fatal, error, warn, info, debug, trace, silent); LOG_LEVEL is read when it is unset; default info',
  PATHWAYS_WEB_DIST: 'folder of the built web app served at /; default web/dist',
  PATHWAYS_METRICS_TOKEN: 'bearer token for GET /metrics (Prometheus, operators only); unset: no /metrics',
  PATHWAYS_CONSENT_MONTHS: 'months a consent runs when no end date is given (from the day it was given to the day before the same date that many months on); default 12',
  PATHWAYS_FOLLOW_UP_WORKING_DAYS: `working days (Monday to Friday) within which a did-not-attend is followed up: the follow-up task's due day; default ${DEFAULT_KEYWORK_SETTINGS.followUpWorkingDays}`,
  PATHWAYS_REVIEW_AFTER_MISSED: `missed appointments within PATHWAYS_MISSED_WINDOW_DAYS that call for a case review; default ${DEFAULT_KEYWORK_SETTINGS.reviewAfterMissed}`,
  PATHWAYS_MISSED_WINDOW_DAYS: `the days (counting the missed one's) over which missed appointments are counted for a case review; default ${DEFAULT_KEYWORK_SETTINGS.missedWindowDays}`,
  PATHWAYS_TIME_ZONE: `the service's time zone (IANA name): days are its calendar days and deadlines fall at its midnight; default ${DEFAULT_TIME_ZONE}`,
  PATHWAYS_CLOCK:
    'training and acceptance only: moves the server\'s "now" for timers, flags and measures — a fixed instant (2026-03-29T00:30:00Z) or an offset (+30d, -12h, +90m); refused with NODE_ENV=production; default off',
  NODE_ENV: 'production refuses PATHWAYS_CLOCK',
} as const;

const schema = z.object({
  DATABASE_URL: optionalText.superRefine((value, issue) => {
    try {
      parseDatabaseUrl(value);
    } catch (err) {
      issue.addIssue({ code: 'custom', message: err instanceof Error ? err.message.replace(/^DATABASE_URL /, '') : String(err) });
    }
  }),
  PORT: wholeNumber(0, 65535, 3000),
  PATHWAYS_ADMIN_EMAIL: optionalText.pipe(z.email('must be an email address').optional()),
  PATHWAYS_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional().or(z.literal('').transform(() => undefined)),
  PATHWAYS_AREA: optionalText,
  PATHWAYS_TOKEN_TTL_MINUTES: wholeNumber(1, 60 * 24 * 366, 720),
  PATHWAYS_SCRYPT_COST: wholeNumber(1024, 2 ** 20, 2 ** 15).refine((n) => (n & (n - 1)) === 0, 'must be a power of two (1024, 2048, … 32768)'),
  PATHWAYS_PG_POOL: wholeNumber(1, 1000, 10),
  PATHWAYS_PG_WRITERS: optionalText.pipe(wholeNumberText(1, 1000)),
  PATHWAYS_PG_SIDE_BY_SIDE: flagOn,
  PATHWAYS_HASH_THREADS: optionalText.pipe(wholeNumberText(1, 64)),
  PATHWAYS_HASH_QUEUE: wholeNumber(0, 100_000, 64),
  PATHWAYS_HASH_NICE: wholeNumber(0, 19, 19),
  PATHWAYS_TRUST_PROXY: optionalText.pipe(
    z
      .string()
      .regex(/^(\d+|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, 'must be a number of hops (1) or addresses and subnets separated by commas (10.0.0.0/8, loopback)')
      .optional(),
  ),
  PATHWAYS_SYNC_IN_COMMIT: flag,
  PATHWAYS_LOG_LEVEL: optionalText.pipe(z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`).optional()),
  LOG_LEVEL: optionalText.pipe(z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`).optional()),
  PATHWAYS_WEB_DIST: optionalText,
  PATHWAYS_METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters (it guards operational figures)').optional()),
  PATHWAYS_CONSENT_MONTHS: wholeNumber(1, 120, DEFAULT_CONSENT_MONTHS),
  PATHWAYS_FOLLOW_UP_WORKING_DAYS: wholeNumber(1, 20, DEFAULT_KEYWORK_SETTINGS.followUpWorkingDays),
  PATHWAYS_REVIEW_AFTER_MISSED: wholeNumber(1, 20, DEFAULT_KEYWORK_SETTINGS.reviewAfterMissed),
  PATHWAYS_MISSED_WINDOW_DAYS: wholeNumber(1, 366, DEFAULT_KEYWORK_SETTINGS.missedWindowDays),
  PATHWAYS_TIME_ZONE: optionalText.refine((v) => v === undefined || isTimeZone(v), 'must be an IANA time zone name such as Europe/London'),
  PATHWAYS_CLOCK: optionalText.superRefine((value, issue) => {
    if (value === undefined) return;
    try {
      parseClockSetting(value);
    } catch (err) {
      issue.addIssue({ code: 'custom', message: err instanceof Error ? err.message.replace(/^PATHWAYS_CLOCK /, '') : String(err) });
    }
  }),
  NODE_ENV: optionalText,
});

/** The parsed configuration, as the commands use it. */
export interface PathwaysConfig {
  /** The store's URL as given (undefined: the embedded default). */
  databaseUrl: string | undefined;
  pgPoolSize: number;
  /** PostgreSQL write batches in flight (PATHWAYS_PG_WRITERS); null: one. */
  pgWriters: number | null;
  /** PostgreSQL: a batch's events on distinct streams run side by side (PATHWAYS_PG_SIDE_BY_SIDE). */
  pgSideBySide: boolean;
  /** Password hashing threads and queue (PATHWAYS_HASH_THREADS, PATHWAYS_HASH_QUEUE); threads null: by the cores. */
  hashThreads: number | null;
  hashQueue: number;
  /** The hashing threads' nice value (PATHWAYS_HASH_NICE). */
  hashNice: number;
  /** Express's `trust proxy` (PATHWAYS_TRUST_PROXY): hops, or addresses and subnets; false: off. */
  trustProxy: number | string | false;
  syncInCommit: boolean;
  port: number;
  tokenTtlMinutes: number;
  scryptCost: number;
  logLevel: (typeof LOG_LEVELS)[number];
  webDist: string;
  /** The operator token for `GET /metrics`, or null (no /metrics). */
  metricsToken: string | null;
  /** The service's time zone (PATHWAYS_TIME_ZONE). */
  timeZone: string;
  /** Months a consent runs when no end date is given (PATHWAYS_CONSENT_MONTHS). */
  consentMonths: number;
  /** The follow-up rules for a did-not-attend (PATHWAYS_FOLLOW_UP_WORKING_DAYS, PATHWAYS_REVIEW_AFTER_MISSED, PATHWAYS_MISSED_WINDOW_DAYS). */
  followUp: KeyworkSettings;
  /** The settable clock (PATHWAYS_CLOCK), or null: the real time. */
  clock: ClockSetting | null;
  /** The first administrator, when both variables are set. */
  firstAdmin: { email: string; password: string; area: string } | null;
}

/** A configuration the process cannot start with; the message names each bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: Array<{ variable: string; message: string }>) {
    super(
      `the configuration is not valid:\n${problems.map((p) => `  ${p.variable} ${p.message}`).join('\n')}\n` +
        'Fix the variables named above (see the Configuration table in the README), then run the command again.',
    );
    this.name = 'ConfigError';
  }
}

/** `PATHWAYS_TRUST_PROXY` as Express takes it: off, a number of hops, or a list of addresses. */
function trustProxyOf(value: string | undefined): number | string | false {
  if (value === undefined || value === '0') return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Parses `env` (default: the process's); throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): PathwaysConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? 'environment'), message: issue.message })));
  }
  const v = parsed.data;
  if ((v.PATHWAYS_ADMIN_EMAIL === undefined) !== (v.PATHWAYS_ADMIN_PASSWORD === undefined)) {
    const missing = v.PATHWAYS_ADMIN_EMAIL === undefined ? 'PATHWAYS_ADMIN_EMAIL' : 'PATHWAYS_ADMIN_PASSWORD';
    throw new ConfigError([{ variable: missing, message: 'must be set too: the first administrator needs both an email and a password' }]);
  }
  if (v.PATHWAYS_CLOCK !== undefined && v.NODE_ENV === 'production') {
    throw new ConfigError([{ variable: 'PATHWAYS_CLOCK', message: 'is refused with NODE_ENV=production: a moved clock is for training and acceptance environments only; unset it' }]);
  }
  return {
    databaseUrl: v.DATABASE_URL,
    pgPoolSize: v.PATHWAYS_PG_POOL,
    pgWriters: v.PATHWAYS_PG_WRITERS ?? null,
    pgSideBySide: v.PATHWAYS_PG_SIDE_BY_SIDE,
    hashThreads: v.PATHWAYS_HASH_THREADS ?? null,
    hashQueue: v.PATHWAYS_HASH_QUEUE,
    hashNice: v.PATHWAYS_HASH_NICE,
    trustProxy: trustProxyOf(v.PATHWAYS_TRUST_PROXY),
    syncInCommit: v.PATHWAYS_SYNC_IN_COMMIT,
    port: v.PORT,
    tokenTtlMinutes: v.PATHWAYS_TOKEN_TTL_MINUTES,
    scryptCost: v.PATHWAYS_SCRYPT_COST,
    logLevel: v.PATHWAYS_LOG_LEVEL ?? v.LOG_LEVEL ?? 'info',
    webDist: v.PATHWAYS_WEB_DIST ?? join(import.meta.dirname, '..', 'web', 'dist'),
    metricsToken: v.PATHWAYS_METRICS_TOKEN ?? null,
    timeZone: v.PATHWAYS_TIME_ZONE ?? DEFAULT_TIME_ZONE,
    consentMonths: v.PATHWAYS_CONSENT_MONTHS,
    followUp: { followUpWorkingDays: v.PATHWAYS_FOLLOW_UP_WORKING_DAYS, reviewAfterMissed: v.PATHWAYS_REVIEW_AFTER_MISSED, missedWindowDays: v.PATHWAYS_MISSED_WINDOW_DAYS },
    clock: v.PATHWAYS_CLOCK === undefined ? null : parseClockSetting(v.PATHWAYS_CLOCK),
    firstAdmin:
      v.PATHWAYS_ADMIN_EMAIL !== undefined && v.PATHWAYS_ADMIN_PASSWORD !== undefined
        ? { email: v.PATHWAYS_ADMIN_EMAIL, password: v.PATHWAYS_ADMIN_PASSWORD, area: v.PATHWAYS_AREA ?? 'all' }
        : null,
  };
}
