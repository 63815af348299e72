/**
 * The actions the audit trail records: reads of person-identifiable data, shares and
 * overrides above all. One list, used by the repository, the API's filter and the web
 * app's filter, so a new action cannot be recorded without being findable.
 */
export const AUDIT_ACTIONS = ['read', 'share', 'override', 'consent_given', 'consent_renewed', 'consent_withdrawn', 'correct', 'login', 'login_failed', 'create', 'admin', 'export', 'search', 'link', 'unlink'] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
