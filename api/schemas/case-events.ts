/**
 * Bodies of `POST /api/v1/cases/:id/events`: one schema per event of the `pathway`
 * statechart (docs/ARCHITECTURE.md), as a union discriminated on `type`. Each carries the
 * `expectedVersion` the caller last saw, and optionally `effectiveAt` (when the fact
 * happened) with a `backdateReason` when that is in the past. Timer events are not here:
 * only the engine's timers send them.
 */
import { z } from 'zod';
import { DISCHARGE_REASONS, HOUSING_NEEDS, INJECTING_STATUSES, INTERVENTION_EXIT_STATUSES, INTERVENTION_MODALITIES, SUBSTANCE_GROUPS } from '../../machines/codes.ts';
import { effectiveAtSchema, factDateSchema } from './common.ts';
import { topSchema } from './top.ts';

const note = z.string().trim().max(4000);

/** Fields every event body carries. */
export const eventEnvelope = {
  expectedVersion: z.int().min(0).describe('The version you last read; a stale one answers 409 version_conflict'),
  effectiveAt: effectiveAtSchema.optional().describe('When the fact happened, if earlier than now'),
  backdateReason: z.string().trim().min(1).max(500).optional().describe('Why the event is recorded late (required by the engine when backdating)'),
};

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S, description: string) =>
  z.strictObject({ type: z.literal(type), ...eventEnvelope, ...shape }).describe(description);

export const assessmentDomainsSchema = z.strictObject({
  substanceUse: note.optional(),
  physicalHealth: note.optional(),
  mentalHealth: note.optional(),
  housingNeed: z.enum(HOUSING_NEEDS).optional(),
  injectingStatus: z.enum(INJECTING_STATUSES).optional(),
  ete: note.optional(),
  offending: note.optional(),
  familyAndChildren: note.optional(),
  relationships: note.optional(),
});

const interventionId = z.string().trim().min(1).max(100);

/** The episode's substance group: PHOF C19a–c count people by it. */
const substanceGroup = z.enum(SUBSTANCE_GROUPS).describe('Substance group of this treatment episode (NDTMS): opiate, non_opiate_only, non_opiate_and_alcohol or alcohol_only');

/** One schema per user-sent pathway event. */
export const CASE_EVENT_SCHEMAS = [
  event('SCREENING_STARTED', {}, 'Screening (triage) begins.'),
  event(
    'SCREENING_COMPLETED',
    { outcome: z.enum(['assess', 'brief_advice']), dischargeReason: z.enum(DISCHARGE_REASONS).optional() },
    'Screening ends: on to assessment, or brief advice (closes the journey).',
  ),
  event(
    'ASSESSMENT_COMPLETED',
    { domains: assessmentDomainsSchema, completedOn: factDateSchema.optional(), substanceGroup: substanceGroup.optional() },
    'Comprehensive assessment across the domains; records the episode\'s substance group.',
  ),
  event(
    'CARE_PLAN_AGREED',
    {
      carePlanDate: factDateSchema.optional(),
      interventions: z
        .array(z.strictObject({ id: interventionId, modality: z.enum(INTERVENTION_MODALITIES) }))
        .min(1, 'a care plan needs at least one intervention')
        .max(50),
      substanceGroup: substanceGroup.optional(),
    },
    'The tailored care package (at least one intervention); may correct the episode\'s substance group.',
  ),
  event('INTERVENTION_OFFERED', { interventionId, offeredOn: factDateSchema.optional() }, 'First appointment of an intervention offered.'),
  event('INTERVENTION_STARTED', { interventionId, startedOn: factDateSchema.optional() }, 'An intervention starts; the first start begins treatment.'),
  event(
    'INTERVENTION_ENDED',
    { interventionId, endedOn: factDateSchema.optional(), exitStatus: z.enum(INTERVENTION_EXIT_STATUSES) },
    'An intervention ends (planned, unplanned by the person, withdrawn by the service).',
  ),
  event('TOP_RECORDED', { top: topSchema }, 'A Treatment Outcomes Profile is recorded.'),
  event('REVIEW_COMPLETED', { reviewedOn: factDateSchema.optional(), top: topSchema }, 'The six-monthly review with its TOP.'),
  event(
    'DISCHARGED',
    { reason: z.enum(DISCHARGE_REASONS), dischargedOn: factDateSchema, exitTop: topSchema.optional() },
    'Discharge with a reason; a successful one needs an exit TOP and leads to recovery check-ups.',
  ),
  event('CHECKUP_COMPLETED', { checkupOn: factDateSchema.optional(), top: topSchema.optional() }, 'A recovery check-up.'),
  event('RELAPSE_REPORTED', { reportedOn: factDateSchema.optional() }, 'Relapse during recovery check-ups: rapid re-entry.'),
  event('REENTRY_CONFIRMED', {}, 'Rapid re-entry confirmed: back to care planning with the last package.'),
  event('CUSTODY_STARTED', { custodyOn: factDateSchema.optional() }, 'The person enters custody; the journey pauses.'),
  event('RELEASED_FROM_CUSTODY', { releasedOn: factDateSchema.optional() }, 'Release; the 21-day continuity-of-care clock starts.'),
  event('COMMUNITY_ENGAGED', { engagedOn: factDateSchema.optional() }, 'Engaged by community treatment after release.'),
  event('KEYWORKER_ASSIGNED', { keyworkerId: z.uuid() }, 'A keyworker takes the case.'),
] as const;

/** `POST /api/v1/cases/:id/events` body. */
export const caseEventBody = z.discriminatedUnion('type', CASE_EVENT_SCHEMAS);
