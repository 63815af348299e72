import { assign, setup } from 'xstate';

/**
 * One agency (a treatment provider, a jobcentre, a prison …) as a stream: created, its
 * name or area corrected, deactivated and, if that was a mistake, reactivated. The
 * `agencies` row is the projection; the machine keeps only what its rules need.
 */

/** Everything an agency stream remembers. */
export interface AgencyContext {
  deactivatedAt: string | null;
  lastCorrectedAt: string | null;
}

/** Input of a new agency stream: the `AGENCY_CREATED` payload (kept in the projection, not here). */
export type AgencyInput = Record<string, unknown>;

interface At {
  at: string;
}

/** Events an agency stream takes after it is created. */
export type AgencyEvent =
  | ({ type: 'AGENCY_DETAILS_CORRECTED'; changes: { name?: string; area?: string } } & At)
  | ({ type: 'AGENCY_DEACTIVATED'; reason?: string | null } & At)
  | ({ type: 'AGENCY_REACTIVATED' } & At);

/** The type string of any agency event. */
export type AgencyEventType = AgencyEvent['type'];

/** The event that opens an agency stream. */
export const AGENCY_OPENING_EVENT = 'AGENCY_CREATED';

/** Every agency event type a stream takes after it is created. */
export const AGENCY_EVENT_TYPES = ['AGENCY_DETAILS_CORRECTED', 'AGENCY_DEACTIVATED', 'AGENCY_REACTIVATED'] as const satisfies readonly AgencyEventType[];

/** The input's type for `setup` (a typed value, not an assertion). */
const NO_INPUT: AgencyInput = {};

/** An agency: `active` or `deactivated` (its staff cannot sign in, nobody refers to it). */
export const agencyMachine = setup({
  types: { context: {} as AgencyContext, events: {} as AgencyEvent, input: NO_INPUT },
  guards: {
    /** A correction changes at least one field. */
    hasChanges: ({ event }) => event.type === 'AGENCY_DETAILS_CORRECTED' && typeof event.changes === 'object' && event.changes !== null && Object.keys(event.changes).length > 0,
  },
  actions: {
    recordCorrection: assign({ lastCorrectedAt: ({ event }) => event.at }),
    recordDeactivation: assign({ deactivatedAt: ({ event }) => event.at }),
    clearDeactivation: assign({ deactivatedAt: null }),
  },
}).createMachine({
  id: 'agency',
  context: () => ({ deactivatedAt: null, lastCorrectedAt: null }),
  initial: 'active',
  states: {
    active: {
      on: {
        AGENCY_DETAILS_CORRECTED: { guard: 'hasChanges', actions: 'recordCorrection' },
        AGENCY_DEACTIVATED: { target: 'deactivated', actions: 'recordDeactivation' },
      },
    },
    deactivated: {
      on: {
        AGENCY_DETAILS_CORRECTED: { guard: 'hasChanges', actions: 'recordCorrection' },
        AGENCY_REACTIVATED: { target: 'active', actions: 'clearDeactivation' },
      },
    },
  },
});
