/**
 * The pathway model: sample events per state (valid ones drive the traversal, invalid
 * ones must be refused) and a finite abstraction of snapshots.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { type PathwayContext, type PathwayEvent, type PathwayInput } from '../../machines/index.ts';
import { hasExitTop } from '../../machines/pathway-rules.ts';
import { buildTop, ev } from './builders.ts';

export const pathwayModelInput: PathwayInput = { referralSource: 'probation', referredOn: '2026-01-05', checkupScheduleDays: [28] };

const ctx = (s: AnyMachineSnapshot): PathwayContext => s.context as PathwayContext;
const bad = (e: Record<string, unknown>): PathwayEvent => ev(e as { type: string }) as unknown as PathwayEvent;

/** Valid sample events for a snapshot; they drive the traversal. */
export function samples(s: AnyMachineSnapshot): PathwayEvent[] {
  const c = ctx(s);
  const interventionEvents: PathwayEvent[] = (c.carePlan?.interventions ?? []).flatMap((i) => [
    ev({ type: 'INTERVENTION_OFFERED' as const, interventionId: i.id }),
    ev({ type: 'INTERVENTION_STARTED' as const, interventionId: i.id }),
    ev({ type: 'INTERVENTION_ENDED' as const, interventionId: i.id, exitStatus: 'planned' as const }),
  ]);
  const checkupDue: PathwayEvent[] = c.checkups.filter((k) => k.dueDays !== null).map((k) => ev({ type: 'CHECKUP_DUE' as const, index: k.index }));
  // A keyworker's day: book when nothing is booked, then settle it; tasks a miss made are assigned and done.
  const booked = (c.appointments ?? []).find((a) => a.status === 'booked');
  const openTask = (c.tasks ?? []).find((t) => t.status === 'open');
  const n = (c.appointments ?? []).length;
  const keywork: PathwayEvent[] = [
    ...(booked
      ? [
          ev({ type: 'APPOINTMENT_ATTENDED' as const, appointmentId: booked.id }),
          ev({ type: 'APPOINTMENT_MISSED' as const, appointmentId: booked.id }),
          ev({ type: 'APPOINTMENT_CANCELLED' as const, appointmentId: booked.id, by: 'service' as const }),
        ]
      : [ev({ type: 'APPOINTMENT_BOOKED' as const, appointmentId: `a-${n}`, kind: 'keywork' as const, startsAt: '2026-01-06T10:00:00Z' })]),
    ev({ type: 'CONTACT_RECORDED' as const, contactId: `c-${(c.contacts ?? []).length}`, contactOn: '2026-01-06', mode: 'phone' as const, category: 'treatment_progress' as const, summary: 'Called' }),
    ...(openTask ? [ev({ type: 'TASK_ASSIGNED' as const, taskId: openTask.id, assigneeId: 'kw-2' }), ev({ type: 'TASK_COMPLETED' as const, taskId: openTask.id })] : []),
    // The engine's correcting event, in any open stage (it marks a withdrawal, if one is listed).
    ev({ type: 'BREACH_WITHDRAWN' as const, clock: 'waiting_time' as const, breachedAt: null, reason: 'recorded late', byEventSeq: 1 }),
  ];
  return [
    ...keywork,
    ev({ type: 'SCREENING_STARTED' }),
    ev({ type: 'SCREENING_COMPLETED', outcome: 'assess' }),
    ev({ type: 'SCREENING_COMPLETED', outcome: 'brief_advice' }),
    ev({ type: 'ASSESSMENT_COMPLETED', domains: { housingNeed: 'housing_problem', injectingStatus: 'previously' } }),
    ev({ type: 'CARE_PLAN_AGREED', carePlanDate: '2026-02-01', interventions: [{ id: 'psy-1', modality: 'structured_psychosocial' }] }),
    // A package with employment support beside treatment: its start does not start treatment.
    ...(c.treatmentStartedOn === null && c.carePlan === null
      ? [ev({ type: 'CARE_PLAN_AGREED' as const, interventions: [{ id: 'psy-1', modality: 'structured_psychosocial' as const }, { id: 'ete-1', modality: 'employment_support' as const }] })]
      : []),
    // A review can widen the package: a second intervention joins during treatment.
    ...(c.treatmentStartedOn && c.carePlan?.interventions.length === 1
      ? [ev({ type: 'CARE_PLAN_AGREED' as const, interventions: [{ id: 'psy-1', modality: 'structured_psychosocial' as const }, { id: 'rs-2', modality: 'recovery_support' as const }] })]
      : []),
    ...interventionEvents,
    ev({ type: 'TOP_RECORDED', top: buildTop('exit') }),
    ev({ type: 'REVIEW_COMPLETED', top: buildTop('review') }),
    ev({ type: 'DISCHARGED', reason: 'completed_drug_free', dischargedOn: '2026-03-02', exitTop: buildTop('exit') }),
    ev({ type: 'DISCHARGED', reason: 'dropped_out', dischargedOn: '2026-03-02' }),
    ev({ type: 'CHECKUP_COMPLETED', top: buildTop('post_exit') }),
    ...checkupDue,
    ev({ type: 'RELAPSE_REPORTED' }),
    ev({ type: 'REENTRY_CONFIRMED' }),
    ev({ type: 'CUSTODY_STARTED' }),
    ev({ type: 'RELEASED_FROM_CUSTODY' }),
    ev({ type: 'COMMUNITY_ENGAGED' }),
    ev({ type: 'KEYWORKER_ASSIGNED', keyworkerId: 'kw-1' }),
    ev({ type: 'WAITING_TIME_BREACHED' }),
    ev({ type: 'REVIEW_DUE' }),
    ev({ type: 'RECOVERY_SUSTAINED' }),
    ev({ type: 'CONTINUITY_OF_CARE_BREACHED' }),
  ];
}

/** Invalid samples for a snapshot: each must be refused (guard false or not handled here). */
export function rejections(s: AnyMachineSnapshot): PathwayEvent[] {
  const c = ctx(s);
  const out: PathwayEvent[] = [
    bad({ type: 'SCREENING_COMPLETED', outcome: 'brief_advice', dischargeReason: 'completed_drug_free' }),
    bad({ type: 'SCREENING_COMPLETED', outcome: 'admit' }),
    bad({ type: 'CARE_PLAN_AGREED', interventions: [] }),
    bad({ type: 'CARE_PLAN_AGREED', interventions: [{ id: 'x', modality: 'hypnosis' }] }),
    bad({ type: 'CARE_PLAN_AGREED', interventions: [{ id: 'x', modality: 'outreach' }, { id: 'x', modality: 'outreach' }] }),
    bad({ type: 'CARE_PLAN_AGREED', carePlanDate: 'soon', interventions: [{ id: 'x', modality: 'outreach' }] }),
    bad({ type: 'INTERVENTION_OFFERED', interventionId: 'not-in-plan' }),
    bad({ type: 'INTERVENTION_STARTED', interventionId: 'not-in-plan' }),
    bad({ type: 'INTERVENTION_ENDED', interventionId: 'not-in-plan', exitStatus: 'planned' }),
    bad({ type: 'TOP_RECORDED', top: buildTop('review', '2026-03-02', { psychologicalHealth: 25 }) }),
    bad({ type: 'TOP_RECORDED', top: { kind: 'exit' } }),
    bad({ type: 'REVIEW_COMPLETED', top: buildTop('review', '2026-03-02', { paidWorkDays: 40 }) }),
    bad({ type: 'DISCHARGED', reason: 'got_better', dischargedOn: '2026-03-02' }),
    bad({ type: 'DISCHARGED', reason: 'dropped_out', dischargedOn: '' }),
    bad({ type: 'DISCHARGED', reason: 'completed_drug_free', dischargedOn: '2026-03-02', exitTop: buildTop('review') }),
    bad({ type: 'CHECKUP_COMPLETED', top: buildTop('post_exit', '2026-03-02', { qualityOfLife: -1 }) }),
    bad({ type: 'CHECKUP_DUE', index: 99 }),
    bad({ type: 'KEYWORKER_ASSIGNED', keyworkerId: '' }),
    bad({ type: 'APPOINTMENT_ATTENDED', appointmentId: 'never-booked' }),
    bad({ type: 'APPOINTMENT_BOOKED', appointmentId: 'x', kind: 'séance', startsAt: '2026-01-06T10:00:00Z' }),
    bad({ type: 'CONTACT_RECORDED', contactId: 'x', contactOn: '2026-01-06', mode: 'phone', category: 'health', summary: ' ' }),
    bad({ type: 'CONTACT_RECORDED', contactId: 'x', contactOn: '2099-01-06', mode: 'phone', category: 'health', summary: 'From the future' }),
    bad({ type: 'TASK_COMPLETED', taskId: 'no-such-task' }),
  ];
  // A successful discharge without any exit TOP.
  if (!hasExitTop(c, undefined)) out.push(bad({ type: 'DISCHARGED', reason: 'completed_occasional_user', dischargedOn: '2026-03-02' }));
  // Lifecycle steps each intervention's status does not allow (the intervention machine decides).
  for (const i of c.carePlan?.interventions ?? []) {
    if (i.status !== 'referred') out.push(bad({ type: 'INTERVENTION_OFFERED', interventionId: i.id }));
    if (i.status !== 'offered') out.push(bad({ type: 'INTERVENTION_STARTED', interventionId: i.id }));
    if (i.status !== 'started') out.push(bad({ type: 'INTERVENTION_ENDED', interventionId: i.id, exitStatus: 'planned' }));
    if (i.status === 'started') out.push(bad({ type: 'INTERVENTION_ENDED', interventionId: i.id, exitStatus: 'vanished' }));
  }
  for (const k of c.checkups) if (k.due || k.completedOn) out.push(bad({ type: 'CHECKUP_DUE', index: k.index }));
  if (!c.continuity || c.continuity.engagedOn) {
    out.push(bad({ type: 'COMMUNITY_ENGAGED' }), bad({ type: 'CONTINUITY_OF_CARE_BREACHED' }));
  } else if (c.continuity.breached) {
    out.push(bad({ type: 'CONTINUITY_OF_CARE_BREACHED' }));
  }
  return out;
}

/**
 * The parts of context that change what the machine will accept in the current stage (or
 * the stage custody will return to), so the abstract state space stays small and finite.
 */
export function serializeState(s: AnyMachineSnapshot): string {
  const c = ctx(s);
  if (s.status === 'done') return JSON.stringify([s.value, c.closure?.sustainedRecovery ?? '-']);
  const stage = c.custody?.stageBeforeCustody ?? (typeof s.value === 'string' ? s.value : 'inTreatment');
  const continuity = !c.continuity ? '-' : c.continuity.engagedOn ? 'engaged' : c.continuity.breached ? 'breached' : 'pending';
  // Whether an appointment is booked and a task is open: what the day's events accept.
  const day = `${(c.appointments ?? []).some((a) => a.status === 'booked') ? 'b' : '-'}${(c.tasks ?? []).some((t) => t.status === 'open') ? 't' : '-'}`;
  const key: unknown[] = [s.value, c.custody?.stageBeforeCustody ?? '-', continuity, day];
  if (stage === 'carePlanning' || stage.startsWith('inTreatment')) key.push(c.carePlan?.interventions.map((i) => i.status).join(',') ?? '-');
  if (stage.startsWith('inTreatment')) key.push(hasExitTop(c, undefined) ? 'exitTop' : 'noExitTop');
  if (stage === 'recoveryCheckups') key.push(c.checkups.filter((k) => k.dueDays !== null).map((k) => `${k.due ? 'd' : ''}${k.completedOn ? 'c' : ''}`).join(','));
  return JSON.stringify(key);
}
