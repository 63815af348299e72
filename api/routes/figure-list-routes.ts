/**
 * `GET /api/v1/metrics/journeys`, `…/referrals`, `…/caseloads`: the lists behind the
 * dashboard's figures, scoped as the figures are (a manager's own area, or one agency of
 * it), oldest first, with names where the manager may see them; `format=csv` exports the
 * whole list with its definition, and the export is recorded in the audit trail.
 */
import { recordAudit } from '../../src/audit/audit-repository.ts';
import { CASELOAD_DEFINITION, caseloads } from '../../src/metrics/caseloads.ts';
import { breachesByStage, type DrillCursor } from '../../src/metrics/drill-down.ts';
import { journeysBehindFigure, referralsBehindFigure, type FigureList } from '../../src/metrics/figure-lists.ts';
import { METRIC_READER_ROLES, resolveMetricScope } from '../../src/metrics/metric-scope.ts';
import { resolveAsOf } from '../../src/metrics/as-of.ts';
import { PathwaysError } from '../../src/errors.ts';
import type { Dimension } from '../../machines/measure-dimensions.ts';
import type { AuthUser } from '../../src/auth/auth-user.ts';
import type { AppContext } from '../context.ts';
import { toCsv, type CsvValue } from '../http/csv.ts';
import { defineRoute, type RouteResult } from '../routing/route.ts';
import {
  caseloadQuery,
  caseloadResponse,
  journeyListQuery,
  journeyListResponse,
  referralListQuery,
  referralListResponse,
  stageBreachQuery,
  stageBreachResponse,
} from '../schemas/figure-lists.ts';

/** What the stage breaches count. */
const STAGE_BREACH_DEFINITION =
  'Journeys past each journey deadline at the end of the as-of day (waiting over 21 days for a first intervention, review overdue after 182 days, released and not engaged after 21 days), by the stage each journey was in then: the same journeys as the deadline figures.';
import { decodeCursor, encodeCursor, nowIso, viewerOf } from './route-helpers.ts';

/** Rows in one CSV export at most (a national area's largest stage). */
const EXPORT_LIMIT = 400_000;
const EXPORT_PAGE = 5_000;

const tag = 'metrics';
const forbidden = { description: 'not a manager, or another area or agency than your own' };

/**
 * The breakdown cell a list is narrowed to: both `breakdown` and `group`, or neither.
 * @throws PathwaysError `validation_failed` naming the missing one
 */
function groupOf(breakdown: Dimension, group: string | undefined): { dim: Exclude<Dimension, 'all'>; value: string } | undefined {
  if (breakdown === 'all' && group === undefined) return undefined;
  if (breakdown !== 'all' && group !== undefined) return { dim: breakdown, value: group };
  const missing = breakdown === 'all' ? 'breakdown' : 'group';
  throw new PathwaysError('validation_failed', 'A list of one group takes both `breakdown` (the dimension, e.g. age_band) and `group` (one of its values, e.g. 18-24).', {
    issues: [{ path: missing, message: missing === 'breakdown' ? 'required with group: the dimension the group belongs to' : 'required with breakdown: one group of it' }],
  });
}

function cursorOf(cursor: string | undefined): DrillCursor | undefined {
  return decodeCursor(cursor, ['at', 'id'] as const);
}

/** Reads every page of a list (for an export), up to the export limit. */
async function everyPage<T>(read: (after: DrillCursor | undefined, limit: number) => Promise<FigureList<T>>): Promise<FigureList<T>> {
  const first = await read(undefined, EXPORT_PAGE);
  const items = [...first.items];
  let next = first.next;
  while (next && items.length < EXPORT_LIMIT) {
    const page = await read(next, EXPORT_PAGE);
    items.push(...page.items);
    next = page.next;
  }
  return { ...first, items, next: null };
}

async function exported(ctx: AppContext, user: AuthUser, what: string, filters: Record<string, unknown>, rows: number, csv: string, name: string): Promise<RouteResult> {
  await recordAudit(ctx.store.db, {
    at: nowIso(ctx),
    userId: user.id,
    agencyId: user.agencyId,
    action: 'export',
    entityType: what,
    detail: { filters, rows },
  });
  return {
    status: 200,
    body: csv,
    contentType: 'text/csv; charset=utf-8',
    // Cache-Control: no-store is on every /api/v1 answer already.
    headers: { 'Content-Disposition': `attachment; filename="${name}"` },
  };
}

/** How one list is exported: its table's columns, one row per item, what the audit entry names. */
interface ListExport<T> {
  entityType: string;
  filters: Record<string, unknown>;
  filename: string;
  columns: readonly string[];
  row: (item: T) => CsvValue[];
}

/**
 * Answers a list request: a page as JSON, or with `format=csv` every page as CSV (audited).
 * @param read - reads one page after a cursor
 */
async function answerList<T>(
  input: { ctx: AppContext; user: AuthUser; area: string; asOf: string; figure: string; format: 'json' | 'csv'; cursor: string | undefined; limit: number },
  read: (after: DrillCursor | undefined, limit: number) => Promise<FigureList<T>>,
  csv: ListExport<T>,
): Promise<RouteResult> {
  if (input.format === 'csv') {
    const all = await everyPage(read);
    const text = toCsv(all.definition, csv.columns, all.items.map(csv.row));
    return exported(input.ctx, input.user, csv.entityType, { ...csv.filters, asOf: input.asOf }, all.items.length, text, csv.filename);
  }
  const page = await read(cursorOf(input.cursor), input.limit);
  return {
    status: 200,
    body: { figure: input.figure, definition: page.definition, total: page.total, area: input.area, asOf: input.asOf, items: page.items, nextCursor: page.next ? encodeCursor({ ...page.next }) : null },
  };
}

export const figureListRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/metrics/journeys',
    operationId: 'metricsJourneys',
    summary: 'The journeys behind a figure (work in progress of a stage, or a deadline), oldest first',
    description: 'The list holds exactly what the figure counts: its `total` equals the figure of the same scope and as-of time.',
    tag,
    auth: METRIC_READER_ROLES,
    query: journeyListQuery,
    responses: { 200: { description: 'a page of journeys (or CSV with format=csv)', schema: journeyListResponse }, 403: forbidden },
    async handle({ query, ctx, user }) {
      const viewer = viewerOf(user);
      const scope = await resolveMetricScope(ctx.store.db, viewer, { area: query.area, agencyId: query.agencyId });
      const { asOf, asOfDay, past } = resolveAsOf(query.asOf, ctx.now(), ctx.engine.timeZone);
      const group = groupOf(query.breakdown, query.group);
      const read = (after: DrillCursor | undefined, limit: number) =>
        journeysBehindFigure(ctx.store.db, ctx.store.dialect, viewer, { agencyIds: scope.agencyIds, figure: query.figure, stage: query.stage, asOf, asOfDay, past, group, after, limit });
      return answerList({ ctx, user, area: scope.area, asOf, figure: query.figure, format: query.format, cursor: query.cursor, limit: query.limit }, read, {
        entityType: 'metrics_journeys',
        filters: { figure: query.figure, stage: query.stage ?? null, agencyId: query.agencyId ?? null, ...(group ? { breakdown: group.dim, group: group.value } : {}) },
        filename: `${query.figure}${query.stage ? `-${query.stage}` : ''}${group ? `-${group.value}` : ''}.csv`,
        columns: ['journey', 'person', 'agency', 'keyworker', 'stage', 'since', 'days', 'overdue'],
        row: (j) => [j.id, j.person?.name ?? 'withheld', j.agency.name, j.keyworker?.name ?? '', j.stage, j.since, j.days, j.overdue ? 'yes' : 'no'],
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/metrics/referrals',
    operationId: 'metricsReferrals',
    summary: 'The referrals behind a figure (waiting, not acknowledged, not contacted), oldest first',
    description: 'The list holds exactly what the figure counts; `agencyId` narrows to one receiving agency.',
    tag,
    auth: METRIC_READER_ROLES,
    query: referralListQuery,
    responses: { 200: { description: 'a page of referrals (or CSV with format=csv)', schema: referralListResponse }, 403: forbidden },
    async handle({ query, ctx, user }) {
      const viewer = viewerOf(user);
      const scope = await resolveMetricScope(ctx.store.db, viewer, { area: query.area, agencyId: query.agencyId });
      // A past day: the referrals as they stood at its end, from their history.
      const { asOf, asOfDay, past } = resolveAsOf(query.asOf, ctx.now(), ctx.engine.timeZone);
      const read = (after: DrillCursor | undefined, limit: number) =>
        referralsBehindFigure(ctx.store.db, viewer, { agencyIds: scope.agencyIds, figure: query.figure, state: query.state, asOf, asOfDay, past, after, limit });
      return answerList({ ctx, user, area: scope.area, asOf, figure: query.figure, format: query.format, cursor: query.cursor, limit: query.limit }, read, {
        entityType: 'metrics_referrals',
        filters: { figure: query.figure, state: query.state ?? null, agencyId: query.agencyId ?? null },
        filename: `${query.figure}.csv`,
        columns: ['referral', 'person', 'from', 'to', 'kind', 'state', 'sent', 'due', 'days'],
        row: (r) => [r.id, r.person?.name ?? 'withheld', r.from.name, r.to.name, r.kind, r.state, r.sentAt, r.dueAt ?? '', r.days],
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/metrics/caseloads',
    operationId: 'metricsCaseloads',
    summary: 'Caseload, overdue and waiting journeys per keyworker and per team',
    tag,
    auth: METRIC_READER_ROLES,
    query: caseloadQuery,
    responses: { 200: { description: 'caseloads (or CSV with format=csv)', schema: caseloadResponse }, 403: forbidden },
    async handle({ query, ctx, user }) {
      const scope = await resolveMetricScope(ctx.store.db, viewerOf(user), { area: query.area, agencyId: query.agencyId });
      // A past day: the caseloads as they stood at its end, from the history.
      const { asOf, asOfDay, past } = resolveAsOf(query.asOf, ctx.now(), ctx.engine.timeZone);
      const loads = await caseloads(ctx.store.db, ctx.store.dialect, scope.agencyIds, asOf, { asOfDay, past });
      if (query.format === 'csv') {
        const csv = toCsv(
          CASELOAD_DEFINITION,
          ['team', 'keyworker', 'open', 'overdue', 'waiting', 'waitingOver21Days'],
          loads.keyworkers.map((k) => [k.agency.name, k.keyworker?.name ?? 'unassigned', k.open, k.overdue, k.waiting, k.waitingOver21Days]),
        );
        return exported(ctx, user, 'metrics_caseloads', { agencyId: query.agencyId ?? null, asOf }, loads.keyworkers.length, csv, 'caseloads.csv');
      }
      return { status: 200, body: { area: scope.area, asOf, definition: CASELOAD_DEFINITION, ...loads } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/metrics/stage-breaches',
    operationId: 'metricsStageBreaches',
    summary: 'Journeys past each deadline, by the stage they are in now (the pathway drawing)',
    tag,
    auth: METRIC_READER_ROLES,
    query: stageBreachQuery,
    responses: { 200: { description: 'counts per stage and deadline', schema: stageBreachResponse }, 403: forbidden },
    async handle({ query, ctx, user }) {
      const scope = await resolveMetricScope(ctx.store.db, viewerOf(user), { area: query.area, agencyId: query.agencyId });
      const { asOf, asOfDay, past } = resolveAsOf(query.asOf, ctx.now(), ctx.engine.timeZone);
      return { status: 200, body: { area: scope.area, asOf, definition: STAGE_BREACH_DEFINITION, rows: await breachesByStage(ctx.store.db, scope.agencyIds, asOf, { asOfDay, past }) } };
    },
  }),
];
