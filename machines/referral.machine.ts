import { assign, cancel, raise, setup } from 'xstate';
import { defaultReferralDeadlines, type ReferralKind, type ReferralUrgency } from './referral-kinds.ts';
import { DEFAULT_TIME_ZONE } from './calendar-days.ts';
import { firstContactBreachAt } from './clock-rules.ts';
import { DAY_MS, HOUR_MS } from './time.ts';

/** Input when a referral is sent. Deadlines default from REFERRAL_KIND_DEADLINES. */
export interface ReferralInput {
  kind: ReferralKind;
  urgency: ReferralUrgency;
  acknowledgeWithinHours?: number;
  firstContactWithinDays?: number;
  /** When the referral was sent (ISO-8601); the engine passes the creating event's `at`. */
  requestedAt?: string | null;
  /** The service's time zone (IANA name; default Europe/London): first contact is due in local calendar days. */
  timeZone?: string;
}

/** Everything one referral remembers. */
export interface ReferralContext {
  kind: ReferralKind;
  urgency: ReferralUrgency;
  acknowledgeWithinHours: number;
  firstContactWithinDays: number;
  requestedAt: string | null;
  receivedAt: string | null;
  acceptedAt: string | null;
  firstContactOn: string | null;
  /** Outcome reported back to the sender (closes the loop). */
  outcome: string | null;
  rejectionReason: string | null;
  failureReason: string | null;
  cancellationReason: string | null;
  /** When the referral reached a final state. */
  closedAt: string | null;
  /** Set by ACKNOWLEDGE_DEADLINE_PASSED. */
  acknowledgeOverdue: boolean;
  /** Set by FIRST_CONTACT_DEADLINE_PASSED. */
  firstContactOverdue: boolean;
  /** The service's time zone when sent (absent in referrals sent before it was kept: Europe/London). */
  timeZone?: string;
}

interface At {
  at: string;
}

/** Events the engine delivers to a referral; the two deadline events come only from timers. */
export type ReferralEvent =
  | ({ type: 'REFERRAL_RECEIVED' } & At)
  | ({ type: 'REFERRAL_ACCEPTED' } & At)
  | ({ type: 'REFERRAL_REJECTED'; reason: string } & At)
  | ({ type: 'FIRST_CONTACT_MADE'; contactOn?: string } & At)
  | ({ type: 'REFERRAL_COMPLETED'; outcome: string } & At)
  | ({ type: 'REFERRAL_FAILED'; reason: string } & At)
  | ({ type: 'REFERRAL_CANCELLED'; reason?: string } & At)
  | ({ type: 'ACKNOWLEDGE_DEADLINE_PASSED' } & At)
  | ({ type: 'FIRST_CONTACT_DEADLINE_PASSED' } & At);

/** The type string of any referral event. */
export type ReferralEventType = ReferralEvent['type'];

/** Referral events only timers may send. */
export const REFERRAL_TIMER_EVENT_TYPES = ['ACKNOWLEDGE_DEADLINE_PASSED', 'FIRST_CONTACT_DEADLINE_PASSED'] as const satisfies readonly ReferralEventType[];

/** Every referral event type. */
export const REFERRAL_EVENT_TYPES = [
  'REFERRAL_RECEIVED',
  'REFERRAL_ACCEPTED',
  'REFERRAL_REJECTED',
  'FIRST_CONTACT_MADE',
  'REFERRAL_COMPLETED',
  'REFERRAL_FAILED',
  'REFERRAL_CANCELLED',
  ...REFERRAL_TIMER_EVENT_TYPES,
] as const satisfies readonly ReferralEventType[];

/** Timer ids of the referral's delayed raises. */
export const REFERRAL_TIMER_IDS = {
  acknowledge: 'acknowledge-deadline',
  firstContact: 'first-contact-deadline',
} as const;

const nonEmpty = (s: unknown): boolean => typeof s === 'string' && s.trim().length > 0;

/**
 * One referral between agencies, its states aligned with FHIR Task status
 * (requested, received, accepted, in-progress, completed, rejected, failed, cancelled)
 * so partners' systems can map it one-to-one.
 */
export const referralMachine = setup({
  types: {
    context: {} as ReferralContext,
    events: {} as ReferralEvent,
    input: {} as ReferralInput,
  },
  delays: {
    acknowledgeDeadline: ({ context }) => context.acknowledgeWithinHours * HOUR_MS,
    // First contact is due within N calendar days of sending (day N within, local time);
    // the acknowledgement is an elapsed number of hours.
    firstContactDeadline: ({ context, event }) => {
      const base = typeof event.at === 'string' && event.at !== '' ? event.at : context.requestedAt;
      if (base === null) return context.firstContactWithinDays * DAY_MS;
      const due = firstContactBreachAt(context.requestedAt ?? base, context.firstContactWithinDays, context.timeZone ?? DEFAULT_TIME_ZONE);
      return Math.max(0, due - Date.parse(base));
    },
  },
  guards: {
    /** Rejecting needs a reason the sender can act on. */
    hasRejectionReason: ({ event }) => event.type === 'REFERRAL_REJECTED' && nonEmpty(event.reason),
    /** Failing needs a reason. */
    hasFailureReason: ({ event }) => event.type === 'REFERRAL_FAILED' && nonEmpty(event.reason),
    /** Completing needs the outcome reported back to the sender. */
    hasOutcome: ({ event }) => event.type === 'REFERRAL_COMPLETED' && nonEmpty(event.outcome),
  },
  actions: {
    startAcknowledgeClock: raise({ type: 'ACKNOWLEDGE_DEADLINE_PASSED', at: '' }, { id: REFERRAL_TIMER_IDS.acknowledge, delay: 'acknowledgeDeadline' }),
    startFirstContactClock: raise({ type: 'FIRST_CONTACT_DEADLINE_PASSED', at: '' }, { id: REFERRAL_TIMER_IDS.firstContact, delay: 'firstContactDeadline' }),
    stopAcknowledgeClock: cancel(REFERRAL_TIMER_IDS.acknowledge),
    stopFirstContactClock: cancel(REFERRAL_TIMER_IDS.firstContact),
    flagAcknowledgeOverdue: assign({ acknowledgeOverdue: true }),
    flagFirstContactOverdue: assign({ firstContactOverdue: true }),
    recordReceived: assign({ receivedAt: ({ event }) => event.at }),
    recordAccepted: assign({ acceptedAt: ({ event }) => event.at }),
    recordFirstContact: assign({ firstContactOn: ({ event }) => (event.type === 'FIRST_CONTACT_MADE' ? (event.contactOn ?? event.at) : event.at) }),
    recordRejected: assign(({ event }) => (event.type === 'REFERRAL_REJECTED' ? { rejectionReason: event.reason.trim(), closedAt: event.at } : {})),
    recordFailed: assign(({ event }) => (event.type === 'REFERRAL_FAILED' ? { failureReason: event.reason.trim(), closedAt: event.at } : {})),
    recordCompleted: assign(({ event }) => (event.type === 'REFERRAL_COMPLETED' ? { outcome: event.outcome.trim(), closedAt: event.at } : {})),
    recordCancelled: assign(({ event }) =>
      event.type === 'REFERRAL_CANCELLED' ? { cancellationReason: event.reason?.trim() || null, closedAt: event.at } : {},
    ),
  },
}).createMachine({
  id: 'referral',
  context: ({ input }) => {
    const defaults = defaultReferralDeadlines(input.kind, input.urgency);
    return {
      kind: input.kind,
      urgency: input.urgency,
      acknowledgeWithinHours: input.acknowledgeWithinHours ?? defaults.acknowledgeWithinHours,
      firstContactWithinDays: input.firstContactWithinDays ?? defaults.firstContactWithinDays,
      requestedAt: input.requestedAt ?? null,
      receivedAt: null,
      acceptedAt: null,
      firstContactOn: null,
      outcome: null,
      rejectionReason: null,
      failureReason: null,
      cancellationReason: null,
      closedAt: null,
      acknowledgeOverdue: false,
      firstContactOverdue: false,
      timeZone: input.timeZone ?? DEFAULT_TIME_ZONE,
    };
  },
  initial: 'requested',
  states: {
    requested: {
      // Both clocks start when the referral is sent; the engine stores them as timer rows.
      entry: ['startAcknowledgeClock', 'startFirstContactClock'],
      on: {
        REFERRAL_RECEIVED: { target: 'received', actions: ['stopAcknowledgeClock', 'recordReceived'] },
        REFERRAL_ACCEPTED: { target: 'accepted', actions: ['stopAcknowledgeClock', 'recordReceived', 'recordAccepted'] },
        REFERRAL_REJECTED: { guard: 'hasRejectionReason', target: 'rejected', actions: ['stopAcknowledgeClock', 'stopFirstContactClock', 'recordRejected'] },
        REFERRAL_CANCELLED: { target: 'cancelled', actions: ['stopAcknowledgeClock', 'stopFirstContactClock', 'recordCancelled'] },
        ACKNOWLEDGE_DEADLINE_PASSED: { actions: 'flagAcknowledgeOverdue' },
        FIRST_CONTACT_DEADLINE_PASSED: { actions: 'flagFirstContactOverdue' },
      },
    },
    received: {
      on: {
        REFERRAL_ACCEPTED: { target: 'accepted', actions: 'recordAccepted' },
        REFERRAL_REJECTED: { guard: 'hasRejectionReason', target: 'rejected', actions: ['stopFirstContactClock', 'recordRejected'] },
        REFERRAL_CANCELLED: { target: 'cancelled', actions: ['stopFirstContactClock', 'recordCancelled'] },
        FIRST_CONTACT_DEADLINE_PASSED: { actions: 'flagFirstContactOverdue' },
      },
    },
    accepted: {
      on: {
        FIRST_CONTACT_MADE: { target: 'inProgress', actions: ['stopFirstContactClock', 'recordFirstContact'] },
        REFERRAL_COMPLETED: { guard: 'hasOutcome', target: 'completed', actions: ['stopFirstContactClock', 'recordCompleted'] },
        REFERRAL_FAILED: { guard: 'hasFailureReason', target: 'failed', actions: ['stopFirstContactClock', 'recordFailed'] },
        REFERRAL_CANCELLED: { target: 'cancelled', actions: ['stopFirstContactClock', 'recordCancelled'] },
        FIRST_CONTACT_DEADLINE_PASSED: { actions: 'flagFirstContactOverdue' },
      },
    },
    inProgress: {
      on: {
        REFERRAL_COMPLETED: { guard: 'hasOutcome', target: 'completed', actions: 'recordCompleted' },
        REFERRAL_FAILED: { guard: 'hasFailureReason', target: 'failed', actions: 'recordFailed' },
        REFERRAL_CANCELLED: { target: 'cancelled', actions: 'recordCancelled' },
      },
    },
    completed: { type: 'final' },
    rejected: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
});
