import { describe, expect, it } from 'vitest';
import { planInitial, planTransition } from '../../src/engine/plan-transition.ts';
import { clockMachine, extendRegistry } from './toy-registry.ts';

const SENT = '2026-03-02T09:00:00.000Z';
const referralInput = { kind: 'treatment', urgency: 'routine', requestedAt: SENT };

describe('planInitial', () => {
  it('starts a referral in requested with both deadline timers due from `at`', () => {
    const plan = planInitial('referral', 1, referralInput, SENT);
    expect(plan.accepted).toBe(true);
    expect(plan.stateValue).toBe('requested');
    expect(plan.stage).toBe('requested');
    expect(plan.done).toBe(false);
    expect(plan.timersToCancel).toEqual([]);
    expect(plan.timersToAdd).toEqual([
      { key: 'acknowledge-deadline', event: { type: 'ACKNOWLEDGE_DEADLINE_PASSED', at: '' }, dueAt: '2026-03-04T09:00:00.000Z' },
      // Day deadlines fall at local midnight after day N (21 days from 2 March: the end of 23 March, London still on GMT).
      { key: 'first-contact-deadline', event: { type: 'FIRST_CONTACT_DEADLINE_PASSED', at: '' }, dueAt: '2026-03-24T00:00:00.000Z' },
    ]);
    expect(plan.allowedEvents).toEqual(['REFERRAL_ACCEPTED', 'REFERRAL_CANCELLED', 'REFERRAL_RECEIVED', 'REFERRAL_REJECTED']);
    // The stored form is plain JSON that round-trips.
    expect(JSON.parse(JSON.stringify(plan.snapshot))).toEqual(plan.snapshot);
    expect(plan.snapshot).toMatchObject({ value: 'requested', status: 'active', context: { kind: 'treatment', requestedAt: SENT } });
  });

  it('throws when the machine version does not exist', () => {
    expect(() => planInitial('referral', 99, referralInput, SENT)).toThrow(/known versions: 1/);
  });
});

describe('planTransition', () => {
  const sent = planInitial('referral', 1, referralInput, SENT);
  const at = '2026-03-03T10:00:00.000Z';

  it('moves to the next state and cancels the timers the state stops', () => {
    const plan = planTransition('referral', 1, sent.snapshot, { type: 'REFERRAL_ACCEPTED', at });
    expect(plan.accepted).toBe(true);
    expect(plan.stateValue).toBe('accepted');
    expect(plan.timersToCancel).toEqual(['acknowledge-deadline']);
    expect(plan.timersToAdd).toEqual([]);
    expect(plan.snapshot.context).toMatchObject({ receivedAt: at, acceptedAt: at });
    expect(plan.allowedEvents).toEqual(['FIRST_CONTACT_MADE', 'REFERRAL_CANCELLED', 'REFERRAL_COMPLETED', 'REFERRAL_FAILED']);
  });

  it('restores a snapshot stored as JSON text', () => {
    const plan = planTransition('referral', 1, JSON.stringify(sent.snapshot), { type: 'REFERRAL_RECEIVED', at });
    expect(plan.accepted).toBe(true);
    expect(plan.stateValue).toBe('received');
    expect(plan.timersToCancel).toEqual(['acknowledge-deadline']);
  });

  it('refuses an event the state has no transition for, listing what it accepts', () => {
    const plan = planTransition('referral', 1, sent.snapshot, { type: 'FIRST_CONTACT_MADE', at });
    expect(plan.accepted).toBe(false);
    expect(plan.refusal).toBe('not_handled');
    expect(plan.refusedBy).toBeUndefined();
    expect(plan.stateValue).toBe('requested');
    expect(plan.snapshot).toEqual(sent.snapshot);
    expect(plan.timersToAdd).toEqual([]);
    expect(plan.allowedEvents).toContain('REFERRAL_ACCEPTED');
  });

  it('names the guard that refused', () => {
    const plan = planTransition('referral', 1, sent.snapshot, { type: 'REFERRAL_REJECTED', at, reason: '  ' });
    expect(plan.accepted).toBe(false);
    expect(plan.refusal).toBe('guard_refused');
    expect(plan.refusedBy).toEqual(['hasRejectionReason']);
  });

  it('refuses an event type no state knows', () => {
    const plan = planTransition('referral', 1, sent.snapshot, { type: 'TELEPORTED', at });
    expect(plan).toMatchObject({ accepted: false, refusal: 'unknown_event' });
  });

  it('reaches a final state and accepts nothing more', () => {
    const accepted = planTransition('referral', 1, sent.snapshot, { type: 'REFERRAL_ACCEPTED', at });
    const done = planTransition('referral', 1, accepted.snapshot, { type: 'REFERRAL_COMPLETED', at, outcome: 'engaged' });
    expect(done.done).toBe(true);
    expect(done.snapshot.status).toBe('done');
    expect(done.timersToCancel).toEqual(['first-contact-deadline']);
    expect(done.allowedEvents).toEqual([]);
    const after = planTransition('referral', 1, JSON.stringify(done.snapshot), { type: 'REFERRAL_CANCELLED', at });
    expect(after.accepted).toBe(false);
  });

  it('a finished journey refuses every event, even the root-level ones XState alone would take', () => {
    const opened = planInitial('case', 1, { referralSource: 'self', referredOn: '2026-03-02' }, SENT);
    const booked = planTransition('case', 1, opened.snapshot, { type: 'APPOINTMENT_BOOKED', at, appointmentId: 'a1', kind: 'keywork', startsAt: '2026-03-05T10:00:00.000Z' });
    expect(booked.accepted).toBe(true);
    const closed = planTransition('case', 1, booked.snapshot, { type: 'DISCHARGED', at, reason: 'moved_away', dischargedOn: '2026-03-03' });
    expect(closed.done).toBe(true);
    expect(closed.allowedEvents).toEqual([]);
    const late = planTransition('case', 1, JSON.stringify(closed.snapshot), { type: 'APPOINTMENT_CANCELLED', at, appointmentId: 'a1', by: 'service' });
    expect(late).toMatchObject({ accepted: false, refusal: 'not_handled', allowedEvents: [] });
  });

  it('does not carry timers between plans (the planner keeps no state)', () => {
    const a = planTransition('referral', 1, sent.snapshot, { type: 'REFERRAL_ACCEPTED', at });
    const b = planTransition('referral', 1, sent.snapshot, { type: 'REFERRAL_RECEIVED', at });
    expect(a.timersToCancel).toEqual(['acknowledge-deadline']);
    expect(b.timersToCancel).toEqual(['acknowledge-deadline']);
    expect(b.timersToAdd).toEqual([]);
  });

  describe('with a registry holding extra machines', () => {
    const registry = extendRegistry({ case: { 7: clockMachine } });
    const start = planInitial('case', 7, {}, SENT, registry);

    it('a restarted clock is cancelled and added again in one plan', () => {
      expect(start.timersToAdd).toEqual([{ key: 'clock', event: { type: 'TICK', at: '' }, dueAt: '2026-03-03T09:00:00.000Z' }]);
      const plan = planTransition('case', 7, start.snapshot, { type: 'RESTART', at }, registry);
      expect(plan.timersToCancel).toEqual(['clock']);
      expect(plan.timersToAdd).toEqual([{ key: 'clock', event: { type: 'TICK', at: '' }, dueAt: '2026-03-04T10:00:00.000Z' }]);
    });

    it('a targetless transition keeps the timers', () => {
      const plan = planTransition('case', 7, start.snapshot, { type: 'TICK', at }, registry);
      expect(plan.accepted).toBe(true);
      expect(plan.snapshot.context).toEqual({ ticks: 1, restarts: 0 });
      expect(plan.timersToAdd).toEqual([]);
      expect(plan.timersToCancel).toEqual([]);
    });

    it('timer-only events are left out of the allowed list', () => {
      expect(start.allowedEvents).toEqual(['MOVE', 'RESTART']);
    });

    it('an inline guard refusal is reported', () => {
      const moved = planTransition('case', 7, start.snapshot, { type: 'MOVE', at }, registry);
      const refused = planTransition('case', 7, moved.snapshot, { type: 'DONE', at, ok: false }, registry);
      expect(refused).toMatchObject({ accepted: false, refusal: 'guard_refused', refusedBy: ['isOk'] });
      const finished = planTransition('case', 7, moved.snapshot, { type: 'DONE', at, ok: true }, registry);
      expect(finished).toMatchObject({ accepted: true, done: true, stage: 'finished' });
    });
  });
});
