/**
 * Writes the story of one treatment journey: the user events a keyworker (and partners)
 * would record, in time order, from referral to wherever its scenario leads — screening,
 * assessment, care planning, treatment with six-monthly reviews, discharge, recovery
 * check-ups, relapse and rapid re-entry, custody and release. Timers are not written here;
 * the engine's planner starts and fires them when the story is replayed. Only the stage
 * changes two timers cause (review due, recovery sustained) are marked, so the story
 * knows which stage holds at any time.
 */
import type { DischargeReason, InterventionExitStatus } from '../../machines/codes.ts';
import type { PlannedIntervention } from '../../machines/pathway-types.ts';
import { CONTINUITY_OF_CARE_DAYS, RECOVERY_SUSTAINED_DAYS, REVIEW_INTERVAL_DAYS } from '../../machines/time.ts';
import type { SubstanceGroup } from '../code-lists.ts';
import type { Random } from '../prng.ts';
import { drawAssessment, drawCarePackage } from './care-package.ts';
import type { PersonSeed } from './person.ts';
import type { Scenario } from './scenarios.ts';
import { StoryBuilder, type StageSegment, type StoryStep } from './story-builder.ts';
import { drawTop } from './top-records.ts';

/** The written story of one journey, before it is dated. */
export interface JourneyStory {
  /** Time of the referral (creates the journey). */
  openedAt: number;
  /** Keyworker named in the journey's input, or null when an event assigns one. */
  initialKeyworkerId: string | null;
  steps: StoryStep[];
  segments: StageSegment[];
  /** The stage the scenario wants on the reference date (`closed` for closed targets). */
  targetStage: string;
  /** Key moments for the referrals around the journey. */
  moments: JourneyMoments;
}

/** Times (story days) of moments other streams hang off; null when the story never gets there. */
export interface JourneyMoments {
  screeningAt: number | null;
  firstStartAt: number | null;
  /** End of the last treatment episode (discharge), or null. */
  endedAt: number | null;
  closedAt: number | null;
  releasedAt: number | null;
}

/** Who the story may hand the journey to. */
export interface StoryCast {
  /** Keyworkers of the lead agency, with whether each is a woman. */
  keyworkers: ReadonlyArray<{ id: string; female: boolean }>;
  /** The user who records custody and release (the prison's referral officer). */
  prisonUserId: string;
}

const SUCCESSFUL: ReadonlySet<string> = new Set(['completed_drug_free', 'completed_occasional_user']);

/** Share of each unsuccessful reason that happens before treatment starts. */
const BEFORE_TREATMENT: Partial<Record<DischargeReason, number>> = {
  inappropriate_referral: 1,
  no_appropriate_treatment: 1,
  declined_treatment: 0.8,
  dropped_out: 0.25,
  moved_away: 0.15,
  transferred_not_in_custody: 0.1,
  died: 0.05,
};

/** How interventions end when the journey ends with each reason. */
function exitStatusFor(reason: DischargeReason): InterventionExitStatus {
  if (SUCCESSFUL.has(reason) || reason === 'transferred_not_in_custody' || reason === 'moved_away') return 'planned';
  if (reason === 'treatment_withdrawn' || reason === 'no_appropriate_treatment') return 'withdrawn';
  return 'unplanned';
}

/** A natural ending for a journey whose target stage is open (it is cut before it ends). */
function naturalEnding(random: Random, group: SubstanceGroup): DischargeReason {
  const success = group === 'opiate' ? 0.35 : group === 'alcohol_only' ? 1.5 : 1.25;
  return random.weighted<DischargeReason>({
    completed_drug_free: 30 * success,
    completed_occasional_user: group === 'opiate' ? 0 : 9 * success,
    dropped_out: 35,
    treatment_withdrawn: 4,
    moved_away: 4,
    transferred_not_in_custody: 6,
    died: 2.5,
    declined_treatment: 2,
  } as Record<DischargeReason, number>);
}

/** Days in treatment before a discharge with `reason`. */
function treatmentDays(random: Random, group: SubstanceGroup, reason: DischargeReason): number {
  const opiate = group === 'opiate';
  if (SUCCESSFUL.has(reason)) return opiate ? random.normal(430, 130, 180, 620) : random.normal(175, 55, 70, 360);
  if (reason === 'dropped_out') return 14 + random.exponential(opiate ? 260 : 110, 800);
  if (reason === 'died') return random.int(10, 700);
  return random.int(20, opiate ? 600 : 400);
}

/** Writes the story of one journey for `scenario`. */
export function writeJourneyStory(random: Random, person: PersonSeed, scenario: Scenario, cast: StoryCast): JourneyStory {
  return new JourneyWriter(random, person, scenario, cast).write();
}

class JourneyWriter {
  private readonly b: StoryBuilder;
  private readonly target: string;
  private readonly ending: DischargeReason;
  private readonly moments: JourneyMoments = { screeningAt: null, firstStartAt: null, endedAt: null, closedAt: null, releasedAt: null };
  private interventions: PlannedIntervention[] = [];
  /** Interventions started in the current episode and not yet ended. */
  private running: PlannedIntervention[] = [];
  private closed = false;
  /** Time of the current episode's first intervention start. */
  private startedAt = 0;
  /** Keyworker given when the journey is created (null: assigned by an event instead). */
  private initialKeyworker: string | null = null;

  constructor(
    private readonly random: Random,
    private readonly person: PersonSeed,
    private readonly scenario: Scenario,
    private readonly cast: StoryCast,
  ) {
    const openedAt = (8.5 + random.next() * 9) / 24;
    this.b = new StoryBuilder(random, 'referred', openedAt);
    const t = scenario.target;
    this.target = t.kind === 'open' ? t.stage : 'closed';
    this.ending = t.kind === 'closed' ? t.reason : naturalEnding(random, person.substanceGroup);
  }

  write(): JourneyStory {
    const { scenario } = this;
    // A relapse after a successful completion needs an earlier successful episode.
    const relapse = scenario.representation || this.target === 'rapidReentry';
    const firstEnding: DischargeReason = relapse || this.target === 'recoveryCheckups' ? 'completed_drug_free' : this.ending;
    const reachedTreatment = this.beforeTreatment(firstEnding);
    if (reachedTreatment) {
      this.treatment(firstEnding, true);
      if (!this.closed && SUCCESSFUL.has(firstEnding)) this.recovery(relapse);
    }
    return {
      openedAt: this.b.openedAt,
      initialKeyworkerId: this.initialKeyworker,
      steps: this.b.steps,
      segments: this.b.finish(),
      targetStage: this.target,
      moments: this.moments,
    };
  }

  private keyworker(): string {
    const { keyworkers } = this.cast;
    const women = keyworkers.filter((k) => k.female);
    const pool = this.person.prefersFemaleKeyworker && women.length > 0 ? women : keyworkers;
    return this.random.pick(pool).id;
  }

  /** A gap in whole days that is at least one when the stage it ends is the target. */
  private gap(stage: string, days: number): number {
    return stage === this.target ? Math.max(1, days) : days;
  }

  /** Referral to first intervention start; false when the journey closes on the way. */
  private beforeTreatment(ending: DischargeReason): boolean {
    const { b, random, scenario } = this;
    // Targets in or after treatment need the journey to get there.
    const mayExitEarly = this.target === 'closed' || ['referred', 'screening', 'assessment', 'carePlanning'].includes(this.target);
    const exitsEarly = mayExitEarly && !SUCCESSFUL.has(ending) && random.chance(BEFORE_TREATMENT[ending] ?? 0);
    if (this.target === 'referred' || this.target === 'screening' || random.chance(0.3)) {
      b.step(b.later(0), { type: 'KEYWORKER_ASSIGNED', keyworkerId: this.keyworker() });
    } else this.initialKeyworker = this.keyworker();
    let engageFrom = 0;
    if (scenario.custody === 'fromPrison') {
      // Referred from prison shortly before release; custody pauses the journey.
      b.step(b.later(0), (on) => ({ type: 'CUSTODY_STARTED', custodyOn: on }), 'inCustody', this.cast.prisonUserId);
      const releaseIn = this.target === 'inCustody' ? random.int(3, 40) : random.int(1, 12);
      const released = b.step(b.later(releaseIn), (on) => ({ type: 'RELEASED_FROM_CUSTODY', releasedOn: on }), 'referred', this.cast.prisonUserId);
      this.moments.releasedAt = released;
      engageFrom = released;
      const mayNeverEngage = this.target === 'referred' || (this.target === 'closed' && ending === 'dropped_out');
      if (scenario.engagement === 'never' && mayNeverEngage) {
        // Never engaged: the continuity-of-care clock breaches, and the journey closes.
        return this.closeNow('dropped_out', random.int(CONTINUITY_OF_CARE_DAYS + 5, 70));
      }
    }
    // Waiting time: referral to first intervention start, mostly within 21 days.
    const wait = scenario.slowStart ? 22 + Math.round(random.exponential(14, 100)) : 1 + Math.round(random.exponential(7, 20));
    const untilEngaged = scenario.custody === 'fromPrison' ? (scenario.engagement === 'within' ? random.int(0, CONTINUITY_OF_CARE_DAYS - 2) : random.int(CONTINUITY_OF_CARE_DAYS + 1, 50)) : 0;
    const screenAt = b.step(b.later(this.gap('referred', Math.round(wait * random.next() * 0.15) + untilEngaged)), { type: 'SCREENING_STARTED' }, 'screening');
    this.moments.screeningAt = screenAt;
    if (engageFrom > 0) b.step(b.later(0), (on) => ({ type: 'COMMUNITY_ENGAGED', engagedOn: on }));
    const briefAdvice = exitsEarly && (ending === 'inappropriate_referral' || ending === 'no_appropriate_treatment') && random.chance(0.7);
    if (briefAdvice) {
      b.step(b.later(random.int(0, 2)), { type: 'SCREENING_COMPLETED', outcome: 'brief_advice', dischargeReason: ending }, 'closed');
      return this.markClosed();
    }
    b.step(b.later(this.gap('screening', Math.round(wait * random.next() * 0.1))), { type: 'SCREENING_COMPLETED', outcome: 'assess' }, 'assessment');
    if (exitsEarly && ending !== 'dropped_out' && ending !== 'declined_treatment') return this.closeNow(ending, random.int(1, 14));
    b.step(b.later(this.gap('assessment', Math.round(wait * (0.1 + random.next() * 0.25)))), (on) => ({ type: 'ASSESSMENT_COMPLETED', completedOn: on, domains: drawAssessment(random, this.person) }), 'carePlanning');
    if (exitsEarly && ending === 'declined_treatment' && random.chance(0.4)) return this.closeNow(ending, random.int(0, 10));
    const plan = drawCarePackage(random, this.person);
    this.interventions = plan;
    b.step(b.later(Math.round(wait * random.next() * 0.2)), (on) => ({ type: 'CARE_PLAN_AGREED', carePlanDate: on, interventions: plan }));
    if (exitsEarly) return this.closeNow(ending, random.int(5, 45));
    const startDay = Math.max(Math.floor(b.t) + this.gap('carePlanning', 0), Math.floor(engageFrom) + untilEngaged + wait);
    const offerDay = Math.floor(b.t) + Math.round((startDay - Math.floor(b.t)) * random.next() * 0.7);
    for (const iv of this.interventions) b.step(b.later(offerDay - Math.floor(b.t)), (on) => ({ type: 'INTERVENTION_OFFERED', interventionId: iv.id, offeredOn: on }));
    return this.firstStart(startDay);
  }

  /** Starts the first intervention on `day` and records the start TOP. */
  private firstStart(day: number): true {
    const { b, random } = this;
    const first = this.interventions[0] as PlannedIntervention;
    const at = b.step(b.later(day - Math.floor(b.t)), (on) => ({ type: 'INTERVENTION_STARTED', interventionId: first.id, startedOn: on }), 'inTreatment.active');
    this.moments.firstStartAt ??= at;
    this.startedAt = at;
    this.running = [first];
    b.step(b.later(0), (on) => ({ type: 'TOP_RECORDED', top: drawTop(random, this.person, 'start', on, 0) }));
    return true;
  }

  /** Closes the journey `days` later with an unsuccessful discharge from wherever it is. */
  private closeNow(reason: DischargeReason, days: number): false {
    const { b } = this;
    b.step(b.later(days), (on) => ({ type: 'DISCHARGED', reason, dischargedOn: on }), 'closed');
    return this.markClosed();
  }

  private markClosed(): false {
    this.closed = true;
    this.moments.closedAt = this.b.t;
    return false;
  }

  /** One treatment episode: further starts, reviews, maybe custody, then discharge. */
  private treatment(ending: DischargeReason, firstEpisode: boolean): void {
    const { b, random, scenario, person } = this;
    // The review clock runs from the start event itself.
    const started = this.startedAt;
    // The other interventions of the package start within the first weeks.
    for (const iv of this.interventions.slice(1)) {
      if (!random.chance(0.85)) continue;
      b.step(b.later(random.int(0, 14)), (on) => ({ type: 'INTERVENTION_STARTED', interventionId: iv.id, startedOn: on }));
      this.running.push(iv);
    }
    let days = treatmentDays(random, person.substanceGroup, ending);
    if (this.target === 'inTreatment.reviewDue') days = Math.max(days, 260 + random.int(0, 300));
    const withCustody = scenario.custody === 'duringTreatment' && (firstEpisode || ending === 'transferred_in_custody');
    let custodyAt = withCustody ? started + Math.max(10, days * (0.15 + random.next() * 0.55)) : Infinity;
    let end = started + days;
    let basis = started;
    let sub: 'active' | 'reviewDue' = 'active';
    let forceLate = this.target === 'inTreatment.reviewDue';
    let reviewAt = basis + this.reviewGap(forceLate);
    for (;;) {
      const next = Math.min(reviewAt, custodyAt, end);
      const due = basis + REVIEW_INTERVAL_DAYS;
      if (sub === 'active' && due < next) {
        b.mark(due, 'inTreatment.reviewDue');
        sub = 'reviewDue';
      }
      if (next === end) break;
      if (next === custodyAt) {
        custodyAt = Infinity;
        b.step(b.later(Math.floor(next) - Math.floor(b.t)), (on) => ({ type: 'CUSTODY_STARTED', custodyOn: on }), 'inCustody', this.cast.prisonUserId);
        const length = this.target === 'inCustody' ? random.int(20, 300) : random.int(14, 240);
        if (ending === 'transferred_in_custody') {
          this.closeNow(ending, random.int(7, 60));
          return;
        }
        // Custody neither pauses nor restarts the review clock (machines/clock-rules.ts):
        // released after it ran out, the journey returns to `reviewDue` at once.
        const releaseAt = b.later(length);
        if (sub === 'active' && releaseAt >= due) sub = 'reviewDue';
        const released = b.step(releaseAt, (on) => ({ type: 'RELEASED_FROM_CUSTODY', releasedOn: on }), `inTreatment.${sub}`, this.cast.prisonUserId);
        this.moments.releasedAt = released;
        if (scenario.engagement !== 'never') {
          const engageIn = scenario.engagement === 'within' ? random.int(0, CONTINUITY_OF_CARE_DAYS - 1) : random.int(CONTINUITY_OF_CARE_DAYS + 1, 60);
          const engageAt = b.later(engageIn);
          if (sub === 'active' && engageAt > due) {
            b.mark(due, 'inTreatment.reviewDue');
            sub = 'reviewDue';
          }
          b.step(engageAt, (on) => ({ type: 'COMMUNITY_ENGAGED', engagedOn: on }));
        }
        end += b.t - next;
        reviewAt = Math.max(reviewAt, b.t + random.int(3, 30));
        continue;
      }
      // A review with a TOP; the package sometimes changes with it.
      b.step(b.later(Math.floor(next) - Math.floor(b.t)), (on) => ({ type: 'REVIEW_COMPLETED', reviewedOn: on, top: drawTop(random, person, 'review', on, Math.min(0.9, (next - started) / 400)) }), 'inTreatment.active');
      sub = 'active';
      basis = b.t;
      forceLate = false;
      reviewAt = basis + this.reviewGap(false);
      if (random.chance(0.2)) this.addRecoverySupport();
      if (random.chance(0.05)) b.step(b.later(0), { type: 'KEYWORKER_ASSIGNED', keyworkerId: this.keyworker() });
    }
    this.discharge(ending, end);
  }

  /** Days from the last review (or start) to the next: mostly on time, sometimes late. */
  private reviewGap(forceLate: boolean): number {
    const late = forceLate || this.random.chance(0.2);
    return late ? REVIEW_INTERVAL_DAYS + 2 + this.random.int(5, 80) : this.random.int(120, REVIEW_INTERVAL_DAYS - 2);
  }

  /** A review adds aftercare to the package: the care plan is agreed again with it. */
  private addRecoverySupport(): void {
    const { b, random } = this;
    if (this.interventions.some((i) => i.modality === 'recovery_support')) return;
    const iv: PlannedIntervention = { id: random.uuid(), modality: 'recovery_support' };
    this.interventions = [...this.interventions, iv];
    const plan = this.interventions;
    b.step(b.later(0), (on) => ({ type: 'CARE_PLAN_AGREED', carePlanDate: on, interventions: plan }));
    b.step(b.later(random.int(1, 10)), (on) => ({ type: 'INTERVENTION_OFFERED', interventionId: iv.id, offeredOn: on }));
    b.step(b.later(random.int(1, 14)), (on) => ({ type: 'INTERVENTION_STARTED', interventionId: iv.id, startedOn: on }));
    this.running.push(iv);
  }

  private discharge(reason: DischargeReason, end: number): void {
    const { b, random, person } = this;
    const day = Math.max(0, Math.floor(end) - Math.floor(b.t));
    const exitStatus = exitStatusFor(reason);
    let first = true;
    for (const iv of this.running) {
      b.step(b.later(first ? day : 0), (on) => ({ type: 'INTERVENTION_ENDED', interventionId: iv.id, endedOn: on, exitStatus }));
      first = false;
    }
    this.running = [];
    const successful = SUCCESSFUL.has(reason);
    const at = b.step(
      b.later(first ? day : 0),
      (on) => ({ type: 'DISCHARGED', reason, dischargedOn: on, ...(successful ? { exitTop: drawTop(random, person, 'exit', on, 1) } : {}) }),
      successful ? 'recoveryCheckups' : 'closed',
    );
    this.moments.endedAt = at;
    if (!successful) this.markClosed();
  }

  /** Recovery check-ups after a successful completion, then sustained recovery or relapse. */
  private recovery(relapse: boolean): void {
    const { b, random, person } = this;
    const completed = b.t;
    const relapseAt = relapse ? completed + random.int(14, RECOVERY_SUSTAINED_DAYS - 12) : Infinity;
    for (const [from, to, p] of [[24, 35, 0.85], [85, 100, 0.75], [170, 180, 0.65]] as const) {
      const at = completed + random.int(from, to);
      if (at >= relapseAt) break;
      if (!random.chance(p)) continue;
      b.step(b.later(Math.floor(at) - Math.floor(b.t)), (on) => ({ type: 'CHECKUP_COMPLETED', checkupOn: on, top: drawTop(random, person, 'post_exit', on, 0.9) }));
    }
    if (!relapse) {
      b.mark(completed + RECOVERY_SUSTAINED_DAYS, 'closed');
      this.moments.closedAt = completed + RECOVERY_SUSTAINED_DAYS;
      this.closed = true;
      return;
    }
    // Relapse: rapid re-entry restores the last package and skips screening.
    b.step(b.later(Math.floor(relapseAt) - Math.floor(b.t)), (on) => ({ type: 'RELAPSE_REPORTED', reportedOn: on }), 'rapidReentry');
    const reentered = b.t;
    b.step(b.later(this.gap('rapidReentry', random.int(0, 6))), { type: 'REENTRY_CONFIRMED' }, 'carePlanning');
    const ending = this.target === 'rapidReentry' ? naturalEnding(random, person.substanceGroup) : this.ending;
    if (!SUCCESSFUL.has(ending) && ending !== 'transferred_in_custody' && random.chance(BEFORE_TREATMENT[ending] ?? 0)) {
      this.closeNow(ending, random.int(3, 40));
      return;
    }
    const wait = this.scenario.slowStart ? 22 + Math.round(random.exponential(12, 60)) : 1 + Math.round(random.exponential(6, 20));
    const startDay = Math.max(Math.floor(b.t) + this.gap('carePlanning', 0), Math.floor(reentered) + wait);
    const restart = this.interventions.slice(0, Math.max(1, random.int(1, this.interventions.length)));
    for (const iv of restart) b.step(b.later(Math.max(0, startDay - Math.floor(b.t) - random.int(0, 5))), (on) => ({ type: 'INTERVENTION_OFFERED', interventionId: iv.id, offeredOn: on }));
    this.interventions = restart.concat(this.interventions.filter((iv) => !restart.includes(iv)));
    this.firstStart(startDay);
    // Only the offered ones can start; the rest of the restored package waits.
    this.interventions = restart;
    this.treatment(ending, false);
    if (!this.closed && SUCCESSFUL.has(ending)) this.recovery(false);
  }
}
