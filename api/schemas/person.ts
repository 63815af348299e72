/**
 * A person: identity, contact and the equality-monitoring fields the measures need.
 * What another agency sees of a person is cut to the consented categories
 * (src/access/projection.ts); a field left out is listed in `withheld`.
 */
import { z } from 'zod';
import { checkIdentifier, IDENTIFIER_SYSTEMS } from '../../machines/person-identifiers.ts';
import { dateOfBirthSchema, dateSchema, idSchema, pageOf, pageQuery, shortText } from './common.ts';

/** An identifier system (`machines/person-identifiers.ts`). */
export const identifierSystemSchema = z.enum(IDENTIFIER_SYSTEMS);

/** One identifier as given: checked against its system's format (and check digit). */
export const identifierInput = z
  .strictObject({
    system: identifierSystemSchema,
    value: z.string().trim().min(1, 'must not be empty').max(60),
  })
  .superRefine((id, ctx) => {
    const check = checkIdentifier(id.system, id.value);
    if (!check.ok) ctx.addIssue({ code: 'custom', path: ['value'], message: check.message });
  });

/** An identifier as the API returns it (in its kept form); `agencyId` names the agency of a local id. */
export const identifierSchema = z.object({ system: identifierSystemSchema, value: z.string(), agencyId: z.string().optional() });

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
  nhsNumber: z
    .string()
    .trim()
    .superRefine((v, ctx) => {
      const check = checkIdentifier('nhs_number', v);
      if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message });
    })
    .optional()
    .describe('The NHS number (10 digits with its modulus-11 check digit); the same as an identifier of system nhs_number'),
  identifiers: z
    .array(identifierInput)
    .max(10)
    .superRefine((ids, ctx) => {
      const seen = new Set<string>();
      for (const [i, id] of ids.entries()) {
        if (seen.has(id.system)) ctx.addIssue({ code: 'custom', path: [i, 'system'], message: `give one ${id.system} only` });
        seen.add(id.system);
      }
    })
    .optional()
    .describe('Identifiers from other systems: nhs_number, pnc_id (Police National Computer), crn (probation, nDelius), prison_number, local (your agency\'s own reference); one per system'),
  contact: z
    .strictObject({
      phone: z.string().trim().max(40).optional(),
      email: z.email().optional(),
      address: z.string().trim().max(300).optional(),
    })
    .optional(),
  confirmNew: z
    .boolean()
    .optional()
    .describe('Register even though people you can see look the same (the answer was 409 possible_duplicate); recorded with the record and in the audit trail'),
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
  identifiers: z.array(identifierSchema).optional().describe('Identifiers from other systems (identity category)'),
  contact: z.object({ phone: z.string().optional(), email: z.string().optional(), address: z.string().optional() }).optional(),
  createdByAgencyId: z.string().optional(),
  createdAt: z.string().optional(),
  version: z.number().int().optional().describe("The person stream's version (send it back as expectedVersion when correcting)"),
  access: z.object({ scope: z.enum(['holder', 'shared']), categories: z.array(z.string()) }),
  withheld: z.array(z.string()).describe('Categories of data this viewer has no consent to see'),
});

/** `GET /api/v1/people` query: at least one of q, dateOfBirth, identifier, postcodeDistrict. */
export const searchPeopleQuery = z.strictObject({
  q: z.string().trim().max(100).optional().describe('A name (part of it, either order, accents and case ignored, common slips forgiven) or an identifier'),
  dateOfBirth: dateSchema.optional(),
  identifier: z.string().trim().max(60).optional().describe('Any identifier (NHS number, PNC id, CRN, prison number, your local id)'),
  postcodeDistrict: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{1,2}[0-9][A-Z0-9]?$/, 'must be the first part of a postcode, e.g. NB1 or M14')
    .optional(),
  ...pageQuery,
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Page size, 1–100 (default 20)'),
});

/** One person in search results or a duplicate warning. */
export const personSummarySchema = z.object({
  id: idSchema,
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  dateOfBirth: z.string().optional(),
  sex: z.string().optional(),
  postcodeDistrict: z.string().nullable().optional(),
  identifiers: z.array(identifierSchema).optional(),
  access: z.object({ scope: z.enum(['holder', 'shared']), categories: z.array(z.string()) }),
});
export type PersonSummary = z.infer<typeof personSummarySchema>;

/** `GET /api/v1/people` answer: a page, in a stable order; no total (see the route). */
export const personSearchPage = pageOf(personSummarySchema);

/** A candidate in a `409 possible_duplicate` answer (`details.candidates`). */
export const duplicateCandidateSchema = personSummarySchema.extend({
  matchedOn: z.array(z.enum(['nhs_number', 'name_and_date_of_birth'])),
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
  identifiers: clearable(createPersonBody.shape.identifiers.unwrap()).describe('A new set of the identifiers your agency recorded (replaces them); null clears them'),
  contact: clearable(createPersonBody.shape.contact.unwrap()),
  expectedVersion: z.number().int().min(1).optional(),
});

/** One entry of `GET /api/v1/people/:id/timeline`. */
export const personTimelineEntrySchema = z.object({
  seq: z.number().int(),
  version: z.number().int(),
  type: z.string().describe('PERSON_RECORDED, PERSON_DETAILS_CORRECTED, CONSENT_GIVEN, CONSENT_RENEWED, CONSENT_WITHDRAWN, CONSENT_EXPIRED, PERSON_LINKED, PERSON_UNLINKED'),
  at: z.string(),
  recordedAt: z.string(),
  byUserId: z.string().nullable(),
  byAgencyId: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
});

/** `POST /api/v1/people/:id/links` body: the other record of the same person, and why. */
export const linkPersonBody = z.strictObject({
  otherPersonId: idSchema.describe('The other record of the same person (one you may see)'),
  reason: shortText(500).describe('Why they are the same person, e.g. "same NHS number; confirmed with them"'),
});

/** `POST /api/v1/people/:id/links/:otherId/unlink` body. */
export const unlinkPersonBody = z.strictObject({ reason: shortText(500).optional() });

export const linkParams = z.strictObject({ id: idSchema, otherId: idSchema });

/** A record a person's record is linked with (only records you may see are listed). */
export const linkedRecordSchema = personSummarySchema.extend({
  reason: z.string(),
  referralId: z.string().nullable().describe('The referral whose acceptance linked them, or null'),
  linkedAt: z.string(),
  linkedBy: z.string().nullable(),
});
