/**
 * Writes of a keyworker's day: book and settle appointments, record contact entries, act
 * on tasks, and assign a journey from the team queue. Each is one event on the journey's
 * stream through the engine, in one transaction with its read-model rows
 * (`keywork-rows.ts`); the live fan-out follows the commit like any journey change.
 *
 * These are appends, not decisions on what the user saw: each applies to the journey's
 * current version, so a colleague's note never turns someone's booking into a conflict.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { DEFAULT_KEYWORK_SETTINGS, type KeyworkSettings } from '../../machines/keywork-codes.ts';
import { keyworkRefusal } from '../../machines/keywork-rules.ts';
import type { KeyworkEvent } from '../../machines/keywork-types.ts';
import type { PathwayContext } from '../../machines/index.ts';
import { caseScope } from '../access/record-access.ts';
import type { Viewer } from '../access/viewer.ts';
import type { CaseRow, Database } from '../db/schema.ts';
import type { ApplyResult, Engine, EngineTransaction, EventInput } from '../engine/engine-types.ts';
import { PathwaysError, validationError } from '../errors.ts';
import { writeKeyworkRows } from './keywork-rows.ts';

/** Roles that keep a journey's day: the lead agency's keyworkers and managers. */
const WRITERS = ['keyworker', 'manager'];

/** What a write answers: the journey after it, and the new record's id. */
export interface KeyworkWrite {
  caseRow: CaseRow;
  recordId: string;
  result: ApplyResult<'case'>;
}

function hiddenJourney(): PathwaysError {
  return new PathwaysError('not_found', 'The journey was not found, or you may not see it.');
}

/** A staff member of the journey's lead agency who may hold its work, or a validation error naming `path`. */
async function requireColleague(trx: Kysely<Database>, row: CaseRow, userId: string, path: string): Promise<void> {
  const u = await trx.selectFrom('users').select(['agency_id', 'role', 'disabled_at']).where('id', '=', userId).executeTakeFirst();
  if (!u || u.agency_id !== row.lead_agency_id || !WRITERS.includes(u.role) || u.disabled_at !== null) {
    throw validationError(`${path} must be an active keyworker or manager of the agency leading this journey.`, [{ path, message: 'not a keyworker or manager of the lead agency' }]);
  }
}

/**
 * Applies one keyworker's-day event to a journey at its current version, with the rule's
 * own words when the journey refuses it.
 */
async function applyToJourney(
  tx: EngineTransaction,
  viewer: Viewer,
  now: Date,
  caseId: string,
  event: EventInput & KeyworkEvent,
  check?: (row: CaseRow) => Promise<void>,
): Promise<ApplyResult<'case'>> {
  const row = await tx.load('case', caseId);
  const scope = row ? await caseScope(tx.trx, viewer, row, now.toISOString().slice(0, 10)) : null;
  if (!row || !scope) throw hiddenJourney();
  if (row.lead_agency_id !== viewer.agencyId || !WRITERS.includes(viewer.role)) {
    throw new PathwaysError('forbidden', 'Only keyworkers and managers of the agency leading this journey keep its appointments, contacts and tasks.');
  }
  if (check) await check(row);
  const context = (JSON.parse(row.snapshot) as { context: PathwayContext }).context;
  if (row.closed_at === null) {
    // The machine applies the same rule; asking first gives the caller the rule's own words.
    const why = keyworkRefusal(context, { ...event, at: now.toISOString() });
    if (why) throw new PathwaysError('invalid_transition', `${event.type} was refused: ${why}.`, { rule: why, allowedEvents: [] });
  }
  const { at: _at, ...body } = event;
  const result = await tx.apply({ stream: 'case', id: row.id, event: body, expectedVersion: row.version, row, actor: { userId: viewer.userId, agencyId: viewer.agencyId } });
  await writeKeyworkRows(tx.trx, result.row, result.snapshot.context, result.change);
  return result;
}

/** Books an appointment on a journey. */
export async function bookAppointment(
  engine: Engine,
  viewer: Viewer,
  now: Date,
  caseId: string,
  input: { kind: KeyworkEvent & { type: 'APPOINTMENT_BOOKED' } extends { kind: infer K } ? K : never; startsAt: string; withWhom?: string | null; partnerAgencyId?: string | null },
): Promise<KeyworkWrite> {
  const appointmentId = randomUUID();
  const result = await engine.transaction((tx) =>
    applyToJourney(tx, viewer, now, caseId, { type: 'APPOINTMENT_BOOKED', appointmentId, kind: input.kind, startsAt: input.startsAt, withWhom: input.withWhom ?? null, partnerAgencyId: input.partnerAgencyId ?? null, at: '' }, async () => {
      if (input.partnerAgencyId) {
        const agency = await tx.trx.selectFrom('agencies').select('id').where('id', '=', input.partnerAgencyId).executeTakeFirst();
        if (!agency) throw validationError('partnerAgencyId is not a known agency.', [{ path: 'partnerAgencyId', message: 'unknown agency' }]);
      }
    }),
  );
  return { caseRow: result.row, recordId: appointmentId, result };
}

/** An appointment's journey, or 404. */
async function journeyOfAppointment(trx: Kysely<Database>, appointmentId: string): Promise<string> {
  const a = await trx.selectFrom('appointments').select('case_id').where('id', '=', appointmentId).executeTakeFirst();
  if (!a) throw new PathwaysError('not_found', 'The appointment was not found, or you may not see it.');
  return a.case_id;
}

/** What happened to a booked appointment. */
export type AppointmentOutcome =
  | { type: 'APPOINTMENT_ATTENDED'; outcome?: string }
  | { type: 'APPOINTMENT_MISSED' }
  | { type: 'APPOINTMENT_CANCELLED'; by: 'person' | 'service'; reason?: string };

/**
 * Records attendance, a did-not-attend (which makes the follow-up tasks under `followUp`,
 * the service's rules, carried by the event) or a cancellation.
 */
export async function settleAppointment(
  engine: Engine,
  viewer: Viewer,
  now: Date,
  appointmentId: string,
  outcome: AppointmentOutcome,
  followUp: KeyworkSettings = DEFAULT_KEYWORK_SETTINGS,
): Promise<KeyworkWrite> {
  const event = outcome.type === 'APPOINTMENT_MISSED' ? { ...outcome, followUp: { ...followUp } } : outcome;
  const result = await engine.transaction(async (tx) => {
    const caseId = await journeyOfAppointment(tx.trx, appointmentId);
    return applyToJourney(tx, viewer, now, caseId, { ...event, appointmentId, at: '' });
  });
  return { caseRow: result.row, recordId: appointmentId, result };
}

/** Adds a contact entry; a correction names the entry it corrects (the old one stays). */
export async function recordContact(
  engine: Engine,
  viewer: Viewer,
  now: Date,
  caseId: string,
  input: { contactOn: string; mode: string; category: string; summary: string; corrects?: string | null },
): Promise<KeyworkWrite> {
  const contactId = randomUUID();
  const result = await engine.transaction((tx) =>
    applyToJourney(tx, viewer, now, caseId, { type: 'CONTACT_RECORDED', contactId, ...input, corrects: input.corrects ?? null, at: '' } as EventInput & KeyworkEvent),
  );
  return { caseRow: result.row, recordId: contactId, result };
}

/** Assigns a task to a colleague, or marks it done (recording who and when). */
export async function actOnTask(
  engine: Engine,
  viewer: Viewer,
  now: Date,
  taskId: string,
  action: { type: 'TASK_ASSIGNED'; assigneeId: string; reason?: string } | { type: 'TASK_COMPLETED'; note?: string },
): Promise<KeyworkWrite> {
  const result = await engine.transaction(async (tx) => {
    const task = await tx.trx.selectFrom('tasks').select('case_id').where('id', '=', taskId).executeTakeFirst();
    if (!task) throw new PathwaysError('not_found', 'The task was not found, or you may not see it.');
    return applyToJourney(tx, viewer, now, task.case_id, { ...action, taskId, at: '' }, async (row) => {
      if (action.type === 'TASK_ASSIGNED') await requireColleague(tx.trx, row, action.assigneeId, 'assigneeId');
    });
  });
  return { caseRow: result.row, recordId: taskId, result };
}

/** Assigns (or reassigns) a journey's keyworker from the team queue, with the reason on the record. */
export async function assignJourney(engine: Engine, viewer: Viewer, now: Date, caseId: string, input: { keyworkerId: string; reason?: string }): Promise<ApplyResult<'case'>> {
  return engine.transaction(async (tx) => {
    const row = await tx.load('case', caseId);
    const scope = row ? await caseScope(tx.trx, viewer, row, now.toISOString().slice(0, 10)) : null;
    if (!row || !scope) throw hiddenJourney();
    if (row.lead_agency_id !== viewer.agencyId || !WRITERS.includes(viewer.role)) {
      throw new PathwaysError('forbidden', 'Only keyworkers and managers of the agency leading this journey assign it.');
    }
    const kw = await tx.trx.selectFrom('users').select(['agency_id', 'role', 'disabled_at']).where('id', '=', input.keyworkerId).executeTakeFirst();
    if (!kw || kw.agency_id !== row.lead_agency_id || kw.role !== 'keyworker' || kw.disabled_at !== null) {
      throw validationError('keyworkerId must be an active keyworker of the agency leading this journey.', [{ path: 'keyworkerId', message: 'not a keyworker of the lead agency' }]);
    }
    if (row.keyworker_id !== null && row.keyworker_id !== input.keyworkerId && !input.reason?.trim()) {
      throw validationError('Reassigning a journey needs a reason (the person’s keyworker changes).', [{ path: 'reason', message: 'required when the journey already has a keyworker' }]);
    }
    return tx.apply({
      stream: 'case',
      id: row.id,
      event: { type: 'KEYWORKER_ASSIGNED', keyworkerId: input.keyworkerId, ...(input.reason?.trim() ? { reason: input.reason.trim() } : {}) },
      expectedVersion: row.version,
      row,
      actor: { userId: viewer.userId, agencyId: viewer.agencyId },
    });
  });
}
