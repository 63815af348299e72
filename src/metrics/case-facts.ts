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
import { ETE_MODALITIES, SUBSTANCE_GROUPS } from '../../machines/codes.ts';
import { dateOfDay, dayOf as dayNumber } from './days.ts';
import type { DimensionValues } from '../../machines/measure-dimensions.ts';
import { payloadDate, type CaseSubject, type MetricChange } from './metric-change.ts';

/** The ETE modalities the `ete` measure counts. */
const ETE: ReadonlySet<string> = new Set(ETE_MODALITIES);

/** Discharge reasons that count as a successful completion (DOMAIN.md, PHOF C19). */
const SUCCESSFUL = new Set(['completed_drug_free', 'completed_occasional_user']);

/** The substance groups an episode may be recorded under (machines/codes.ts). */
const GROUPS: ReadonlySet<string> = new Set(SUBSTANCE_GROUPS);

/**
 * Stages in which someone is waiting for their first intervention of the episode. Custody
 * is among them: the statechart's waiting clock keeps running there.
 */
export const WAITING_STAGES: ReadonlySet<string> = new Set(['referred', 'screening', 'assessment', 'carePlanning', 'rapidReentry', 'inCustody']);

/**
 * Days within which a return to treatment undoes a successful completion (6 months, as the
 * statechart's RECOVERY_SUSTAINED timer): a return on day 182 after the discharge day counts.
 */
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
  /**
   * The journey's treatment episodes in order: the first opens on the referral date, each
   * relapse opens another. The per-person measures are drawn from them (person-facts.ts).
   */
  episodes: EpisodeFact[];
  /** ETE interventions of the care package (id → modality), from CARE_PLAN_AGREED; absent in older facts. */
  ete?: Record<string, string>;
  /**
   * The journey's keyworker (null: none assigned), as the statechart keeps it: from the
   * opening, then each KEYWORKER_ASSIGNED. Whose caseload the journey was in on a past day
   * is drawn from it (case-history.ts). Absent in facts kept before migration 090, which rebuilds them.
   */
  keyworkerId?: string | null;
}

/** One treatment episode of a journey, in local day numbers. */
export interface EpisodeFact {
  /** Referral date (the journey's first episode) or the re-presentation date (a relapse). */
  open: number;
  /** First intervention start: structured treatment began. */
  start: number | null;
  /** Discharge (or closure at screening). */
  end: number | null;
  /** Discharged as completed (free of dependence, or occasional user) and into recovery check-ups. */
  successful: boolean;
  died: boolean;
  /** The episode's substance group, or the person's recorded one until the episode has its own. */
  substance: string;
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
        episodes: [{ open: dayOf(subject.referredOn), start: null, end: null, successful: false, died: false, substance: subject.dims.substance }],
        keyworkerId: typeof change.payload.keyworkerId === 'string' && change.payload.keyworkerId !== '' ? change.payload.keyworkerId : null,
      };
  // Copied, not shared: the previous facts are diffed against these.
  facts.episodes = (prev?.episodes ?? facts.episodes).map((e) => ({ ...e }));
  const episode = facts.episodes[facts.episodes.length - 1];
  const fromStage = prev ? prev.stage : null;
  if (fromStage !== change.toStage) {
    counts.push({ metric: 'flow', k: `${fromStage ?? ''}>${change.toStage}`, day });
    facts.stage = change.toStage;
    facts.stageDay = day;
  }
  const p = change.payload;

  // The episode's substance group, recorded at assessment and correctable with the package.
  if ((change.type === 'ASSESSMENT_COMPLETED' || change.type === 'CARE_PLAN_AGREED') && typeof p.substanceGroup === 'string' && GROUPS.has(p.substanceGroup)) {
    facts.dims = { ...facts.dims, substance: p.substanceGroup };
    if (episode) episode.substance = p.substanceGroup;
  }

  switch (change.type) {
    case 'KEYWORKER_ASSIGNED': {
      if (typeof p.keyworkerId === 'string' && p.keyworkerId !== '') facts.keyworkerId = p.keyworkerId;
      break;
    }
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
      if (episode) episode.start = started;
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
      if (facts.firstStartDay !== null) facts.endDay = discharged;
      facts.reviewBasisDay = null;
      if (episode && episode.end === null) {
        episode.end = discharged;
        episode.died = reason === 'died';
        // A successful completion leads to recovery check-ups; closing at screening is not one.
        episode.successful = SUCCESSFUL.has(reason) && change.toStage !== 'closed' && episode.start !== null;
      }
      break;
    }
    case 'RELAPSE_REPORTED': {
      const reported = dayOf(payloadDate(p, 'reportedOn', at));
      facts.episodes.push({ open: reported, start: null, end: null, successful: false, died: false, substance: facts.dims.substance });
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
