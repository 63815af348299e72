/**
 * What the measures remember about one journey, and how one event changes it. Pure: the
 * in-transaction hook and the rebuild both call `reduceCase`, so the incremental counts
 * and a rebuild from the event log agree by construction (and a test checks they do).
 *
 * Dates follow the statechart: a payload date (`startedOn`, `dischargedOn`, …) when given,
 * else the event's effective time; all in whole calendar days of the service's time zone
 * (machines/calendar-days.ts), as the journey's own clocks count them.
 */
import { DEFAULT_TIME_ZONE, localDayOf } from '../../machines/calendar-days.ts';
import { reviewClockStart } from '../../machines/clock-rules.ts';
import { ETE_MODALITIES } from '../../machines/codes.ts';
import { dateOfDay, dayOf as dayNumber } from './days.ts';
import type { DimensionValues } from '../../machines/measure-dimensions.ts';
import { payloadDate, type CaseSubject, type MetricChange } from './metric-change.ts';

/** The ETE modalities the `ete` measure counts. */
const ETE: ReadonlySet<string> = new Set(ETE_MODALITIES);

/** Discharge reasons that count as a successful completion (DOMAIN.md, PHOF C19). */
const SUCCESSFUL = new Set(['completed_drug_free', 'completed_occasional_user']);

/**
 * Stages in which someone is waiting for their first intervention of the episode. Custody
 * is among them: the statechart's waiting clock keeps running there.
 */
export const WAITING_STAGES: ReadonlySet<string> = new Set(['referred', 'screening', 'assessment', 'carePlanning', 'rapidReentry', 'inCustody']);

/** Days within which a re-presentation undoes a successful completion (6 months, as the statechart's RECOVERY_SUSTAINED timer). */
export const REPRESENTATION_WINDOW_DAYS = 182;

/** Days of the waiting-time and continuity-of-care standards; day 21 counts as within. */
export const STANDARD_DAYS = 21;

export interface CaseFacts {
  personId: string;
  agencyId: string;
  dims: DimensionValues;
  stage: string;
  /** Day the current stage was entered. */
  stageDay: number;
  /** Day the current episode's waiting clock started (referral, or re-presentation). */
  clockDay: number;
  /** First intervention start of the current episode. */
  startedDay: number | null;
  /** First intervention start of the journey (ever). */
  firstStartDay: number | null;
  /** Day treatment ended (last discharge after a start); null while in treatment or re-entered. */
  endDay: number | null;
  /** Day the 182-day review clock runs from (treatment start or last review). */
  reviewBasisDay: number | null;
  /** Last release from custody, and community engagement after it. */
  releaseDay: number | null;
  engagedDay: number | null;
  /** Last successful completion, and whether a re-presentation within 182 days followed it. */
  successDay: number | null;
  successRepresented: boolean;
  /** ETE interventions of the care package (id → modality), from CARE_PLAN_AGREED; absent in older facts. */
  ete?: Record<string, string>;
}

/** A counter bump caused by one event (as opposed to a state the journey is in). */
export interface EventCount {
  metric: string;
  k: string;
  day: number;
}

export interface CaseReduction {
  facts: CaseFacts;
  counts: EventCount[];
}

/** Applies one event to a journey's facts; `prev` is null for the journey's first event. */
export function reduceCase(prev: CaseFacts | null, subject: CaseSubject, change: MetricChange): CaseReduction {
  const at = change.effectiveAt;
  const zone = change.timeZone ?? DEFAULT_TIME_ZONE;
  const dayOf = (value: string): number => localDayOf(value, zone);
  const day = dayOf(at);
  const counts: EventCount[] = [];
  const facts: CaseFacts = prev
    ? { ...prev }
    : {
        personId: subject.personId,
        agencyId: subject.agencyId,
        dims: subject.dims,
        stage: change.toStage,
        stageDay: day,
        clockDay: dayOf(subject.referredOn),
        startedDay: null,
        firstStartDay: null,
        endDay: null,
        reviewBasisDay: null,
        releaseDay: null,
        engagedDay: null,
        successDay: null,
        successRepresented: false,
      };
  const fromStage = prev ? prev.stage : null;
  if (fromStage !== change.toStage) {
    counts.push({ metric: 'flow', k: `${fromStage ?? ''}>${change.toStage}`, day });
    facts.stage = change.toStage;
    facts.stageDay = day;
  }
  const p = change.payload;

  switch (change.type) {
    case 'CARE_PLAN_AGREED': {
      const planned = Array.isArray(p.interventions) ? (p.interventions as Array<{ id?: unknown; modality?: unknown }>) : [];
      for (const i of planned) {
        if (typeof i.id === 'string' && typeof i.modality === 'string' && ETE.has(i.modality)) facts.ete = { ...facts.ete, [i.id]: i.modality };
      }
      break;
    }
    case 'INTERVENTION_STARTED': {
      const id = typeof p.interventionId === 'string' ? p.interventionId : '';
      const modality = facts.ete?.[id];
      if (modality !== undefined) counts.push({ metric: 'ete_start', k: modality, day: dayOf(payloadDate(p, 'startedOn', at)) });
      // Structured treatment starts where the statechart says it does: the move into inTreatment
      // (recovery support beside treatment starts without it).
      if (facts.startedDay !== null || change.toStage !== 'inTreatment' || change.fromStage === 'inTreatment') break;
      const started = dayOf(payloadDate(p, 'startedOn', at));
      facts.startedDay = started;
      facts.firstStartDay ??= started;
      facts.endDay = null;
      facts.reviewBasisDay = started;
      counts.push({ metric: 'started', k: started - facts.clockDay <= STANDARD_DAYS ? 'within' : 'beyond', day: started });
      break;
    }
    case 'REVIEW_COMPLETED': {
      // One rule with the statechart's review clock (clock-rules.ts): the later of the start and the last review.
      const reviewed = dateOfDay(dayOf(payloadDate(p, 'reviewedOn', at)));
      const basis = reviewClockStart(facts.reviewBasisDay === null ? null : dateOfDay(facts.reviewBasisDay), reviewed);
      facts.reviewBasisDay = basis === null ? null : dayNumber(basis);
      break;
    }
    case 'DISCHARGED':
    case 'SCREENING_COMPLETED': {
      if (change.type === 'SCREENING_COMPLETED' && change.toStage !== 'closed') break;
      const given = p.reason ?? p.dischargeReason;
      const reason = typeof given === 'string' ? given : 'no_appropriate_treatment';
      const discharged = dayOf(payloadDate(p, 'dischargedOn', at));
      if (reason === 'died') counts.push({ metric: 'death', k: '', day: discharged });
      if (facts.firstStartDay !== null) facts.endDay = discharged;
      facts.reviewBasisDay = null;
      if (SUCCESSFUL.has(reason) && change.toStage !== 'closed') {
        counts.push({ metric: 'success', k: '', day: discharged });
        facts.successDay = discharged;
        facts.successRepresented = false;
      }
      break;
    }
    case 'RELAPSE_REPORTED': {
      const reported = dayOf(payloadDate(p, 'reportedOn', at));
      counts.push({ metric: 'representation', k: '', day: reported });
      if (facts.successDay !== null && !facts.successRepresented && reported - facts.successDay <= REPRESENTATION_WINDOW_DAYS) {
        counts.push({ metric: 'success_represented', k: '', day: facts.successDay });
        facts.successRepresented = true;
      }
      // A new episode: its waiting clock runs from the re-presentation.
      facts.clockDay = reported;
      facts.startedDay = null;
      facts.endDay = null;
      facts.reviewBasisDay = null;
      break;
    }
    case 'RELEASED_FROM_CUSTODY': {
      const released = dayOf(payloadDate(p, 'releasedOn', at));
      facts.releaseDay = released;
      facts.engagedDay = null;
      counts.push({ metric: 'release', k: '', day: released });
      break;
    }
    case 'COMMUNITY_ENGAGED': {
      if (facts.releaseDay === null || facts.engagedDay !== null) break;
      const engaged = dayOf(payloadDate(p, 'engagedOn', at));
      facts.engagedDay = engaged;
      counts.push({ metric: 'engaged', k: engaged - facts.releaseDay <= STANDARD_DAYS ? 'within' : 'beyond', day: facts.releaseDay });
      break;
    }
    default:
      break;
  }
  return { facts, counts };
}
