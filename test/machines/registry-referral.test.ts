/**
 * The registry the engine codes against (machines/index.ts) and the referral machine's
 * deadlines as transition() returns them.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition } from 'xstate';
import type {
  PATHWAY_EVENT_TYPES,
  REFERRAL_EVENT_TYPES} from '../../machines/index.ts';
import {
  acceptedEventTypes,
  getMachine,
  MACHINES,
  referralMachine,
  stageOf,
  TIMER_EVENT_TYPES,
  type PathwayEventType,
  type ReferralContext,
  type ReferralEventType,
} from '../../machines/index.ts';
import { REFERRAL_KIND_DEADLINES, REFERRAL_KINDS } from '../../machines/referral-kinds.ts';
import { ev } from './builders.ts';
import { drive, step } from './drive.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// Compile-time: the exported lists name every event of the unions.
type Missing<U, L extends readonly string[]> = Exclude<U, L[number]>;
const pathwayListComplete: Missing<PathwayEventType, typeof PATHWAY_EVENT_TYPES> extends never ? true : false = true;
const referralListComplete: Missing<ReferralEventType, typeof REFERRAL_EVENT_TYPES> extends never ? true : false = true;

describe('machine registry', () => {
  it('runs case streams on pathway v1 and referral streams on referral v1', () => {
    expect(pathwayListComplete && referralListComplete).toBe(true);
    expect(MACHINES.case.current).toBe(1);
    expect(getMachine('case', 1).id).toBe('pathway');
    expect(getMachine('referral', MACHINES.referral.current).id).toBe('referral');
  });

  it('names the known versions when asked for an unknown one', () => {
    expect(() => getMachine('case', 7)).toThrow(/No case machine version 7; known versions: 1/);
  });

  it('lists the events a state accepts, sorted, without xstate internals, and none once final', () => {
    const [s0] = initialTransition(getMachine('case', 1), { referralSource: 'self', referredOn: '2026-01-05' });
    expect(acceptedEventTypes(s0)).toEqual([
      'APPOINTMENT_ATTENDED',
      'APPOINTMENT_BOOKED',
      'APPOINTMENT_CANCELLED',
      'APPOINTMENT_MISSED',
      'BREACH_WITHDRAWN',
      'COMMUNITY_ENGAGED',
      'CONTACT_RECORDED',
      'CONTINUITY_OF_CARE_BREACHED',
      'CUSTODY_STARTED',
      'DISCHARGED',
      'KEYWORKER_ASSIGNED',
      'SCREENING_STARTED',
      'TASK_ASSIGNED',
      'TASK_COMPLETED',
      'WAITING_TIME_BREACHED',
    ]);
    const inTreatment = getMachine('case', 1).resolveState({ value: { inTreatment: 'reviewDue' }, context: s0.context as object });
    expect(acceptedEventTypes(inTreatment)).toContain('REVIEW_COMPLETED');
    expect(acceptedEventTypes(inTreatment)).toContain('INTERVENTION_ENDED');
    const { snapshot } = drive(referralMachine, { kind: 'housing', urgency: 'routine' }, [ev({ type: 'REFERRAL_CANCELLED' })]);
    expect(acceptedEventTypes(snapshot)).toEqual([]);
  });

  it('knows which events only the engine sends (its timers, and the correcting BREACH_WITHDRAWN)', () => {
    expect([...TIMER_EVENT_TYPES].sort()).toEqual([
      'ACKNOWLEDGE_DEADLINE_PASSED',
      'BREACH_WITHDRAWN',
      'CHECKUP_DUE',
      'CONSENT_EXPIRED',
      'CONTINUITY_OF_CARE_BREACHED',
      'FIRST_CONTACT_DEADLINE_PASSED',
      'RECOVERY_SUSTAINED',
      'REVIEW_DUE',
      'WAITING_TIME_BREACHED',
    ]);
  });

  it('reduces a state value to its top-level stage', () => {
    expect(stageOf('case', { inTreatment: 'reviewDue' })).toBe('inTreatment');
    expect(stageOf('case', 'carePlanning')).toBe('carePlanning');
    expect(stageOf('referral', 'inProgress')).toBe('inProgress');
  });
});

describe('referral deadlines', () => {
  it('starts both clocks when sent, with per-kind defaults, tighter when urgent', () => {
    for (const kind of REFERRAL_KINDS) {
      const routine = REFERRAL_KIND_DEADLINES[kind].routine;
      const urgent = REFERRAL_KIND_DEADLINES[kind].urgent;
      expect(urgent.acknowledgeWithinHours).toBeLessThanOrEqual(routine.acknowledgeWithinHours);
      expect(urgent.firstContactWithinDays).toBeLessThanOrEqual(routine.firstContactWithinDays);
    }
    const [, actions] = initialTransition(referralMachine, { kind: 'treatment', urgency: 'routine' });
    expect(actions.map((a) => a.params)).toEqual([
      { event: { type: 'ACKNOWLEDGE_DEADLINE_PASSED', at: '' }, id: 'acknowledge-deadline', delay: 48 * HOUR },
      { event: { type: 'FIRST_CONTACT_DEADLINE_PASSED', at: '' }, id: 'first-contact-deadline', delay: 21 * DAY },
    ]);
  });

  it('takes deadlines from input when given', () => {
    const [s, actions] = initialTransition(referralMachine, { kind: 'housing', urgency: 'urgent', acknowledgeWithinHours: 2, firstContactWithinDays: 3 });
    expect((s.context).acknowledgeWithinHours).toBe(2);
    expect(actions.map((a) => (a.params as { delay: number }).delay)).toEqual([2 * HOUR, 3 * DAY]);
  });

  it('stops the acknowledge clock on receipt and the first-contact clock on first contact', () => {
    const input = { kind: 'employment_support' as const, urgency: 'routine' as const };
    const received = drive(referralMachine, input, [ev({ type: 'REFERRAL_RECEIVED' })]);
    expect(received.effects).toEqual([{ kind: 'cancel', id: 'acknowledge-deadline' }]);
    const accepted = step(referralMachine, received.snapshot, ev({ type: 'REFERRAL_ACCEPTED' }));
    expect(accepted.effects).toEqual([]);
    const contact = step(referralMachine, accepted.snapshot, ev({ type: 'FIRST_CONTACT_MADE', contactOn: '2026-03-04' }));
    expect(contact.snapshot.value).toBe('inProgress');
    expect(contact.effects).toEqual([{ kind: 'cancel', id: 'first-contact-deadline' }]);
    expect(step(referralMachine, contact.snapshot, ev({ type: 'FIRST_CONTACT_DEADLINE_PASSED' })).accepted).toBe(false);
  });

  it('flags overdue deadlines without moving the referral', () => {
    const late = drive(referralMachine, { kind: 'housing', urgency: 'routine' }, [ev({ type: 'ACKNOWLEDGE_DEADLINE_PASSED' }), ev({ type: 'FIRST_CONTACT_DEADLINE_PASSED' })]);
    expect(late.snapshot.value).toBe('requested');
    expect(late.snapshot.context).toMatchObject({ acknowledgeOverdue: true, firstContactOverdue: true });
  });

  it('cancels both clocks when rejected straight away, and records the reason', () => {
    const rejected = drive(referralMachine, { kind: 'mental_health', urgency: 'routine' }, [ev({ type: 'REFERRAL_REJECTED', reason: ' Not registered with a GP here ' })]);
    expect(rejected.snapshot.status).toBe('done');
    expect(rejected.effects.map((e) => e.id)).toEqual(['acknowledge-deadline', 'first-contact-deadline']);
    expect((rejected.snapshot.context as ReferralContext).rejectionReason).toBe('Not registered with a GP here');
  });

  it('closes the loop only with an outcome', () => {
    const accepted = drive(referralMachine, { kind: 'mutual_aid', urgency: 'routine' }, [ev({ type: 'REFERRAL_ACCEPTED' })]);
    expect(step(referralMachine, accepted.snapshot, ev({ type: 'REFERRAL_COMPLETED', outcome: ' ' })).accepted).toBe(false);
    const done = step(referralMachine, accepted.snapshot, ev({ type: 'REFERRAL_COMPLETED', outcome: 'Attends weekly meetings' }));
    expect(done.snapshot.value).toBe('completed');
    expect(done.effects).toEqual([{ kind: 'cancel', id: 'first-contact-deadline' }]);
  });
});
