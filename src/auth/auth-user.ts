/**
 * Who is signed in: the roles of Pathways and the user a request or a socket acts for.
 */

/** The roles of Pathways; every user has exactly one. */
/** `area_auditor` reads the audit trail of every agency in its area; `auditor` only its own agency's. */
export const ROLES = ['admin', 'keyworker', 'referrer', 'manager', 'auditor', 'area_auditor'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in user, with their agency. */
export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  agencyId: string;
  agency: { id: string; name: string; kind: string; area: string };
  /** The id of the token row this request was signed in with (for logout). */
  tokenId: string;
  /** When that token expires. */
  tokenExpiresAt: string;
}
