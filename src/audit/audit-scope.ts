/**
 * Which part of the audit trail an auditor reads, and how much of each entry.
 *
 * - An `auditor` reads the trail of their own agency: what its staff read, shared,
 *   overrode and recorded, and what anyone did with the records it holds (people it
 *   registered or leads a journey of) — who saw its patients' data.
 * - An `area_auditor` (information governance for a local area, the role made for it)
 *   reads the same for every agency in their area.
 * - Nobody reads another area's trail.
 *
 * The trail says who did what to whose record, when and under which consent; the content
 * of care is not audit data. A referral's reason (recorded as the purpose of its `share`
 * entry) describes the person's needs, so no audit role reads it there — it is on the
 * referral, for the agencies it was sent between. A safeguarding override's justification
 * is what an override is reviewed on, so the area auditor, who reviews overrides across
 * the area, reads it; an agency auditor sees that an override happened, by whom, to whom
 * and when, and the entry marks the justification withheld.
 */
import type { Kysely } from 'kysely';
import type { Viewer } from '../access/viewer.ts';
import type { Database } from '../db/schema.ts';
import type { AuditRecord } from './audit-repository.ts';

/** Roles that read the audit trail. */
export const AUDIT_READER_ROLES = ['auditor', 'area_auditor'] as const;

/** The part of the trail one auditor reads. */
export interface AuditScope {
  /** Entries recorded by staff of these agencies, or about people they hold. */
  agencyIds: string[];
  /** Whether override justifications are shown. */
  overrideJustifications: boolean;
}

/** The scope of `viewer`, who must hold an audit role. */
export async function auditScopeOf(db: Kysely<Database>, viewer: Viewer): Promise<AuditScope> {
  if (viewer.role === 'area_auditor') {
    const agencies = await db.selectFrom('agencies').select('id').where('area', '=', viewer.agencyArea).execute();
    return { agencyIds: agencies.map((a) => a.id), overrideJustifications: true };
  }
  return { agencyIds: [viewer.agencyId], overrideJustifications: false };
}

/** One entry cut to what the auditor may read; `withheld` names what was left out. */
export function cutAuditEntry(entry: AuditRecord, scope: AuditScope): AuditRecord & { withheld: string[] } {
  if (entry.action === 'share' && entry.entityType === 'referral' && entry.purpose !== null) {
    return { ...entry, purpose: null, withheld: ['referralReason'] };
  }
  if (entry.action === 'override' && !scope.overrideJustifications && entry.purpose !== null) {
    return { ...entry, purpose: null, withheld: ['overrideJustification'] };
  }
  return { ...entry, withheld: [] };
}
