/** Consent to share a person's data with an agency (or every agency of a kind). */
import { z } from 'zod';
import { agencyKindSchema } from './agency.ts';
import { dataCategorySchema, factDateSchema, idSchema, shortText, validUntilSchema } from './common.ts';

/** `POST /api/v1/people/:id/consents` body: exactly one of `toAgencyId` and `toAgencyKind`. */
export const createConsentBody = z
  .strictObject({
    toAgencyId: idSchema.optional(),
    toAgencyKind: agencyKindSchema.optional(),
    categories: z.array(dataCategorySchema).min(1, 'name at least one category').max(20),
    purpose: shortText(500),
    givenOn: factDateSchema.optional().describe('Date the person gave consent (default today)'),
    validUntil: validUntilSchema.optional().describe('Last day the consent is valid (inclusive); default PATHWAYS_CONSENT_MONTHS (12) months from givenOn (the day before the same date that many months on)'),
  })
  .refine((b) => (b.toAgencyId === undefined) !== (b.toAgencyKind === undefined), {
    message: 'give exactly one of toAgencyId and toAgencyKind',
    path: ['toAgencyId'],
  });

/** `POST …/consents/:cid/withdraw` body (optional). */
export const withdrawConsentBody = z.strictObject({ reason: shortText(500).optional() });

/** `POST …/consents/:cid/renew` body: the new last valid day (null: no end date). */
export const renewConsentBody = z.strictObject({ validUntil: validUntilSchema.describe('New last valid day (inclusive), today or later') });

export const consentParams = z.strictObject({ id: idSchema, cid: idSchema });

/** A consent as the API returns it. */
export const consentSchema = z.object({
  id: z.string(),
  personId: z.string(),
  toAgencyId: z.string().nullable(),
  toAgencyKind: z.string().nullable(),
  categories: z.array(z.string()),
  purpose: z.string(),
  givenOn: z.string(),
  validUntil: z.string().nullable(),
  recordedBy: z.string(),
  recordedAt: z.string(),
  withdrawnAt: z.string().nullable(),
  withdrawnBy: z.string().nullable(),
  withdrawalReason: z.string().nullable(),
  active: z.boolean(),
});
