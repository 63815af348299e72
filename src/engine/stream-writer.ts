/**
 * The writes of one engine operation, inside a transaction someone else opened: load the
 * stream row, plan with the statechart, and write the new row, the hash-chained event and
 * the timer rows — or throw and let the transaction roll everything back.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { StateValue } from 'xstate';
import { isReferralKind, REFERRAL_URGENCIES } from '../../machines/referral-kinds.ts';
import { OPENING_EVENTS, REFERRAL_TIMER_IDS, isRecordStream, type RecordStreamType } from '../../machines/index.ts';
import { overdueFlag } from '../../machines/overdue.ts';
import type { Dialect } from '../db/database.ts';
import type { DirectSql } from '../db/direct-sql.ts';
import { columnList } from '../db/column-list.ts';
import type { CaseRow, CaseTable, Database, EventRow, RecordStreamRow, RecordStreamTable, ReferralRow, ReferralTable, StreamType } from '../db/schema.ts';
import { PathwaysError, notFound, validationError } from '../errors.ts';
import { parseInstant, resolveEffectiveTime } from './effective-time.ts';
import type {
  Actor,
  ApplyCommand,
  ApplyResult,
  OpenCaseCommand,
  OpenRecordCommand,
  OpenReferralCommand,
  StreamChange,
  StreamRow,
  TransactionHook,
} from './engine-types.ts';
import { BREACH_EVENT_OF, unloggedWithdrawals } from './breach-corrections.ts';
import { appendEvent, appendUnsealedEvent, lockEventLog, updateAndAppendUnsealed, type ChainHead, type PendingTimerRow } from './event-log.ts';
import type { HashedEventFields } from './hash-chain.ts';
import type { MachineRegistry } from './machine-registry.ts';
import { planInitial, planTransition, type EngineEvent, type TransitionPlan } from './plan-transition.ts';
import { projectRecordChange } from './record-projections.ts';
import { stateLabel } from './state-label.ts';
import { indexPersonForAgency } from '../people/search-index.ts';

/** One open transaction as the engine sees it. */
export interface TxContext {
  trx: Kysely<Database>;
  /** The same transaction, for the fixed statements of the hot path (see direct-sql.ts). */
  sql: DirectSql;
  dialect: Dialect;
  registry: MachineRegistry;
  now: () => Date;
  /** The service's time zone, handed to every new stream's statechart. */
  timeZone: string;
  hooks: readonly TransactionHook[];
  /** Changes made so far, told to commit listeners once the transaction commits. */
  changes: StreamChange[];
  /** Whether this transaction holds the event-log lock (PostgreSQL). */
  locked: boolean;
  /** The chain head this transaction last wrote (shared by the units of one SQLite commit). */
  head: ChainHead;
}

const LABEL = { case: 'journey', referral: 'referral', person: 'person', agency: 'agency', user: 'user' } as const;
const TITLE = { case: 'Journey', referral: 'Referral', person: 'Person', agency: 'Agency', user: 'User' } as const;

/** Takes the event-log lock once per transaction, before the first write. */
export async function beginWrites(ctx: TxContext): Promise<void> {
  if (ctx.locked) return;
  await lockEventLog(ctx.trx, ctx.dialect);
  ctx.locked = true;
}

/**
 * Loads a stream row, or undefined. `forUpdate` (PostgreSQL) locks it for the rest of the
 * transaction, waiting for a writer in flight on it and then reading what that writer
 * committed. The lock is the one the row's update takes (`for no key update`): it does not
 * wait for the key-share locks other writers' foreign keys hold on the row (an event or a
 * measure row naming the journey), so it can be part of no cycle with them.
 */
export async function loadStream<S extends StreamType>(db: DirectSql, stream: S, id: string, forUpdate = false): Promise<StreamRow<S> | undefined> {
  const lock = forUpdate ? ' for no key update' : '';
  if (stream === 'case') return db.get<StreamRow<S>>(`select ${CASE_COLUMNS} from cases where id = ?${lock}`, [id]);
  if (stream === 'referral') return db.get<StreamRow<S>>(`select ${REFERRAL_COLUMNS} from referrals where id = ?${lock}`, [id]);
  return db.get<StreamRow<S>>(`select ${RECORD_STREAM_COLUMNS} from record_streams where stream_type = ? and id = ?${lock}`, [stream, id]);
}

// Named, not `select *`, so that PostgreSQL keeps these reads prepared (column-list.ts).
const CASE_COLUMNS = columnList<CaseTable>()([
  'id', 'person_id', 'lead_agency_id', 'keyworker_id', 'machine_version', 'stage', 'state_value', 'snapshot', 'version',
  'referral_source', 'referred_on', 'stage_entered_at', 'opened_at', 'closed_at', 'updated_at', 'overdue',
]);
const REFERRAL_COLUMNS = columnList<ReferralTable>()([
  'id', 'person_id', 'case_id', 'from_agency_id', 'from_user_id', 'to_agency_id', 'kind', 'reason', 'urgency', 'machine_version', 'state',
  'snapshot', 'version', 'acknowledge_by', 'first_contact_by', 'safeguarding_override', 'referral_source', 'released_on', 'created_at', 'updated_at',
]);
const RECORD_STREAM_COLUMNS = columnList<RecordStreamTable>()(['stream_type', 'id', 'machine_version', 'state', 'snapshot', 'version', 'created_at', 'updated_at']);

const UPDATE_CASE =
  'update cases set snapshot = ?, stage = ?, state_value = ?, version = ?, stage_entered_at = ?, closed_at = ?, keyworker_id = ?, updated_at = ?, overdue = ? where id = ? and version = ?';
const UPDATE_REFERRAL = 'update referrals set snapshot = ?, state = ?, version = ?, updated_at = ?, case_id = ? where id = ? and version = ?';
const UPDATE_RECORD = 'update record_streams set snapshot = ?, state = ?, version = ?, updated_at = ? where stream_type = ? and id = ? and version = ?';

function stateValueOf(stream: StreamType, row: CaseRow | ReferralRow | RecordStreamRow): StateValue {
  if (stream === 'case') return JSON.parse((row as CaseRow).state_value) as StateValue;
  if (stream === 'referral') return (row as ReferralRow).state;
  return (JSON.parse(row.snapshot) as { value: StateValue }).value;
}

function splitEvent(event: EngineEvent): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const key in event) if (key !== 'type' && key !== 'at') payload[key] = event[key];
  return payload;
}

/** Applies a user's command: validates it, plans it and writes it. */
export async function applyCommand<S extends StreamType>(ctx: TxContext, cmd: ApplyCommand<S>): Promise<ApplyResult<S>> {
  const { stream, id } = cmd;
  const type = cmd.event?.type;
  if (typeof type !== 'string' || type === '') {
    throw validationError('event.type is required: the SCREAMING_SNAKE_CASE name of the event.', [{ path: 'type', message: 'required' }]);
  }
  if (ctx.registry.timerEventTypes.has(type)) {
    throw validationError(`${type} is raised by the engine's timers and cannot be sent.`, [
      { path: 'type', message: 'timer events are sent only by the engine' },
    ]);
  }
  if (!Number.isInteger(cmd.expectedVersion)) {
    throw validationError('expectedVersion must be the integer version of the stream you last read.', [
      { path: 'expectedVersion', message: 'must be an integer' },
    ]);
  }
  const time = resolveEffectiveTime(ctx.now(), cmd.effectiveAt, cmd.backdateReason);
  const row = cmd.row && cmd.row.id === id ? cmd.row : await loadStream(ctx.sql, stream, id);
  if (!row) throw notFound(`${TITLE[stream]} ${id}`);
  if (row.version !== cmd.expectedVersion) throw conflict(stream, id, row.version, cmd.expectedVersion);

  const event: EngineEvent = { ...cmd.event, type, at: time.effectiveAt };
  const plan = planTransition(stream, row.machine_version, row.snapshot, event, ctx.registry);
  if (!plan.accepted) throw refusal(stream, plan, type);
  const written = await writeTransition(ctx, stream, row, plan, event, cmd.actor, time.backdateReason);
  return stream === 'case' ? appendBreachCorrections(ctx, row.snapshot, written, cmd.actor, time.backdateReason) : written;
}

/**
 * After a journey's event: for each breach the event withdrew, the correcting
 * BREACH_WITHDRAWN, in the same unit, at the fact's effective time and by its actor. The
 * answer is the stream as it stands after them (its version is the one to send next).
 */
async function appendBreachCorrections<S extends StreamType>(
  ctx: TxContext,
  before: string,
  written: ApplyResult<S>,
  actor: Actor,
  backdateReason: string | null,
): Promise<ApplyResult<S>> {
  let result = written;
  for (const w of unloggedWithdrawals(before, written.snapshot)) {
    const breach = await ctx.sql.get<{ effective_at: string }>(
      'select effective_at from events where stream_type = ? and stream_id = ? and type = ? order by stream_version desc limit 1',
      ['case', written.row.id, BREACH_EVENT_OF[w.deadline]],
    );
    const event: EngineEvent = {
      type: 'BREACH_WITHDRAWN',
      clock: w.deadline,
      breachedAt: breach?.effective_at ?? null,
      reason: w.reason,
      byEventSeq: written.change.seq,
      at: written.change.effectiveAt,
    };
    const plan = planTransition('case', result.row.machine_version, result.row.snapshot, event, ctx.registry);
    if (!plan.accepted) throw new Error(`The journey ${result.row.id} refused its correcting BREACH_WITHDRAWN (${w.deadline}).`);
    result = await writeTransition(ctx, 'case', result.row as StreamRow<'case'>, plan, event, actor, backdateReason) as ApplyResult<S>;
  }
  return result;
}

function conflict(stream: StreamType, id: string, current: number, expected: number): PathwaysError {
  return new PathwaysError(
    'version_conflict',
    `The ${LABEL[stream]} ${id} is at version ${current}, not ${expected}: someone changed it since you read it. Reload it and try again.`,
    { currentVersion: current },
  );
}

function refusal(stream: StreamType, plan: TransitionPlan, type: string): PathwaysError {
  const state = stateLabel(plan.stateValue);
  const allowedEvents = plan.allowedEvents;
  const allowed = allowedEvents.length > 0 ? `Allowed now: ${allowedEvents.join(', ')}.` : `The ${LABEL[stream]} is closed and accepts no events.`;
  if (plan.refusal === 'unknown_event') {
    throw validationError(`Unknown event type ${type} for a ${LABEL[stream]}. ${allowed}`, [
      { path: 'type', message: `unknown event type; allowed now: ${allowedEvents.join(', ') || 'none'}` },
    ]);
  }
  const rules = plan.refusedBy ?? [];
  const why =
    plan.refusal === 'guard_refused'
      ? `${type} is not allowed in state ${state}: the rule ${rules.join(' / ')} refused it (check the event's fields).`
      : `${type} is not allowed in state ${state}.`;
  // Say which values would pass, when the event is allowed with other fields.
  const options = Object.entries(plan.eventOptions[type] ?? {}).map(([field, values]) => `${field} one of ${values.join(', ')}`);
  const accepted = options.length > 0 ? ` ${type} is accepted now with ${options.join('; ')}.` : '';
  return new PathwaysError('invalid_transition', `${why}${accepted} ${allowed}`, {
    allowedEvents,
    eventOptions: plan.eventOptions,
    state,
    stage: plan.stage,
    ...(rules.length > 0 ? { rule: rules.join(' / '), rules } : {}),
  });
}

/**
 * Writes an accepted plan: the stream row (guarded by its version, so two writers can
 * never both win), the hash-chained event, the timers, then the in-transaction hooks.
 */
export async function writeTransition<S extends StreamType>(
  ctx: TxContext,
  stream: S,
  row: StreamRow<S>,
  plan: TransitionPlan,
  event: EngineEvent,
  actor: Actor,
  backdateReason: string | null,
): Promise<ApplyResult<S>> {
  await beginWrites(ctx);
  const nowIso = ctx.now().toISOString();
  const at = event.at;
  const fromStage = stream === 'case' ? (row as CaseRow).stage : (row as ReferralRow | RecordStreamRow).state;
  const fromState = stateLabel(stateValueOf(stream, row));
  const version = row.version + 1;
  // The row's guarded update, then the event; on PostgreSQL both in one statement.
  let updated: StreamRow<S>;
  let update: { text: string; params: unknown[] };
  if (stream === 'case') {
    const caseRow = row as CaseRow;
    const keyworker = plan.snapshot.context.keyworkerId;
    // The keyworker column mirrors the journey's context; name a bad id rather than fail on the foreign key.
    if (typeof keyworker === 'string' && keyworker !== caseRow.keyworker_id) await requireRow(ctx, 'users', keyworker, 'keyworkerId', 'user');
    const closedAt = plan.done ? (caseRow.closed_at ?? at) : null;
    const set = {
      snapshot: JSON.stringify(plan.snapshot),
      stage: plan.stage,
      state_value: JSON.stringify(plan.stateValue),
      version,
      stage_entered_at: plan.stage !== caseRow.stage ? at : caseRow.stage_entered_at,
      closed_at: closedAt,
      keyworker_id: typeof keyworker === 'string' || keyworker === null ? keyworker : caseRow.keyworker_id,
      updated_at: nowIso,
      overdue: overdueFlag(plan.snapshot, closedAt !== null),
    };
    update = { text: UPDATE_CASE, params: [set.snapshot, set.stage, set.state_value, set.version, set.stage_entered_at, set.closed_at, set.keyworker_id, set.updated_at, set.overdue, row.id, row.version] };
    updated = { ...caseRow, ...set } as StreamRow<S>;
  } else if (stream === 'referral') {
    // The journey a referral opened or re-opened is linked by the accepting event itself (its `caseId`).
    const link = typeof event.caseId === 'string' ? event.caseId : (row as ReferralRow).case_id;
    const set = { snapshot: JSON.stringify(plan.snapshot), state: plan.stage, version, updated_at: nowIso, case_id: link };
    update = { text: UPDATE_REFERRAL, params: [set.snapshot, set.state, set.version, set.updated_at, set.case_id, row.id, row.version] };
    updated = { ...(row as ReferralRow), ...set } as StreamRow<S>;
  } else {
    const set = { snapshot: JSON.stringify(plan.snapshot), state: plan.stage, version, updated_at: nowIso };
    update = { text: UPDATE_RECORD, params: [set.snapshot, set.state, set.version, set.updated_at, stream, row.id, row.version] };
    updated = { ...(row as RecordStreamRow), ...set } as StreamRow<S>;
  }
  const payload = splitEvent(event);
  const fields: HashedEventFields = {
    stream_type: stream,
    stream_id: row.id,
    stream_version: version,
    type: event.type,
    payload: JSON.stringify(payload),
    from_state: fromState,
    to_state: stateLabel(plan.stateValue),
    user_id: actor.userId,
    agency_id: actor.agencyId,
    recorded_at: nowIso,
    effective_at: at,
    backdate_reason: backdateReason,
  };
  let logged: EventRow;
  let pendingTimers: PendingTimerRow[] | undefined;
  let read: Map<TransactionHook, unknown> | undefined;
  if (ctx.dialect === 'postgres') {
    const readers = ctx.hooks.filter((h) => h.readWithWrite?.stream === stream);
    const appended = await updateAndAppendUnsealed(ctx.sql, update.text, update.params, fields, readers.map((h) => h.readWithWrite!.sql));
    if (!appended) throw await lostRace(ctx, stream, row.id, row.version);
    logged = appended.event;
    pendingTimers = pendingAfter(appended.pending, plan);
    if (readers.length > 0) read = new Map(readers.map((h, i) => [h, appended.read[i]]));
  } else {
    if ((await ctx.sql.run(update.text, update.params)) !== 1) throw await lostRace(ctx, stream, row.id, row.version);
    logged = await appendEvent(ctx.sql, fields, ctx.head);
  }
  await writeTimers(ctx, stream, row.id, plan, nowIso);
  return finish(ctx, { stream, row: updated, event: logged, plan, payload, fromState, fromStage, actor, pendingTimers, read });
}

/** Appends the event: chained at once on SQLite, sealed after commit on PostgreSQL (chain-sealer.ts). */
function append(ctx: TxContext, fields: HashedEventFields): Promise<EventRow> {
  return ctx.dialect === 'postgres' ? appendUnsealedEvent(ctx.sql, fields) : appendEvent(ctx.sql, fields, ctx.head);
}

async function lostRace(ctx: TxContext, stream: StreamType, id: string, expected: number): Promise<PathwaysError> {
  const current = await loadStream(ctx.sql, stream, id);
  return conflict(stream, id, current?.version ?? expected, expected);
}

/**
 * The stream's pending timers once `plan`'s timer writes (writeTimers) are made, from those
 * pending before them: the cancelled and replaced keys gone, the new ones added; soonest first.
 */
function pendingAfter(before: readonly PendingTimerRow[], plan: TransitionPlan): PendingTimerRow[] {
  if (plan.timersToCancel.length === 0 && plan.timersToAdd.length === 0) return [...before];
  const gone = new Set(plan.timersToCancel);
  for (const t of plan.timersToAdd) gone.add(t.key);
  const after = before.filter((t) => !gone.has(t.timer_key));
  for (const t of plan.timersToAdd) after.push({ timer_key: t.key, event: JSON.stringify(t.event), due_at: t.dueAt });
  return after.sort((a, b) => (a.due_at < b.due_at ? -1 : a.due_at > b.due_at ? 1 : 0));
}

async function writeTimers(ctx: TxContext, stream: StreamType, id: string, plan: TransitionPlan, nowIso: string): Promise<void> {
  // A new timer replaces a pending one with the same key (the unique index allows one).
  // Nothing reads these writes' answers: inside a unit they go without waiting (DirectSql.send).
  const keys = new Set(plan.timersToCancel);
  for (const t of plan.timersToAdd) keys.add(t.key);
  if (keys.size > 0) {
    const list = [...keys];
    await ctx.sql.send(
      `update timers set status = 'cancelled', fired_at = null where stream_type = ? and stream_id = ? and status = 'pending' and timer_key in (${list.map(() => '?').join(', ')})`,
      [stream, id, ...list],
    );
  }
  for (const t of plan.timersToAdd) {
    await ctx.sql.send(
      "insert into timers (id, stream_type, stream_id, timer_key, event, due_at, created_at, status, fired_at, claimed_by, claimed_until) values (?, ?, ?, ?, ?, ?, ?, 'pending', null, null, null)",
      [randomUUID(), stream, id, t.key, JSON.stringify(t.event), t.dueAt, nowIso],
    );
  }
}

interface Written<S extends StreamType> {
  stream: S;
  row: StreamRow<S>;
  event: ApplyResult<S>['event'];
  plan: TransitionPlan;
  payload: Record<string, unknown>;
  fromState: string | null;
  fromStage: string | null;
  actor: Actor;
  /** PostgreSQL: the stream's pending timers after the transition, read with its write. */
  pendingTimers?: PendingTimerRow[];
  /** PostgreSQL: each hook's `readWithWrite`, read with the write. */
  read?: Map<TransactionHook, unknown>;
}

async function finish<S extends StreamType>(ctx: TxContext, w: Written<S>): Promise<ApplyResult<S>> {
  const change: StreamChange<S> = {
    stream: w.stream,
    id: w.row.id,
    version: w.row.version,
    type: w.event.type,
    payload: w.payload,
    fromState: w.fromState,
    toState: stateLabel(w.plan.stateValue),
    fromStage: w.fromStage,
    toStage: w.plan.stage,
    row: w.row,
    event: w.event,
    seq: w.event.seq,
    effectiveAt: w.event.effective_at,
    actor: w.actor,
  };
  // A record's tables (people, consents, agencies, users) are its projection, written in
  // the same transaction before any hook reads them.
  if (isRecordStream(w.stream)) await projectRecordChange(ctx.trx, change);
  for (const hook of ctx.hooks) {
    // Each hook sees only what it asked to read with the write.
    if (w.read?.has(hook)) change.readWithWrite = w.read.get(hook);
    await hook(ctx.trx, change, ctx.sql);
    delete change.readWithWrite;
  }
  ctx.changes.push(change);
  const plan = w.plan;
  return {
    row: w.row,
    event: w.event,
    change,
    // Computed on first read: most callers never look.
    get allowedEvents() {
      return plan.allowedEvents;
    },
    get eventOptions() {
      return plan.eventOptions;
    },
    snapshot: plan.snapshot,
    ...(w.pendingTimers ? { pendingTimers: w.pendingTimers } : {}),
  };
}

async function requireRow(ctx: TxContext, table: 'people' | 'agencies' | 'users' | 'cases', id: string, path: string, what: string): Promise<void> {
  const found = await ctx.sql.get(`select id from ${table} where id = ?`, [id]);
  if (!found) throw validationError(`${path} ${id} is not a known ${what}.`, [{ path, message: `unknown ${what}` }]);
}

function requireText(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw validationError(`${path} is required.`, [{ path, message: 'required' }]);
  return value;
}

/** Opens a treatment journey at version 1 with its `CASE_OPENED` event and first timers. */
export async function openCase(ctx: TxContext, cmd: OpenCaseCommand): Promise<ApplyResult<'case'>> {
  requireText(cmd.personId, 'personId');
  requireText(cmd.leadAgencyId, 'leadAgencyId');
  requireText(cmd.referralSource, 'referralSource');
  const now = ctx.now();
  const referred = typeof cmd.referredOn === 'string' ? parseInstant(cmd.referredOn) : null;
  if (!referred) throw validationError('referredOn must be a date (2026-03-02).', [{ path: 'referredOn', message: 'must be a YYYY-MM-DD date' }]);
  if (referred.toISOString().slice(0, 10) > now.toISOString().slice(0, 10)) {
    throw validationError(`referredOn ${cmd.referredOn} is in the future.`, [{ path: 'referredOn', message: 'must not be in the future' }]);
  }
  // The waiting clock runs from the referral date, which is the recorded fact itself, so
  // opening on it is not a backdated entry; an explicit effectiveAt follows the usual rules.
  let time: { effectiveAt: string; backdateReason: string | null };
  if (cmd.effectiveAt !== undefined) time = resolveEffectiveTime(now, cmd.effectiveAt, cmd.backdateReason);
  else time = { effectiveAt: referred.getTime() > now.getTime() ? now.toISOString() : referred.toISOString(), backdateReason: cmd.backdateReason?.trim() || null };

  await requireRow(ctx, 'people', cmd.personId, 'personId', 'person');
  await requireRow(ctx, 'agencies', cmd.leadAgencyId, 'leadAgencyId', 'agency');
  if (cmd.keyworkerId) await requireRow(ctx, 'users', cmd.keyworkerId, 'keyworkerId', 'user');

  const registry = ctx.registry;
  const version = registry.currentVersion('case');
  // The statechart counts its calendar days in the service's zone, its first timers from the opening time.
  const input = { ...cmd.input, referralSource: cmd.referralSource, referredOn: cmd.referredOn, keyworkerId: cmd.keyworkerId ?? null, timeZone: ctx.timeZone, openedAt: time.effectiveAt };
  const plan = planInitial('case', version, input, time.effectiveAt, registry);
  await beginWrites(ctx);
  const nowIso = now.toISOString();
  const row: CaseRow = {
    id: cmd.id ?? randomUUID(),
    person_id: cmd.personId,
    lead_agency_id: cmd.leadAgencyId,
    keyworker_id: cmd.keyworkerId ?? null,
    machine_version: version,
    stage: plan.stage,
    state_value: JSON.stringify(plan.stateValue),
    snapshot: JSON.stringify(plan.snapshot),
    version: 1,
    referral_source: cmd.referralSource,
    referred_on: cmd.referredOn,
    stage_entered_at: time.effectiveAt,
    opened_at: time.effectiveAt,
    closed_at: plan.done ? time.effectiveAt : null,
    updated_at: nowIso,
    overdue: overdueFlag(plan.snapshot, plan.done),
  };
  await ctx.trx.insertInto('cases').values(row).execute();
  // The lead agency now holds the person: they are found by its searches from this commit on.
  await indexPersonForAgency(ctx.trx, cmd.personId, cmd.leadAgencyId);
  return logOpening(ctx, 'case', row, plan, 'CASE_OPENED', input, cmd.actor, time, nowIso);
}

/** Sends a referral: a `referral` stream at version 1 with `REFERRAL_REQUESTED` and its deadline timers. */
export async function openReferral(ctx: TxContext, cmd: OpenReferralCommand): Promise<ApplyResult<'referral'>> {
  requireText(cmd.personId, 'personId');
  requireText(cmd.fromAgencyId, 'fromAgencyId');
  requireText(cmd.toAgencyId, 'toAgencyId');
  requireText(cmd.reason, 'reason');
  if (cmd.toAgencyId === cmd.fromAgencyId) {
    throw validationError('toAgencyId is the sending agency itself: a referral goes to another agency.', [
      { path: 'toAgencyId', message: 'must differ from fromAgencyId' },
    ]);
  }
  if (!isReferralKind(cmd.kind)) {
    throw validationError(`kind "${String(cmd.kind)}" is not a referral kind.`, [{ path: 'kind', message: 'unknown referral kind' }]);
  }
  if (!(REFERRAL_URGENCIES as readonly string[]).includes(cmd.urgency)) {
    throw validationError(`urgency must be one of ${REFERRAL_URGENCIES.join(', ')}.`, [{ path: 'urgency', message: `must be one of ${REFERRAL_URGENCIES.join(', ')}` }]);
  }
  const now = ctx.now();
  const time = resolveEffectiveTime(now, cmd.effectiveAt, cmd.backdateReason);
  await requireRow(ctx, 'people', cmd.personId, 'personId', 'person');
  await requireRow(ctx, 'agencies', cmd.fromAgencyId, 'fromAgencyId', 'agency');
  await requireRow(ctx, 'agencies', cmd.toAgencyId, 'toAgencyId', 'agency');
  if (cmd.fromUserId) await requireRow(ctx, 'users', cmd.fromUserId, 'fromUserId', 'user');
  if (cmd.caseId) await requireRow(ctx, 'cases', cmd.caseId, 'caseId', 'journey');

  const registry = ctx.registry;
  const version = registry.currentVersion('referral');
  const input = { ...cmd.input, kind: cmd.kind, urgency: cmd.urgency, requestedAt: time.effectiveAt, timeZone: ctx.timeZone };
  const plan = planInitial('referral', version, input, time.effectiveAt, registry);
  await beginWrites(ctx);
  const nowIso = now.toISOString();
  const due = (key: string): string | null => plan.timersToAdd.find((t) => t.key === key)?.dueAt ?? null;
  const row: ReferralRow = {
    id: cmd.id ?? randomUUID(),
    person_id: cmd.personId,
    case_id: cmd.caseId ?? null,
    from_agency_id: cmd.fromAgencyId,
    from_user_id: cmd.fromUserId,
    to_agency_id: cmd.toAgencyId,
    kind: cmd.kind,
    reason: cmd.reason,
    urgency: cmd.urgency,
    machine_version: version,
    state: plan.stage,
    snapshot: JSON.stringify(plan.snapshot),
    version: 1,
    acknowledge_by: due(REFERRAL_TIMER_IDS.acknowledge),
    first_contact_by: due(REFERRAL_TIMER_IDS.firstContact),
    safeguarding_override: cmd.safeguardingOverride ? JSON.stringify(cmd.safeguardingOverride) : null,
    referral_source: cmd.referralSource ?? null,
    released_on: cmd.releasedOn ?? null,
    created_at: time.effectiveAt,
    updated_at: nowIso,
  };
  await ctx.trx.insertInto('referrals').values(row).execute();
  const payload = {
    personId: cmd.personId,
    fromAgencyId: cmd.fromAgencyId,
    toAgencyId: cmd.toAgencyId,
    kind: cmd.kind,
    urgency: cmd.urgency,
    reason: cmd.reason,
    caseId: cmd.caseId ?? null,
    ...(cmd.input ?? {}),
    ...(cmd.safeguardingOverride ? { safeguardingOverride: cmd.safeguardingOverride } : {}),
    ...(cmd.referralSource ? { referralSource: cmd.referralSource } : {}),
    ...(cmd.releasedOn ? { releasedOn: cmd.releasedOn } : {}),
  };
  return logOpening(ctx, 'referral', row, plan, 'REFERRAL_REQUESTED', payload, cmd.actor, time, nowIso);
}

/**
 * Opens a record stream (person, agency, staff) at version 1 with its opening event; the
 * payload is the record itself, which the stream's projection writes into its table.
 */
export async function openRecord<S extends RecordStreamType>(ctx: TxContext, cmd: OpenRecordCommand & { stream: S }): Promise<ApplyResult<S>> {
  const stream = cmd.stream;
  const opening = OPENING_EVENTS[stream];
  if (cmd.event?.type !== opening) {
    throw validationError(`A new ${LABEL[stream]} opens with ${opening}.`, [{ path: 'type', message: `must be ${opening}` }]);
  }
  const now = ctx.now();
  const time = resolveEffectiveTime(now, cmd.effectiveAt, cmd.backdateReason);
  const registry = ctx.registry;
  const version = registry.currentVersion(stream);
  const payload: Record<string, unknown> = {};
  for (const key in cmd.event) if (key !== 'type' && key !== 'at') payload[key] = cmd.event[key];
  const plan = planInitial(stream, version, payload, time.effectiveAt, registry);
  await beginWrites(ctx);
  const nowIso = now.toISOString();
  const row: RecordStreamRow = {
    stream_type: stream,
    id: cmd.id ?? randomUUID(),
    machine_version: version,
    state: plan.stage,
    snapshot: JSON.stringify(plan.snapshot),
    version: 1,
    created_at: nowIso,
    updated_at: nowIso,
  };
  const taken = await ctx.sql.run(
    'insert into record_streams (stream_type, id, machine_version, state, snapshot, version, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing',
    [row.stream_type, row.id, row.machine_version, row.state, row.snapshot, row.version, row.created_at, row.updated_at],
  );
  if (taken !== 1) throw new PathwaysError('conflict', `A ${LABEL[stream]} with id ${row.id} already exists.`);
  return logOpening(ctx, stream, row as StreamRow<S>, plan, opening, payload, cmd.actor, time, nowIso);
}

async function logOpening<S extends StreamType>(
  ctx: TxContext,
  stream: S,
  row: StreamRow<S>,
  plan: TransitionPlan,
  type: string,
  payload: Record<string, unknown>,
  actor: Actor,
  time: { effectiveAt: string; backdateReason: string | null },
  nowIso: string,
): Promise<ApplyResult<S>> {
  const logged = await append(ctx, {
    stream_type: stream,
    stream_id: row.id,
    stream_version: 1,
    type,
    payload: JSON.stringify(payload),
    from_state: null,
    to_state: stateLabel(plan.stateValue),
    user_id: actor.userId,
    agency_id: actor.agencyId,
    recorded_at: nowIso,
    effective_at: time.effectiveAt,
    backdate_reason: time.backdateReason,
  });
  await writeTimers(ctx, stream, row.id, plan, nowIso);
  return finish(ctx, { stream, row, event: logged, plan, payload, fromState: null, fromStage: null, actor });
}
