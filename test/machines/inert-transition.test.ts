/**
 * machines/inert-transition.ts builds XState's inert scope once instead of per call (the
 * measured reason is in its doc comment). These tests hold it to XState's own public
 * `transition()` / `initialTransition()`: if an XState upgrade changes how actions reach the
 * scope, or what a transition returns, they fail here before any journey is planned wrong.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import { inertInitialTransition, inertTransition, type CollectedAction } from '../../machines/inert-transition.ts';
import { interventionAccepts, applyInterventionEvent, newInterventionRecord } from '../../machines/intervention-rules.ts';
import { pathwayMachine, referralMachine } from '../../machines/index.ts';
import { AT, AT_DATE, buildTop, ev } from './builders.ts';

/** What a plan reads of an action: its type and params (never the non-serialisable `info`). */
function readable(actions: ReadonlyArray<{ type: string; params?: unknown }>): CollectedAction[] {
  return actions.map((a) => ({ type: a.type, params: a.params }));
}

/** Steps both ways through the events, comparing snapshots and actions at every step. */
function compareAlong(machine: AnyStateMachine, input: unknown, events: EventObject[]): AnyMachineSnapshot {
  const [publicStart, publicActions] = initialTransition(machine, input as never);
  const [inertStart, inertActions] = inertInitialTransition(machine, input);
  expect(inertStart.value).toEqual(publicStart.value);
  expect(inertStart.context).toEqual(publicStart.context);
  expect(readable(inertActions)).toEqual(readable(publicActions));
  let publicSnap = publicStart as AnyMachineSnapshot;
  let inertSnap = inertStart;
  for (const event of events) {
    const [publicNext, pActions] = transition(machine, publicSnap, event as never);
    const [inertNext, iActions] = inertTransition(machine, inertSnap, event);
    const seen: unknown[] = [event.type, inertNext.value, inertNext.status];
    const expected: unknown[] = [event.type, publicNext.value, publicNext.status];
    expect(seen).toEqual(expected);
    expect(inertNext.context).toEqual(publicNext.context);
    expect(readable(iActions)).toEqual(readable(pActions));
    // "Not accepted" is signalled the same way: the very snapshot that went in.
    expect(inertNext === inertSnap).toBe(publicNext === publicSnap);
    publicSnap = publicNext as AnyMachineSnapshot;
    inertSnap = inertNext;
  }
  return inertSnap;
}

describe('inert transitions agree with XState’s public transition()', () => {
  it('a journey from referral through treatment, discharge, check-ups, relapse and custody', () => {
    const last = compareAlong(pathwayMachine, { referralSource: 'self', referredOn: AT_DATE }, [
      ev({ type: 'SCREENING_STARTED' }),
      ev({ type: 'COMMUNITY_ENGAGED' }), // refused: never in custody
      ev({ type: 'SCREENING_COMPLETED', outcome: 'assess' }),
      ev({ type: 'ASSESSMENT_COMPLETED', domains: {} }),
      ev({ type: 'CARE_PLAN_AGREED', interventions: [{ id: 'a', modality: 'structured_psychosocial' }] }),
      ev({ type: 'INTERVENTION_OFFERED', interventionId: 'a' }),
      ev({ type: 'INTERVENTION_STARTED', interventionId: 'a' }),
      ev({ type: 'REVIEW_DUE' }),
      ev({ type: 'REVIEW_COMPLETED', top: buildTop('review') }),
      ev({ type: 'DISCHARGED', reason: 'completed_drug_free', dischargedOn: AT_DATE, exitTop: buildTop('exit') }),
      ev({ type: 'CHECKUP_DUE', index: 0 }),
      ev({ type: 'CUSTODY_STARTED' }),
      ev({ type: 'RELEASED_FROM_CUSTODY' }),
      ev({ type: 'RELAPSE_REPORTED' }),
      ev({ type: 'COMMUNITY_ENGAGED' }),
    ]);
    expect(last.value).toBe('rapidReentry');
  });

  it('a referral with both deadline timers, cancelled on acceptance', () => {
    const last = compareAlong(referralMachine, { kind: 'treatment', urgency: 'urgent', requestedAt: AT }, [
      ev({ type: 'FIRST_CONTACT_MADE' }), // refused in requested
      ev({ type: 'REFERRAL_ACCEPTED' }),
      ev({ type: 'REFERRAL_COMPLETED', outcome: 'engaged' }),
    ]);
    expect(last.status).toBe('done');
  });

  it('delayed raises arrive with their delay resolved and their id, as the engine reads them', () => {
    const [, actions] = inertInitialTransition(pathwayMachine, { referralSource: 'self', referredOn: AT_DATE });
    expect(readable(actions)).toContainEqual({
      type: 'xstate.raise',
      // Opened at midnight (GMT) of the referral date: due at the first instant of day 22.
      params: { event: { type: 'WAITING_TIME_BREACHED', at: '' }, id: 'waiting-time', delay: 22 * 86_400_000 },
    });
  });

  it('nested machines (the intervention rules inside a pathway action) keep their actions apart', () => {
    const record = newInterventionRecord('a', 'outreach', AT_DATE);
    expect(interventionAccepts(record, ev({ type: 'INTERVENTION_STARTED', interventionId: 'a' }))).toBe(false);
    const offered = applyInterventionEvent(record, ev({ type: 'INTERVENTION_OFFERED', interventionId: 'a' }));
    expect(offered).toMatchObject({ status: 'offered', offeredOn: AT_DATE });
  });
});
