/**
 * The audit trail: who (user and agency) read, shared or overrode what, when and why.
 * Plain functions taking `db` or a transaction first, so a share is recorded in the same
 * transaction as the write that makes it.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AuditTable, Database } from '../db/schema.ts';
import type { AuditAction } from './audit-actions.ts';

export type { AuditAction } from './audit-actions.ts';

/** One audit entry to record. */
export interface AuditEntry {
  at: string;
  userId: string | null;
  agencyId: string | null;
  action: AuditAction;
  personId?: string | null;
  entityType: string;
  entityId?: string | null;
  purpose?: string | null;
  detail?: Record<string, unknown>;
  /** Set for entries an auditor should look at (safeguarding overrides). */
  flagged?: boolean;
}

function toRow(entry: AuditEntry): AuditTable {
  return {
    id: randomUUID(),
    at: entry.at,
    user_id: entry.userId,
    agency_id: entry.agencyId,
    action: entry.action,
    person_id: entry.personId ?? null,
    entity_type: entry.entityType,
    entity_id: entry.entityId ?? null,
    purpose: entry.purpose ?? null,
    detail: JSON.stringify(entry.detail ?? {}),
    flagged: entry.flagged ? 1 : 0,
  };
}

/** Records one or more entries (one statement). */
export async function recordAudit(db: Kysely<Database>, entries: AuditEntry | readonly AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? (entries as readonly AuditEntry[]) : [entries as AuditEntry];
  if (list.length === 0) return;
  await db.insertInto('audit_log').values(list.map(toRow)).execute();
}

/** Filters for reading the trail; all optional. */
export interface AuditQuery {
  personId?: string;
  userId?: string;
  agencyId?: string;
  /**
   * An auditor's scope: only entries recorded by staff of these agencies, or about people
   * whose records they hold (registered, or lead a journey of).
   */
  agencyIds?: readonly string[];
  action?: string;
  flagged?: boolean;
  from?: string;
  to?: string;
  /** Entries strictly older than this `(at, id)` position (cursor pagination, newest first). */
  before?: { at: string; id: string };
  limit: number;
}

/** An audit entry as read back. */
export interface AuditRecord {
  id: string;
  at: string;
  userId: string | null;
  agencyId: string | null;
  action: string;
  personId: string | null;
  entityType: string;
  entityId: string | null;
  purpose: string | null;
  detail: Record<string, unknown>;
  flagged: boolean;
  /** The member of staff's name and their agency's, so the trail reads in names, not ids. */
  userName: string | null;
  agencyName: string | null;
}

/** Reads entries newest first; returns one more than `limit` is never needed: `hasMore` tells. */
export async function queryAudit(db: Kysely<Database>, q: AuditQuery): Promise<{ items: AuditRecord[]; hasMore: boolean }> {
  let query = db.selectFrom('audit_log').selectAll();
  if (q.personId) query = query.where('person_id', '=', q.personId);
  if (q.userId) query = query.where('user_id', '=', q.userId);
  if (q.agencyId) query = query.where('agency_id', '=', q.agencyId);
  const ids = q.agencyIds;
  if (ids) {
    query =
      ids.length === 0
        ? query.where(sql<boolean>`1 = 0`)
        : query.where((eb) =>
            eb.or([
              eb('agency_id', 'in', ids),
              eb('person_id', 'in', eb.selectFrom('people').select('id').where('created_by_agency_id', 'in', ids)),
              eb('person_id', 'in', eb.selectFrom('cases').select('person_id').where('lead_agency_id', 'in', ids)),
            ]),
          );
  }
  if (q.action) query = query.where('action', '=', q.action);
  if (q.flagged !== undefined) query = query.where('flagged', '=', q.flagged ? 1 : 0);
  if (q.from) query = query.where('at', '>=', q.from);
  if (q.to) query = query.where('at', '<', q.to);
  const before = q.before;
  if (before) {
    query = query.where((eb) => eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]));
  }
  const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit + 1).execute();
  // Names in one query per page rather than a join on every filter's plan.
  const userIds = [...new Set(rows.map((r) => r.user_id).filter((id): id is string => id !== null))];
  const agencyIdsSeen = [...new Set(rows.map((r) => r.agency_id).filter((id): id is string => id !== null))];
  const userNames = new Map(userIds.length > 0 ? (await db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute()).map((u) => [u.id, u.name] as const) : []);
  const agencyNames = new Map(agencyIdsSeen.length > 0 ? (await db.selectFrom('agencies').select(['id', 'name']).where('id', 'in', agencyIdsSeen).execute()).map((a) => [a.id, a.name] as const) : []);
  const items = rows.slice(0, q.limit).map((r) => ({
    id: r.id,
    at: r.at,
    userId: r.user_id,
    agencyId: r.agency_id,
    action: r.action,
    personId: r.person_id,
    entityType: r.entity_type,
    entityId: r.entity_id,
    purpose: r.purpose,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    flagged: r.flagged === 1,
    userName: r.user_id ? (userNames.get(r.user_id) ?? null) : null,
    agencyName: r.agency_id ? (agencyNames.get(r.agency_id) ?? null) : null,
  }));
  return { items, hasMore: rows.length > q.limit };
}
