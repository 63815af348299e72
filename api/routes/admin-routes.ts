/**
 * Agencies and staff accounts, managed by admins; every write is an event on the record's
 * stream (src/agencies/agency-commands.ts). Admins cannot read case records.
 */
import { z } from 'zod';
import { changeAgency, changeStaff, createAgency, createStaff } from '../../src/agencies/agency-commands.ts';
import { agencyView, findAgency, listAgencies, listUsers, userView } from '../../src/agencies/agency-repository.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { requireStrongPassword } from '../../src/auth/password-policy.ts';
import { ROLES } from '../../src/auth/auth-user.ts';
import type { AuthUser } from '../../src/auth/auth-user.ts';
import type { Actor } from '../../src/engine/engine-types.ts';
import { PathwaysError } from '../../src/errors.ts';
import { agencyEventBody, agencySchema, createAgencyBody } from '../schemas/agency.ts';
import { idParams, idSchema, queryBoolean } from '../schemas/common.ts';
import { createUserBody, roleSchema, userEventBody, userSchema } from '../schemas/user.ts';
import { defineRoute } from '../routing/route.ts';
import { nowIso } from './route-helpers.ts';

const actorOf = (user: AuthUser): Actor => ({ userId: user.id, agencyId: user.agencyId });

export const adminRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/v1/agencies',
    operationId: 'createAgency',
    summary: 'Create an agency',
    description: "Opens the agency's stream with `AGENCY_CREATED`.",
    tag: 'admin',
    auth: ['admin'],
    body: createAgencyBody,
    responses: { 201: { description: 'created', schema: agencySchema } },
    async handle({ body, user, ctx }) {
      const { row, version } = await createAgency(ctx.engine, actorOf(user), body, { at: nowIso(ctx) });
      return { status: 201, body: agencyView({ ...row, version }) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/agencies',
    operationId: 'listAgencies',
    summary: 'List agencies (every signed-in user: referrals name a receiving agency)',
    description: 'Deactivated agencies are left out unless `includeDeactivated=true`.',
    tag: 'admin',
    auth: ROLES,
    query: z.strictObject({ kind: z.string().max(60).optional(), area: z.string().max(100).optional(), includeDeactivated: queryBoolean.optional() }),
    responses: { 200: { description: 'agencies', schema: z.object({ items: z.array(agencySchema) }) } },
    async handle({ query, ctx }) {
      const rows = await listAgencies(ctx.store.db, { includeDeactivated: query.includeDeactivated ?? false });
      const items = rows.filter((a) => (!query.kind || a.kind === query.kind) && (!query.area || a.area === query.area)).map(agencyView);
      return { status: 200, body: { items } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/agencies/:id/events',
    operationId: 'changeAgency',
    summary: 'Correct, deactivate or reactivate an agency',
    description:
      'One event on the agency\'s stream: `AGENCY_DETAILS_CORRECTED {changes: {name?, area?}}`, `AGENCY_DEACTIVATED {reason?}` (left out of the agency list; no new staff), `AGENCY_REACTIVATED`. Pass `expectedVersion` to be refused with 409 if someone changed it since you read it.',
    tag: 'admin',
    auth: ['admin'],
    hideFromOtherRoles: true,
    params: idParams,
    body: agencyEventBody,
    responses: { 200: { description: 'the agency after the event', schema: agencySchema } },
    async handle({ params, body, user, ctx }) {
      const { expectedVersion, ...event } = body;
      const { row, version } = await changeAgency(ctx.engine, actorOf(user), params.id, event, { ...(expectedVersion !== undefined ? { expectedVersion } : {}), at: nowIso(ctx) });
      return { status: 200, body: agencyView({ ...row, version }) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/users',
    operationId: 'createUser',
    summary: 'Create a staff account in an agency',
    description: "Opens the account's stream with `USER_CREATED` (the password hash is kept beside it, never in the log).",
    tag: 'admin',
    auth: ['admin'],
    body: createUserBody,
    responses: { 201: { description: 'created', schema: userSchema } },
    async handle({ body, user, ctx }) {
      await requireStrongPassword(body.password, { email: body.email, name: body.name });
      const passwordHash = await hashPassword(body.password);
      const { row, version } = await createStaff(ctx.engine, actorOf(user), { email: body.email, name: body.name, role: body.role, agencyId: body.agencyId, passwordHash }, { at: nowIso(ctx) });
      const agency = await findAgency(ctx.store.db, row.agency_id);
      return { status: 201, body: userView({ ...row, version }, agency) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/users',
    operationId: 'listUsers',
    summary: 'List staff: admins see everyone; keyworkers and managers see their own agency (to assign keyworkers)',
    tag: 'admin',
    auth: ['admin', 'manager', 'keyworker'],
    query: z.strictObject({ agencyId: idSchema.optional(), role: roleSchema.optional() }),
    responses: { 200: { description: 'users', schema: z.object({ items: z.array(userSchema) }) } },
    async handle({ query, user, ctx }) {
      const agencyId = user.role === 'admin' ? query.agencyId : user.agencyId;
      const rows = await listUsers(ctx.store.db, { ...(agencyId ? { agencyId } : {}), ...(query.role ? { role: query.role } : {}) });
      return { status: 200, body: { items: rows.map((r) => userView(r)) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/users/:id/events',
    operationId: 'changeUser',
    summary: "Change a staff account's role, correct its name or email, deactivate or reactivate it",
    description:
      'One event on the account\'s stream: `USER_ROLE_CHANGED {role}`, `USER_DETAILS_CORRECTED {changes: {name?, email?}}`, `USER_DEACTIVATED {reason?}` (cannot sign in; its sessions end at once), `USER_REACTIVATED`. You cannot deactivate yourself or change your own role (403). Pass `expectedVersion` to be refused with 409 if someone changed it since you read it.',
    tag: 'admin',
    auth: ['admin'],
    hideFromOtherRoles: true,
    params: idParams,
    body: userEventBody,
    responses: { 200: { description: 'the account after the event', schema: userSchema } },
    async handle({ params, body, user, ctx }) {
      const { expectedVersion, ...event } = body;
      const { row, version } = await changeStaff(ctx.engine, actorOf(user), params.id, event, { ...(expectedVersion !== undefined ? { expectedVersion } : {}), at: nowIso(ctx) });
      // Deactivation ends the account's sessions in the same unit; drop any cached copy too.
      if (event.type === 'USER_DEACTIVATED') ctx.tokenCache.forgetUser(params.id);
      const agency = await findAgency(ctx.store.db, row.agency_id);
      if (!agency) throw new PathwaysError('internal_error', 'The account names no agency.');
      return { status: 200, body: userView({ ...row, version }, agency) };
    },
  }),
];
