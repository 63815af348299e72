import { assign, enqueueActions, setup } from 'xstate';
import { addDays, DEFAULT_TIME_ZONE, isTimeZone, localDateOf, startOfLocalDay } from './calendar-days.ts';

/**
 * One person's record as a stream: recording and correcting who they are, the life of
 * each consent they give (given, renewed, withdrawn, expired), and links with other
 * agencies' records of the same person (linked, unlinked; an event on both streams). The person's details live
 * in the events and in the `people` projection; the machine remembers only what its rules
 * need: each consent's status and last valid day, so a withdrawal of an unknown or spent
 * consent is refused and expiry is a durable timer like any other deadline.
 */

/** Where a consent stands. */
export type PersonConsentStatus = 'active' | 'withdrawn' | 'expired';

/** What the person stream remembers of one consent. */
export interface PersonConsentState {
  status: PersonConsentStatus;
  /** Last valid day (`YYYY-MM-DD`, inclusive), or null for no end date. */
  validUntil: string | null;
  /** The time zone whose calendar day `validUntil` is (the service's when it was given or renewed); absent: Europe/London. */
  timeZone?: string;
}

/** Everything a person stream remembers. */
export interface PersonContext {
  consents: Record<string, PersonConsentState>;
  /** When the details were last corrected (effective time), or null. */
  lastCorrectedAt: string | null;
  /** Records of the same person this one is linked with directly (absent in streams from before links). */
  links?: string[];
}

/** Input of a new person stream: the `PERSON_RECORDED` payload (details are not kept in context). */
export type PersonInput = Record<string, unknown>;

interface At {
  at: string;
}

/** Events a person stream takes; `CONSENT_EXPIRED` comes only from its timer. */
export type PersonEvent =
  | ({ type: 'PERSON_DETAILS_CORRECTED'; changes: Record<string, unknown> } & At)
  | ({ type: 'CONSENT_GIVEN'; consentId: string; validUntil?: string | null; timeZone?: string } & At & Record<string, unknown>)
  | ({ type: 'CONSENT_RENEWED'; consentId: string; validUntil: string | null; timeZone?: string } & At)
  | ({ type: 'CONSENT_WITHDRAWN'; consentId: string; reason?: string | null } & At)
  | ({ type: 'CONSENT_EXPIRED'; consentId: string } & At)
  | ({ type: 'PERSON_LINKED'; otherPersonId: string; reason: string; referralId?: string | null } & At)
  | ({ type: 'PERSON_UNLINKED'; otherPersonId: string; reason?: string | null } & At);

/** The type string of any person event. */
export type PersonEventType = PersonEvent['type'];

/** The event that opens a person stream (it is the stream's creation, not a transition). */
export const PERSON_OPENING_EVENT = 'PERSON_RECORDED';

/** Person events only timers may send. */
export const PERSON_TIMER_EVENT_TYPES = ['CONSENT_EXPIRED'] as const satisfies readonly PersonEventType[];

/** Every person event type a stream takes after it is opened. */
export const PERSON_EVENT_TYPES = [
  'PERSON_DETAILS_CORRECTED',
  'CONSENT_GIVEN',
  'CONSENT_RENEWED',
  'CONSENT_WITHDRAWN',
  'PERSON_LINKED',
  'PERSON_UNLINKED',
  ...PERSON_TIMER_EVENT_TYPES,
] as const satisfies readonly PersonEventType[];

/** The timer id of one consent's expiry. */
export function consentExpiryTimerId(consentId: string): string {
  return `consent-expiry-${consentId}`;
}

/** The zone an event names for its consent's days, or the default (events before zones were kept). */
const zoneOfEvent = (event: { timeZone?: unknown }): string => (isTimeZone(event.timeZone) ? event.timeZone : DEFAULT_TIME_ZONE);

/** The instant a consent lapses: the end of its last valid day, local midnight in `timeZone`. */
export function consentExpiresAt(validUntil: string, timeZone: string = DEFAULT_TIME_ZONE): number {
  return startOfLocalDay(addDays(validUntil, 1), timeZone);
}

/** Milliseconds from `at` to the end of the consent's last valid day in its zone, at least 1. */
function msToExpiry(validUntil: string, timeZone: string, at: string): number {
  return Math.max(1, consentExpiresAt(validUntil, timeZone) - Date.parse(at));
}

const isDate = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
const consentOf = (context: PersonContext, event: { consentId?: unknown }): PersonConsentState | undefined =>
  typeof event.consentId === 'string' ? context.consents[event.consentId] : undefined;

/** The input's type for `setup` (a typed value, not an assertion). */
const NO_INPUT: PersonInput = {};

/** A person's record: one long-lived state, `recorded`, whose events keep its consents. */
export const personMachine = setup({
  types: {
    context: {} as PersonContext,
    events: {} as PersonEvent,
    input: NO_INPUT,
  },
  guards: {
    /** A correction changes at least one field. */
    hasChanges: ({ event }) =>
      event.type === 'PERSON_DETAILS_CORRECTED' && typeof event.changes === 'object' && event.changes !== null && Object.keys(event.changes).length > 0,
    /** A consent id is used once per person. */
    isNewConsent: ({ context, event }) => event.type === 'CONSENT_GIVEN' && typeof event.consentId === 'string' && consentOf(context, event) === undefined,
    /** Renewal extends a consent that was not withdrawn (an expired one comes back into force). */
    isRenewable: ({ context, event }) =>
      event.type === 'CONSENT_RENEWED' && (event.validUntil === null || isDate(event.validUntil)) && (consentOf(context, event)?.status ?? 'withdrawn') !== 'withdrawn',
    /** Only a consent in force can be withdrawn. */
    isWithdrawable: ({ context, event }) => event.type === 'CONSENT_WITHDRAWN' && consentOf(context, event)?.status === 'active',
    /** A link names another record, not one this record is already linked with. */
    isNewLink: ({ context, event }) =>
      event.type === 'PERSON_LINKED' && typeof event.otherPersonId === 'string' && event.otherPersonId.length > 0 && !(context.links ?? []).includes(event.otherPersonId),
    /** Only a record this one is linked with can be unlinked. */
    isLinked: ({ context, event }) => event.type === 'PERSON_UNLINKED' && (context.links ?? []).includes(event.otherPersonId),
    /** Expiry applies to a consent in force whose last valid day has passed (a stale timer after a renewal is ignored). */
    hasExpired: ({ context, event }) => {
      const consent = event.type === 'CONSENT_EXPIRED' ? consentOf(context, event) : undefined;
      return consent?.status === 'active' && consent.validUntil !== null && localDateOf(event.at, consent.timeZone ?? DEFAULT_TIME_ZONE) > consent.validUntil;
    },
  },
  actions: {
    recordConsent: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CONSENT_GIVEN') return;
      const validUntil = isDate(event.validUntil) ? event.validUntil : null;
      const timeZone = zoneOfEvent(event);
      enqueue.assign({ consents: { ...context.consents, [event.consentId]: { status: 'active', validUntil, timeZone } } });
      if (validUntil) enqueue.raise({ type: 'CONSENT_EXPIRED', consentId: event.consentId, at: '' }, { id: consentExpiryTimerId(event.consentId), delay: msToExpiry(validUntil, timeZone, event.at) });
    }),
    renewConsent: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CONSENT_RENEWED') return;
      const timeZone = zoneOfEvent(event);
      enqueue.assign({ consents: { ...context.consents, [event.consentId]: { status: 'active', validUntil: event.validUntil, timeZone } } });
      enqueue.cancel(consentExpiryTimerId(event.consentId));
      if (event.validUntil) enqueue.raise({ type: 'CONSENT_EXPIRED', consentId: event.consentId, at: '' }, { id: consentExpiryTimerId(event.consentId), delay: msToExpiry(event.validUntil, timeZone, event.at) });
    }),
    withdrawConsent: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CONSENT_WITHDRAWN') return;
      const consent = context.consents[event.consentId];
      if (!consent) return;
      enqueue.assign({ consents: { ...context.consents, [event.consentId]: { ...consent, status: 'withdrawn' } } });
      enqueue.cancel(consentExpiryTimerId(event.consentId));
    }),
    addLink: assign({ links: ({ context, event }) => (event.type === 'PERSON_LINKED' ? [...(context.links ?? []), event.otherPersonId] : (context.links ?? [])) }),
    removeLink: assign({ links: ({ context, event }) => (context.links ?? []).filter((id) => event.type !== 'PERSON_UNLINKED' || id !== event.otherPersonId) }),
    recordCorrection: assign({ lastCorrectedAt: ({ event }) => event.at }),
    expireConsent: assign({
      consents: ({ context, event }) => {
        if (event.type !== 'CONSENT_EXPIRED') return context.consents;
        const consent = context.consents[event.consentId];
        return consent ? { ...context.consents, [event.consentId]: { ...consent, status: 'expired' as const } } : context.consents;
      },
    }),
  },
}).createMachine({
  id: 'person',
  context: () => ({ consents: {}, lastCorrectedAt: null, links: [] }),
  initial: 'recorded',
  states: {
    recorded: {
      on: {
        PERSON_DETAILS_CORRECTED: { guard: 'hasChanges', actions: 'recordCorrection' },
        CONSENT_GIVEN: { guard: 'isNewConsent', actions: 'recordConsent' },
        CONSENT_RENEWED: { guard: 'isRenewable', actions: 'renewConsent' },
        CONSENT_WITHDRAWN: { guard: 'isWithdrawable', actions: 'withdrawConsent' },
        CONSENT_EXPIRED: { guard: 'hasExpired', actions: 'expireConsent' },
        PERSON_LINKED: { guard: 'isNewLink', actions: 'addLink' },
        PERSON_UNLINKED: { guard: 'isLinked', actions: 'removeLink' },
      },
    },
  },
});
