/** Who is looking: the signed-in user reduced to what access rules need. */
export interface Viewer {
  userId: string;
  role: 'admin' | 'keyworker' | 'referrer' | 'manager' | 'auditor' | 'area_auditor';
  agencyId: string;
  agencyKind: string;
  agencyArea: string;
}

/** Roles that may read case content at all. Admins run the system and auditors read the trail: neither reads care records. */
export const CASE_READER_ROLES = ['keyworker', 'referrer', 'manager'] as const;

/** True when the role may ever read a person or a journey. */
export function readsCaseRecords(viewer: Viewer): boolean {
  return (CASE_READER_ROLES as readonly string[]).includes(viewer.role);
}
