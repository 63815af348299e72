/**
 * The engine's public shapes: the commands it takes, the changes it reports and the
 * `Engine` itself. Kept apart from the implementation so the API, live fan-out and
 * metrics can depend on the contract alone.
 */
import type { Kysely } from 'kysely';
import type { EventOptions } from '../../machines/allowed-now.ts';
import type { DirectSql } from '../db/direct-sql.ts';
import type { RecordStreamType } from '../../machines/index.ts';
import type { CaseRow, Database, EventRow, RecordStreamRow, ReferralRow, StreamType } from '../db/schema.ts';
import type { MachineRegistry } from './machine-registry.ts';
import type { StoredSnapshot } from './snapshot-codec.ts';
import type { PendingTimerRow } from './event-log.ts';

/** Who did it. Timers act as the system: both null. */
export interface Actor {
  userId: string | null;
  agencyId: string | null;
}

/** The system actor, used for events delivered by timers. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ userId: null, agencyId: null });

/** The row type of a stream. */
export type StreamRow<S extends StreamType> = S extends 'case' ? CaseRow : S extends 'referral' ? ReferralRow : RecordStreamRow;

/** One event for one stream: `{ type, ...payload }`; the engine fills in `at`. */
export interface EventInput {
  type: string;
  [field: string]: unknown;
}

/** Apply one event to one stream. */
export interface ApplyCommand<S extends StreamType = StreamType> {
  stream: S;
  id: string;
  event: EventInput;
  /** The stream version the caller saw; a stale one fails with `version_conflict`. */
  expectedVersion: number;
  actor: Actor;
  /** ISO-8601 time the fact happened (default now). More than a day back needs `backdateReason`. */
  effectiveAt?: string;
  backdateReason?: string;
  /**
   * The stream's row, when the caller has just read it in the same transaction: saves
   * reading it again. A stale row cannot do harm: the update is guarded by its version.
   */
  row?: StreamRow<S>;
}

/** Open a treatment journey (a `case` stream running the `pathway` machine). */
export interface OpenCaseCommand {
  /** Defaults to a new UUID. */
  id?: string;
  personId: string;
  leadAgencyId: string;
  keyworkerId?: string | null;
  /** A `referral_source` code. */
  referralSource: string;
  /** Referral date, `YYYY-MM-DD` (or ISO date-time). The waiting clock counts from here. */
  referredOn: string;
  /** Further machine input (`checkupScheduleDays`, …). */
  input?: Record<string, unknown>;
  actor: Actor;
  /** Effective time of opening; defaults to the start of `referredOn` (or now, if that is today). */
  effectiveAt?: string;
  backdateReason?: string;
}

/** Send a referral from one agency to another (a `referral` stream). */
export interface OpenReferralCommand {
  /** Defaults to a new UUID. */
  id?: string;
  personId: string;
  fromAgencyId: string;
  fromUserId: string | null;
  toAgencyId: string;
  /** A referral kind (`treatment`, `housing`, …). */
  kind: string;
  reason: string;
  /** `routine` | `urgent`. */
  urgency: string;
  caseId?: string | null;
  /** Further machine input (`acknowledgeWithinHours`, `firstContactWithinDays`). */
  input?: Record<string, unknown>;
  /** Set when sent without consent for safeguarding: `{justification, by, at}`. */
  safeguardingOverride?: Record<string, unknown> | null;
  /** Treatment referrals: the `referral_source` code the journey it opens records (default: from the sender's kind). */
  referralSource?: string | null;
  /** A referral on release from prison: the release day (`YYYY-MM-DD`); the journey it opens starts the continuity-of-care clock. */
  releasedOn?: string | null;
  actor: Actor;
  effectiveAt?: string;
  backdateReason?: string;
}

/**
 * Open a record stream (a person, an agency, a member of staff) at version 1 with its
 * opening event (`PERSON_RECORDED`, `AGENCY_CREATED`, `USER_CREATED`); the event's payload
 * is the record, projected into its table in the same transaction.
 */
export interface OpenRecordCommand {
  stream: RecordStreamType;
  /** Defaults to a new UUID. */
  id?: string;
  event: EventInput;
  actor: Actor;
  effectiveAt?: string;
  backdateReason?: string;
}

/** One committed (or about to be committed) change to one stream. */
export interface StreamChange<S extends StreamType = StreamType> {
  stream: S;
  id: string;
  /** Stream version after the change. */
  version: number;
  /** Event type; `CASE_OPENED` / `REFERRAL_REQUESTED` for a new stream. */
  type: string;
  /** The event's payload fields (without `type` and `at`). */
  payload: Record<string, unknown>;
  /** Dotted state before (`inTreatment.active`); null for a new stream. */
  fromState: string | null;
  toState: string;
  fromStage: string | null;
  toStage: string;
  /** The stream row as written. */
  row: StreamRow<S>;
  /** The event-log row. */
  event: EventRow;
  /** Event-log sequence number. */
  seq: number;
  effectiveAt: string;
  actor: Actor;
  /** PostgreSQL: the value of the hook's `readWithWrite`, read with this event's write (undefined: not read). */
  readWithWrite?: unknown;
}

/** What `apply`, `openCase` and `openReferral` resolve to. */
export interface ApplyResult<S extends StreamType = StreamType> {
  row: StreamRow<S>;
  event: EventRow;
  change: StreamChange<S>;
  /** Event types the stream accepts now with some payload, guards evaluated (timer-only events left out). */
  allowedEvents: string[];
  /** For events that depend on a field, the values accepted now (`{ DISCHARGED: { reason: [...] } }`). */
  eventOptions: EventOptions;
  /** The stream's new snapshot as an object (`row.snapshot` is the same as JSON). */
  snapshot: StoredSnapshot;
  /**
   * PostgreSQL, after an event on an existing stream: its pending timers as this transaction
   * leaves them, soonest first (read in the same statement as the write). Absent elsewhere:
   * read them (src/journeys/journey-view.ts `dueTimersIn`).
   */
  pendingTimers?: PendingTimerRow[];
}

/** Engine operations bound to one open transaction. */
export interface EngineTransaction {
  /** The transaction: run your own queries here (never on the store's `db`, which would wait for this one). */
  trx: Kysely<Database>;
  /** The same transaction for fixed SQL without the query builder (src/db/direct-sql.ts). */
  sql: DirectSql;
  /** A journey's or referral's row as this transaction sees it, or undefined. */
  load<S extends StreamType>(stream: S, id: string): Promise<StreamRow<S> | undefined>;
  apply<S extends StreamType>(cmd: ApplyCommand<S>): Promise<ApplyResult<S>>;
  openCase(cmd: OpenCaseCommand): Promise<ApplyResult<'case'>>;
  openReferral(cmd: OpenReferralCommand): Promise<ApplyResult<'referral'>>;
  openRecord<S extends RecordStreamType>(cmd: OpenRecordCommand & { stream: S }): Promise<ApplyResult<S>>;
}

/**
 * Runs inside the transaction of each change; a throw rolls the change back. `sql` is the
 * same transaction for fixed statements without the query builder (src/db/direct-sql.ts).
 * A hook must not call the engine (that would wait for the transaction it runs in).
 */
export type TransactionHook = ((trx: Kysely<Database>, change: StreamChange, sql: DirectSql) => Promise<void>) & {
  /** What the hook reads with each write of one stream's event (see `ReadWithWrite`). */
  readWithWrite?: ReadWithWrite;
};

/**
 * PostgreSQL: a read a transaction hook needs for each event of `stream`, run in the same
 * statement as the stream row's update (one round trip less per event). `sql` is one scalar
 * SQL expression whose `?` placeholders all stand for the stream's id; its value, as the
 * transaction stood before the event (earlier changes of the same transaction included),
 * reaches the hook as `change.readWithWrite`. Opening events, and SQLite, read nothing: the
 * hook reads for itself when `change.readWithWrite` is undefined.
 */
export interface ReadWithWrite {
  stream: StreamType;
  sql: string;
}
/**
 * Runs once per commit, after every unit in it has run and just before COMMIT, with the
 * changes of the units that succeeded, in order (on SQLite a group commit holds many
 * units; on PostgreSQL one). For work that is cheaper done once for many changes, such as
 * adding up counters. A throw fails the whole commit: every unit in it is refused.
 */
export type BeforeCommitHook = (trx: Kysely<Database>, changes: readonly StreamChange[], sql: DirectSql) => Promise<void>;
/** Runs after commit with the changes of one committed unit of work; must not throw. */
export type CommitListener = (changes: StreamChange[]) => void;

export interface SweepOptions {
  /** Deliver timers due at or before this time (default the engine clock). */
  now?: Date;
  /** Most timers claimed in one sweep (default 500). */
  limit?: number;
  /** Who claims (default the engine's worker id). */
  workerId?: string;
}

export interface SweepResult {
  /** Timers this sweep claimed. */
  claimed: number;
  /** Delivered and accepted. */
  fired: number;
  /** Delivered to a state that no longer accepts them (harmless). */
  noop: number;
  /** Already handled by someone else by the time we got to them. */
  skipped: number;
}

export interface EngineOptions {
  /** The clock (default `() => new Date()`); tests move it. */
  now?: () => Date;
  /**
   * SQLite only: concurrent callers share one commit (default true). Off, every unit of
   * work commits (and syncs) on its own.
   */
  groupCommit?: boolean;
  /** Most units of work in one group commit (default 256). */
  maxBatch?: number;
  /**
   * PostgreSQL only: batches of units in flight at once, each on a pooled connection
   * (default half of `PATHWAYS_PG_POOL`, at least 1).
   */
  pgConcurrency?: number;
  /**
   * PostgreSQL only: in a batch's first run, the leading `apply` calls on distinct journeys
   * and referrals run side by side on the batch's connection, their statements sent
   * pipelined, instead of one after another (default true). Any failure among them
   * has the batch run again one unit after another (src/engine/unit-runner.ts).
   */
  pgSideBySide?: boolean;
  /** The statecharts (default the ones in `machines/`). */
  registry?: MachineRegistry;
  /** Names this engine's timer claims (default host:pid:random). */
  workerId?: string;
  /**
   * The service's time zone (IANA name, default Europe/London): journeys and referrals
   * opened by this engine count their calendar days and fall due at local midnight there
   * (machines/calendar-days.ts); the measures count days in it too.
   */
  timeZone?: string;
  /**
   * SQLite only: sync the log inside each COMMIT on the main thread (`PATHWAYS_SYNC_IN_COMMIT=1`
   * for `pathways serve`) instead of after it on the thread pool (default false).
   */
  syncInCommit?: boolean;
}

/** How `engine.transaction` runs. */
export interface TransactionOptions {
  /**
   * The one journey or referral the transaction changes, when the caller knows it before it
   * runs: `tx.apply` on any other stream, and every opening, is refused. Its other statements
   * must be reads (or writes of rows belonging to that stream alone). On PostgreSQL it may
   * then run side by side with others of its batch (`EngineOptions.pgSideBySide`).
   */
  only?: { stream: 'case' | 'referral'; id: string };
}

export interface Engine {
  apply<S extends StreamType>(cmd: ApplyCommand<S>): Promise<ApplyResult<S>>;
  openCase(cmd: OpenCaseCommand): Promise<ApplyResult<'case'>>;
  openReferral(cmd: OpenReferralCommand): Promise<ApplyResult<'referral'>>;
  /** Opens a person, agency or staff stream (see OpenRecordCommand). */
  openRecord<S extends RecordStreamType>(cmd: OpenRecordCommand & { stream: S }): Promise<ApplyResult<S>>;
  /**
   * Runs `fn` atomically: every engine operation and query in it commits together or not at
   * all. Inside `fn` use `tx` for everything — a call on the engine itself from there waits
   * for this transaction to end, which waits for `fn`: it never returns.
   */
  transaction<T>(fn: (tx: EngineTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Adds a hook run in the transaction of every change; returns a function that removes it.
   * `readWithWrite`: what the hook reads for each event of one stream, read with the write (PostgreSQL).
   */
  useInTransaction(hook: TransactionHook, readWithWrite?: ReadWithWrite): () => void;
  /** Adds a hook run once per commit, just before it (see BeforeCommitHook); returns a function that removes it. */
  useBeforeCommit(hook: BeforeCommitHook): () => void;
  /** Adds a listener told after each commit; returns a function that removes it. */
  onCommit(listener: CommitListener): () => void;
  /** Adds a listener told, after each commit, how many units it held (its group-commit size); returns a function that removes it. */
  onCommitSize(listener: (units: number) => void): () => void;
  /** Delivers every pending timer that has fallen due, exactly once each. */
  sweepDueTimers(options?: SweepOptions): Promise<SweepResult>;
  /** Sweeps now (catching up on anything that fell due while down) and then every `intervalMs`. */
  startSweeper(intervalMs?: number): void;
  /** Stops the sweeper and waits for the sweep in flight. */
  stop(): Promise<void>;
  /**
   * PostgreSQL: chains the events committed so far now, rather than within the next few
   * milliseconds (src/engine/chain-sealer.ts); answers how many it chained (0 on SQLite,
   * which chains each event as it is written, and when another node is sealing).
   */
  sealChain(): Promise<number>;
  /** Stops the sweeper and waits for queued work; the store stays open (its owner closes it). */
  close(): Promise<void>;
  /** Commits made and units of work they held (group commit packs many units in one); on PostgreSQL, how many of those units ran side by side (`pgSideBySide`). */
  stats(): { commits: number; units: number; failed: number; retried: number; sideBySide: number };
  /** The statecharts this engine runs. */
  readonly registry: MachineRegistry;
  /** The service's time zone (EngineOptions.timeZone). */
  readonly timeZone: string;
}
