/**
 * What administrators do to agencies and staff accounts, each one engine unit: the event
 * on the record's stream, its projection (`agencies`, `users`) and the audit entry commit
 * together. The first-administrator bootstrap and the demo area go through the same
 * functions, so every agency and account has a stream from its first day.
 */
import { recordAudit } from '../audit/audit-repository.ts';
import type { AgencyTable, RecordStreamRow, UserTable } from '../db/schema.ts';
import type { Actor, Engine, EngineTransaction } from '../engine/engine-types.ts';
import { PathwaysError, validationError } from '../errors.ts';
import type { Selectable } from 'kysely';

/** An agency to create. */
export interface AgencyInput {
  name: string;
  kind: string;
  area: string;
}

/** A staff account to create; the password is hashed by the caller (it never enters an event). */
export interface StaffInput {
  email: string;
  name: string;
  role: string;
  agencyId: string;
  passwordHash: string;
}

/** What a command writes beside the event: an id to use (fixed ids for the demo area), and whether to audit. */
export interface CommandOptions {
  id?: string;
  /** Audit entry's time (default the engine's effective time of the event). */
  at?: string;
  /** Effective time of the fact (the demo area's fixed set-up day), with its reason. */
  effectiveAt?: string;
  backdateReason?: string;
}

/** A record's row and the version of its stream. */
export interface Written<T> {
  row: T;
  version: number;
}

/** One agency or staff event as an administrator sends it (`POST /agencies/:id/events`, `POST /users/:id/events`). */
export interface RecordEventInput {
  type: string;
  [field: string]: unknown;
}

function hidden(what: string): PathwaysError {
  return new PathwaysError('not_found', `${what} was not found.`);
}

async function audit(tx: EngineTransaction, actor: Actor, at: string, entityType: 'agency' | 'user', entityId: string, detail: Record<string, unknown>): Promise<void> {
  await recordAudit(tx.trx, { at, userId: actor.userId, agencyId: actor.agencyId, action: 'admin', entityType, entityId, detail });
}

/** Creates an agency (`AGENCY_CREATED`). */
export async function createAgency(engine: Engine | EngineTransaction, actor: Actor, input: AgencyInput, options: CommandOptions = {}): Promise<Written<Selectable<AgencyTable>>> {
  return inUnit(engine, async (tx) => {
    const opened = await tx.openRecord({
      stream: 'agency',
      ...(options.id ? { id: options.id } : {}),
      event: { type: 'AGENCY_CREATED', name: input.name, kind: input.kind, area: input.area },
      actor,
      ...(options.effectiveAt ? { effectiveAt: options.effectiveAt, backdateReason: options.backdateReason ?? 'set up before this record' } : {}),
    });
    await audit(tx, actor, options.at ?? opened.change.effectiveAt, 'agency', opened.row.id, { created: input });
    const row = await tx.trx.selectFrom('agencies').selectAll().where('id', '=', opened.row.id).executeTakeFirstOrThrow();
    return { row, version: opened.row.version };
  });
}

/** Creates a staff account (`USER_CREATED`) in an existing, active agency; the email must be free. */
export async function createStaff(engine: Engine | EngineTransaction, actor: Actor, input: StaffInput, options: CommandOptions = {}): Promise<Written<UserTable>> {
  const email = input.email.trim().toLowerCase();
  return inUnit(engine, async (tx) => {
    const agency = await tx.trx.selectFrom('agencies').select(['id', 'deactivated_at']).where('id', '=', input.agencyId).executeTakeFirst();
    if (!agency) throw validationError('agencyId names no agency; create it first with POST /api/v1/agencies.', [{ path: 'agencyId', message: 'unknown agency' }]);
    if (agency.deactivated_at !== null) {
      throw validationError('agencyId names a deactivated agency; reactivate it first (AGENCY_REACTIVATED) or choose another.', [{ path: 'agencyId', message: 'agency deactivated' }]);
    }
    if (await tx.trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) {
      throw new PathwaysError('conflict', `A user with email ${email} already exists.`, { issues: [{ path: 'email', message: 'already in use' }] });
    }
    const opened = await tx.openRecord({
      stream: 'user',
      ...(options.id ? { id: options.id } : {}),
      event: { type: 'USER_CREATED', email, name: input.name, role: input.role, agencyId: input.agencyId },
      actor,
      ...(options.effectiveAt ? { effectiveAt: options.effectiveAt, backdateReason: options.backdateReason ?? 'set up before this record' } : {}),
    });
    // The secret is set beside the event, in the same unit: it is never part of the log.
    await tx.trx.updateTable('users').set({ password_hash: input.passwordHash }).where('id', '=', opened.row.id).execute();
    await audit(tx, actor, options.at ?? opened.change.effectiveAt, 'user', opened.row.id, { created: { email, role: input.role, agencyId: input.agencyId } });
    const row = await tx.trx.selectFrom('users').selectAll().where('id', '=', opened.row.id).executeTakeFirstOrThrow();
    return { row, version: opened.row.version };
  });
}

/**
 * Applies an administrator's event to an agency (`AGENCY_DETAILS_CORRECTED`,
 * `AGENCY_DEACTIVATED`, `AGENCY_REACTIVATED`); `expectedVersion` guards a concurrent edit.
 */
export async function changeAgency(
  engine: Engine,
  actor: Actor,
  agencyId: string,
  event: RecordEventInput,
  options: { expectedVersion?: number; at: string },
): Promise<Written<Selectable<AgencyTable>>> {
  return engine.transaction(async (tx) => {
    const stream = await tx.load('agency', agencyId);
    if (!stream) throw hidden(`The agency ${agencyId}`);
    const applied = await tx.apply({ stream: 'agency', id: agencyId, event, expectedVersion: options.expectedVersion ?? stream.version, actor, row: stream });
    await audit(tx, actor, options.at, 'agency', agencyId, { event: event.type, ...withoutType(event) });
    const row = await tx.trx.selectFrom('agencies').selectAll().where('id', '=', agencyId).executeTakeFirstOrThrow();
    return { row, version: applied.row.version };
  });
}

/**
 * Applies an administrator's event to a staff account (`USER_ROLE_CHANGED`,
 * `USER_DETAILS_CORRECTED`, `USER_DEACTIVATED`, `USER_REACTIVATED`). A new email must be
 * free; an administrator cannot deactivate or demote themselves (someone must be left to
 * undo it).
 */
export async function changeStaff(
  engine: Engine,
  actor: Actor,
  userId: string,
  event: RecordEventInput,
  options: { expectedVersion?: number; at: string },
): Promise<Written<UserTable>> {
  if (userId === actor.userId && (event.type === 'USER_DEACTIVATED' || event.type === 'USER_ROLE_CHANGED')) {
    throw new PathwaysError('forbidden', 'You cannot deactivate your own account or change your own role: ask another administrator.');
  }
  return engine.transaction(async (tx) => {
    const stream: RecordStreamRow | undefined = await tx.load('user', userId);
    if (!stream) throw hidden(`The user ${userId}`);
    let sent = event;
    const changes = event.changes as { email?: string } | undefined;
    if (event.type === 'USER_DETAILS_CORRECTED' && typeof changes?.email === 'string') {
      const email = changes.email.trim().toLowerCase();
      const taken = await tx.trx.selectFrom('users').select('id').where('email', '=', email).where('id', '<>', userId).executeTakeFirst();
      if (taken) throw new PathwaysError('conflict', `A user with email ${email} already exists.`, { issues: [{ path: 'changes.email', message: 'already in use' }] });
      sent = { ...event, changes: { ...changes, email } };
    }
    const applied = await tx.apply({ stream: 'user', id: userId, event: sent, expectedVersion: options.expectedVersion ?? stream.version, actor, row: stream });
    await audit(tx, actor, options.at, 'user', userId, { event: sent.type, ...withoutType(sent) });
    const row = await tx.trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    return { row, version: applied.row.version };
  });
}

function withoutType(event: RecordEventInput): Record<string, unknown> {
  const { type: _type, ...rest } = event;
  return rest;
}

/** Runs `work` in the caller's unit when given one, else in a unit of its own. */
function inUnit<T>(engine: Engine | EngineTransaction, work: (tx: EngineTransaction) => Promise<T>): Promise<T> {
  return 'trx' in engine ? work(engine) : engine.transaction(work);
}
