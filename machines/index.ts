/**
 * The machine registry the engine codes against: which statechart (and which version of
 * it) runs each stream, which events a snapshot accepts, and which events only timers
 * may send. Old versions stay here so stored journeys keep loading.
 */
import { getNextTransitions, type AnyMachineSnapshot, type AnyStateMachine, type StateValue } from 'xstate';
import { pathwayMachine } from './pathway.machine.ts';
import { PATHWAY_TIMER_EVENT_TYPES } from './pathway-types.ts';
import { referralMachine, REFERRAL_TIMER_EVENT_TYPES } from './referral.machine.ts';
import { personMachine, PERSON_OPENING_EVENT, PERSON_TIMER_EVENT_TYPES } from './person.machine.ts';
import { agencyMachine, AGENCY_OPENING_EVENT } from './agency.machine.ts';
import { staffMachine, STAFF_OPENING_EVENT } from './staff.machine.ts';

export type {
  PathwayContext,
  PathwayEvent,
  PathwayEventType,
  PathwayInput,
  CarePlan,
  CheckupRecord,
  ClosureRecord,
  ContinuityRecord,
  CustodyRecord,
  DischargeRecord,
  ReviewRecord,
  ResumableStage,
  AssessmentDomains,
  PlannedIntervention,
} from './pathway-types.ts';
export { PATHWAY_EVENT_TYPES, PATHWAY_TIMER_EVENT_TYPES, PATHWAY_TIMER_IDS, checkupTimerId } from './pathway-types.ts';
export type { ReferralContext, ReferralEvent, ReferralEventType, ReferralInput } from './referral.machine.ts';
export { REFERRAL_EVENT_TYPES, REFERRAL_TIMER_EVENT_TYPES, REFERRAL_TIMER_IDS } from './referral.machine.ts';
export type { InterventionRecord, InterventionStatus, InterventionEvent } from './intervention.machine.ts';
export type { TopRecord, TopKind } from './top-record.ts';
export type { PersonContext, PersonEvent, PersonEventType, PersonConsentState, PersonConsentStatus } from './person.machine.ts';
export { PERSON_EVENT_TYPES, PERSON_OPENING_EVENT, PERSON_TIMER_EVENT_TYPES, consentExpiryTimerId } from './person.machine.ts';
export type { AgencyContext, AgencyEvent, AgencyEventType } from './agency.machine.ts';
export { AGENCY_EVENT_TYPES, AGENCY_OPENING_EVENT } from './agency.machine.ts';
export type { StaffContext, StaffEvent, StaffEventType, StaffRole } from './staff.machine.ts';
export { STAFF_EVENT_TYPES, STAFF_OPENING_EVENT, STAFF_ROLES } from './staff.machine.ts';
export { pathwayMachine, referralMachine, personMachine, agencyMachine, staffMachine };

/**
 * Kinds of event stream: a treatment journey (`case`), a referral between agencies, and
 * the records every other write goes through: a person (with their consents), an agency,
 * a member of staff (`user`).
 */
export type StreamType = 'case' | 'referral' | 'person' | 'agency' | 'user';

/** The stream types whose row is a generic `record_streams` row with projections beside it. */
export type RecordStreamType = Exclude<StreamType, 'case' | 'referral'>;

/** Every record stream type. */
export const RECORD_STREAM_TYPES: readonly RecordStreamType[] = ['person', 'agency', 'user'];

/** True for the stream types kept in `record_streams`. */
export function isRecordStream(stream: string): stream is RecordStreamType {
  return (RECORD_STREAM_TYPES as readonly string[]).includes(stream);
}

/** The event that opens each record stream (its creation, logged at version 1). */
export const OPENING_EVENTS: Record<RecordStreamType, string> = {
  person: PERSON_OPENING_EVENT,
  agency: AGENCY_OPENING_EVENT,
  user: STAFF_OPENING_EVENT,
};

/** Machine versions per stream type; `current` is the version new streams start on. */
export const MACHINES: Record<StreamType, { current: number; versions: Record<number, AnyStateMachine> }> = {
  case: { current: 1, versions: { 1: pathwayMachine } },
  referral: { current: 1, versions: { 1: referralMachine } },
  person: { current: 1, versions: { 1: personMachine } },
  agency: { current: 1, versions: { 1: agencyMachine } },
  user: { current: 1, versions: { 1: staffMachine } },
};

/**
 * The machine for a stream type and version.
 * @throws Error naming the versions that exist, when `version` is unknown.
 */
export function getMachine(stream: StreamType, version: number): AnyStateMachine {
  const entry = MACHINES[stream] as (typeof MACHINES)[StreamType] | undefined;
  if (!entry) throw new Error(`Unknown stream type "${String(stream)}"; expected one of: ${Object.keys(MACHINES).join(', ')}.`);
  const machine = entry.versions[version];
  if (!machine) {
    throw new Error(
      `No ${stream} machine version ${version}; known versions: ${Object.keys(entry.versions).join(', ')}. ` +
        'Old versions must stay registered in machines/index.ts so stored streams keep loading.',
    );
  }
  return machine;
}

/**
 * Event types the snapshot's active states handle (guards not evaluated), sorted, without
 * XState's internal `xstate.*` events. Empty once the stream has reached a final state.
 * Includes timer events; filter with TIMER_EVENT_TYPES to show what a user may send.
 */
export function acceptedEventTypes(snapshot: AnyMachineSnapshot): string[] {
  if (snapshot.status !== 'active') return [];
  const types = new Set<string>();
  for (const t of getNextTransitions(snapshot)) {
    const type: string = String(t.eventType);
    // Eventless (`always`) transitions have an empty type; delayed ones are `xstate.after…`.
    if (type !== '' && !type.startsWith('xstate.') && type !== '*') types.add(type);
  }
  return [...types].sort();
}

/** Events only timers send; the engine refuses them from users. */
export const TIMER_EVENT_TYPES: ReadonlySet<string> = new Set<string>([...PATHWAY_TIMER_EVENT_TYPES, ...REFERRAL_TIMER_EVENT_TYPES, ...PERSON_TIMER_EVENT_TYPES]);

/**
 * The top-level state name of a state value (`{ inTreatment: 'active' }` → `inTreatment`),
 * which is the stage metrics and the web app group by.
 */
export function stageOf(_stream: StreamType, stateValue: StateValue): string {
  if (typeof stateValue === 'string') return stateValue;
  const [first] = Object.keys(stateValue);
  if (first === undefined) throw new Error('Empty state value: a stored snapshot is corrupt.');
  return first;
}
