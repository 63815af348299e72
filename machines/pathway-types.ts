/**
 * Types of the `pathway` machine: its context, input and the exhaustive event union.
 * Event and field names are public API (docs/ARCHITECTURE.md, "Statecharts").
 */
import type { DischargeReason, HousingNeed, InjectingStatus, InterventionExitStatus, InterventionModality, ReferralSource, SubstanceGroup } from './codes.ts';
import type { InterventionRecord } from './intervention.machine.ts';
import type { TopRecord } from './top-record.ts';
import { KEYWORK_EVENT_TYPES, type KeyworkContext, type KeyworkEvent } from './keywork-types.ts';

/** The tailored care package: a care plan date and its interventions. */
export interface CarePlan {
  carePlanDate: string;
  interventions: InterventionRecord[];
}

/** A care-plan review with its TOP. */
export interface ReviewRecord {
  reviewedOn: string;
  top: TopRecord;
}

/** How the journey left treatment. */
export interface DischargeRecord {
  reason: DischargeReason;
  dischargedOn: string;
  successful: boolean;
}

/** How the journey closed; `sustainedRecovery` when 182 days passed after a successful completion without re-presentation. */
export interface ClosureRecord {
  reason: DischargeReason;
  closedOn: string;
  sustainedRecovery: boolean;
}

/** One recovery check-up: scheduled (`dueDays` after completion) or extra (`dueDays` null). */
export interface CheckupRecord {
  index: number;
  dueDays: number | null;
  /** Set when the CHECKUP_DUE timer fired. */
  due: boolean;
  completedOn: string | null;
  top: TopRecord | null;
}

/** Continuity of care after release from custody. */
export interface ContinuityRecord {
  releasedOn: string;
  engagedOn: string | null;
  breached: boolean;
}

/** Stages the journey can be in when custody starts, and returns to on release. */
export type ResumableStage =
  | 'referred'
  | 'screening'
  | 'assessment'
  | 'carePlanning'
  | 'inTreatment.active'
  | 'inTreatment.reviewDue'
  | 'recoveryCheckups'
  | 'rapidReentry';

/** Custody in progress. */
export interface CustodyRecord {
  stageBeforeCustody: ResumableStage;
  custodyOn: string;
}

/** Assessment findings by domain; free text except the coded housing need and injecting status. */
export interface AssessmentDomains {
  substanceUse?: string;
  physicalHealth?: string;
  mentalHealth?: string;
  housingNeed?: HousingNeed;
  injectingStatus?: InjectingStatus;
  ete?: string;
  offending?: string;
  familyAndChildren?: string;
  relationships?: string;
}

/** The comprehensive assessment. */
export interface AssessmentRecord {
  completedOn: string;
  domains: AssessmentDomains;
}

/** Everything a treatment journey remembers (with a keyworker's day: appointments, contacts, tasks). */
export interface PathwayContext extends KeyworkContext {
  referralSource: ReferralSource;
  referredOn: string;
  keyworkerId: string | null;
  assessment: AssessmentRecord | null;
  carePlan: CarePlan | null;
  /** The package as it stood at the last successful discharge; rapid re-entry restores it. */
  lastCarePlan: CarePlan | null;
  /** First intervention start of the current episode (reset on re-entry). */
  treatmentStartedOn: string | null;
  /** Date of the last re-entry (its waiting clock runs from here). */
  reenteredOn: string | null;
  tops: TopRecord[];
  reviews: ReviewRecord[];
  lastReviewOn: string | null;
  discharge: DischargeRecord | null;
  closure: ClosureRecord | null;
  checkupScheduleDays: number[];
  checkups: CheckupRecord[];
  /** Re-presentations counted by rapid re-entry. */
  representations: number;
  /** The current episode's 21-day waiting time passed without a first intervention start. */
  waitingTimeBreached: boolean;
  continuity: ContinuityRecord | null;
  custody: CustodyRecord | null;
  /**
   * The service's time zone when the journey opened: its dates are local calendar dates
   * and its clocks fall due at local midnight (calendar-days.ts). Absent in journeys opened
   * before it was kept, which count in Europe/London.
   */
  timeZone?: string;
  /**
   * Breaches withdrawn by a fact recorded late (a first intervention or an engagement dated
   * within the standard): the breach event stays in the log; this says it no longer holds,
   * and why. Absent until the first one.
   */
  withdrawnBreaches?: WithdrawnBreach[];
  /**
   * The episode's substance group (PHOF C19a–c count by it), set at assessment and
   * correctable when the care package is agreed again. Absent until first recorded.
   */
  substanceGroup?: SubstanceGroup;
}

/** A breach a late-recorded fact withdrew. */
export interface WithdrawnBreach {
  deadline: 'waiting_time' | 'continuity_of_care';
  /** The date the correcting fact was recorded (the event's date). */
  withdrawnOn: string;
  reason: string;
  /**
   * The event-log seq of the fact that withdrew it, once the engine has logged the
   * correcting BREACH_WITHDRAWN event; absent before (and in journeys from before it).
   */
  byEventSeq?: number;
}

/** Input when a journey is created (the engine adds nothing else). */
export interface PathwayInput {
  referralSource: ReferralSource;
  /** Referral date, `YYYY-MM-DD` or ISO date-time. */
  referredOn: string;
  keyworkerId?: string | null;
  /** Recovery check-up schedule in days after successful completion; default [28, 91, 182]. */
  checkupScheduleDays?: number[];
  /**
   * A journey opened by a referral from a prison on release: the release day. The journey
   * starts with `continuity` set and the 21-day continuity-of-care clock running.
   */
  releasedOn?: string | null;
  /** The service's time zone (IANA name; default Europe/London); the engine passes its own. */
  timeZone?: string;
  /** The effective time the journey opens at (the engine passes it; default the start of `referredOn`, UTC): the first timers count from here. */
  openedAt?: string;
}

/** An intervention as agreed in a care plan. */
export interface PlannedIntervention {
  id: string;
  modality: InterventionModality;
}

/** Fields every delivered event carries: `at`, the ISO-8601 effective time (filled in by the engine). */
interface At {
  at: string;
}

/** Events the engine delivers to a journey. Timer events (see TIMER_EVENT_TYPES) come only from timers. */
export type PathwayEvent =
  | ({ type: 'SCREENING_STARTED' } & At)
  | ({ type: 'SCREENING_COMPLETED'; outcome: 'assess' | 'brief_advice'; dischargeReason?: DischargeReason } & At)
  | ({ type: 'ASSESSMENT_COMPLETED'; domains: AssessmentDomains; completedOn?: string; substanceGroup?: SubstanceGroup } & At)
  | ({ type: 'CARE_PLAN_AGREED'; carePlanDate?: string; interventions: PlannedIntervention[]; substanceGroup?: SubstanceGroup } & At)
  | ({ type: 'INTERVENTION_OFFERED'; interventionId: string; offeredOn?: string } & At)
  | ({ type: 'INTERVENTION_STARTED'; interventionId: string; startedOn?: string } & At)
  | ({ type: 'INTERVENTION_ENDED'; interventionId: string; endedOn?: string; exitStatus: InterventionExitStatus } & At)
  | ({ type: 'TOP_RECORDED'; top: TopRecord } & At)
  | ({ type: 'REVIEW_COMPLETED'; reviewedOn?: string; top: TopRecord } & At)
  | ({ type: 'DISCHARGED'; reason: DischargeReason; dischargedOn: string; exitTop?: TopRecord } & At)
  | ({ type: 'CHECKUP_COMPLETED'; checkupOn?: string; top?: TopRecord } & At)
  | ({ type: 'RELAPSE_REPORTED'; reportedOn?: string } & At)
  | ({ type: 'REENTRY_CONFIRMED' } & At)
  | ({ type: 'CUSTODY_STARTED'; custodyOn?: string } & At)
  | ({ type: 'RELEASED_FROM_CUSTODY'; releasedOn?: string } & At)
  | ({ type: 'COMMUNITY_ENGAGED'; engagedOn?: string } & At)
  | ({ type: 'KEYWORKER_ASSIGNED'; keyworkerId: string } & At)
  | ({ type: 'WAITING_TIME_BREACHED' } & At)
  | ({ type: 'REVIEW_DUE' } & At)
  | ({ type: 'CHECKUP_DUE'; index: number } & At)
  | ({ type: 'RECOVERY_SUSTAINED' } & At)
  | ({ type: 'CONTINUITY_OF_CARE_BREACHED' } & At)
  | ({ type: 'BREACH_WITHDRAWN'; clock: WithdrawnBreach['deadline']; breachedAt: string | null; reason: string; byEventSeq: number } & At)
  | KeyworkEvent;

/** The type string of any pathway event. */
export type PathwayEventType = PathwayEvent['type'];

/**
 * Pathway events only the engine sends: its timers, and BREACH_WITHDRAWN, the correcting
 * event it appends when a fact recorded late withdraws a breach that already fired.
 */
export const PATHWAY_TIMER_EVENT_TYPES = [
  'WAITING_TIME_BREACHED',
  'REVIEW_DUE',
  'CHECKUP_DUE',
  'RECOVERY_SUSTAINED',
  'CONTINUITY_OF_CARE_BREACHED',
  'BREACH_WITHDRAWN',
] as const satisfies readonly PathwayEventType[];

/** Every pathway event type, for validation at the edge. */
export const PATHWAY_EVENT_TYPES = [
  'SCREENING_STARTED',
  'SCREENING_COMPLETED',
  'ASSESSMENT_COMPLETED',
  'CARE_PLAN_AGREED',
  'INTERVENTION_OFFERED',
  'INTERVENTION_STARTED',
  'INTERVENTION_ENDED',
  'TOP_RECORDED',
  'REVIEW_COMPLETED',
  'DISCHARGED',
  'CHECKUP_COMPLETED',
  'RELAPSE_REPORTED',
  'REENTRY_CONFIRMED',
  'CUSTODY_STARTED',
  'RELEASED_FROM_CUSTODY',
  'COMMUNITY_ENGAGED',
  'KEYWORKER_ASSIGNED',
  ...KEYWORK_EVENT_TYPES,
  ...PATHWAY_TIMER_EVENT_TYPES,
] as const satisfies readonly PathwayEventType[];

/** Timer ids (the `id` of each delayed raise); check-ups use `checkup-<index>`. */
export const PATHWAY_TIMER_IDS = {
  waitingTime: 'waiting-time',
  reviewDue: 'review-due',
  recoverySustained: 'recovery-sustained',
  continuityOfCare: 'continuity-of-care',
} as const;

/** Timer id of the check-up at `index` in the schedule. */
export function checkupTimerId(index: number): string {
  return `checkup-${index}`;
}
