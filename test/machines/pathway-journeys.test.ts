/**
 * Journeys through the pathway statechart, checking what the engine relies on: the timer
 * raises and cancels `transition()` returns (ids and delays in ms), rapid re-entry,
 * custody, and a configurable check-up schedule.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition } from 'xstate';
import { pathwayMachine, type PathwayContext, type PathwayEvent, type PathwayInput } from '../../machines/index.ts';
import { AT, buildTop, ev } from './builders.ts';
import { drive, step, timerEffects } from './drive.ts';

const DAY = 86_400_000;
/** A delay from the builders' event time (AT) to a due instant: deadlines fall at local midnight (Europe/London). */
const until = (due: string): number => Date.parse(due) - Date.parse(AT);
const input: PathwayInput = { referralSource: 'gp', referredOn: '2026-01-05' };
const ctx = (s: { context: unknown }) => s.context as PathwayContext;

const toCarePlanning: PathwayEvent[] = [
  ev({ type: 'SCREENING_STARTED' }),
  ev({ type: 'SCREENING_COMPLETED', outcome: 'assess' }),
  ev({ type: 'ASSESSMENT_COMPLETED', domains: { housingNeed: 'none' } }),
  ev({ type: 'CARE_PLAN_AGREED', carePlanDate: '2026-01-20', interventions: [{ id: 'psy-1', modality: 'structured_psychosocial' }, { id: 'rx-1', modality: 'specialist_prescribing' }] }),
];
const toTreatment: PathwayEvent[] = [
  ...toCarePlanning,
  ev({ type: 'INTERVENTION_OFFERED', interventionId: 'psy-1', offeredOn: '2026-01-21' }),
  ev({ type: 'INTERVENTION_STARTED', interventionId: 'psy-1', startedOn: '2026-01-22' }),
];
const successfulDischarge: PathwayEvent = ev({ type: 'DISCHARGED' as const, reason: 'completed_drug_free' as const, dischargedOn: '2026-06-30', exitTop: buildTop('exit', '2026-06-30') });
const toCheckups: PathwayEvent[] = [...toTreatment, successfulDischarge];

describe('pathway timers as transition() returns them', () => {
  it('starts the 21-day waiting clock at referral', () => {
    const [, actions] = initialTransition(pathwayMachine, input);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ type: 'xstate.raise', params: { id: 'waiting-time', delay: 22 * DAY, event: { type: 'WAITING_TIME_BREACHED' } } });
  });

  it('stops the waiting clock and starts the 182-day review clock at the first intervention start', () => {
    const { snapshot, effects } = drive(pathwayMachine, input, toTreatment);
    expect(snapshot.value).toEqual({ inTreatment: 'active' });
    expect(ctx(snapshot).treatmentStartedOn).toBe('2026-01-22');
    // Started 22 January: day 182 is 23 July, so the review is overdue from midnight (BST) starting 24 July.
    expect(effects).toEqual([
      { kind: 'cancel', id: 'waiting-time' },
      { kind: 'raise', id: 'review-due', delay: until('2026-07-23T23:00:00.000Z'), event: { type: 'REVIEW_DUE', at: '' } },
    ]);
  });

  it('flags a waiting-time breach before treatment and ignores a stale one after it', () => {
    const before = drive(pathwayMachine, input, [...toCarePlanning, ev({ type: 'WAITING_TIME_BREACHED' })]);
    expect(ctx(before.snapshot).waitingTimeBreached).toBe(true);
    const after = drive(pathwayMachine, input, toTreatment);
    expect(step(pathwayMachine, after.snapshot, ev({ type: 'WAITING_TIME_BREACHED' })).accepted).toBe(false);
  });

  it('moves to reviewDue when the review clock fires, and a review restarts it', () => {
    const due = drive(pathwayMachine, input, [...toTreatment, ev({ type: 'REVIEW_DUE' })]);
    expect(due.snapshot.value).toEqual({ inTreatment: 'reviewDue' });
    expect(due.effects).toEqual([{ kind: 'cancel', id: 'review-due' }]);
    const reviewed = step(pathwayMachine, due.snapshot, ev({ type: 'REVIEW_COMPLETED', reviewedOn: '2026-07-25', top: buildTop('review', '2026-07-25') }));
    expect(reviewed.snapshot.value).toEqual({ inTreatment: 'active' });
    // Reviewed 25 July: day 182 is 23 January, overdue from midnight (GMT) starting 24 January.
    expect(reviewed.effects).toEqual([{ kind: 'raise', id: 'review-due', delay: until('2027-01-24T00:00:00.000Z'), event: { type: 'REVIEW_DUE', at: '' } }]);
    expect(ctx(reviewed.snapshot).lastReviewOn).toBe('2026-07-25');
    // An early review from `active` cancels the running clock before starting the new one.
    const early = step(pathwayMachine, reviewed.snapshot, ev({ type: 'REVIEW_COMPLETED', top: buildTop('review') }));
    expect(early.effects.map((e) => `${e.kind}:${e.id}`)).toEqual(['cancel:review-due', 'raise:review-due']);
  });

  it('schedules the default check-ups (28, 91, 182 days) and the 182-day sustained-recovery clock on successful completion', () => {
    const { snapshot, effects } = drive(pathwayMachine, input, toCheckups);
    expect(snapshot.value).toBe('recoveryCheckups');
    expect(effects).toEqual([
      { kind: 'cancel', id: 'review-due' },
      // Discharged 30 June: check-ups due on 28 July, 29 September, 29 December (local midnight);
      // recovery is sustained once day 182 (29 December) has passed.
      { kind: 'raise', id: 'checkup-0', delay: until('2026-07-27T23:00:00.000Z'), event: { type: 'CHECKUP_DUE', index: 0, at: '' } },
      { kind: 'raise', id: 'checkup-1', delay: until('2026-09-28T23:00:00.000Z'), event: { type: 'CHECKUP_DUE', index: 1, at: '' } },
      { kind: 'raise', id: 'checkup-2', delay: until('2026-12-29T00:00:00.000Z'), event: { type: 'CHECKUP_DUE', index: 2, at: '' } },
      { kind: 'raise', id: 'recovery-sustained', delay: until('2026-12-30T00:00:00.000Z'), event: { type: 'RECOVERY_SUSTAINED', at: '' } },
    ]);
    expect(ctx(snapshot).discharge).toEqual({ reason: 'completed_drug_free', dischargedOn: '2026-06-30', successful: true });
  });

  it('takes the check-up schedule from input', () => {
    const { snapshot, effects } = drive(pathwayMachine, { ...input, checkupScheduleDays: [60, 14] }, toCheckups);
    expect(ctx(snapshot).checkupScheduleDays).toEqual([14, 60]);
    expect(effects.filter((e) => e.id.startsWith('checkup-'))).toEqual([
      { kind: 'raise', id: 'checkup-0', delay: until('2026-07-13T23:00:00.000Z'), event: { type: 'CHECKUP_DUE', index: 0, at: '' } },
      { kind: 'raise', id: 'checkup-1', delay: until('2026-08-28T23:00:00.000Z'), event: { type: 'CHECKUP_DUE', index: 1, at: '' } },
    ]);
  });

  it('closes as sustained recovery with the original successful reason, cancelling check-ups still pending', () => {
    const { snapshot, effects } = drive(pathwayMachine, input, [
      ...toCheckups,
      ev({ type: 'CHECKUP_DUE', index: 0 }),
      ev({ type: 'CHECKUP_COMPLETED', checkupOn: '2026-07-28', top: buildTop('post_exit', '2026-07-28') }),
      ev({ type: 'RECOVERY_SUSTAINED' }, '2026-12-29T00:00:00.000Z'),
    ]);
    expect(snapshot.value).toBe('closed');
    expect(snapshot.status).toBe('done');
    expect(ctx(snapshot).closure).toEqual({ reason: 'completed_drug_free', closedOn: '2026-12-29', sustainedRecovery: true });
    expect(ctx(snapshot).checkups[0]).toMatchObject({ due: true, completedOn: '2026-07-28' });
    expect(effects.map((e) => `${e.kind}:${e.id}`)).toEqual([
      'cancel:checkup-1',
      'cancel:checkup-2',
      'cancel:recovery-sustained',
      'cancel:waiting-time',
      'cancel:continuity-of-care',
    ]);
  });

  it('closes an unsuccessful discharge straight away and refuses everything after', () => {
    const { snapshot } = drive(pathwayMachine, input, [...toTreatment, ev({ type: 'DISCHARGED', reason: 'dropped_out', dischargedOn: '2026-03-01' })]);
    expect(snapshot.value).toBe('closed');
    expect(ctx(snapshot).closure).toEqual({ reason: 'dropped_out', closedOn: '2026-03-01', sustainedRecovery: false });
    expect(step(pathwayMachine, snapshot, ev({ type: 'REVIEW_DUE' })).accepted).toBe(false);
  });

  it('closes on brief advice with an unsuccessful reason', () => {
    const { snapshot, effects } = drive(pathwayMachine, input, [ev({ type: 'SCREENING_STARTED' }), ev({ type: 'SCREENING_COMPLETED', outcome: 'brief_advice' })]);
    expect(snapshot.value).toBe('closed');
    expect(ctx(snapshot).closure?.reason).toBe('no_appropriate_treatment');
    expect(effects.map((e) => `${e.kind}:${e.id}`)).toContain('cancel:waiting-time');
  });
});

describe('pathway guards', () => {
  it('needs an exit TOP for a successful completion, given with the discharge or recorded before', () => {
    const { snapshot } = drive(pathwayMachine, input, toTreatment);
    const noTop = ev({ type: 'DISCHARGED', reason: 'completed_occasional_user', dischargedOn: '2026-06-30' });
    expect(step(pathwayMachine, snapshot, noTop).accepted).toBe(false);
    const withTop = step(pathwayMachine, snapshot, ev({ type: 'TOP_RECORDED', top: buildTop('exit', '2026-06-29') }));
    expect(step(pathwayMachine, withTop.snapshot, noTop).snapshot.value).toBe('recoveryCheckups');
  });

  it('allows a successful completion only from treatment', () => {
    const { snapshot } = drive(pathwayMachine, input, toCarePlanning);
    expect(step(pathwayMachine, snapshot, successfulDischarge).accepted).toBe(false);
  });

  it('starts treatment only with an intervention in the plan that its lifecycle lets start', () => {
    const { snapshot } = drive(pathwayMachine, input, toCarePlanning);
    // rx-1 was never offered: the intervention machine refuses referred → started.
    expect(step(pathwayMachine, snapshot, ev({ type: 'INTERVENTION_STARTED', interventionId: 'rx-1' })).accepted).toBe(false);
    expect(step(pathwayMachine, snapshot, ev({ type: 'INTERVENTION_STARTED', interventionId: 'nope' })).accepted).toBe(false);
  });

  it('keeps started interventions when a review changes the package', () => {
    const { snapshot } = drive(pathwayMachine, input, [
      ...toTreatment,
      ev({ type: 'CARE_PLAN_AGREED', carePlanDate: '2026-03-01', interventions: [{ id: 'rs-1', modality: 'recovery_support' }] }),
    ]);
    expect(ctx(snapshot).carePlan?.interventions.map((i) => [i.id, i.status])).toEqual([
      ['rs-1', 'referred'],
      ['psy-1', 'started'],
    ]);
  });
});

describe('rapid re-entry', () => {
  it('counts the re-presentation, restores the last package reset to referred, and starts a new waiting clock', () => {
    const relapse = drive(pathwayMachine, input, [...toCheckups, ev({ type: 'RELAPSE_REPORTED', reportedOn: '2026-09-01' })]);
    expect(relapse.snapshot.value).toBe('rapidReentry');
    const c = ctx(relapse.snapshot);
    expect(c.representations).toBe(1);
    expect(c.reenteredOn).toBe('2026-09-01');
    expect(c.treatmentStartedOn).toBeNull();
    expect(c.carePlan?.interventions.map((i) => [i.id, i.modality, i.status, i.startedOn])).toEqual([
      ['psy-1', 'structured_psychosocial', 'referred', null],
      ['rx-1', 'specialist_prescribing', 'referred', null],
    ]);
    expect(relapse.effects.map((e) => `${e.kind}:${e.id}`)).toEqual([
      'cancel:checkup-0',
      'cancel:checkup-1',
      'cancel:checkup-2',
      'cancel:recovery-sustained',
      'raise:waiting-time',
    ]);
    // Re-presented 1 September: breached from midnight (BST) starting 23 September.
    expect(relapse.effects.at(-1)).toMatchObject({ delay: until('2026-09-22T23:00:00.000Z') });

    const back = step(pathwayMachine, relapse.snapshot, ev({ type: 'REENTRY_CONFIRMED' }));
    expect(back.snapshot.value).toBe('carePlanning');
    const restarted = drive(pathwayMachine, input, [
      ...toCheckups,
      ev({ type: 'RELAPSE_REPORTED' }),
      ev({ type: 'REENTRY_CONFIRMED' }),
      ev({ type: 'INTERVENTION_OFFERED', interventionId: 'rx-1' }),
      ev({ type: 'INTERVENTION_STARTED', interventionId: 'rx-1' }),
    ]);
    expect(restarted.snapshot.value).toEqual({ inTreatment: 'active' });
  });

  it('counts every re-presentation', () => {
    const twice = drive(pathwayMachine, input, [
      ...toCheckups,
      ev({ type: 'RELAPSE_REPORTED' }),
      ev({ type: 'REENTRY_CONFIRMED' }),
      ev({ type: 'INTERVENTION_OFFERED', interventionId: 'psy-1' }),
      ev({ type: 'INTERVENTION_STARTED', interventionId: 'psy-1' }),
      successfulDischarge,
      ev({ type: 'RELAPSE_REPORTED' }),
    ]);
    expect(ctx(twice.snapshot).representations).toBe(2);
  });
});

describe('custody', () => {
  const stagesBefore: Array<[string, PathwayEvent[], unknown]> = [
    ['referred', [], 'referred'],
    ['screening', [ev({ type: 'SCREENING_STARTED' })], 'screening'],
    ['assessment', toCarePlanning.slice(0, 2), 'assessment'],
    ['carePlanning', toCarePlanning, 'carePlanning'],
    ['inTreatment.active', toTreatment, { inTreatment: 'active' }],
    ['inTreatment.reviewDue', [...toTreatment, ev({ type: 'REVIEW_DUE' })], { inTreatment: 'reviewDue' }],
    ['recoveryCheckups', toCheckups, 'recoveryCheckups'],
    ['rapidReentry', [...toCheckups, ev({ type: 'RELAPSE_REPORTED' })], 'rapidReentry'],
  ];

  it.each(stagesBefore)('returns from custody to %s and starts the 21-day continuity clock', (stage, before, value) => {
    const held = drive(pathwayMachine, input, [...before, ev({ type: 'CUSTODY_STARTED', custodyOn: '2026-08-01' })]);
    expect(held.snapshot.value).toBe('inCustody');
    expect(ctx(held.snapshot).custody).toEqual({ stageBeforeCustody: stage, custodyOn: '2026-08-01' });
    const released = step(pathwayMachine, held.snapshot, ev({ type: 'RELEASED_FROM_CUSTODY', releasedOn: '2026-09-01' }));
    expect(released.snapshot.value).toEqual(value);
    expect(ctx(released.snapshot).custody).toBeNull();
    expect(ctx(released.snapshot).continuity).toEqual({ releasedOn: '2026-09-01', engagedOn: null, breached: false });
    expect(released.effects).toContainEqual({ kind: 'raise', id: 'continuity-of-care', delay: until('2026-09-22T23:00:00.000Z'), event: { type: 'CONTINUITY_OF_CARE_BREACHED', at: '' } });
    // The waiting clock kept running through custody: release must not restart it.
    expect(released.effects.filter((e) => e.id === 'waiting-time')).toEqual([]);
  });

  it('stops the continuity clock on engagement, or flags the breach when it fires first', () => {
    const released = drive(pathwayMachine, input, [...toTreatment, ev({ type: 'CUSTODY_STARTED' }), ev({ type: 'RELEASED_FROM_CUSTODY' })]);
    const engaged = step(pathwayMachine, released.snapshot, ev({ type: 'COMMUNITY_ENGAGED', engagedOn: '2026-03-10' }));
    expect(engaged.effects).toEqual([{ kind: 'cancel', id: 'continuity-of-care' }]);
    expect(ctx(engaged.snapshot).continuity).toMatchObject({ engagedOn: '2026-03-10', breached: false });
    expect(step(pathwayMachine, engaged.snapshot, ev({ type: 'CONTINUITY_OF_CARE_BREACHED' })).accepted).toBe(false);

    const breached = step(pathwayMachine, released.snapshot, ev({ type: 'CONTINUITY_OF_CARE_BREACHED' }));
    expect(ctx(breached.snapshot).continuity?.breached).toBe(true);
  });

  it('allows only an unsuccessful discharge from custody', () => {
    const held = drive(pathwayMachine, input, [...toTreatment, ev({ type: 'TOP_RECORDED', top: buildTop('exit') }), ev({ type: 'CUSTODY_STARTED' })]);
    expect(step(pathwayMachine, held.snapshot, successfulDischarge).accepted).toBe(false);
    const closed = step(pathwayMachine, held.snapshot, ev({ type: 'DISCHARGED', reason: 'transferred_in_custody', dischargedOn: '2026-04-01' }));
    expect(closed.snapshot.value).toBe('closed');
  });

  it('pauses the review clock in custody and restarts it on return to treatment', () => {
    const held = drive(pathwayMachine, input, [...toTreatment, ev({ type: 'CUSTODY_STARTED' })]);
    expect(held.effects).toEqual([{ kind: 'cancel', id: 'review-due' }]);
    const back = step(pathwayMachine, held.snapshot, ev({ type: 'RELEASED_FROM_CUSTODY' }));
    expect(back.effects.map((e) => `${e.kind}:${e.id}`)).toEqual(['raise:continuity-of-care', 'raise:review-due']);
  });
});

describe('timer events in a state that no longer handles them', () => {
  it.each([
    ['REVIEW_DUE', toCarePlanning],
    ['RECOVERY_SUSTAINED', toTreatment],
    ['CHECKUP_DUE', toTreatment],
    ['CONTINUITY_OF_CARE_BREACHED', toTreatment],
  ] as const)('%s is not accepted and changes nothing', (type, before) => {
    const { snapshot } = drive(pathwayMachine, input, [...before]);
    const result = step(pathwayMachine, snapshot, ev({ type, index: 0 } as unknown as PathwayEvent));
    expect(result.accepted).toBe(false);
    expect(result.snapshot).toBe(snapshot);
    expect(timerEffects(result.actions)).toEqual([]);
  });
});
