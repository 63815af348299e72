/** Treatment journeys (`cases`) as the API takes and returns them. */
import { z } from 'zod';
import { REFERRAL_SOURCES } from '../../machines/codes.ts';
import { factDateSchema, idSchema, pageQuery, queryBoolean } from './common.ts';
import { topSchema } from './top.ts';

/** `POST /api/v1/cases` body: the journey opens at the caller's agency. */
export const createCaseBody = z.strictObject({
  personId: idSchema,
  referralSource: z.enum(REFERRAL_SOURCES),
  referredOn: factDateSchema.describe('Referral date; the 21-day waiting clock runs from here'),
  keyworkerId: idSchema.optional(),
  checkupScheduleDays: z.array(z.int().min(1).max(730)).min(1).max(12).optional().describe('Recovery check-up days after completion (default 28, 91, 182)'),
});

/** `GET /api/v1/cases` query. */
export const listCasesQuery = z.strictObject({
  stage: z
    .enum(['referred', 'screening', 'assessment', 'carePlanning', 'inTreatment', 'recoveryCheckups', 'rapidReentry', 'inCustody', 'closed'])
    .optional(),
  keyworker: z.union([z.literal('me'), idSchema]).optional().describe('A keyworker id, or `me`'),
  overdue: queryBoolean.optional().describe('Only journeys past a deadline (waiting time, review, continuity of care, check-up)'),
  personId: idSchema.optional(),
  ...pageQuery,
});

const timerSchema = z.object({ key: z.string(), event: z.string(), dueAt: z.string() });
const interventionSchema = z.object({
  id: z.string(),
  modality: z.string(),
  status: z.enum(['referred', 'offered', 'started', 'ended']),
  referredOn: z.string().nullable(),
  offeredOn: z.string().nullable(),
  startedOn: z.string().nullable(),
  endedOn: z.string().nullable(),
  exitStatus: z.string().nullable(),
});
const partialTop = topSchema.partial();

/** A journey as the API returns it; a receiving agency's view lacks the categories listed in `withheld`. */
export const caseSchema = z.object({
  id: z.string(),
  personId: z.string(),
  leadAgencyId: z.string(),
  machineVersion: z.number(),
  version: z.number(),
  open: z.boolean().describe('Whether the journey is open: every viewer sees this'),
  stage: z.string().optional().describe('Treatment progress; a viewer without consent to offending sees a journey in custody at the stage it paused in'),
  stateValue: z.unknown().optional().describe('The statechart value (treatment progress)'),
  lastReviewOn: z.string().nullable().optional(),
  state: z.string().optional().describe('Dotted state, e.g. inTreatment.active'),
  status: z.string().optional(),
  keyworkerId: z.string().nullable().optional(),
  referralSource: z.string().optional(),
  referredOn: z.string().optional(),
  stageEnteredAt: z.string().optional(),
  openedAt: z.string().optional(),
  closedAt: z.string().nullable().optional(),
  updatedAt: z.string().optional(),
  allowedEvents: z.array(z.string()).describe('Events THIS user may send now'),
  eventOptions: z
    .record(z.string(), z.record(z.string(), z.array(z.string())))
    .optional()
    .describe('For allowed events that depend on a field: the values accepted now, e.g. {"DISCHARGED": {"reason": ["dropped_out", …]}}'),
  dueTimers: z.array(timerSchema).optional(),
  overdue: z.object({ waitingTime: z.boolean(), review: z.boolean(), continuityOfCare: z.boolean(), checkup: z.boolean(), any: z.boolean() }).optional(),
  carePackage: z.object({ carePlanDate: z.string(), interventions: z.array(interventionSchema) }).nullable().optional(),
  interventions: z.array(interventionSchema).optional(),
  assessment: z.object({ completedOn: z.string().optional(), domains: z.record(z.string(), z.unknown()) }).nullable().optional(),
  substanceGroup: z.string().nullable().optional().describe('The episode\'s substance group (opiate, non_opiate_only, non_opiate_and_alcohol, alcohol_only), or null until recorded'),
  tops: z.array(partialTop).optional(),
  reviews: z.array(z.object({ reviewedOn: z.string(), top: partialTop.nullable() })).optional(),
  discharge: z.object({ reason: z.string(), dischargedOn: z.string(), successful: z.boolean() }).nullable().optional(),
  closure: z.object({ reason: z.string(), closedOn: z.string(), sustainedRecovery: z.boolean() }).nullable().optional(),
  checkups: z.array(z.object({ index: z.number(), dueDays: z.number().nullable(), due: z.boolean(), completedOn: z.string().nullable(), top: partialTop.nullable() })).optional(),
  representations: z.number().optional(),
  continuity: z.object({ releasedOn: z.string(), engagedOn: z.string().nullable(), breached: z.boolean() }).nullable().optional(),
  custody: z.object({ stageBeforeCustody: z.string(), custodyOn: z.string() }).nullable().optional(),
  person: z.record(z.string(), z.unknown()).optional().describe('The person, cut to what this user may see'),
  access: z.object({ scope: z.enum(['holder', 'shared']), categories: z.array(z.string()) }),
  consentWithdrawn: z.boolean().describe('True when the person withdrew the consent your agency saw this under: it is shown as it stood then, and nothing later'),
  sharedUntil: z.string().nullable().describe('When sharing with your agency stopped (the withdrawal), or null'),
  consentsExpiring: z
    .array(
      z.object({
        id: z.string(),
        personId: z.string(),
        validUntil: z.string().describe('Last valid day (inclusive)'),
        toAgencyId: z.string().nullable(),
        toAgencyKind: z.string().nullable(),
        toAgencyName: z.string().nullable(),
        referralIds: z.array(z.string()).describe('The live referrals that use it'),
      }),
    )
    .optional()
    .describe("Journey lists, your agency's own journeys only: the person's consents a live referral uses that end within 30 days, soonest first"),
  withheld: z.array(z.string()),
});

/** One entry of a journey's timeline. */
export const timelineEntrySchema = z.object({
  seq: z.number(),
  version: z.number(),
  type: z.string(),
  payload: z.record(z.string(), z.unknown()),
  fromState: z.string().nullable(),
  toState: z.string(),
  effectiveAt: z.string(),
  recordedAt: z.string(),
  userId: z.string().nullable(),
  agencyId: z.string().nullable(),
  backdateReason: z.string().nullable(),
});
