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
});
