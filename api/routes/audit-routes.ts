/** The audit trail, for auditors only. */
import { z } from 'zod';
import { queryAudit } from '../../src/audit/audit-repository.ts';
import { AUDIT_ACTIONS, auditActionSchema, auditEntrySchema } from '../schemas/audit.ts';
import { dateTimeSchema, idSchema, pageOf, pageQuery, queryBoolean } from '../schemas/common.ts';
import { defineRoute } from '../routing/route.ts';
import { decodeCursor, encodeCursor } from './route-helpers.ts';


export const auditRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/audit',
    operationId: 'listAudit',
    summary: 'Who saw, shared or overrode what, when and why (newest first)',
    description: `Actions: ${AUDIT_ACTIONS.join(', ')}. \`flagged=true\` lists safeguarding overrides to review.`,
    tag: 'audit',
    auth: ['auditor'],
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
    async handle({ query, ctx }) {
      const before = decodeCursor(query.cursor, ['at', 'id'] as const);
      const { items, hasMore } = await queryAudit(ctx.store.db, {
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
      return { status: 200, body: { items, nextCursor: hasMore && last ? encodeCursor({ at: last.at, id: last.id }) : null } };
    },
  }),
];
