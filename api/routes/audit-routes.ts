/** The audit trail, for auditors only: their own agency's, or their area's (src/audit/audit-scope.ts). */
import { z } from 'zod';
import { queryAudit } from '../../src/audit/audit-repository.ts';
import { AUDIT_READER_ROLES, auditScopeOf, cutAuditEntry } from '../../src/audit/audit-scope.ts';
import { PathwaysError } from '../../src/errors.ts';
import { AUDIT_ACTIONS, auditActionSchema, auditEntrySchema } from '../schemas/audit.ts';
import { dateTimeSchema, idSchema, pageOf, pageQuery, queryBoolean } from '../schemas/common.ts';
import { defineRoute } from '../routing/route.ts';
import { decodeCursor, encodeCursor, viewerOf } from './route-helpers.ts';


export const auditRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/audit',
    operationId: 'listAudit',
    summary: 'Who saw, shared or overrode what, when and why (newest first)',
    description:
      `Actions: ${AUDIT_ACTIONS.join(', ')}. \`flagged=true\` lists safeguarding overrides to review. ` +
      'An auditor reads the entries of their own agency; an area_auditor those of every agency in their area. ' +
      'Referral reasons are never shown here, and override justifications only to area auditors (`withheld` says what was left out).',
    tag: 'audit',
    auth: AUDIT_READER_ROLES,
    query: z.strictObject({
      personId: idSchema.optional(),
      userId: idSchema.optional(),
      agencyId: idSchema.optional(),
      action: auditActionSchema.optional(),
      flagged: queryBoolean.optional(),
      from: dateTimeSchema.optional().describe('Entries at or after this time'),
      to: dateTimeSchema.optional().describe('Entries before this time'),
      ...pageQuery,
    }),
    responses: { 200: { description: 'a page of entries', schema: pageOf(auditEntrySchema) } },
    async handle({ query, user, ctx }) {
      const before = decodeCursor(query.cursor, ['at', 'id'] as const);
      const scope = await auditScopeOf(ctx.store.db, viewerOf(user));
      if (query.agencyId && !scope.agencyIds.includes(query.agencyId)) {
        throw new PathwaysError(
          'forbidden',
          user.role === 'area_auditor'
            ? `agencyId must be an agency of your area (${user.agency.area}).`
            : 'An auditor reads the trail of their own agency only; leave agencyId out, or ask an area auditor.',
        );
      }
      const { items, hasMore } = await queryAudit(ctx.store.db, {
        agencyIds: scope.agencyIds,
        ...(query.personId ? { personId: query.personId } : {}),
        ...(query.userId ? { userId: query.userId } : {}),
        ...(query.agencyId ? { agencyId: query.agencyId } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.flagged !== undefined ? { flagged: query.flagged } : {}),
        ...(query.from ? { from: new Date(query.from).toISOString() } : {}),
        ...(query.to ? { to: new Date(query.to).toISOString() } : {}),
        ...(before ? { before } : {}),
        limit: query.limit,
      });
      const last = items.at(-1);
      return { status: 200, body: { items: items.map((e) => cutAuditEntry(e, scope)), nextCursor: hasMore && last ? encodeCursor({ at: last.at, id: last.id }) : null } };
    },
  }),
];
