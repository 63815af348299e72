/**
 * Bodies of `POST /api/v1/referrals/:id/events`: one schema per event of the `referral`
 * statechart (FHIR Task aligned), discriminated on `type`. `expectedVersion` is optional
 * here: referral steps rarely race, and without it the current version is used.
 */
import { z } from 'zod';
import { effectiveAtSchema, factDateSchema, idSchema } from './common.ts';

const envelope = {
  expectedVersion: z.int().min(0).optional().describe('The version you last read; a stale one answers 409 version_conflict'),
  effectiveAt: effectiveAtSchema.optional(),
  backdateReason: z.string().trim().min(1).max(500).optional(),
};
const reason = z.string().trim().min(1, 'give a reason').max(2000);

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S, description: string) =>
  z.strictObject({ type: z.literal(type), ...envelope, ...shape }).describe(description);

export const REFERRAL_EVENT_SCHEMAS = [
  event('REFERRAL_RECEIVED', {}, 'The receiving agency acknowledges the referral.'),
  event(
    'REFERRAL_ACCEPTED',
    {
      knownAsPersonId: idSchema
        .optional()
        .describe("Your agency's record of the same person (one of GET /referrals/:id/known-as): links it with the referred person's record, PERSON_LINKED on both streams, in the same transaction"),
    },
    'Accepted; a treatment referral opens (or re-opens) the journey at the provider. With knownAsPersonId, your own record of the person is linked with the referred one.',
  ),
  event('REFERRAL_REJECTED', { reason }, 'Declined, with a reason the sender sees.'),
  event('FIRST_CONTACT_MADE', { contactOn: factDateSchema.optional() }, 'First contact with the person.'),
  event('REFERRAL_COMPLETED', { outcome: z.string().trim().min(1, 'give the outcome').max(2000) }, 'Completed with an outcome: closes the loop to the sender.'),
  event('REFERRAL_FAILED', { reason }, 'Could not be completed, with a reason.'),
  event('REFERRAL_CANCELLED', { reason: reason.optional() }, 'Withdrawn by the sender.'),
] as const;

/** `POST /api/v1/referrals/:id/events` body. */
export const referralEventBody = z.discriminatedUnion('type', REFERRAL_EVENT_SCHEMAS);


