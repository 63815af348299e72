/**
 * The pathway keeps its interventions as plain records; these helpers run each record
 * through the intervention machine so the lifecycle rule (referred → offered → started →
 * ended) is written once, in intervention.machine.ts.
 */
import { createActor, type ActorScope } from 'xstate';
import { interventionMachine, type InterventionEvent, type InterventionRecord } from './intervention.machine.ts';

/** Rebuilds an intervention machine snapshot from a stored record. */
function snapshotOf(record: InterventionRecord) {
  return interventionMachine.resolveState({ value: record.status, context: record });
}

/** True when the intervention, in its current status, accepts the event (guards included). */
export function interventionAccepts(record: InterventionRecord, event: InterventionEvent): boolean {
  return snapshotOf(record).can(event);
}

// xstate's `transition()` builds a fresh actor on every call, which made this helper most of
// the cost of replaying a journey. The intervention machine only assigns (no timers, no
// children), so one inert scope, made once, serves every call; its actions are dropped.
type InterventionScope = Parameters<typeof interventionMachine.transition>[2];
let inertScope: InterventionScope | undefined;
function scope(): InterventionScope {
  if (!inertScope) {
    const self = createActor(interventionMachine, { input: { id: 'inert-scope', modality: 'outreach' } });
    const noop = (): void => undefined;
    const partial: Partial<ActorScope<never, never>> & Record<string, unknown> = {
      self: self as never,
      system: self.system as never,
      id: '',
      sessionId: '',
      logger: noop,
      defer: noop,
      emit: noop,
      stopChild: noop,
      actionExecutor: noop,
    };
    inertScope = partial as unknown as InterventionScope;
  }
  return inertScope;
}

/** The record after the intervention machine applies the event (unchanged when not accepted). */
export function applyInterventionEvent(record: InterventionRecord, event: InterventionEvent): InterventionRecord {
  const next = interventionMachine.transition(snapshotOf(record), event, scope());
  return { ...next.context, status: next.value };
}

/** A fresh record for an intervention just referred to. */
export function newInterventionRecord(id: string, modality: InterventionRecord['modality'], referredOn: string): InterventionRecord {
  return { id, modality, status: 'referred', referredOn, offeredOn: null, startedOn: null, endedOn: null, exitStatus: null };
}
