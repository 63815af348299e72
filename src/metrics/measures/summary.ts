/**
 * The dashboard's headline figures in one read: work in progress by stage, the deadline
 * totals and the outcome shares for the period, all undivided (`all`).
 */
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import type { MetricsDb } from '../metric-tables.ts';
import { deadlines } from './deadlines.ts';
import type { MeasureQuery } from './measure-query.ts';
import { outcomes } from './outcomes.ts';
import { workInProgress } from './work-in-progress.ts';

interface Headline {
  definition: string;
  value: number | null;
}

export interface Summary {
  workInProgress: { definition: string; total: number; byStage: Record<string, number> };
  waitingOver21Days: Headline;
  reviewsOverdue: Headline;
  continuityOver21Days: Headline;
  referralsNotAcknowledged: Headline;
  referralsNotContacted: Headline;
  startedWithin21Days: Headline;
  successfulCompletion: Headline;
  continuityOfCare: Headline;
  representations: Headline;
  deathsInTreatment: Headline;
}

/** Headline figures for the scope and period. */
export async function summary(db: MetricsDb, query: MeasureQuery): Promise<Summary> {
  const q: MeasureQuery = { ...query, dim: 'all' };
  const [wip, due, out] = await Promise.all([workInProgress(db, q), deadlines(db, q), outcomes(db, q)]);
  const byStage: Record<string, number> = {};
  for (const r of wip.workInProgress.rows) byStage[r.stage] = (byStage[r.stage] ?? 0) + r.count;
  const first = <T>(rows: T[]): T | undefined => rows[0];
  return {
    workInProgress: { definition: FIGURE_DEFINITIONS.workInProgress, total: wip.workInProgress.total, byStage },
    waitingOver21Days: { definition: FIGURE_DEFINITIONS.waitingOver21Days, value: due.waitingOver21Days.total },
    reviewsOverdue: { definition: FIGURE_DEFINITIONS.reviewsOverdue, value: due.reviewsOverdue.total },
    continuityOver21Days: { definition: FIGURE_DEFINITIONS.continuityOver21Days, value: due.continuityOver21Days.total },
    referralsNotAcknowledged: { definition: FIGURE_DEFINITIONS.referralsNotAcknowledged, value: due.referralsNotAcknowledged.total },
    referralsNotContacted: { definition: FIGURE_DEFINITIONS.referralsNotContacted, value: due.referralsNotContacted.total },
    startedWithin21Days: { definition: FIGURE_DEFINITIONS.startedWithin21Days, value: first(out.startedWithin21Days.rows)?.share ?? null },
    successfulCompletion: { definition: FIGURE_DEFINITIONS.successfulCompletion, value: first(out.successfulCompletion.rows)?.share ?? null },
    continuityOfCare: { definition: FIGURE_DEFINITIONS.continuityOfCare, value: first(out.continuityOfCare.rows)?.share ?? null },
    representations: { definition: FIGURE_DEFINITIONS.representations, value: first(out.representations.rows)?.count ?? 0 },
    deathsInTreatment: { definition: FIGURE_DEFINITIONS.deathsInTreatment, value: first(out.deathsInTreatment.rows)?.deaths ?? 0 },
  };
}
