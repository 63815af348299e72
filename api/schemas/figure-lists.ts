/**
 * Schemas of the lists behind the dashboard's figures (`GET /api/v1/metrics/journeys`,
 * `…/referrals`, `…/caseloads`): which figure, the same scope filters as the figures, a
 * page, and `format=csv` for an export.
 */
import { z } from 'zod';
import { JOURNEY_LIST_FIGURES, REFERRAL_LIST_FIGURES } from '../../machines/figure-lists.ts';
import { DIMENSIONS } from '../../machines/measure-dimensions.ts';
import { dateTimeSchema, idSchema, pageQuery } from './common.ts';

const scope = {
  area: z.string().trim().min(1).max(120).optional().describe('The area to read; managers may read their own area only (the default)'),
  agencyId: idSchema.optional().describe('Narrow to one agency of the area'),
  asOf: dateTimeSchema
    .optional()
    .describe(
      'Where things stood at the end of this day (the service\'s calendar day of this time): a past day lists the journeys as they were then, from the history of the event log; default now. A day after today, or before the first recorded journey, is refused (400)',
    ),
  format: z.enum(['json', 'csv']).default('json').describe('`csv`: the whole list as CSV, its definition in the first row (recorded in the audit trail)'),
};

/** `GET /api/v1/metrics/journeys` query. */
export const journeyListQuery = z.strictObject({
  figure: z.enum(JOURNEY_LIST_FIGURES).default('workInProgress').describe('The figure whose journeys to list'),
  stage: z.string().trim().regex(/^[A-Za-z]{1,40}$/, 'must be a stage name, e.g. inTreatment').optional().describe('With workInProgress: one stage'),
  breakdown: z.enum(DIMENSIONS).default('all').describe('With `group`: the breakdown dimension of the figure\'s cell (as the measures\' `breakdown`)'),
  group: z.string().trim().min(1).max(80).optional().describe('With `breakdown`: one group of it (a row\'s `group` in the measures, e.g. `18-24`); the list\'s total equals that cell'),
  ...scope,
  ...pageQuery,
});

/** `GET /api/v1/metrics/referrals` query. */
export const referralListQuery = z.strictObject({
  figure: z.enum(REFERRAL_LIST_FIGURES).default('referralsWaiting').describe('The figure whose referrals to list'),
  state: z.enum(['requested', 'received', 'accepted']).optional().describe('With referralsWaiting: one state'),
  ...scope,
  ...pageQuery,
});

/** `GET /api/v1/metrics/caseloads` query. */
export const caseloadQuery = z.strictObject(scope);

const named = z.object({ id: z.string(), name: z.string() });

const listContext = {
  figure: z.string(),
  definition: z.string().describe('What the figure counts; the list holds exactly those'),
  total: z.number().int().describe('How many the figure holds: the length of the whole list'),
  area: z.string(),
  asOf: z.string(),
  nextCursor: z.string().nullable(),
};

/** A page of the journeys behind a figure. */
export const journeyListResponse = z.object({
  ...listContext,
  items: z.array(
    z.object({
      id: z.string(),
      person: named.nullable().describe('null where you may not see who the person is'),
      agency: named,
      keyworker: named.nullable(),
      stage: z.string(),
      since: z.string().describe('The day the counted state began (stage entered, waiting clock started, last review or treatment start, release)'),
      days: z.number().int().describe('Whole days from `since` to the as-of day'),
      overdue: z.boolean(),
    }),
  ),
});

/** A page of the referrals behind a figure. */
export const referralListResponse = z.object({
  ...listContext,
  items: z.array(
    z.object({
      id: z.string(),
      person: named.nullable(),
      from: named,
      to: named,
      kind: z.string(),
      state: z.string(),
      sentAt: z.string(),
      dueAt: z.string().nullable(),
      days: z.number().int(),
    }),
  ),
});

const counts = { open: z.number().int(), overdue: z.number().int(), waiting: z.number().int(), waitingOver21Days: z.number().int() };

/** Caseloads per keyworker and per team. */
export const caseloadResponse = z.object({
  area: z.string(),
  asOf: z.string(),
  definition: z.string(),
  keyworkers: z.array(z.object({ agency: named, keyworker: named.nullable().describe('null: the team\'s unassigned journeys'), ...counts })),
  teams: z.array(z.object({ agency: named, keyworkers: z.number().int(), unassigned: z.number().int(), ...counts })),
});

/** `GET /api/v1/metrics/stage-breaches` query. */
export const stageBreachQuery = z.strictObject({ area: scope.area, agencyId: scope.agencyId, asOf: scope.asOf });

/** Journeys past each deadline, by their stage now. */
export const stageBreachResponse = z.object({
  area: z.string(),
  asOf: z.string(),
  definition: z.string(),
  rows: z.array(z.object({ stage: z.string(), figure: z.enum(JOURNEY_LIST_FIGURES), count: z.number().int() })),
});
