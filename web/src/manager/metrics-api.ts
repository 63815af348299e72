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

/** Everything the live part of the dashboard shows, fetched together. */
export async function loadLiveMetrics(f: MetricsFilter, signal?: AbortSignal) {
  const q = query(f);
  const [summary, wip, timeInStage, deadlines, referralsWaiting, stageBreaches] = await Promise.all([
    api<SummaryMetrics>('/metrics/summary', { query: { agencyId: f.agencyId, asOf: f.asOf }, signal }),
    api<WipMetrics>('/metrics/wip', { query: q, signal }),
    api<TimeInStageMetrics>('/metrics/time-in-stage', { query: q, signal }),
    api<DeadlineMetrics>('/metrics/deadlines', { query: q, signal }),
    api<ReferralsWaitingMetrics>('/metrics/referrals-waiting', { query: q, signal }),
    api<z.infer<typeof stageBreachResponse>>('/metrics/stage-breaches', { query: { agencyId: f.agencyId, asOf: f.asOf }, signal }),
  ]);
  return { summary, wip, timeInStage, deadlines, referralsWaiting, stageBreaches };
}

export type LiveMetrics = Awaited<ReturnType<typeof loadLiveMetrics>>;

/** One calendar month of the trend charts. */
export interface MonthPeriod {
  label: string;
  from: string;
  to: string;
}

/** The last `n` calendar months up to `today` (the current one is partial). */
export function lastMonths(n: number, today = new Date()): MonthPeriod[] {
  const out: MonthPeriod[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const start = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - i, 1));
    const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0));
    const to = end > today ? today : end;
    out.push({
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
