/**
 * The service's settings, read-only: they are set where the service is run (environment
 * variables, cli/config.ts), and every signed-in user may see the rules that act on their
 * work — the admin page shows them as "Follow-up rules".
 */
import { ROLES } from '../../src/auth/auth-user.ts';
import { settingsSchema } from '../schemas/settings.ts';
import { defineRoute } from '../routing/route.ts';

export const settingsRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/settings',
    operationId: 'getSettings',
    summary: 'The service settings in force (read-only)',
    description:
      'The follow-up rules for a did-not-attend: a follow-up task due within `followUpWorkingDays` working days, and a case review after `reviewAfterMissed` missed within `missedWindowDays` days. Set by `PATHWAYS_FOLLOW_UP_WORKING_DAYS`, `PATHWAYS_REVIEW_AFTER_MISSED` and `PATHWAYS_MISSED_WINDOW_DAYS`; each did-not-attend keeps the rules it was recorded under.',
    tag: 'admin',
    auth: ROLES,
    responses: { 200: { description: 'the settings', schema: settingsSchema } },
    handle({ ctx }) {
      return Promise.resolve({ status: 200 as const, body: { followUp: { ...ctx.followUp } } });
    },
  }),
];
