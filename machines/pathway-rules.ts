/**
 * Pure rules the pathway machine's guards and actions share: care-plan merging, the
 * exit-TOP check, check-up bookkeeping. Kept apart so the machine file reads as a chart.
 */
import { isInterventionModality } from './codes.ts';
import { newInterventionRecord } from './intervention-rules.ts';
import type { InterventionRecord } from './intervention.machine.ts';
import type { CarePlan, CheckupRecord, PathwayContext, PlannedIntervention } from './pathway-types.ts';
import { DEFAULT_CHECKUP_SCHEDULE_DAYS } from './time.ts';
import { isTopRecord, type TopRecord } from './top-record.ts';

/** A care plan needs at least one intervention, each with a unique non-empty id and a known modality. */
export function isValidPlannedPackage(interventions: unknown): interventions is PlannedIntervention[] {
  if (!Array.isArray(interventions) || interventions.length === 0) return false;
  const ids = new Set<string>();
  for (const item of interventions as Array<Partial<PlannedIntervention> | null>) {
    if (!item || typeof item.id !== 'string' || item.id.length === 0 || ids.has(item.id)) return false;
    if (!isInterventionModality(item.modality)) return false;
    ids.add(item.id);
  }
  return true;
}

/**
 * The care plan after a new agreement. Interventions keep their record when their id is
 * kept; new ids start as referred; dropped ones that had started or ended stay, because
 * what happened in treatment cannot be unsaid; dropped ones not yet started go.
 */
export function mergeCarePlan(current: CarePlan | null, carePlanDate: string, planned: PlannedIntervention[]): CarePlan {
  const existing = new Map((current?.interventions ?? []).map((i) => [i.id, i]));
  const plannedIds = new Set(planned.map((p) => p.id));
  const interventions: InterventionRecord[] = planned.map((p) => {
    const kept = existing.get(p.id);
    return kept ? { ...kept, modality: p.modality } : newInterventionRecord(p.id, p.modality, carePlanDate);
  });
  for (const old of current?.interventions ?? []) {
    if (!plannedIds.has(old.id) && (old.status === 'started' || old.status === 'ended')) interventions.push(old);
  }
  return { carePlanDate, interventions };
}

/** The last care package offered again on rapid re-entry: same interventions, all back to referred. */
export function restoreCarePlan(last: CarePlan | null, restoredOn: string): CarePlan | null {
  if (!last) return null;
  return { carePlanDate: restoredOn, interventions: last.interventions.map((i) => newInterventionRecord(i.id, i.modality, restoredOn)) };
}

/** True when an exit TOP is given with the discharge, or one was recorded in this treatment episode. */
export function hasExitTop(context: PathwayContext, exitTop: TopRecord | undefined): boolean {
  if (exitTop !== undefined) return isTopRecord(exitTop) && exitTop.kind === 'exit';
  const since = context.treatmentStartedOn ?? context.referredOn;
  return context.tops.some((t) => t.kind === 'exit' && t.recordedOn >= since);
}

/** Check-ups scheduled by a successful completion. */
export function scheduleCheckups(scheduleDays: number[]): CheckupRecord[] {
  return scheduleDays.map((dueDays, index) => ({ index, dueDays, due: false, completedOn: null, top: null }));
}

/** Records a completed check-up against the earliest open scheduled one, or as an extra one. */
export function completeCheckup(checkups: CheckupRecord[], completedOn: string, top: TopRecord | null): CheckupRecord[] {
  const open = checkups.find((c) => c.completedOn === null);
  if (!open) return [...checkups, { index: checkups.length, dueDays: null, due: false, completedOn, top }];
  return checkups.map((c) => (c === open ? { ...c, completedOn, top } : c));
}

/** A usable check-up schedule: positive whole days, ascending, no repeats; the default when absent or empty. */
export function normaliseCheckupSchedule(days: number[] | undefined): number[] {
  const valid = [...new Set((days ?? []).filter((d) => Number.isInteger(d) && d > 0))].sort((a, b) => a - b);
  return valid.length > 0 ? valid : [...DEFAULT_CHECKUP_SCHEDULE_DAYS];
}
