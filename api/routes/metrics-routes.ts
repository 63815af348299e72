/**
 * `GET /api/v1/metrics/…`: the measures managers watch, read from counters kept current
 * with every event (src/metrics), so each answer costs the same whatever the number of
 * journeys. Every figure carries its definition, here and in the OpenAPI document.
 */
import type { z } from 'zod';
import { PathwaysError } from '../../src/errors.ts';
import { resolveAsOf } from '../../src/metrics/as-of.ts';
import { dateOfDay, dayOf } from '../../src/metrics/days.ts';
import { deadlines } from '../../src/metrics/measures/deadlines.ts';
import { flow } from '../../src/metrics/measures/flow.ts';
import type { MeasureQuery } from '../../src/metrics/measures/measure-query.ts';
import { outcomes } from '../../src/metrics/measures/outcomes.ts';
import { ete } from '../../src/metrics/measures/ete.ts';
import { referralsWaiting } from '../../src/metrics/measures/referrals-waiting.ts';
import { summary } from '../../src/metrics/measures/summary.ts';
import { timeInStage } from '../../src/metrics/measures/time-in-stage.ts';
import { workInProgress } from '../../src/metrics/measures/work-in-progress.ts';
import { METRIC_READER_ROLES, resolveMetricScope } from '../../src/metrics/metric-scope.ts';
import { metricsDb } from '../../src/metrics/metric-tables.ts';
import type { AuthUser } from '../../src/auth/auth-user.ts';
import type { AppContext } from '../context.ts';
import { defineRoute } from '../routing/route.ts';
import { viewerOf } from './route-helpers.ts';
import {
  deadlinesResponse,
  flowQuerySchema,
  flowResponse,
  metricsQuerySchema,
  outcomesResponse,
  eteResponse,
  referralsWaitingResponse,
  summaryResponse,
  timeInStageResponse,
  wipResponse,
} from '../schemas/metrics.ts';

type MetricsQuery = z.output<typeof metricsQuerySchema>;

const MAX_PERIOD_DAYS = 3660;

/** Resolves scope, as-of time and period for one request. */
async function prepare(ctx: AppContext, user: AuthUser, query: MetricsQuery, defaultPeriodDays: number) {
  const scope = await resolveMetricScope(ctx.store.db, viewerOf(user), { area: query.area, agencyId: query.agencyId });
  // The as-of day is the service's local calendar day (machines/calendar-days.ts); a past
  // day reads where journeys were at its end.
  const timeZone = ctx.engine.timeZone;
  const { asOf, asOfDay, past } = resolveAsOf(query.asOf, ctx.now(), timeZone);
  const toDay = query.to ? dayOf(query.to) : asOfDay;
  const fromDay = query.from ? dayOf(query.from) : toDay - (defaultPeriodDays - 1);
  if (fromDay > toDay || toDay - fromDay > MAX_PERIOD_DAYS) {
    throw new PathwaysError('validation_failed', 'The period must have `from` on or before `to` and span at most 10 years.', {
      issues: [{ path: 'from', message: `must be on or before ${dateOfDay(toDay)} and at most ${MAX_PERIOD_DAYS} days before it` }],
    });
  }
  const q: MeasureQuery = { agencyIds: scope.agencyIds, dim: query.breakdown, asOf, fromDay, toDay, timeZone, past };
  const context = {
    area: scope.area,
    agencyIds: scope.agencyIds,
    breakdown: query.breakdown,
    asOf,
    period: { from: dateOfDay(fromDay), to: dateOfDay(toDay) },
  };
  return { db: metricsDb(ctx.store.db), q, context };
}

const auth = METRIC_READER_ROLES;
const tag = 'metrics';
const forbidden = { description: 'not a manager, or another area or agency than your own' };

export const metricsRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/metrics/summary',
    operationId: 'metricsSummary',
    summary: 'Headline figures: work in progress, deadlines and outcome shares (undivided)',
    tag,
    auth,
    query: metricsQuerySchema,
    responses: { 200: { description: 'headline figures with their definitions', schema: summaryResponse }, 403: forbidden },
    async handle({ query, ctx, user }) {
      const { db, q, context } = await prepare(ctx, user, query, 365);
      return { status: 200, body: { ...context, breakdown: 'all', ...(await summary(db, q)) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/metrics/wip',
    operationId: 'metricsWorkInProgress',
    summary: 'Work in progress: open journeys per stage and per agency',
    tag,
    auth,
    query: metricsQuerySchema,
    responses: { 200: { description: 'open journeys by stage', schema: wipResponse }, 403: forbidden },
    async handle({ query, ctx, user }) {
      const { db, q, context } = await prepare(ctx, user, query, 365);
      return { status: 200, body: { ...context, ...(await workInProgress(db, q)) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/metrics/time-in-stage',
    operationId: 'metricsTimeInStage',
    summary: 'Time in the current stage: median and 90th percentile days per stage',
    tag,
    auth,
    query: metricsQuerySchema,
    responses: { 200: { description: 'days in the current stage', schema: timeInStageResponse }, 403: forbidden },
    async handle({ query, ctx, user }) {
      const { db, q, context } = await prepare(ctx, user, query, 365);
      return { status: 200, body: { ...context, ...(await timeInStage(db, q)) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/metrics/flow',
    operationId: 'metricsFlow',
    summary: 'Flow between stages per day or week',
    tag,
    auth,
    query: flowQuerySchema,
    responses: { 200: { description: 'moves between stages', schema: flowResponse }, 403: forbidden },
    async handle({ query, ctx, user }) {
      const { db, q, context } = await prepare(ctx, user, query, 28);
      return { status: 200, body: { ...context, ...(await flow(db, q, query.granularity)) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/metrics/deadlines',
    operationId: 'metricsDeadlines',
    summary: 'Past the 21-day wait, reviews overdue, continuity of care past 21 days, referrals late to acknowledge or contact',
    tag,
    auth,
    query: metricsQuerySchema,
    responses: { 200: { description: 'deadline sets with ages', schema: deadlinesResponse }, 403: forbidden },
    async handle({ query, ctx, user }) {
      const { db, q, context } = await prepare(ctx, user, query, 365);
      return { status: 200, body: { ...context, ...(await deadlines(db, q)) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/metrics/outcomes',
    operationId: 'metricsOutcomes',
    summary: 'Starts within 21 days, successful completion (PHOF C19), continuity of care, re-presentations, deaths',
    tag,
    auth,
    query: metricsQuerySchema,
    responses: { 200: { description: 'outcomes for the period', schema: outcomesResponse }, 403: forbidden },
    async handle({ query, ctx, user }) {
      const { db, q, context } = await prepare(ctx, user, query, 365);
      return { status: 200, body: { ...context, ...(await outcomes(db, q)) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/metrics/ete',
    operationId: 'metricsEte',
    summary: 'Employment, education, training and volunteering support started in the period, per modality',
    tag,
    auth,
    query: metricsQuerySchema,
    responses: { 200: { description: 'ETE support for the period', schema: eteResponse }, 403: forbidden },
    async handle({ query, ctx, user }) {
      const { db, q, context } = await prepare(ctx, user, query, 365);
      return { status: 200, body: { ...context, ...(await ete(db, q)) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/metrics/referrals-waiting',
    operationId: 'metricsReferralsWaiting',
    summary: 'Referrals waiting on each receiving agency, by state, with their ages',
    tag,
    auth,
    query: metricsQuerySchema,
    responses: { 200: { description: 'waiting referrals', schema: referralsWaitingResponse }, 403: forbidden },
    async handle({ query, ctx, user }) {
      const { db, q, context } = await prepare(ctx, user, query, 365);
      return { status: 200, body: { ...context, ...(await referralsWaiting(db, q)) } };
    },
  }),
];
