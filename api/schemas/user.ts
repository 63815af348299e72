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
});

/** `POST /api/v1/auth/login` body. */
export const loginBody = z.strictObject({
  email: z.string().trim().min(1, 'must not be empty').max(254),
  password: z.string().min(1, 'must not be empty').max(200),
});

/** `POST /api/v1/auth/login` answer. */
export const loginResponse = z.object({ token: z.string(), expiresAt: z.string(), user: userSchema });
