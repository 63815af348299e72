import { assign, setup } from 'xstate';
import { INTERVENTION_EXIT_STATUSES, type InterventionExitStatus, type InterventionModality } from './codes.ts';
import { toDate } from './time.ts';

/** Lifecycle status of one intervention; equals the machine's state name. */
export type InterventionStatus = 'referred' | 'offered' | 'started' | 'ended';

/** One intervention in a care package. The pathway keeps these records in its context. */
export interface InterventionRecord {
  id: string;
  modality: InterventionModality;
  status: InterventionStatus;
  referredOn: string | null;
  offeredOn: string | null;
  startedOn: string | null;
  endedOn: string | null;
  exitStatus: InterventionExitStatus | null;
}

/** Input to start an intervention's lifecycle. */
export interface InterventionInput {
  id: string;
  modality: InterventionModality;
  referredOn?: string | null;
}

/** Events of the intervention lifecycle; `at` is the effective time the engine fills in. */
export type InterventionEvent =
  | { type: 'INTERVENTION_OFFERED'; at: string; interventionId: string; offeredOn?: string }
  | { type: 'INTERVENTION_STARTED'; at: string; interventionId: string; startedOn?: string }
  | { type: 'INTERVENTION_ENDED'; at: string; interventionId: string; endedOn?: string; exitStatus: InterventionExitStatus };

/**
 * One intervention: referred → offered (first appointment offered) → started → ended with
 * an exit status. The pathway machine asks this machine whether an intervention accepts
 * an event and lets it compute the new record, so the lifecycle rule lives only here.
 */
export const interventionMachine = setup({
  types: {
    context: {} as InterventionRecord,
    events: {} as InterventionEvent,
    input: {} as InterventionInput,
  },
  guards: {
    /** An intervention ends with one of the three exit statuses. */
    hasExitStatus: ({ event }) =>
      event.type === 'INTERVENTION_ENDED' && (INTERVENTION_EXIT_STATUSES as readonly string[]).includes(event.exitStatus),
  },
  actions: {
    recordOffered: assign(({ event }) => (event.type === 'INTERVENTION_OFFERED' ? { status: 'offered' as const, offeredOn: toDate(event.offeredOn ?? event.at) } : {})),
    recordStarted: assign(({ event }) => (event.type === 'INTERVENTION_STARTED' ? { status: 'started' as const, startedOn: toDate(event.startedOn ?? event.at) } : {})),
    recordEnded: assign(({ event }) =>
      event.type === 'INTERVENTION_ENDED' ? { status: 'ended' as const, endedOn: toDate(event.endedOn ?? event.at), exitStatus: event.exitStatus } : {},
    ),
  },
}).createMachine({
  id: 'intervention',
  context: ({ input }) => ({
    id: input.id,
    modality: input.modality,
    status: 'referred',
    referredOn: input.referredOn ?? null,
    offeredOn: null,
    startedOn: null,
    endedOn: null,
    exitStatus: null,
  }),
  initial: 'referred',
  states: {
    referred: { on: { INTERVENTION_OFFERED: { target: 'offered', actions: 'recordOffered' } } },
    offered: { on: { INTERVENTION_STARTED: { target: 'started', actions: 'recordStarted' } } },
    started: { on: { INTERVENTION_ENDED: { guard: 'hasExitStatus', target: 'ended', actions: 'recordEnded' } } },
    ended: { type: 'final' },
  },
});
