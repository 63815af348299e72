/**
 * The measures the dashboard reads (`GET /api/v1/metrics/…`), typed from the API's own
 * response schemas (type-only: nothing of the server is bundled).
 */
import type { z } from 'zod';
import type {
  deadlinesResponse,
  outcomesResponse,
  referralsWaitingResponse,
  summaryResponse,
  timeInStageResponse,
  wipResponse,
} from '../../../api/schemas/metrics.ts';
import type { caseloadResponse, stageBreachResponse } from '../../../api/schemas/figure-lists.ts';
import { api } from '../lib/api-client.ts';

export type SummaryMetrics = z.infer<typeof summaryResponse>;
export type WipMetrics = z.infer<typeof wipResponse>;
export type TimeInStageMetrics = z.infer<typeof timeInStageResponse>;
export type DeadlineMetrics = z.infer<typeof deadlinesResponse>;
export type OutcomeMetrics = z.infer<typeof outcomesResponse>;
export type ReferralsWaitingMetrics = z.infer<typeof referralsWaitingResponse>;

/** Dashboard filters, as the measures routes take them. */
export interface MetricsFilter {
  breakdown: string;
  agencyId?: string;
  /** Ages and deadlines measured to this time (a past day); default now. */
  asOf?: string;
  from?: string;
  to?: string;
}

type Query = Record<string, string | undefined>;

function query(f: MetricsFilter, extra: Query = {}): Query {
  return { breakdown: f.breakdown, agencyId: f.agencyId, from: f.from, to: f.to, asOf: f.asOf, ...extra };
}

/** The parts of the live dashboard, each one `GET /api/v1/metrics/…` route. */
interface LiveParts {
  summary: SummaryMetrics;
  wip: WipMetrics;
  timeInStage: TimeInStageMetrics;
  deadlines: DeadlineMetrics;
  referralsWaiting: ReferralsWaitingMetrics;
  stageBreaches: z.infer<typeof stageBreachResponse>;
  /** Undivided, over the headline's period: the PHOF indicators beside the headline. */
  outcomes: OutcomeMetrics;
}

/** Which measure (as `metrics.changed` names them) each part shows: a part is refetched only when its measure moved. */
const PART_MEASURE: Record<keyof LiveParts, string> = {
  summary: 'summary',
  wip: 'wip',
  timeInStage: 'time-in-stage',
  deadlines: 'deadlines',
  referralsWaiting: 'referrals-waiting',
  stageBreaches: 'deadlines',
  outcomes: 'outcomes',
};

/** The live dashboard's measures, and when its stage counts and headline figures were fetched. */
export type LiveMetrics = LiveParts & {
  /** `started` of the load that last fetched the stage counts (`wip`) and the headline figures (`summary`). */
  fetchedAt: { wip: number; summary: number };
};

/** What a live refresh already has: the last answer, and the measures `metrics.changed` said moved since. */
export interface LiveRefresh {
  previous: LiveMetrics;
  measures: ReadonlySet<string>;
}

/**
 * Everything the live part of the dashboard shows, fetched together; on a live refresh,
 * only the parts whose measures moved (the rest kept from `refresh.previous`).
 * @param started - a number the caller uses to order answers against live messages; kept on the parts fetched
 */
export async function loadLiveMetrics(f: MetricsFilter, signal?: AbortSignal, refresh?: LiveRefresh, started = 0): Promise<LiveMetrics> {
  const q = query(f);
  const scopeOnly = { agencyId: f.agencyId, asOf: f.asOf };
  const routes: { [K in keyof LiveParts]: () => Promise<LiveParts[K]> } = {
    summary: () => api('/metrics/summary', { query: scopeOnly, signal }),
    wip: () => api('/metrics/wip', { query: q, signal }),
    timeInStage: () => api('/metrics/time-in-stage', { query: q, signal }),
    deadlines: () => api('/metrics/deadlines', { query: q, signal }),
    referralsWaiting: () => api('/metrics/referrals-waiting', { query: q, signal }),
    stageBreaches: () => api('/metrics/stage-breaches', { query: scopeOnly, signal }),
    outcomes: () => api('/metrics/outcomes', { query: scopeOnly, signal }),
  };
  const keys = Object.keys(routes) as Array<keyof LiveParts>;
  const fetched = keys.map((k) => !refresh || refresh.measures.has(PART_MEASURE[k]));
  const answers = await Promise.all(keys.map((k, i) => (fetched[i] ? routes[k]() : Promise.resolve(refresh?.previous[k]))));
  const out = Object.fromEntries(keys.map((k, i) => [k, answers[i]])) as unknown as LiveParts;
  const wipFetched = fetched[keys.indexOf('wip')];
  const summaryFetched = fetched[keys.indexOf('summary')];
  return {
    ...out,
    fetchedAt: {
      wip: wipFetched || !refresh ? started : refresh.previous.fetchedAt.wip,
      summary: summaryFetched || !refresh ? started : refresh.previous.fetchedAt.summary,
    },
  };
}


/** One calendar month of the trend charts. */
export interface MonthPeriod {
  label: string;
  from: string;
  to: string;
  /** The month is still running: its figure counts only the days so far. */
  partial: boolean;
}

/** The last `n` calendar months up to `today` (the current one is partial). */
export function lastMonths(n: number, today = new Date()): MonthPeriod[] {
  const out: MonthPeriod[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const start = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - i, 1));
    const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0));
    const to = end > today ? today : end;
    out.push({
      partial: end > today,
      label: start.toLocaleDateString('en-GB', { month: 'short', year: '2-digit', timeZone: 'UTC' }),
      from: start.toISOString().slice(0, 10),
      to: to.toISOString().slice(0, 10),
    });
  }
  return out;
}

/** Outcome measures month by month, for the trend charts. */
export async function loadOutcomeTrend(f: MetricsFilter, months: MonthPeriod[], signal?: AbortSignal) {
  const results = await Promise.all(
    months.map((m) => api<OutcomeMetrics>('/metrics/outcomes', { query: query({ ...f, from: m.from, to: m.to }), signal })),
  );
  return months.map((m, i) => ({ period: m, outcomes: results[i]! }));
}

export type OutcomeTrend = Awaited<ReturnType<typeof loadOutcomeTrend>>;

/** Caseloads per team and keyworker for the dashboard's scope. */
export async function loadCaseloads(f: MetricsFilter, signal?: AbortSignal) {
  return api<z.infer<typeof caseloadResponse>>('/metrics/caseloads', { query: { agencyId: f.agencyId, asOf: f.asOf }, signal });
}
