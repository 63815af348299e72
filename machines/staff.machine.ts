import { assign, setup } from 'xstate';

/**
 * One member of staff (a user account) as a stream: created, role changed, name or email
 * corrected, deactivated and reactivated. The `users` row is the projection; a password is
 * a secret, not a fact, so it never enters the event log.
 */

/** The roles a user may hold. */
export const STAFF_ROLES = ['admin', 'keyworker', 'referrer', 'manager', 'auditor', 'area_auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Everything a staff stream remembers. */
export interface StaffContext {
  role: StaffRole;
  deactivatedAt: string | null;
  lastCorrectedAt: string | null;
}

/** Input of a new staff stream: the `USER_CREATED` payload (its `role` is kept). */
export type StaffInput = Record<string, unknown> & { role?: unknown };

interface At {
  at: string;
}

/** Events a staff stream takes after it is created. */
export type StaffEvent =
  | ({ type: 'USER_ROLE_CHANGED'; role: string } & At)
  | ({ type: 'USER_DETAILS_CORRECTED'; changes: { name?: string; email?: string } } & At)
  | ({ type: 'USER_DEACTIVATED'; reason?: string | null } & At)
  | ({ type: 'USER_REACTIVATED' } & At);

/** The type string of any staff event. */
export type StaffEventType = StaffEvent['type'];

/** The event that opens a staff stream. */
export const STAFF_OPENING_EVENT = 'USER_CREATED';

/** Every staff event type a stream takes after it is created. */
export const STAFF_EVENT_TYPES = ['USER_ROLE_CHANGED', 'USER_DETAILS_CORRECTED', 'USER_DEACTIVATED', 'USER_REACTIVATED'] as const satisfies readonly StaffEventType[];

const isRole = (v: unknown): v is StaffRole => (STAFF_ROLES as readonly unknown[]).includes(v);

/** The input's type for `setup` (a typed value, not an assertion). */
const NO_INPUT: StaffInput = {};

/** A member of staff: `active` or `deactivated` (cannot sign in; their sessions end). */
export const staffMachine = setup({
  types: { context: {} as StaffContext, events: {} as StaffEvent, input: NO_INPUT },
  guards: {
    /** A known role, different from the current one. */
    isNewRole: ({ context, event }) => event.type === 'USER_ROLE_CHANGED' && isRole(event.role) && event.role !== context.role,
    /** A correction changes at least one field. */
    hasChanges: ({ event }) => event.type === 'USER_DETAILS_CORRECTED' && typeof event.changes === 'object' && event.changes !== null && Object.keys(event.changes).length > 0,
  },
  actions: {
    recordRole: assign({ role: ({ context, event }) => (event.type === 'USER_ROLE_CHANGED' && isRole(event.role) ? event.role : context.role) }),
    recordCorrection: assign({ lastCorrectedAt: ({ event }) => event.at }),
    recordDeactivation: assign({ deactivatedAt: ({ event }) => event.at }),
    clearDeactivation: assign({ deactivatedAt: null }),
  },
}).createMachine({
  id: 'staff',
  context: ({ input }) => ({ role: isRole(input.role) ? input.role : 'referrer', deactivatedAt: null, lastCorrectedAt: null }),
  initial: 'active',
  states: {
    active: {
      on: {
        USER_ROLE_CHANGED: { guard: 'isNewRole', actions: 'recordRole' },
        USER_DETAILS_CORRECTED: { guard: 'hasChanges', actions: 'recordCorrection' },
        USER_DEACTIVATED: { target: 'deactivated', actions: 'recordDeactivation' },
      },
    },
    deactivated: {
      on: {
        USER_ROLE_CHANGED: { guard: 'isNewRole', actions: 'recordRole' },
        USER_DETAILS_CORRECTED: { guard: 'hasChanges', actions: 'recordCorrection' },
        USER_REACTIVATED: { target: 'active', actions: 'clearDeactivation' },
      },
    },
  },
});
