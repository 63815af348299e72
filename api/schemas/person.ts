/**
 * A person: identity, contact and the equality-monitoring fields the measures need.
 * What another agency sees of a person is cut to the consented categories
 * (src/access/projection.ts); a field left out is listed in `withheld`.
 */
import { z } from 'zod';
import { dateOfBirthSchema, idSchema, shortText } from './common.ts';

export const SEXES = ['female', 'male', 'indeterminate', 'not_known'] as const;

/** `POST /api/v1/people` body. */
export const createPersonBody = z.strictObject({
  givenName: shortText(100),
  familyName: shortText(100),
  dateOfBirth: dateOfBirthSchema,
  sex: z.enum(SEXES),
  ethnicity: z.string().trim().regex(/^[a-z_]{1,60}$/, 'must be an ethnicity code, e.g. white_british').optional(),
  postcodeDistrict: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{1,2}[0-9][A-Z0-9]?$/, 'must be the first part of a postcode, e.g. NB1 or M14')
    .optional(),
  genderIdentity: z.string().trim().max(60).optional(),
  sexualOrientation: z.string().trim().max(60).optional(),
  religion: z.string().trim().max(60).optional(),
  disability: z.boolean().optional(),
  pregnant: z.boolean().optional(),
  parentalResponsibility: z.boolean().optional().describe('Lives with or has responsibility for children (safeguarding)'),
  nhsNumber: z.string().trim().regex(/^\d{10}$/, 'must be 10 digits').optional(),
  contact: z
    .strictObject({
      phone: z.string().trim().max(40).optional(),
      email: z.email().optional(),
      address: z.string().trim().max(300).optional(),
    })
    .optional(),
});

/** A person as the API returns it; fields outside the viewer's consented categories are absent. */
export const personSchema = z.object({
  id: idSchema,
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  dateOfBirth: z.string().optional(),
  sex: z.string().optional(),
  ethnicity: z.string().nullable().optional(),
  postcodeDistrict: z.string().nullable().optional(),
  genderIdentity: z.string().optional(),
  sexualOrientation: z.string().optional(),
  religion: z.string().optional(),
  disability: z.boolean().optional(),
  pregnant: z.boolean().optional(),
  parentalResponsibility: z.boolean().optional(),
  nhsNumber: z.string().optional(),
  contact: z.object({ phone: z.string().optional(), email: z.string().optional(), address: z.string().optional() }).optional(),
  createdByAgencyId: z.string().optional(),
  createdAt: z.string().optional(),
  version: z.number().int().optional().describe("The person stream's version (send it back as expectedVersion when correcting)"),
  access: z.object({ scope: z.enum(['holder', 'shared']), categories: z.array(z.string()) }),
  withheld: z.array(z.string()).describe('Categories of data this viewer has no consent to see'),
});
const clearable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

/**
 * `PATCH /api/v1/people/:id` body: the fields to correct (`PERSON_DETAILS_CORRECTED`);
 * `null` clears an optional field. `expectedVersion` (optional) refuses the correction
 * with 409 if the record changed since you read it.
 */
export const correctPersonBody = z.strictObject({
  givenName: createPersonBody.shape.givenName.optional(),
  familyName: createPersonBody.shape.familyName.optional(),
  dateOfBirth: dateOfBirthSchema.optional(),
  sex: z.enum(SEXES).optional(),
  ethnicity: clearable(createPersonBody.shape.ethnicity.unwrap()),
  postcodeDistrict: clearable(createPersonBody.shape.postcodeDistrict.unwrap()),
  genderIdentity: clearable(createPersonBody.shape.genderIdentity.unwrap()),
  sexualOrientation: clearable(createPersonBody.shape.sexualOrientation.unwrap()),
  religion: clearable(createPersonBody.shape.religion.unwrap()),
  disability: clearable(z.boolean()),
  pregnant: clearable(z.boolean()),
  parentalResponsibility: clearable(z.boolean()),
  nhsNumber: clearable(createPersonBody.shape.nhsNumber.unwrap()),
  contact: clearable(createPersonBody.shape.contact.unwrap()),
  expectedVersion: z.number().int().min(1).optional(),
});

/** One entry of `GET /api/v1/people/:id/timeline`. */
export const personTimelineEntrySchema = z.object({
  seq: z.number().int(),
  version: z.number().int(),
  type: z.string().describe('PERSON_RECORDED, PERSON_DETAILS_CORRECTED, CONSENT_GIVEN, CONSENT_RENEWED, CONSENT_WITHDRAWN, CONSENT_EXPIRED'),
  at: z.string(),
  recordedAt: z.string(),
  byUserId: z.string().nullable(),
  byAgencyId: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
});
