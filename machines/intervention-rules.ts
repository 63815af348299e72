/**
 * The pathway keeps its interventions as plain records; these helpers run each record
 * through the intervention machine so the lifecycle rule (referred → offered → started →
 * ended) is written once, in intervention.machine.ts.
 */
import { inertTransition } from './inert-transition.ts';
import { interventionMachine, type InterventionEvent, type InterventionRecord } from './intervention.machine.ts';

/** Rebuilds an intervention machine snapshot from a stored record. */
function snapshotOf(record: InterventionRecord) {
  return interventionMachine.resolveState({ value: record.status, context: record });
}

/** True when the intervention, in its current status, accepts the event (guards included). */
export function interventionAccepts(record: InterventionRecord, event: InterventionEvent): boolean {
  return snapshotOf(record).can(event);
}

/** The record after the intervention machine applies the event (unchanged when not accepted). */
export function applyInterventionEvent(record: InterventionRecord, event: InterventionEvent): InterventionRecord {
  // The intervention machine only assigns (no timers, no children): its actions are dropped.
  const [next] = inertTransition(interventionMachine, snapshotOf(record), event);
  return { ...(next.context as InterventionRecord), status: next.value as InterventionRecord['status'] };
}

/** A fresh record for an intervention just referred to. */
export function newInterventionRecord(id: string, modality: InterventionRecord['modality'], referredOn: string): InterventionRecord {
  return { id, modality, status: 'referred', referredOn, offeredOn: null, startedOn: null, endedOn: null, exitStatus: null };
}
