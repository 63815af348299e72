/** Agencies and staff accounts, managed by admins. Admins cannot read case records. */
import { z } from 'zod';
import { recordAudit } from '../../src/audit/audit-repository.ts';
import { PathwaysError, validationError } from '../../src/errors.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { requireStrongPassword } from '../../src/auth/password-policy.ts';
import { ROLES } from '../../src/auth/auth-user.ts';
import {
  agencyView,
  findAgency,
  findUserByEmail,
  insertAgency,
  insertUser,
  listAgencies,
  listUsers,
  userView,
} from '../../src/agencies/agency-repository.ts';
import { agencySchema, createAgencyBody } from '../schemas/agency.ts';
import { idSchema } from '../schemas/common.ts';
import { createUserBody, roleSchema, userSchema } from '../schemas/user.ts';
import { defineRoute } from '../routing/route.ts';
import { nowIso } from './route-helpers.ts';

export const adminRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/v1/agencies',
    operationId: 'createAgency',
    summary: 'Create an agency',
    tag: 'admin',
    auth: ['admin'],
    body: createAgencyBody,
    responses: { 201: { description: 'created', schema: agencySchema } },
    async handle({ body, user, ctx }) {
      const row = await ctx.store.db.transaction().execute(async (trx) => {
        const created = await insertAgency(trx, { ...body, createdAt: nowIso(ctx) });
        await recordAudit(trx, { at: nowIso(ctx), userId: user.id, agencyId: user.agencyId, action: 'admin', entityType: 'agency', entityId: created.id, detail: { created: body } });
        return created;
      });
      return { status: 201, body: agencyView(row) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/agencies',
    operationId: 'listAgencies',
    summary: 'List agencies (every signed-in user: referrals name a receiving agency)',
    tag: 'admin',
    auth: ROLES,
    query: z.strictObject({ kind: z.string().max(60).optional(), area: z.string().max(100).optional() }),
    responses: { 200: { description: 'agencies', schema: z.object({ items: z.array(agencySchema) }) } },
    async handle({ query, ctx }) {
      const rows = await listAgencies(ctx.store.db);
      const items = rows.filter((a) => (!query.kind || a.kind === query.kind) && (!query.area || a.area === query.area)).map(agencyView);
      return { status: 200, body: { items } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/users',
    operationId: 'createUser',
    summary: 'Create a staff account in an agency',
    tag: 'admin',
    auth: ['admin'],
    body: createUserBody,
    responses: { 201: { description: 'created', schema: userSchema } },
    async handle({ body, user, ctx }) {
      const agency = await findAgency(ctx.store.db, body.agencyId);
      if (!agency) throw validationError('agencyId names no agency; create it first with POST /api/v1/agencies.', [{ path: 'agencyId', message: 'unknown agency' }]);
      if (await findUserByEmail(ctx.store.db, body.email)) {
        throw new PathwaysError('conflict', `A user with email ${body.email} already exists.`, { issues: [{ path: 'email', message: 'already in use' }] });
      }
      await requireStrongPassword(body.password, { email: body.email, name: body.name });
      const passwordHash = await hashPassword(body.password);
      const row = await ctx.store.db.transaction().execute(async (trx) => {
        const created = await insertUser(trx, { email: body.email, name: body.name, passwordHash, role: body.role, agencyId: body.agencyId, createdAt: nowIso(ctx) });
        await recordAudit(trx, {
          at: nowIso(ctx),
          userId: user.id,
          agencyId: user.agencyId,
          action: 'admin',
          entityType: 'user',
          entityId: created.id,
          detail: { created: { email: created.email, role: created.role, agencyId: created.agency_id } },
        });
        return created;
      });
      return { status: 201, body: userView(row, agency) };
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
];
