/** Referrals between agencies (the `referral` statechart, FHIR Task aligned). */
import { z } from 'zod';
import { REFERRAL_SOURCES } from '../../machines/codes.ts';
import { REFERRAL_KINDS, REFERRAL_URGENCIES } from '../../machines/referral-kinds.ts';
import { effectiveAtSchema, factDateSchema, idSchema, pageQuery, queryBoolean, shortText } from './common.ts';

export const REFERRAL_STATES = ['requested', 'received', 'accepted', 'inProgress', 'completed', 'rejected', 'failed', 'cancelled'] as const;

/** `POST /api/v1/referrals` body. */
export const createReferralBody = z.strictObject({
  personId: idSchema,
  toAgencyId: idSchema,
  kind: z.enum(REFERRAL_KINDS),
  reason: shortText(4000),
  urgency: z.enum(REFERRAL_URGENCIES),
  caseId: idSchema.optional().describe('The journey this referral belongs to, if any'),
  referralSource: z.enum(REFERRAL_SOURCES).optional().describe('Treatment referrals: the source the journey records (default from the sending agency\'s kind)'),
  safeguardingOverride: z
    .strictObject({ justification: z.string().trim().min(20, 'explain the risk in at least 20 characters').max(4000) })
    .optional()
    .describe('Send without consent because someone is at risk; recorded and flagged to auditors'),
  releasedOn: factDateSchema.optional().describe('From a prison on release: the day the person left custody; the journey it opens starts the 21-day continuity-of-care clock'),
  effectiveAt: effectiveAtSchema.optional().describe('When the referral was made (default now); a journey it opens starts then'),
  backdateReason: z.string().trim().min(1).max(500).optional().describe('Required when effectiveAt is more than a day ago'),
});

/** `GET /api/v1/referrals` query. */
export const listReferralsQuery = z.strictObject({
  box: z.enum(['inbox', 'outbox']).optional().describe('inbox: sent to your agency; outbox: sent by it; default both'),
  status: z.enum(REFERRAL_STATES).optional(),
  kind: z.enum(REFERRAL_KINDS).optional(),
  overdue: queryBoolean.optional().describe('Only referrals past their acknowledge-by or first-contact-by deadline'),
  personId: idSchema.optional(),
  ...pageQuery,
});

/** A referral as the API returns it. */
export const referralSchema = z.object({
  id: z.string(),
  personId: z.string(),
  caseId: z.string().nullable(),
  fromAgencyId: z.string(),
  fromUserId: z.string().nullable(),
  toAgencyId: z.string(),
  direction: z.enum(['inbox', 'outbox']),
  kind: z.string(),
  form: z.enum(['TPR1', 'TPR2']).nullable().describe('The Jobcentre Plus form this referral stands for, if any'),
  reason: z.string().optional().describe('Absent for a receiving agency without consent'),
  urgency: z.string(),
  status: z.enum(REFERRAL_STATES),
  version: z.number(),
  acknowledgeBy: z.string().nullable(),
  firstContactBy: z.string().nullable(),
  overdue: z.object({ acknowledge: z.boolean(), firstContact: z.boolean(), any: z.boolean() }),
  requestedAt: z.string().nullable(),
  receivedAt: z.string().nullable(),
  acceptedAt: z.string().nullable(),
  firstContactOn: z.string().nullable(),
  closedAt: z.string().nullable(),
  outcome: z.string().nullable().optional(),
  rejectionReason: z.string().nullable(),
  failureReason: z.string().nullable(),
  cancellationReason: z.string().nullable(),
  safeguardingOverride: z.object({ justification: z.string(), by: z.string(), at: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  allowedEvents: z.array(z.string()).describe('Events THIS user may send now'),
  eventOptions: z
    .record(z.string(), z.record(z.string(), z.array(z.string())))
    .optional()
    .describe('For allowed events that depend on a field: the values accepted now, e.g. {"DISCHARGED": {"reason": ["dropped_out", …]}}'),
  person: z.record(z.string(), z.unknown()).optional().describe('The person, cut to what this user may see'),
  consentWithdrawn: z.boolean().describe('True when the person withdrew the consent your agency saw this under: it is shown as it stood then, and nothing later'),
  sharedUntil: z.string().nullable().describe('When sharing with your agency stopped (the withdrawal), or null'),
  withheld: z.array(z.string()).describe('What this viewer may not see: person, reason, progress (attendance, first contact, outcome), outcome'),
});
