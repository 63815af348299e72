import { assign, cancel, enqueueActions, raise, setup } from 'xstate';
import { BRIEF_ADVICE_DEFAULT_DISCHARGE_REASON, isSuccessfulDischargeReason, isUnsuccessfulDischargeReason, SUPPORT_MODALITIES } from './codes.ts';
import { applyInterventionEvent, interventionAccepts } from './intervention-rules.ts';
import type { InterventionEvent } from './intervention.machine.ts';
import {
  completeCheckup,
  hasExitTop,
  isValidPlannedPackage,
  mergeCarePlan,
  normaliseCheckupSchedule,
  restoreCarePlan,
  scheduleCheckups,
} from './pathway-rules.ts';
import { checkupTimerId, PATHWAY_TIMER_IDS, type WithdrawnBreach, type PathwayContext, type PathwayEvent, type PathwayInput, type ResumableStage } from './pathway-types.ts';
import { DEFAULT_TIME_ZONE, delayUntil, isWithinDays, localDateOf } from './calendar-days.ts';
import { checkupDueAt, continuityBreachAt, recoverySustainedAt, reviewClockStart, reviewOverdueAt, waitingTimeBreachAt } from './clock-rules.ts';
import { CONTINUITY_OF_CARE_DAYS, isIsoDate, WAITING_TIME_DAYS } from './time.ts';
import { isTopRecord } from './top-record.ts';
import { applyKeyworkEvent, keyworkRefusal } from './keywork-rules.ts';
import { KEYWORK_EVENT_TYPES, type KeyworkEvent } from './keywork-types.ts';

const KEYWORK_TYPES: ReadonlySet<string> = new Set(KEYWORK_EVENT_TYPES);

function isKeyworkAccepted(context: PathwayContext, event: PathwayEvent): boolean {
  const kw = asKeyworkEvent(event);
  return kw !== null && keyworkRefusal(context, kw) === null;
}

/** The keyworker's-day event carried by a pathway event, if it is one. */
function asKeyworkEvent(event: PathwayEvent): KeyworkEvent | null {
  return KEYWORK_TYPES.has(event.type) ? (event as KeyworkEvent) : null;
}

/** The intervention event carried by a pathway event, if it is one. */
function asInterventionEvent(event: PathwayEvent): InterventionEvent | null {
  return event.type === 'INTERVENTION_OFFERED' || event.type === 'INTERVENTION_STARTED' || event.type === 'INTERVENTION_ENDED' ? event : null;
}

/** The journey's time zone (journeys opened before it was kept count in the default). */
function zoneOf(context: PathwayContext): string {
  return context.timeZone ?? DEFAULT_TIME_ZONE;
}

/** The local calendar date of a payload date or an event time, in the journey's zone. */
function dateIn(context: PathwayContext, value: string): string {
  try {
    return localDateOf(value, zoneOf(context));
  } catch {
    // Guards check the dates users send; anything else keeps its date part as before.
    return value.slice(0, 10);
  }
}

/**
 * The time the engine adds a delay to: the event's effective time, or for the journey's
 * first timers (raised while it is created, before any event) the opening time.
 */
function baseAt(context: PathwayContext, event: { type: string; at?: unknown; input?: Partial<PathwayInput> }): string {
  if (typeof event.at === 'string' && event.at !== '') return event.at;
  return event.input?.openedAt ?? `${context.referredOn}T00:00:00.000Z`;
}

/**
 * One treatment journey (NDTMS episode): referral → screening → assessment → care
 * planning → treatment with 6-monthly reviews → discharge → recovery check-ups, with
 * rapid re-entry after relapse and custody as a pause. Timers are delayed raises the
 * engine persists; see docs/ARCHITECTURE.md "Statecharts" for every state and event.
 */
export const pathwayMachine = setup({
  types: {
    context: {} as PathwayContext,
    events: {} as PathwayEvent,
    input: {} as PathwayInput,
  },
  // Each delay runs from the event's time to the clock's deadline, which clock-rules.ts
  // works out from the clock's start date in local calendar days (machines/calendar-days.ts).
  delays: {
    waitingTime: ({ context, event }) => delayUntil(waitingTimeBreachAt(context.reenteredOn ?? context.referredOn, zoneOf(context)), baseAt(context, event)),
    reviewInterval: ({ context, event }) => {
      const start = reviewClockStart(context.treatmentStartedOn, context.lastReviewOn) ?? dateIn(context, baseAt(context, event));
      return delayUntil(reviewOverdueAt(start, zoneOf(context)), baseAt(context, event));
    },
    recoverySustained: ({ context, event }) => {
      const start = context.discharge?.dischargedOn ?? dateIn(context, baseAt(context, event));
      return delayUntil(recoverySustainedAt(start, zoneOf(context)), baseAt(context, event));
    },
    continuityOfCare: ({ context, event }) => {
      const start = context.continuity?.releasedOn ?? dateIn(context, baseAt(context, event));
      return delayUntil(continuityBreachAt(start, zoneOf(context)), baseAt(context, event));
    },
  },
  guards: {
    /** Screening found a need for structured treatment. */
    screenedForAssessment: ({ event }) => event.type === 'SCREENING_COMPLETED' && event.outcome === 'assess',
    /** Screening ended in brief advice, closing with an unsuccessful reason (default no_appropriate_treatment). */
    screenedForBriefAdvice: ({ event }) =>
      event.type === 'SCREENING_COMPLETED' &&
      event.outcome === 'brief_advice' &&
      (event.dischargeReason === undefined || isUnsuccessfulDischargeReason(event.dischargeReason)),
    /** A care plan needs at least one intervention (unique ids, known modalities) and a valid date if one is given. */
    carePlanHasInterventions: ({ event }) =>
      event.type === 'CARE_PLAN_AGREED' &&
      isValidPlannedPackage(event.interventions) &&
      (event.carePlanDate === undefined || isIsoDate(event.carePlanDate)),
    /** The intervention is in the care plan and its own lifecycle accepts the event. */
    interventionAcceptsEvent: ({ context, event }) => {
      const ie = asInterventionEvent(event);
      const record = ie && context.carePlan?.interventions.find((i) => i.id === ie.interventionId);
      return Boolean(ie && record && interventionAccepts(record, ie));
    },
    /** A start the intervention's lifecycle accepts, of structured treatment (not recovery support beside it: codes.ts SUPPORT_MODALITIES). */
    startsStructuredTreatment: ({ context, event }) => {
      const ie = asInterventionEvent(event);
      const record = ie && context.carePlan?.interventions.find((i) => i.id === ie.interventionId);
      return Boolean(ie && record && !SUPPORT_MODALITIES.has(record.modality) && interventionAccepts(record, ie));
    },
    /** A start the intervention's lifecycle accepts, of recovery support beside treatment (ETE, mutual aid, housing). */
    startsRecoverySupport: ({ context, event }) => {
      const ie = asInterventionEvent(event);
      const record = ie && context.carePlan?.interventions.find((i) => i.id === ie.interventionId);
      return Boolean(ie && record && SUPPORT_MODALITIES.has(record.modality) && interventionAccepts(record, ie));
    },
    /** A TOP_RECORDED event carries a well-formed TOP. */
    topIsValid: ({ event }) => event.type === 'TOP_RECORDED' && isTopRecord(event.top),
    /** A review is recorded with its TOP. */
    reviewHasTop: ({ event }) => event.type === 'REVIEW_COMPLETED' && isTopRecord(event.top) && (event.reviewedOn === undefined || isIsoDate(event.reviewedOn)),
    /** Successful completion: successful reason, a date, and an exit TOP (given now or recorded in this episode). */
    isSuccessfulDischarge: ({ context, event }) =>
      event.type === 'DISCHARGED' && isSuccessfulDischargeReason(event.reason) && isIsoDate(event.dischargedOn) && hasExitTop(context, event.exitTop),
    /** Unsuccessful discharge: an unsuccessful reason and a date. */
    isUnsuccessfulDischarge: ({ event }) => event.type === 'DISCHARGED' && isUnsuccessfulDischargeReason(event.reason) && isIsoDate(event.dischargedOn),
    /** A check-up is recorded with a valid TOP, or none. */
    checkupTopIsValid: ({ event }) => event.type === 'CHECKUP_COMPLETED' && (event.top === undefined || isTopRecord(event.top)),
    /** A CHECKUP_DUE timer for a scheduled check-up not yet done. */
    checkupIsOpen: ({ context, event }) =>
      event.type === 'CHECKUP_DUE' && context.checkups.some((c) => c.index === event.index && c.completedOn === null && !c.due),
    /** Custody started from this stage (parameterised so each return edge names its stage). */
    cameFrom: ({ context }, params: { stage: ResumableStage }) => context.custody?.stageBeforeCustody === params.stage,
    /** Released from custody and not yet engaged with community treatment. */
    awaitingEngagement: ({ context }) => context.continuity !== null && context.continuity.engagedOn === null,
    /** Released, not engaged, not already flagged. */
    continuityAtRisk: ({ context }) => context.continuity !== null && context.continuity.engagedOn === null && !context.continuity.breached,
    /** A keyworker id is given. */
    hasKeyworkerId: ({ event }) => event.type === 'KEYWORKER_ASSIGNED' && typeof event.keyworkerId === 'string' && event.keyworkerId.length > 0,
    /** A keyworker's-day event the journey's appointments, contacts and tasks accept (machines/keywork-rules.ts). */
    appointmentAccepted: ({ context, event }) => isKeyworkAccepted(context, event),
    contactAccepted: ({ context, event }) => isKeyworkAccepted(context, event),
    taskAccepted: ({ context, event }) => isKeyworkAccepted(context, event),
  },
  actions: {
    /** Starts the 21-day waiting clock at referral and re-entry, but not on return from custody (the clock kept running). */
    startWaitingClock: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'RELEASED_FROM_CUSTODY') return;
      enqueue.raise({ type: 'WAITING_TIME_BREACHED', at: '' }, { id: PATHWAY_TIMER_IDS.waitingTime, delay: 'waitingTime' });
    }),
    stopWaitingClock: cancel(PATHWAY_TIMER_IDS.waitingTime),
    startReviewClock: raise({ type: 'REVIEW_DUE', at: '' }, { id: PATHWAY_TIMER_IDS.reviewDue, delay: 'reviewInterval' }),
    stopReviewClock: cancel(PATHWAY_TIMER_IDS.reviewDue),
    /** One CHECKUP_DUE per scheduled check-up not yet due or done. */
    startCheckupClocks: enqueueActions(({ context, event, enqueue }) => {
      const base = baseAt(context, event);
      const discharged = context.discharge?.dischargedOn ?? dateIn(context, base);
      for (const c of context.checkups) {
        if (c.dueDays === null || c.due || c.completedOn !== null) continue;
        const delay = delayUntil(checkupDueAt(discharged, c.dueDays, zoneOf(context)), base);
        enqueue.raise({ type: 'CHECKUP_DUE', index: c.index, at: '' }, { id: checkupTimerId(c.index), delay });
      }
    }),
    stopCheckupClocks: enqueueActions(({ context, enqueue }) => {
      for (const c of context.checkups) {
        if (c.dueDays !== null && !c.due && c.completedOn === null) enqueue.cancel(checkupTimerId(c.index));
      }
    }),
    startRecoverySustainedClock: raise({ type: 'RECOVERY_SUSTAINED', at: '' }, { id: PATHWAY_TIMER_IDS.recoverySustained, delay: 'recoverySustained' }),
    stopRecoverySustainedClock: cancel(PATHWAY_TIMER_IDS.recoverySustained),
    startContinuityClock: raise({ type: 'CONTINUITY_OF_CARE_BREACHED', at: '' }, { id: PATHWAY_TIMER_IDS.continuityOfCare, delay: 'continuityOfCare' }),
    stopContinuityClock: cancel(PATHWAY_TIMER_IDS.continuityOfCare),
    /** A journey opened on release from prison starts its continuity clock with the journey (only at creation). */
    startContinuityClockAtOpening: enqueueActions(({ context, event, enqueue }) => {
      if ((event as { type: string }).type !== 'xstate.init' || context.continuity === null) return;
      enqueue.raise({ type: 'CONTINUITY_OF_CARE_BREACHED', at: '' }, { id: PATHWAY_TIMER_IDS.continuityOfCare, delay: 'continuityOfCare' });
    }),

    flagWaitingTimeBreached: assign({ waitingTimeBreached: true }),
    closeWithBriefAdvice: assign(({ context, event }) => {
      if (event.type !== 'SCREENING_COMPLETED') return {};
      const reason = event.dischargeReason ?? BRIEF_ADVICE_DEFAULT_DISCHARGE_REASON;
      const on = dateIn(context, event.at);
      return { discharge: { reason, dischargedOn: on, successful: false }, closure: { reason, closedOn: on, sustainedRecovery: false } };
    }),
    recordAssessment: assign(({ context, event }) =>
      event.type === 'ASSESSMENT_COMPLETED'
        ? {
            assessment: { completedOn: dateIn(context, event.completedOn ?? event.at), domains: event.domains },
            ...(event.substanceGroup ? { substanceGroup: event.substanceGroup } : {}),
          }
        : {},
    ),
    // Agreeing the package again may correct the episode's substance group.
    recordCarePlan: assign(({ context, event }) =>
      event.type === 'CARE_PLAN_AGREED'
        ? {
            carePlan: mergeCarePlan(context.carePlan, dateIn(context, event.carePlanDate ?? event.at), event.interventions),
            ...(event.substanceGroup ? { substanceGroup: event.substanceGroup } : {}),
          }
        : {},
    ),
    recordInterventionEvent: assign(({ context, event }) => {
      const ie = asInterventionEvent(event);
      if (!ie || !context.carePlan) return {};
      // The intervention record keeps local dates: hand it the event's local date as its time.
      const local = { ...ie, at: dateIn(context, ie.at) };
      if (local.type === 'INTERVENTION_OFFERED' && local.offeredOn !== undefined) local.offeredOn = dateIn(context, local.offeredOn);
      if (local.type === 'INTERVENTION_STARTED' && local.startedOn !== undefined) local.startedOn = dateIn(context, local.startedOn);
      if (local.type === 'INTERVENTION_ENDED' && local.endedOn !== undefined) local.endedOn = dateIn(context, local.endedOn);
      const interventions = context.carePlan.interventions.map((i) => (i.id === ie.interventionId ? applyInterventionEvent(i, local) : i));
      return { carePlan: { ...context.carePlan, interventions } };
    }),
    /**
     * Treatment starts; a start dated within the 21 days (recorded late, after the breach
     * fired) withdraws the breach: the flag clears and the withdrawal is kept with its reason.
     */
    recordTreatmentStart: assign(({ context, event }) => {
      if (event.type !== 'INTERVENTION_STARTED') return {};
      const startedOn = dateIn(context, event.startedOn ?? event.at);
      const clockStart = context.reenteredOn ?? context.referredOn;
      if (!context.waitingTimeBreached || !isWithinDays(clockStart, startedOn, WAITING_TIME_DAYS)) return { treatmentStartedOn: startedOn };
      const withdrawn: WithdrawnBreach = {
        deadline: 'waiting_time',
        withdrawnOn: dateIn(context, event.at),
        reason: `first intervention started on ${startedOn}, within ${WAITING_TIME_DAYS} days of ${clockStart} (recorded after the breach)`,
      };
      return { treatmentStartedOn: startedOn, waitingTimeBreached: false, withdrawnBreaches: [...(context.withdrawnBreaches ?? []), withdrawn] };
    }),
    recordTop: assign(({ context, event }) => (event.type === 'TOP_RECORDED' ? { tops: [...context.tops, event.top] } : {})),
    recordReview: assign(({ context, event }) => {
      if (event.type !== 'REVIEW_COMPLETED') return {};
      const reviewedOn = dateIn(context, event.reviewedOn ?? event.at);
      return { reviews: [...context.reviews, { reviewedOn, top: event.top }], lastReviewOn: reviewedOn, tops: [...context.tops, event.top] };
    }),
    /** Successful completion: keep the package for rapid re-entry and schedule the check-ups. */
    recordSuccessfulDischarge: assign(({ context, event }) => {
      if (event.type !== 'DISCHARGED') return {};
      return {
        discharge: { reason: event.reason, dischargedOn: dateIn(context, event.dischargedOn), successful: true },
        tops: event.exitTop ? [...context.tops, event.exitTop] : context.tops,
        lastCarePlan: context.carePlan,
        checkups: scheduleCheckups(context.checkupScheduleDays),
      };
    }),
    recordUnsuccessfulDischarge: assign(({ context, event }) => {
      if (event.type !== 'DISCHARGED') return {};
      const dischargedOn = dateIn(context, event.dischargedOn);
      return {
        discharge: { reason: event.reason, dischargedOn, successful: false },
        closure: { reason: event.reason, closedOn: dischargedOn, sustainedRecovery: false },
        tops: event.exitTop && isTopRecord(event.exitTop) ? [...context.tops, event.exitTop] : context.tops,
      };
    }),
    flagCheckupDue: assign(({ context, event }) =>
      event.type === 'CHECKUP_DUE' ? { checkups: context.checkups.map((c) => (c.index === event.index ? { ...c, due: true } : c)) } : {},
    ),
    recordCheckup: assign(({ context, event }) => {
      if (event.type !== 'CHECKUP_COMPLETED') return {};
      const tops = event.top ? [...context.tops, event.top] : context.tops;
      return { checkups: completeCheckup(context.checkups, dateIn(context, event.checkupOn ?? event.at), event.top ?? null), tops };
    }),
    /** Relapse: count the re-presentation, restore the last package, start a new episode's waiting clock. */
    recordRelapse: assign(({ context, event }) => {
      if (event.type !== 'RELAPSE_REPORTED') return {};
      const on = dateIn(context, event.reportedOn ?? event.at);
      return {
        representations: context.representations + 1,
        carePlan: restoreCarePlan(context.lastCarePlan, on),
        treatmentStartedOn: null,
        reenteredOn: on,
        waitingTimeBreached: false,
      };
    }),
    recordSustainedRecovery: assign(({ context, event }) => {
      if (event.type !== 'RECOVERY_SUSTAINED' || !context.discharge) return {};
      return { closure: { reason: context.discharge.reason, closedOn: dateIn(context, event.at), sustainedRecovery: true } };
    }),
    rememberCustody: assign(({ context, event }, params: { stage: ResumableStage }) =>
      event.type === 'CUSTODY_STARTED' ? { custody: { stageBeforeCustody: params.stage, custodyOn: dateIn(context, event.custodyOn ?? event.at) } } : {},
    ),
    recordRelease: assign(({ context, event }) =>
      event.type === 'RELEASED_FROM_CUSTODY' ? { custody: null, continuity: { releasedOn: dateIn(context, event.releasedOn ?? event.at), engagedOn: null, breached: false } } : {},
    ),
    /** Engagement after release; one dated within the 21 days (recorded late) withdraws a breach already flagged. */
    recordEngagement: assign(({ context, event }) => {
      if (event.type !== 'COMMUNITY_ENGAGED' || !context.continuity) return {};
      const engagedOn = dateIn(context, event.engagedOn ?? event.at);
      const { releasedOn, breached } = context.continuity;
      if (!breached || !isWithinDays(releasedOn, engagedOn, CONTINUITY_OF_CARE_DAYS)) return { continuity: { ...context.continuity, engagedOn } };
      const withdrawn: WithdrawnBreach = {
        deadline: 'continuity_of_care',
        withdrawnOn: dateIn(context, event.at),
        reason: `engaged in the community on ${engagedOn}, within ${CONTINUITY_OF_CARE_DAYS} days of release on ${releasedOn} (recorded after the breach)`,
      };
      return { continuity: { ...context.continuity, engagedOn, breached: false }, withdrawnBreaches: [...(context.withdrawnBreaches ?? []), withdrawn] };
    }),
    /** The engine's correcting event: marks the withdrawal it logs with the fact that caused it. */
    recordBreachWithdrawal: assign(({ context, event }) => {
      if (event.type !== 'BREACH_WITHDRAWN') return {};
      const list = [...(context.withdrawnBreaches ?? [])];
      const i = list.findIndex((w) => w.deadline === event.clock && w.byEventSeq === undefined);
      const entry = list[i];
      if (entry) list[i] = { ...entry, byEventSeq: event.byEventSeq };
      return { withdrawnBreaches: list };
    }),
    flagContinuityBreached: assign(({ context }) => (context.continuity ? { continuity: { ...context.continuity, breached: true } } : {})),
    // Tasks nobody held (the journey had no keyworker) go to the keyworker now assigned.
    assignKeyworker: assign(({ context, event }) =>
      event.type === 'KEYWORKER_ASSIGNED'
        ? { keyworkerId: event.keyworkerId, ...(context.tasks ? { tasks: context.tasks.map((t) => (t.status === 'open' && t.assigneeId === null ? { ...t, assigneeId: event.keyworkerId } : t)) } : {}) }
        : {},
    ),
    recordKeywork: assign(({ context, event }) => {
      const kw = asKeyworkEvent(event);
      return kw ? applyKeyworkEvent(context, kw) : {};
    }),
  },
}).createMachine({
  id: 'pathway',
  context: ({ input }) => ({
    referralSource: input.referralSource,
    referredOn: localDateOf(input.referredOn, input.timeZone ?? DEFAULT_TIME_ZONE),
    keyworkerId: input.keyworkerId ?? null,
    assessment: null,
    carePlan: null,
    lastCarePlan: null,
    treatmentStartedOn: null,
    reenteredOn: null,
    tops: [],
    reviews: [],
    lastReviewOn: null,
    discharge: null,
    closure: null,
    checkupScheduleDays: normaliseCheckupSchedule(input.checkupScheduleDays),
    checkups: [],
    representations: 0,
    waitingTimeBreached: false,
    continuity: input.releasedOn ? { releasedOn: localDateOf(input.releasedOn, input.timeZone ?? DEFAULT_TIME_ZONE), engagedOn: null, breached: false } : null,
    custody: null,
    timeZone: input.timeZone ?? DEFAULT_TIME_ZONE,
  }),
  initial: 'referred',
  // A keyworker's day goes on in every open stage; a closed journey takes no more entries.
  on: {
    APPOINTMENT_BOOKED: { guard: 'appointmentAccepted', actions: 'recordKeywork' },
    APPOINTMENT_ATTENDED: { guard: 'appointmentAccepted', actions: 'recordKeywork' },
    APPOINTMENT_MISSED: { guard: 'appointmentAccepted', actions: 'recordKeywork' },
    APPOINTMENT_CANCELLED: { guard: 'appointmentAccepted', actions: 'recordKeywork' },
    CONTACT_RECORDED: { guard: 'contactAccepted', actions: 'recordKeywork' },
    TASK_ASSIGNED: { guard: 'taskAccepted', actions: 'recordKeywork' },
    TASK_COMPLETED: { guard: 'taskAccepted', actions: 'recordKeywork' },
    // Sent by the engine only, right after a fact recorded late withdrew a breach.
    BREACH_WITHDRAWN: { actions: 'recordBreachWithdrawal' },
  },
  states: {
    referred: {
      entry: ['startWaitingClock', 'startContinuityClockAtOpening'],
      on: {
        SCREENING_STARTED: 'screening',
        DISCHARGED: { guard: 'isUnsuccessfulDischarge', target: 'closed', actions: 'recordUnsuccessfulDischarge' },
        WAITING_TIME_BREACHED: { actions: 'flagWaitingTimeBreached' },
        CUSTODY_STARTED: { target: 'inCustody', actions: { type: 'rememberCustody', params: { stage: 'referred' } } },
        COMMUNITY_ENGAGED: { guard: 'awaitingEngagement', actions: ['stopContinuityClock', 'recordEngagement'] },
        CONTINUITY_OF_CARE_BREACHED: { guard: 'continuityAtRisk', actions: 'flagContinuityBreached' },
        KEYWORKER_ASSIGNED: { guard: 'hasKeyworkerId', actions: 'assignKeyworker' },
      },
    },
    screening: {
      on: {
        SCREENING_COMPLETED: [
          { guard: 'screenedForAssessment', target: 'assessment' },
          { guard: 'screenedForBriefAdvice', target: 'closed', actions: 'closeWithBriefAdvice' },
        ],
        DISCHARGED: { guard: 'isUnsuccessfulDischarge', target: 'closed', actions: 'recordUnsuccessfulDischarge' },
        WAITING_TIME_BREACHED: { actions: 'flagWaitingTimeBreached' },
        CUSTODY_STARTED: { target: 'inCustody', actions: { type: 'rememberCustody', params: { stage: 'screening' } } },
        COMMUNITY_ENGAGED: { guard: 'awaitingEngagement', actions: ['stopContinuityClock', 'recordEngagement'] },
        CONTINUITY_OF_CARE_BREACHED: { guard: 'continuityAtRisk', actions: 'flagContinuityBreached' },
        KEYWORKER_ASSIGNED: { guard: 'hasKeyworkerId', actions: 'assignKeyworker' },
      },
    },
    assessment: {
      on: {
        ASSESSMENT_COMPLETED: { target: 'carePlanning', actions: 'recordAssessment' },
        DISCHARGED: { guard: 'isUnsuccessfulDischarge', target: 'closed', actions: 'recordUnsuccessfulDischarge' },
        WAITING_TIME_BREACHED: { actions: 'flagWaitingTimeBreached' },
        CUSTODY_STARTED: { target: 'inCustody', actions: { type: 'rememberCustody', params: { stage: 'assessment' } } },
        COMMUNITY_ENGAGED: { guard: 'awaitingEngagement', actions: ['stopContinuityClock', 'recordEngagement'] },
        CONTINUITY_OF_CARE_BREACHED: { guard: 'continuityAtRisk', actions: 'flagContinuityBreached' },
        KEYWORKER_ASSIGNED: { guard: 'hasKeyworkerId', actions: 'assignKeyworker' },
      },
    },
    carePlanning: {
      on: {
        CARE_PLAN_AGREED: { guard: 'carePlanHasInterventions', actions: 'recordCarePlan' },
        INTERVENTION_OFFERED: { guard: 'interventionAcceptsEvent', actions: 'recordInterventionEvent' },
        // Treatment starts at the first start of a treatment intervention: the waiting clock
        // stops here. Recovery support (ETE, mutual aid, housing) may start before it.
        INTERVENTION_STARTED: [
          { guard: 'startsStructuredTreatment', target: 'inTreatment', actions: ['recordInterventionEvent', 'recordTreatmentStart', 'stopWaitingClock'] },
          { guard: 'startsRecoverySupport', actions: 'recordInterventionEvent' },
        ],
        DISCHARGED: { guard: 'isUnsuccessfulDischarge', target: 'closed', actions: 'recordUnsuccessfulDischarge' },
        WAITING_TIME_BREACHED: { actions: 'flagWaitingTimeBreached' },
        CUSTODY_STARTED: { target: 'inCustody', actions: { type: 'rememberCustody', params: { stage: 'carePlanning' } } },
        COMMUNITY_ENGAGED: { guard: 'awaitingEngagement', actions: ['stopContinuityClock', 'recordEngagement'] },
        CONTINUITY_OF_CARE_BREACHED: { guard: 'continuityAtRisk', actions: 'flagContinuityBreached' },
        KEYWORKER_ASSIGNED: { guard: 'hasKeyworkerId', actions: 'assignKeyworker' },
      },
    },
    inTreatment: {
      initial: 'active',
      states: {
        active: {
          // Review due at the first instant of local day 183 from the later of treatment start and the last review; a return from custody re-arms the timer but does not restart the clock.
          entry: 'startReviewClock',
          exit: 'stopReviewClock',
          on: {
            REVIEW_DUE: 'reviewDue',
            CUSTODY_STARTED: { target: '#pathway.inCustody', actions: { type: 'rememberCustody', params: { stage: 'inTreatment.active' } } },
          },
        },
        reviewDue: {
          on: {
            CUSTODY_STARTED: { target: '#pathway.inCustody', actions: { type: 'rememberCustody', params: { stage: 'inTreatment.reviewDue' } } },
          },
        },
      },
      on: {
        CARE_PLAN_AGREED: { guard: 'carePlanHasInterventions', actions: 'recordCarePlan' },
        INTERVENTION_OFFERED: { guard: 'interventionAcceptsEvent', actions: 'recordInterventionEvent' },
        INTERVENTION_STARTED: { guard: 'interventionAcceptsEvent', actions: 'recordInterventionEvent' },
        INTERVENTION_ENDED: { guard: 'interventionAcceptsEvent', actions: 'recordInterventionEvent' },
        TOP_RECORDED: { guard: 'topIsValid', actions: 'recordTop' },
        // Re-entering `active` cancels the old review clock and starts a new one.
        REVIEW_COMPLETED: { guard: 'reviewHasTop', target: '.active', reenter: true, actions: 'recordReview' },
        DISCHARGED: [
          { guard: 'isSuccessfulDischarge', target: 'recoveryCheckups', actions: 'recordSuccessfulDischarge' },
          { guard: 'isUnsuccessfulDischarge', target: 'closed', actions: 'recordUnsuccessfulDischarge' },
        ],
        COMMUNITY_ENGAGED: { guard: 'awaitingEngagement', actions: ['stopContinuityClock', 'recordEngagement'] },
        CONTINUITY_OF_CARE_BREACHED: { guard: 'continuityAtRisk', actions: 'flagContinuityBreached' },
        KEYWORKER_ASSIGNED: { guard: 'hasKeyworkerId', actions: 'assignKeyworker' },
      },
    },
    recoveryCheckups: {
      entry: ['startCheckupClocks', 'startRecoverySustainedClock'],
      exit: ['stopCheckupClocks', 'stopRecoverySustainedClock'],
      on: {
        CHECKUP_DUE: { guard: 'checkupIsOpen', actions: 'flagCheckupDue' },
        CHECKUP_COMPLETED: { guard: 'checkupTopIsValid', actions: 'recordCheckup' },
        TOP_RECORDED: { guard: 'topIsValid', actions: 'recordTop' },
        RELAPSE_REPORTED: { target: 'rapidReentry', actions: 'recordRelapse' },
        RECOVERY_SUSTAINED: { target: 'closed', actions: 'recordSustainedRecovery' },
        CUSTODY_STARTED: { target: 'inCustody', actions: { type: 'rememberCustody', params: { stage: 'recoveryCheckups' } } },
        COMMUNITY_ENGAGED: { guard: 'awaitingEngagement', actions: ['stopContinuityClock', 'recordEngagement'] },
        CONTINUITY_OF_CARE_BREACHED: { guard: 'continuityAtRisk', actions: 'flagContinuityBreached' },
        KEYWORKER_ASSIGNED: { guard: 'hasKeyworkerId', actions: 'assignKeyworker' },
      },
    },
    rapidReentry: {
      // A new waiting clock for the new episode (not restarted on return from custody).
      entry: 'startWaitingClock',
      on: {
        REENTRY_CONFIRMED: 'carePlanning',
        DISCHARGED: { guard: 'isUnsuccessfulDischarge', target: 'closed', actions: 'recordUnsuccessfulDischarge' },
        WAITING_TIME_BREACHED: { actions: 'flagWaitingTimeBreached' },
        CUSTODY_STARTED: { target: 'inCustody', actions: { type: 'rememberCustody', params: { stage: 'rapidReentry' } } },
        COMMUNITY_ENGAGED: { guard: 'awaitingEngagement', actions: ['stopContinuityClock', 'recordEngagement'] },
        CONTINUITY_OF_CARE_BREACHED: { guard: 'continuityAtRisk', actions: 'flagContinuityBreached' },
        KEYWORKER_ASSIGNED: { guard: 'hasKeyworkerId', actions: 'assignKeyworker' },
      },
    },
    inCustody: {
      on: {
        // One guarded edge per stage, so the diagram shows where release returns to.
        RELEASED_FROM_CUSTODY: [
          { guard: { type: 'cameFrom', params: { stage: 'referred' } }, target: 'referred', actions: ['recordRelease', 'startContinuityClock'] },
          { guard: { type: 'cameFrom', params: { stage: 'screening' } }, target: 'screening', actions: ['recordRelease', 'startContinuityClock'] },
          { guard: { type: 'cameFrom', params: { stage: 'assessment' } }, target: 'assessment', actions: ['recordRelease', 'startContinuityClock'] },
          { guard: { type: 'cameFrom', params: { stage: 'carePlanning' } }, target: 'carePlanning', actions: ['recordRelease', 'startContinuityClock'] },
          { guard: { type: 'cameFrom', params: { stage: 'inTreatment.active' } }, target: 'inTreatment.active', actions: ['recordRelease', 'startContinuityClock'] },
          { guard: { type: 'cameFrom', params: { stage: 'inTreatment.reviewDue' } }, target: 'inTreatment.reviewDue', actions: ['recordRelease', 'startContinuityClock'] },
          { guard: { type: 'cameFrom', params: { stage: 'recoveryCheckups' } }, target: 'recoveryCheckups', actions: ['recordRelease', 'startContinuityClock'] },
          { guard: { type: 'cameFrom', params: { stage: 'rapidReentry' } }, target: 'rapidReentry', actions: ['recordRelease', 'startContinuityClock'] },
        ],
        // Only an unsuccessful discharge (e.g. transferred_in_custody) is possible from custody.
        DISCHARGED: { guard: 'isUnsuccessfulDischarge', target: 'closed', actions: 'recordUnsuccessfulDischarge' },
        WAITING_TIME_BREACHED: { actions: 'flagWaitingTimeBreached' },
        CONTINUITY_OF_CARE_BREACHED: { guard: 'continuityAtRisk', actions: 'flagContinuityBreached' },
        KEYWORKER_ASSIGNED: { guard: 'hasKeyworkerId', actions: 'assignKeyworker' },
      },
    },
    closed: {
      type: 'final',
      // Stage clocks were cancelled when their stage was left; these two span stages.
      entry: ['stopWaitingClock', 'stopContinuityClock'],
    },
  },
});
