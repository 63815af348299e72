/**
 * The pathway keeps its interventions as plain records; these helpers run each record
 * through the intervention machine so the lifecycle rule (referred → offered → started →
 * ended) is written once, in intervention.machine.ts.
 */
import { transition } from 'xstate';
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
  const [next] = transition(interventionMachine, snapshotOf(record), event);
  return { ...next.context, status: next.value };
}

/** A fresh record for an intervention just referred to. */
export function newInterventionRecord(id: string, modality: InterventionRecord['modality'], referredOn: string): InterventionRecord {
  return { id, modality, status: 'referred', referredOn, offeredOn: null, startedOn: null, endedOn: null, exitStatus: null };
}
