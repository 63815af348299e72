/** The audit trail as the API returns it; the web app's auditor page reads the same shapes. */
import { z } from 'zod';
import { AUDIT_ACTIONS } from '../../src/audit/audit-actions.ts';

export { AUDIT_ACTIONS };

export const auditActionSchema = z.enum(AUDIT_ACTIONS);

export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  userId: z.string().nullable(),
  agencyId: z.string().nullable(),
  action: z.string(),
  personId: z.string().nullable(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  purpose: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  flagged: z.boolean(),
  userName: z.string().nullable().optional().describe('The name of the member of staff'),
  agencyName: z.string().nullable().optional().describe('The name of their agency'),
  withheld: z.array(z.enum(['referralReason', 'overrideJustification'])).describe('Content this auditor may not read here: a referral reason (never), an override justification (area auditors only)'),
});

export type AuditEntry = z.infer<typeof auditEntrySchema>;
