/**
 * "Probably known to you as …": the receiving agency's own records that are probably the
 * person of a referral it received (src/people/known-as.ts).
 */
import { z } from 'zod';
import { knownAs } from '../../src/people/known-as.ts';
import { personSummary } from '../../src/people/person-summary.ts';
import { idParams } from '../schemas/common.ts';
import { personSummarySchema } from '../schemas/person.ts';
import { defineRoute } from '../routing/route.ts';
import { hidden, todayOf, viewerOf } from './route-helpers.ts';

export const knownAsRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/referrals/:id/known-as',
    operationId: 'referralKnownAs',
    summary: 'Records of your agency that are probably the referred person (same NHS number, or same name, date of birth and postcode district)',
    description: 'For the receiving agency of a live referral; anyone else gets 404. Open your own record rather than registering the person again.',
    tag: 'referrals',
    auth: ['keyworker', 'referrer', 'manager'],
    hideFromOtherRoles: true,
    params: idParams,
    responses: {
      200: {
        description: 'your records that probably are this person',
        schema: z.object({ items: z.array(personSummarySchema.extend({ matchedOn: z.array(z.enum(['nhs_number', 'name_date_of_birth_and_postcode_district'])) })) }),
      },
    },
    async handle({ params, user, ctx }) {
      const found = await knownAs(ctx.store.db, viewerOf(user), params.id, todayOf(ctx));
      if (found === null) throw hidden('The referral');
      return { status: 200, body: { items: found.map((f) => ({ ...personSummary(f), matchedOn: f.matchedOn })) } };
    },
  }),
];
