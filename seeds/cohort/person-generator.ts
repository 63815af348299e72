/**
 * Generates everything about one person of the cohort: the person, their treatment
 * journey (sometimes an earlier, closed one too), the referrals between agencies around
 * it with the consents that allow them, and every event and timer the engine would have
 * logged. The person's own random stream is derived from the seed and their number, so
 * any person can be regenerated alone and the cohort does not depend on batch size.
 */
import type { ReferralSource } from '../../machines/codes.ts';
import { stateLabel } from '../../src/engine/state-label.ts';
import type { SubstanceGroup } from '../code-lists.ts';
import { DEMO_AGENCY_IDS, demoKeyworkers, demoSenderOf } from '../demo-area-data.ts';
import { bump, type CohortBatch, type CohortTally } from './cohort-batch.ts';
import { writeJourneyStory, type JourneyStory, type StoryCast } from './journey-story.ts';
import { personDetails } from './person.ts';
import { DAY_MS, iso, PersonScope, type CohortContext } from './person-scope.ts';
import { ReferralGenerator } from './referral-generator.ts';
import { drawScenario, type Scenario } from './scenarios.ts';
import { pickAge } from './story-builder.ts';
import { StreamReplay } from './stream-replay.ts';
import { overdueFlag } from '../../machines/overdue.ts';

export type { CohortContext } from './person-scope.ts';

const A = DEMO_AGENCY_IDS;

const REFERRAL_SOURCE_WEIGHTS: Record<SubstanceGroup, Partial<Record<ReferralSource, number>>> = {
  opiate: { self: 52, gp: 5, drug_service_statutory: 2, drug_service_non_statutory: 2, arrest_referral_dip: 5, drr: 2.5, probation: 6, prison: 8, a_and_e: 1, general_hospital: 2, psychiatry: 1, syringe_exchange: 1.5, social_services: 2, employment_service: 1.5, relative: 1, concerned_other: 1, sex_worker_project: 0.5, other: 3 },
  alcohol_only: { self: 55, gp: 17, drug_service_statutory: 1, drug_service_non_statutory: 1, arrest_referral_dip: 0.5, drr: 0.5, probation: 2.5, prison: 1, a_and_e: 2.5, general_hospital: 6, psychiatry: 2, social_services: 2.5, employment_service: 1.5, education: 0.2, relative: 2, concerned_other: 1.5, other: 3 },
  non_opiate_only: { self: 58, gp: 8, drug_service_statutory: 1, drug_service_non_statutory: 2, arrest_referral_dip: 4, drr: 2, probation: 6, prison: 3, a_and_e: 1, general_hospital: 1, psychiatry: 2, social_services: 3, employment_service: 2, education: 1, relative: 1.5, concerned_other: 1, sex_worker_project: 0.3, other: 3 },
  non_opiate_and_alcohol: { self: 57, gp: 9, drug_service_statutory: 1, drug_service_non_statutory: 1.5, arrest_referral_dip: 3.5, drr: 1.5, probation: 5, prison: 3, a_and_e: 2, general_hospital: 2, psychiatry: 2, social_services: 3, employment_service: 2, education: 0.5, relative: 1.5, concerned_other: 1, other: 3 },
};

const CAST_CACHE = new Map<string, StoryCast>();

function castFor(agencyId: string): StoryCast {
  let cast = CAST_CACHE.get(agencyId);
  if (!cast) {
    cast = {
      keyworkers: demoKeyworkers(agencyId).map((k) => ({ id: k.id, female: k.sex === 'female' })),
      prisonUserId: demoSenderOf(A.prison).id,
    };
    CAST_CACHE.set(agencyId, cast);
  }
  return cast;
}

/** Generates one person into `batch` and counts them into `tally`. */
export function generatePerson(ctx: CohortContext, index: number, batch: CohortBatch, tally: CohortTally): void {
  new PersonGenerator(new PersonScope(ctx, index, batch, tally)).run();
}

class PersonGenerator {
  constructor(private readonly s: PersonScope) {}

  run(): void {
    const { random, person, ctx } = this.s;
    let source = random.weighted(REFERRAL_SOURCE_WEIGHTS[person.substanceGroup] as Record<ReferralSource, number>);
    const criminalJustice = source === 'probation' || source === 'drr' || source === 'arrest_referral_dip';
    const scenario = drawScenario(random, this.s.index, person.substanceGroup, source === 'prison', criminalJustice);
    if (scenario.custody === 'fromPrison') source = 'prison';

    const { story, age } = this.writeDatedStory(scenario);
    const openedMs = ctx.referenceMs - age * DAY_MS;
    const caseId = ctx.ids('case', this.s.index, 0);
    const journey = this.replayJourney(caseId, story, openedMs, source, age);
    if (journey.label !== story.targetStage) this.s.tally.offTarget += 1;

    let createdMs = openedMs + story.openedAt * DAY_MS;
    // About one in twenty has an earlier journey that closed: they are re-presenting.
    if (this.s.index >= 40 && random.chance(0.05)) {
      const earlier = this.earlierJourney(age);
      if (earlier !== null) createdMs = Math.min(createdMs, earlier);
    }
    this.s.batch.people.push({
      id: person.id,
      given_name: person.givenName,
      family_name: person.familyName,
      date_of_birth: person.dateOfBirth,
      sex: person.sex,
      ethnicity: person.ethnicity,
      postcode_district: person.postcodeDistrict,
      details: JSON.stringify(personDetails(person)),
      created_by_agency_id: this.s.leadAgency,
      created_at: iso(createdMs),
    });
    this.s.tally.people += 1;

    new ReferralGenerator(this.s).around(caseId, story, openedMs, age, source, journey.keyworkerId);
    if (random.chance(0.5)) {
      this.s.consent({ toAgencyId: null, toAgencyKind: 'gp', categories: ['identity', 'treatment_progress', 'health'], purpose: 'Keep the GP informed of treatment and prescribing.', atMs: openedMs + story.openedAt * DAY_MS, recordedBy: journey.keyworkerId ?? this.s.intakeUser });
    }
  }

  /** A story whose target stage holds at some midnight within the horizon, and that age in days. */
  private writeDatedStory(scenario: Scenario): { story: JourneyStory; age: number } {
    const cast = castFor(this.s.leadAgency);
    let story = writeJourneyStory(this.s.random, this.s.person, scenario, cast);
    for (let attempt = 0; attempt < 6; attempt++) {
      const age = pickAge(this.s.random, story.segments, story.targetStage, this.s.ctx.horizonDays);
      if (age !== null) return { story, age };
      story = writeJourneyStory(this.s.random, this.s.person, scenario, cast);
    }
    // Never expected; a story always has a last stage to be seen in.
    const last = story.segments[story.segments.length - 1]!;
    story = { ...story, targetStage: last.stage };
    return { story, age: pickAge(this.s.random, story.segments, last.stage, this.s.ctx.horizonDays) ?? Math.floor(last.from) + 1 };
  }

  /** Replays a journey story up to the reference date and adds its rows. */
  private replayJourney(caseId: string, story: JourneyStory, openedMs: number, source: ReferralSource, age: number): { label: string; keyworkerId: string | null } {
    const replay = new StreamReplay('case', caseId, this.s.timerId);
    const openedAt = iso(openedMs + story.openedAt * DAY_MS);
    const referredOn = openedAt.slice(0, 10);
    const input = { referralSource: source, referredOn, keyworkerId: story.initialKeyworkerId };
    replay.open(input, openedAt, 'CASE_OPENED', input, this.s.actorOf(this.s.intakeUser));
    let keyworker = story.initialKeyworkerId;
    for (const step of story.steps) {
      if (step.t > age) break;
      const event = this.s.dated(step, openedMs);
      const actor = step.actor === 'keyworker' ? this.s.actorOf(keyworker ?? this.s.intakeUser) : this.s.actorOf(step.actor);
      replay.apply(event, actor);
      if (event.type === 'KEYWORKER_ASSIGNED') keyworker = event.keyworkerId as string;
    }
    replay.fireDue(this.s.ctx.referenceMs);
    const keyworkerId = (replay.snapshot.context.keyworkerId as string | null) ?? null;
    this.s.batch.cases.push({
      id: caseId,
      person_id: this.s.person.id,
      lead_agency_id: this.s.leadAgency,
      keyworker_id: keyworkerId,
      machine_version: 1,
      stage: replay.stage,
      state_value: JSON.stringify(replay.stateValue),
      snapshot: JSON.stringify(replay.snapshot),
      version: replay.version,
      referral_source: source,
      referred_on: referredOn,
      stage_entered_at: replay.stageEnteredAt,
      opened_at: replay.openedAt,
      closed_at: replay.closedAt,
      updated_at: replay.updatedAt,
      overdue: overdueFlag(replay.snapshot, replay.closedAt !== null),
    });
    this.s.collect(replay);
    const label = stateLabel(replay.stateValue);
    this.s.tally.journeys += 1;
    bump(this.s.tally.journeysByState, label);
    if (label === 'closed') {
      const closure = replay.snapshot.context.closure as { reason: string; sustainedRecovery: boolean } | null;
      bump(this.s.tally.closedByReason, closure ? `${closure.reason}${closure.sustainedRecovery ? ' (sustained)' : ''}` : 'unknown');
    }
    return { label, keyworkerId };
  }

  /** An earlier journey, closed some months before this one began; returns its opening time. */
  private earlierJourney(age: number): number | null {
    const { random } = this.s;
    const reason = random.weighted({ dropped_out: 50, completed_drug_free: 25, declined_treatment: 8, moved_away: 7, treatment_withdrawn: 5, transferred_not_in_custody: 5 });
    const scenario: Scenario = { target: { kind: 'closed', reason }, custody: 'none', engagement: 'within', representation: false, slowStart: random.chance(0.07) };
    const story = writeJourneyStory(random, this.s.person, scenario, castFor(this.s.leadAgency));
    const closedAt = story.moments.closedAt;
    if (closedAt === null) return null;
    const earlierAge = age + Math.ceil(closedAt) + random.int(30, 400);
    if (earlierAge > this.s.ctx.horizonDays * 1.6) return null;
    const openedMs = this.s.ctx.referenceMs - earlierAge * DAY_MS;
    const source = random.weighted(REFERRAL_SOURCE_WEIGHTS[this.s.person.substanceGroup] as Record<ReferralSource, number>);
    const journey = this.replayJourney(this.s.ctx.ids('case', this.s.index, 1), story, openedMs, source === 'prison' ? 'self' : source, earlierAge);
    if (journey.label !== 'closed') this.s.tally.offTarget += 1;
    return openedMs + story.openedAt * DAY_MS;
  }
}
