/**
 * Outcome measures over a period: starts within 21 days of referral, successful completion
 * without re-presentation within 6 months (PHOF C19), continuity of care within 21 days of
 * release, re-presentations and deaths in treatment. See definitions.ts for each rule.
 */
import { REPRESENTATION_WINDOW_DAYS, STANDARD_DAYS } from '../case-facts.ts';
import { readSums, sumBy, type SumRow } from '../count-reader.ts';
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import type { MetricsDb } from '../metric-tables.ts';
import { asOfDayOf, type MeasureQuery } from './measure-query.ts';

export interface Outcomes {
  startedWithin21Days: { definition: string; rows: Array<{ group: string; started: number; within: number; share: number | null }> };
  successfulCompletion: {
    definition: string;
    rows: Array<{
      group: string;
      inTreatment: number;
      completedSuccessfully: number;
      representedWithin6Months: number;
      notRepresented: number;
      windowOpen: number;
      share: number | null;
    }>;
  };
  continuityOfCare: {
    definition: string;
    rows: Array<{ group: string; released: number; engagedWithin21Days: number; engagedLater: number; awaiting: number; share: number | null }>;
  };
  representations: { definition: string; rows: Array<{ group: string; count: number }> };
  deathsInTreatment: { definition: string; rows: Array<{ group: string; deaths: number; inTreatment: number }> };
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

/** Outcomes for the period `q.fromDay`–`q.toDay`, as known at `q.asOf`. */
export async function outcomes(db: MetricsDb, q: MeasureQuery): Promise<Outcomes> {
  const asOfDay = asOfDayOf(q);
  const base = { agencyIds: q.agencyIds, dim: q.dim };
  const openFrom = asOfDay - REPRESENTATION_WINDOW_DAYS;
  // Five reads, each summed in the database: the period's event counters, the two ends of
  // the in-treatment span, releases still awaiting engagement, and completions whose
  // 6-month window is still open.
  const [period, txStart, txEnd, awaiting, open] = await Promise.all([
    readSums(db, { ...base, metrics: ['started', 'success', 'success_represented', 'release', 'engaged', 'representation', 'death'], dayFrom: q.fromDay, dayTo: q.toDay }),
    readSums(db, { ...base, metrics: ['tx_start'], dayTo: q.toDay }),
    readSums(db, { ...base, metrics: ['tx_end'], dayTo: q.fromDay - 1 }),
    readSums(db, { ...base, metrics: ['continuity_open'], dayFrom: Math.max(q.fromDay, asOfDay - STANDARD_DAYS), dayTo: q.toDay }),
    readSums(db, { ...base, metrics: ['success', 'success_represented'], dayFrom: Math.max(q.fromDay, openFrom), dayTo: q.toDay }),
  ]);
  const byGroup = (rows: SumRow[], metric: string, k?: string): Map<string, number> =>
    sumBy(rows.filter((r) => r.metric === metric && (k === undefined || r.k === k)), (r) => r.value);
  const startedAll = byGroup(period, 'started');
  const startedWithin = byGroup(period, 'started', 'within');
  const inTx = byGroup(txStart, 'tx_start');
  for (const [g, n] of byGroup(txEnd, 'tx_end')) inTx.set(g, (inTx.get(g) ?? 0) - n);
  const successes = byGroup(period, 'success');
  const repres = byGroup(period, 'success_represented');
  const successOpen = byGroup(open, 'success');
  const represOpen = byGroup(open, 'success_represented');
  const released = byGroup(period, 'release');
  const within = byGroup(period, 'engaged', 'within');
  const later = byGroup(period, 'engaged', 'beyond');
  const waiting = byGroup(awaiting, 'continuity_open');
  const repCounts = byGroup(period, 'representation');
  const deathCounts = byGroup(period, 'death');

  const groups = (...maps: Array<Map<string, number>>): string[] => [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
  const get = (m: Map<string, number>, g: string): number => m.get(g) ?? 0;

  return {
    startedWithin21Days: {
      definition: FIGURE_DEFINITIONS.startedWithin21Days,
      rows: groups(startedAll).map((group) => ({
        group,
        started: get(startedAll, group),
        within: get(startedWithin, group),
        share: ratio(get(startedWithin, group), get(startedAll, group)),
      })),
    },
    successfulCompletion: {
      definition: FIGURE_DEFINITIONS.successfulCompletion,
      rows: groups(inTx, successes).map((group) => {
        const notRepresented = get(successes, group) - get(repres, group);
        return {
          group,
          inTreatment: get(inTx, group),
          completedSuccessfully: get(successes, group),
          representedWithin6Months: get(repres, group),
          notRepresented,
          windowOpen: get(successOpen, group) - get(represOpen, group),
          share: ratio(notRepresented, get(inTx, group)),
        };
      }),
    },
    continuityOfCare: {
      definition: FIGURE_DEFINITIONS.continuityOfCare,
      rows: groups(released).map((group) => ({
        group,
        released: get(released, group),
        engagedWithin21Days: get(within, group),
        engagedLater: get(later, group),
        awaiting: get(waiting, group),
        share: ratio(get(within, group), get(released, group)),
      })),
    },
    representations: { definition: FIGURE_DEFINITIONS.representations, rows: groups(repCounts).map((group) => ({ group, count: get(repCounts, group) })) },
    deathsInTreatment: {
      definition: FIGURE_DEFINITIONS.deathsInTreatment,
      rows: groups(deathCounts, inTx).map((group) => ({ group, deaths: get(deathCounts, group), inTreatment: get(inTx, group) })),
    },
  };
}
