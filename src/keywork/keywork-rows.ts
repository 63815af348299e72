/**
 * Keeps the read models of a keyworker's day (appointments, contact entries, tasks) in
 * step with the journey's events, inside the transaction that applied them: the rows
 * change with the event or not at all.
 */
import type { Kysely } from 'kysely';
import type { AppointmentRecord, TaskRecord } from '../../machines/keywork-types.ts';
import type { CaseRow, Database } from '../db/schema.ts';
import type { StreamChange } from '../engine/engine-types.ts';

/** The journey's day as its context now holds it. */
export interface KeyworkState {
  appointments?: AppointmentRecord[];
  tasks?: TaskRecord[];
}

/**
 * Writes what one keyworker's-day event changed: the appointment it named, the contact
 * entry it added, and every task of the journey whose assignee or status moved (a
 * did-not-attend adds tasks; assigning and completing change one).
 */
export async function writeKeyworkRows(trx: Kysely<Database>, row: CaseRow, state: KeyworkState, change: StreamChange): Promise<void> {
  const at = change.event.recorded_at;
  const by = change.actor.userId;
  const p = change.payload;
  const base = { case_id: row.id, person_id: row.person_id, agency_id: row.lead_agency_id };
  if (typeof p.appointmentId === 'string') {
    const a = state.appointments?.find((x) => x.id === p.appointmentId);
    if (a) {
      const values = {
        ...base,
        id: a.id,
        kind: a.kind,
        starts_at: a.startsAt,
        with_whom: a.withWhom,
        partner_agency_id: a.partnerAgencyId,
        status: a.status,
        outcome: a.outcome,
        cancellation_reason: a.cancellationReason,
        booked_by: by,
        booked_at: at,
        settled_by: null as string | null,
        settled_at: null as string | null,
      };
      if (change.type === 'APPOINTMENT_BOOKED') await trx.insertInto('appointments').values(values).execute();
      else await trx.updateTable('appointments').set({ status: a.status, outcome: a.outcome, cancellation_reason: a.cancellationReason, settled_by: by, settled_at: at }).where('id', '=', a.id).execute();
    }
  }
  if (change.type === 'CONTACT_RECORDED') {
    await trx
      .insertInto('contact_entries')
      .values({
        ...base,
        id: String(p.contactId),
        contact_on: String(p.contactOn).slice(0, 10),
        mode: String(p.mode),
        category: String(p.category),
        summary: String(p.summary),
        corrects: typeof p.corrects === 'string' ? p.corrects : null,
        author_id: by,
        recorded_at: at,
      })
      .execute();
  }
  const tasks = state.tasks ?? [];
  if (tasks.length === 0) return;
  const stored = new Map((await trx.selectFrom('tasks').select(['id', 'assignee_id', 'status']).where('case_id', '=', row.id).execute()).map((t) => [t.id, t]));
  for (const t of tasks) {
    const before = stored.get(t.id);
    if (!before) {
      await trx
        .insertInto('tasks')
        .values({ ...base, id: t.id, kind: t.kind, appointment_id: t.appointmentId, due_on: t.dueOn, assignee_id: t.assigneeId, status: t.status, created_at: at, assigned_reason: null, done_at: null, done_by: null })
        .execute();
    } else if (before.assignee_id !== t.assigneeId || before.status !== t.status) {
      const assigned = change.type === 'TASK_ASSIGNED' && p.taskId === t.id;
      const done = before.status !== 'done' && t.status === 'done';
      await trx
        .updateTable('tasks')
        .set({
          assignee_id: t.assigneeId,
          status: t.status,
          ...(assigned ? { assigned_reason: typeof p.reason === 'string' && p.reason.trim() ? p.reason.trim() : null } : {}),
          ...(done ? { done_at: at, done_by: by } : {}),
        })
        .where('id', '=', t.id)
        .execute();
    }
  }
}
