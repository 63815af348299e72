/** Agencies: every user belongs to one; agencies have a kind and an area. */
import { z } from 'zod';
import { idSchema, shortText } from './common.ts';

/** Kinds of agency in a local recovery system. */
export const AGENCY_KINDS = [
  'treatment_provider',
  'jobcentre_plus',
  'probation',
  'prison',
  'police_custody',
  'court',
  'housing',
  'hospital',
  'mental_health',
  'children_services',
  'gp',
  'mutual_aid',
] as const;

export const agencyKindSchema = z.enum(AGENCY_KINDS);

/** `POST /api/v1/agencies` body. */
export const createAgencyBody = z.strictObject({
  name: shortText(200),
  kind: agencyKindSchema,
  area: shortText(100),
});

/** An agency as the API returns it. */
export const agencySchema = z.object({
  id: idSchema,
  name: z.string(),
  kind: z.string(),
  area: z.string(),
  createdAt: z.string(),
  deactivatedAt: z.string().nullable().optional().describe('Set once the agency is deactivated (AGENCY_DEACTIVATED)'),
  version: z.number().int().optional().describe("The agency stream's version (send it back as expectedVersion)"),
});

const expectedVersion = z.number().int().min(1).optional().describe('The version you read; a stale one is refused with 409 version_conflict');

/** `POST /api/v1/agencies/:id/events` body: one event on the agency's stream. */
export const agencyEventBody = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('AGENCY_DETAILS_CORRECTED'),
    changes: z
      .strictObject({ name: shortText(200).optional(), area: shortText(100).optional() })
      .refine((c) => c.name !== undefined || c.area !== undefined, { message: 'name at least one of name and area' }),
    expectedVersion,
  }),
  z.strictObject({ type: z.literal('AGENCY_DEACTIVATED'), reason: shortText(500).optional(), expectedVersion }),
  z.strictObject({ type: z.literal('AGENCY_REACTIVATED'), expectedVersion }),
]);
