/**
 * `allowedNow` (machines/allowed-now.ts): what a journey or referral lists as allowed is
 * what the statechart accepts. Stage by stage with named expectations, then over every
 * abstract state of the pathway model: each accepted sample event is listed (with its
 * field value among the options), each listed event and option really passes a transition,
 * and each event left out is refused by every sample of it.
 */
import { getShortestPaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot, type EventObject } from 'xstate';
import { allowedNow } from '../../machines/allowed-now.ts';
import { inertTransition } from '../../machines/inert-transition.ts';
import { SUCCESSFUL_DISCHARGE_REASONS, UNSUCCESSFUL_DISCHARGE_REASONS } from '../../machines/codes.ts';
import { EVENT_PROBES } from '../../machines/event-probes.ts';
import { KEYWORK_EVENT_TYPES } from '../../machines/keywork-types.ts';
import { PATHWAY_EVENT_TYPES, PATHWAY_TIMER_EVENT_TYPES, REFERRAL_EVENT_TYPES, REFERRAL_TIMER_EVENT_TYPES, pathwayMachine, referralMachine } from '../../machines/index.ts';
import { AT, AT_DATE, buildTop, ev } from './builders.ts';
import { pathwayModelInput, samples, serializeState } from './pathway-model-spec.ts';

const TIMERS = new Set<string>([...PATHWAY_TIMER_EVENT_TYPES, ...REFERRAL_TIMER_EVENT_TYPES]);
const ALL_REASONS = [...SUCCESSFUL_DISCHARGE_REASONS, ...UNSUCCESSFUL_DISCHARGE_REASONS];

function journeyAfter(events: EventObject[]): AnyMachineSnapshot {
  let [s] = initialTransition(pathwayMachine, { referralSource: 'self', referredOn: AT_DATE });
  for (const e of events) {
    const [next] = transition(pathwayMachine, s, e as never);
    expect(next, `${e.type} should be accepted`).not.toBe(s);
    s = next;
  }
  return s;
}

const KEYWORK = new Set<string>(KEYWORK_EVENT_TYPES);
/** The stage's own user events (a keyworker's-day event is open in every stage; tested apart). */
const userEvents = (s: AnyMachineSnapshot) => allowedNow(s, AT).allowedEvents.filter((t) => !TIMERS.has(t) && !KEYWORK.has(t));

const toCarePlanning = [ev({ type: 'SCREENING_STARTED' }), ev({ type: 'SCREENING_COMPLETED', outcome: 'assess' }), ev({ type: 'ASSESSMENT_COMPLETED', domains: {} })];
const plan = ev({ type: 'CARE_PLAN_AGREED', interventions: [{ id: 'a', modality: 'structured_psychosocial' }, { id: 'b', modality: 'outreach' }] });
const toTreatment = [...toCarePlanning, plan, ev({ type: 'INTERVENTION_OFFERED', interventionId: 'a' }), ev({ type: 'INTERVENTION_STARTED', interventionId: 'a' })];

describe('allowedNow, stage by stage', () => {
  it('a new journey does not offer COMMUNITY_ENGAGED, and offers only unsuccessful discharge reasons', () => {
    const s = journeyAfter([]);
    expect(userEvents(s)).toEqual(['CUSTODY_STARTED', 'DISCHARGED', 'KEYWORKER_ASSIGNED', 'SCREENING_STARTED']);
    expect(allowedNow(s, AT).eventOptions).toEqual({ DISCHARGED: { reason: [...UNSUCCESSFUL_DISCHARGE_REASONS] } });
  });

  it('screening offers both outcomes, and brief advice only unsuccessful reasons', () => {
    const s = journeyAfter([ev({ type: 'SCREENING_STARTED' })]);
    expect(userEvents(s)).toEqual(['CUSTODY_STARTED', 'DISCHARGED', 'KEYWORKER_ASSIGNED', 'SCREENING_COMPLETED']);
    expect(allowedNow(s, AT).eventOptions.SCREENING_COMPLETED).toEqual({ outcome: ['assess', 'brief_advice'], dischargeReason: [...UNSUCCESSFUL_DISCHARGE_REASONS] });
  });

  it('assessment offers the assessment', () => {
    const s = journeyAfter(toCarePlanning.slice(0, 2));
    expect(userEvents(s)).toEqual(['ASSESSMENT_COMPLETED', 'CUSTODY_STARTED', 'DISCHARGED', 'KEYWORKER_ASSIGNED']);
  });

  it('care planning without a package offers no intervention event; with one, each step names the interventions it fits', () => {
    const empty = journeyAfter(toCarePlanning);
    expect(userEvents(empty)).toEqual(['CARE_PLAN_AGREED', 'CUSTODY_STARTED', 'DISCHARGED', 'KEYWORKER_ASSIGNED']);
    const planned = journeyAfter([...toCarePlanning, plan]);
    expect(userEvents(planned)).toEqual(['CARE_PLAN_AGREED', 'CUSTODY_STARTED', 'DISCHARGED', 'INTERVENTION_OFFERED', 'KEYWORKER_ASSIGNED']);
    expect(allowedNow(planned, AT).eventOptions.INTERVENTION_OFFERED).toEqual({ interventionId: ['a', 'b'] });
    const offered = journeyAfter([...toCarePlanning, plan, ev({ type: 'INTERVENTION_OFFERED', interventionId: 'a' })]);
    const options = allowedNow(offered, AT).eventOptions;
    expect(options.INTERVENTION_OFFERED).toEqual({ interventionId: ['b'] });
    expect(options.INTERVENTION_STARTED).toEqual({ interventionId: ['a'] });
    expect(options.INTERVENTION_ENDED).toBeUndefined();
  });

  it('in treatment every discharge reason is offered (a successful one with its exit TOP), and only started interventions can end', () => {
    const s = journeyAfter(toTreatment);
    expect(userEvents(s)).toEqual([
      'CARE_PLAN_AGREED', 'CUSTODY_STARTED', 'DISCHARGED', 'INTERVENTION_ENDED', 'INTERVENTION_OFFERED', 'KEYWORKER_ASSIGNED', 'REVIEW_COMPLETED', 'TOP_RECORDED',
    ]);
    const options = allowedNow(s, AT).eventOptions;
    expect([...options.DISCHARGED!.reason!].sort()).toEqual([...ALL_REASONS].sort());
    expect(options.INTERVENTION_ENDED).toEqual({ interventionId: ['a'], exitStatus: ['planned', 'unplanned', 'withdrawn'] });
    expect(options.INTERVENTION_OFFERED).toEqual({ interventionId: ['b'] });
  });

  it('recovery check-ups offer no discharge; rapid re-entry and custody only unsuccessful ones', () => {
    const recovering = journeyAfter([...toTreatment, ev({ type: 'DISCHARGED', reason: 'completed_drug_free', dischargedOn: AT_DATE, exitTop: buildTop('exit') })]);
    expect(userEvents(recovering)).toEqual(['CHECKUP_COMPLETED', 'CUSTODY_STARTED', 'KEYWORKER_ASSIGNED', 'RELAPSE_REPORTED', 'TOP_RECORDED']);
    const relapsed = journeyAfter([...toTreatment, ev({ type: 'DISCHARGED', reason: 'completed_drug_free', dischargedOn: AT_DATE, exitTop: buildTop('exit') }), ev({ type: 'RELAPSE_REPORTED' })]);
    expect(userEvents(relapsed)).toEqual(['CUSTODY_STARTED', 'DISCHARGED', 'KEYWORKER_ASSIGNED', 'REENTRY_CONFIRMED']);
    expect(allowedNow(relapsed, AT).eventOptions.DISCHARGED).toEqual({ reason: [...UNSUCCESSFUL_DISCHARGE_REASONS] });
    const inCustody = journeyAfter([...toTreatment, ev({ type: 'CUSTODY_STARTED' })]);
    expect(userEvents(inCustody)).toEqual(['DISCHARGED', 'KEYWORKER_ASSIGNED', 'RELEASED_FROM_CUSTODY']);
    expect(allowedNow(inCustody, AT).eventOptions.DISCHARGED).toEqual({ reason: [...UNSUCCESSFUL_DISCHARGE_REASONS] });
  });

  it('COMMUNITY_ENGAGED is offered after release until engagement is recorded', () => {
    const released = journeyAfter([ev({ type: 'CUSTODY_STARTED' }), ev({ type: 'RELEASED_FROM_CUSTODY' })]);
    expect(userEvents(released)).toContain('COMMUNITY_ENGAGED');
    const engaged = journeyAfter([ev({ type: 'CUSTODY_STARTED' }), ev({ type: 'RELEASED_FROM_CUSTODY' }), ev({ type: 'COMMUNITY_ENGAGED' })]);
    expect(userEvents(engaged)).not.toContain('COMMUNITY_ENGAGED');
  });

  it('a keyworker’s-day step lists the appointments and tasks it fits; attendance only from the appointment’s day', () => {
    const fresh = journeyAfter([]);
    const all = allowedNow(fresh, AT).allowedEvents;
    expect(all).toEqual(expect.arrayContaining(['APPOINTMENT_BOOKED', 'CONTACT_RECORDED']));
    expect(all).not.toContain('APPOINTMENT_ATTENDED');
    expect(all).not.toContain('TASK_COMPLETED');
    const booked = journeyAfter([ev({ type: 'APPOINTMENT_BOOKED', appointmentId: 'a1', kind: 'keywork', startsAt: '2026-03-05T10:00:00.000Z' })]);
    expect(allowedNow(booked, AT).eventOptions).toMatchObject({ APPOINTMENT_CANCELLED: { appointmentId: ['a1'] } });
    expect(allowedNow(booked, AT).allowedEvents).not.toContain('APPOINTMENT_ATTENDED');
    expect(allowedNow(booked, '2026-03-05T15:00:00.000Z').eventOptions).toMatchObject({ APPOINTMENT_ATTENDED: { appointmentId: ['a1'] }, APPOINTMENT_MISSED: { appointmentId: ['a1'] } });
  });

  it('a closed journey accepts nothing', () => {
    const closed = journeyAfter([ev({ type: 'DISCHARGED', reason: 'moved_away', dischargedOn: AT_DATE })]);
    expect(allowedNow(closed, AT)).toEqual({ allowedEvents: [], eventOptions: {} });
  });

  it('a referral lists its events by state', () => {
    let [s] = initialTransition(referralMachine, { kind: 'treatment', urgency: 'routine', requestedAt: AT });
    expect(userEvents(s)).toEqual(['REFERRAL_ACCEPTED', 'REFERRAL_CANCELLED', 'REFERRAL_RECEIVED', 'REFERRAL_REJECTED']);
    [s] = transition(referralMachine, s, ev({ type: 'REFERRAL_ACCEPTED' }));
    expect(userEvents(s)).toEqual(['FIRST_CONTACT_MADE', 'REFERRAL_CANCELLED', 'REFERRAL_COMPLETED', 'REFERRAL_FAILED']);
  });

  it('every user event of both machines has probes', () => {
    expect(PATHWAY_EVENT_TYPES.filter((t) => !TIMERS.has(t) && !EVENT_PROBES.pathway![t])).toEqual([]);
    expect(REFERRAL_EVENT_TYPES.filter((t) => !TIMERS.has(t) && !EVENT_PROBES.referral![t])).toEqual([]);
  });
});

/** The value of the field an option stands for, as a sample event carries it. */
const OPTION_FIELDS = ['reason', 'outcome', 'dischargeReason', 'interventionId', 'exitStatus'];

describe('allowedNow agrees with the statechart in every abstract state of the pathway model', () => {
  // Transitions through machines/inert-transition.ts, held to XState's transition() by its own test: the model is large.
  const paths = getShortestPaths(pathwayMachine, {
    input: pathwayModelInput,
    events: (s: AnyMachineSnapshot) => samples(s),
    serializeState: (s: AnyMachineSnapshot) => serializeState(s),
  });

  it('lists every accepted sample, offers only values that pass, and leaves out only what every sample is refused', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const path of paths) {
      const s = path.state as AnyMachineSnapshot;
      // A finished journey accepts nothing: the engine does not deliver events there at all
      // (plan-transition.ts; XState alone would still take root-level keyworker's-day events).
      if (s.status !== 'active') {
        if (allowedNow(s, AT).allowedEvents.length > 0) problems.push(`${serializeState(s)}: a finished journey lists events`);
        continue;
      }
      const where = serializeState(s);
      const { allowedEvents, eventOptions } = allowedNow(s, AT);
      const byType = new Map<string, EventObject[]>();
      for (const e of samples(s) as EventObject[]) {
        if (TIMERS.has(e.type)) continue;
        byType.set(e.type, [...(byType.get(e.type) ?? []), e]);
        const [next] = inertTransition(pathwayMachine, s, e);
        checked += 1;
        if (next === s) continue;
        if (!allowedEvents.includes(e.type)) problems.push(`${where}: ${e.type} is accepted but not listed`);
        const options = eventOptions[e.type];
        for (const field of OPTION_FIELDS) {
          const value = (e as Record<string, unknown>)[field];
          if (options?.[field] && typeof value === 'string' && !options[field].includes(value)) problems.push(`${where}: ${e.type} ${field}=${value} is accepted but not offered`);
        }
      }
      for (const type of allowedEvents) {
        if (TIMERS.has(type)) continue;
        const probes = EVENT_PROBES.pathway![type]!(s.context as Record<string, unknown>, AT.slice(0, 10));
        const passing = probes.filter((p) => inertTransition(pathwayMachine, s, { ...p.fields, type, at: AT } as EventObject)[0] !== s);
        if (passing.length === 0) problems.push(`${where}: ${type} is listed but no payload passes`);
        for (const [field, values] of Object.entries(eventOptions[type] ?? {})) {
          for (const value of values) {
            if (!passing.some((p) => p.option?.field === field && p.option.value === value)) problems.push(`${where}: ${type} offers ${field}=${value}, which is refused`);
          }
        }
      }
      for (const [type, events] of byType) {
        if (allowedEvents.includes(type)) continue;
        if (events.some((e) => inertTransition(pathwayMachine, s, e)[0] !== s)) problems.push(`${where}: ${type} is left out but a sample passes`);
      }
    }
    expect(problems).toEqual([]);
    expect(paths.length).toBeGreaterThan(90);
    expect(checked).toBeGreaterThan(5000);
  }, 120_000);
});
