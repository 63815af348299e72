/** Staff accounts and sign-in. */
import { z } from 'zod';
import { ROLES } from '../../src/auth/auth-user.ts';
import { idSchema, shortText } from './common.ts';

export const roleSchema = z.enum(ROLES);

const emailSchema = z.email({ message: 'must be an email address' }).max(254);

/** `POST /api/v1/users` body. */
export const createUserBody = z.strictObject({
  email: emailSchema,
  name: shortText(200),
  password: z.string().min(12, 'must be at least 12 characters').max(200),
  role: roleSchema,
  agencyId: idSchema,
});

/** A user as the API returns it (never the password hash). */
export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  agencyId: z.string(),
  agency: z.object({ id: z.string(), name: z.string(), kind: z.string(), area: z.string() }).optional(),
  createdAt: z.string().optional(),
  deactivatedAt: z.string().nullable().optional().describe('Set while the account is deactivated (USER_DEACTIVATED): it cannot sign in'),
  version: z.number().int().optional().describe("The account stream's version (send it back as expectedVersion)"),
});

const expectedVersion = z.number().int().min(1).optional().describe('The version you read; a stale one is refused with 409 version_conflict');

/** `POST /api/v1/users/:id/events` body: one event on the account's stream. */
export const userEventBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('USER_ROLE_CHANGED'), role: roleSchema, expectedVersion }),
  z.strictObject({
    type: z.literal('USER_DETAILS_CORRECTED'),
    changes: z
      .strictObject({ name: shortText(200).optional(), email: emailSchema.optional() })
      .refine((c) => c.name !== undefined || c.email !== undefined, { message: 'name at least one of name and email' }),
    expectedVersion,
  }),
  z.strictObject({ type: z.literal('USER_DEACTIVATED'), reason: shortText(500).optional(), expectedVersion }),
  z.strictObject({ type: z.literal('USER_REACTIVATED'), expectedVersion }),
]);

/** `POST /api/v1/auth/login` body. */
export const loginBody = z.strictObject({
  email: z.string().trim().min(1, 'must not be empty').max(254),
  password: z.string().min(1, 'must not be empty').max(200),
});

/** `POST /api/v1/auth/login` answer. */
export const loginResponse = z.object({ token: z.string(), expiresAt: z.string(), user: userSchema });
