/**
 * Outcome measures over a period: starts within 21 days of referral, successful completion
 * without re-presentation within 6 months (PHOF C19), continuity of care within 21 days of
 * release, re-presentations and deaths in treatment. See definitions.ts for each rule.
 */
import { REPRESENTATION_WINDOW_DAYS, STANDARD_DAYS } from '../case-facts.ts';
import { readCounts, sumBy } from '../count-reader.ts';
import { dayOf } from '../days.ts';
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import type { MetricsDb } from '../metric-tables.ts';
import type { MeasureQuery } from './measure-query.ts';

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
  const asOfDay = dayOf(q.asOf);
  const base = { agencyIds: q.agencyIds, dim: q.dim };
  const period = { ...base, dayFrom: q.fromDay, dayTo: q.toDay };
  const [started, txStart, txEnd, success, represented, release, engaged, awaiting, representations, deaths] = await Promise.all([
    readCounts(db, { metric: 'started', ...period }),
    readCounts(db, { metric: 'tx_start', ...base, dayTo: q.toDay }),
    readCounts(db, { metric: 'tx_end', ...base, dayTo: q.fromDay - 1 }),
    readCounts(db, { metric: 'success', ...period }),
    readCounts(db, { metric: 'success_represented', ...period }),
    readCounts(db, { metric: 'release', ...period }),
    readCounts(db, { metric: 'engaged', ...period }),
    readCounts(db, { metric: 'continuity_open', ...base, dayFrom: Math.max(q.fromDay, asOfDay - STANDARD_DAYS), dayTo: q.toDay }),
    readCounts(db, { metric: 'representation', ...period }),
    readCounts(db, { metric: 'death', ...period }),
  ]);
  const byGroup = (rows: typeof started) => sumBy(rows, (r) => r.value);
  const startedAll = byGroup(started);
  const startedWithin = byGroup(started.filter((r) => r.k === 'within'));
  const inTx = byGroup(txStart);
  for (const [g, n] of byGroup(txEnd)) inTx.set(g, (inTx.get(g) ?? 0) - n);
  const successes = byGroup(success);
  const repres = byGroup(represented);
  const openFrom = asOfDay - REPRESENTATION_WINDOW_DAYS;
  const successOpen = byGroup(success.filter((r) => r.day >= openFrom));
  const represOpen = byGroup(represented.filter((r) => r.day >= openFrom));
  const released = byGroup(release);
  const within = byGroup(engaged.filter((r) => r.k === 'within'));
  const later = byGroup(engaged.filter((r) => r.k === 'beyond'));
  const waiting = byGroup(awaiting);
  const repCounts = byGroup(representations);
  const deathCounts = byGroup(deaths);

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
