/**
 * Employment, education, training and volunteering support (seed 004, section 1.8): the ETE
 * interventions of care packages that started in the period, per modality, beside the
 * journeys in treatment in the period, so commissioners can hold providers to ETE in their
 * performance monitoring. See definitions.ts (`ete`).
 */
import { ETE_MODALITIES } from '../../../machines/codes.ts';
import { readSums, sumBy } from '../count-reader.ts';
import { FIGURE_DEFINITIONS } from '../definitions.ts';
import type { MetricsDb } from '../metric-tables.ts';
import type { MeasureQuery } from './measure-query.ts';

/** One ETE modality code. */
export type EteModality = (typeof ETE_MODALITIES)[number];

export interface EteFigure {
  ete: {
    definition: string;
    rows: Array<{ group: string; started: number; byModality: Record<EteModality, number>; inTreatment: number }>;
  };
}

/** ETE support started in the period `q.fromDay`–`q.toDay`, per breakdown group. */
export async function ete(db: MetricsDb, q: MeasureQuery): Promise<EteFigure> {
  const base = { agencyIds: q.agencyIds, dim: q.dim };
  // Three reads: the period's ETE starts, and the two ends of the in-treatment span (as outcomes.ts).
  const [starts, txStart, txEnd] = await Promise.all([
    readSums(db, { ...base, metrics: ['ete_start'], dayFrom: q.fromDay, dayTo: q.toDay }),
    readSums(db, { ...base, metrics: ['tx_start'], dayTo: q.toDay }),
    readSums(db, { ...base, metrics: ['tx_end'], dayTo: q.fromDay - 1 }),
  ]);
  const inTx = sumBy(txStart, (r) => r.value);
  for (const [g, n] of sumBy(txEnd, (r) => r.value)) inTx.set(g, (inTx.get(g) ?? 0) - n);
  const byGroup = new Map<string, Record<EteModality, number>>();
  for (const r of starts) {
    const counts = byGroup.get(r.value) ?? (Object.fromEntries(ETE_MODALITIES.map((m) => [m, 0])) as Record<EteModality, number>);
    if ((ETE_MODALITIES as readonly string[]).includes(r.k)) counts[r.k as EteModality] += r.n;
    byGroup.set(r.value, counts);
  }
  const groups = [...new Set([...byGroup.keys(), ...inTx.keys()])].sort();
  const none = (): Record<EteModality, number> => Object.fromEntries(ETE_MODALITIES.map((m) => [m, 0])) as Record<EteModality, number>;
  return {
    ete: {
      definition: FIGURE_DEFINITIONS.ete,
      rows: groups.map((group) => {
        const byModality = byGroup.get(group) ?? none();
        return { group, started: Object.values(byModality).reduce((s, n) => s + n, 0), byModality, inTreatment: inTx.get(group) ?? 0 };
      }),
    },
  };
}
