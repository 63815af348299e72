/**
 * Generates everything about one person of the cohort: the person, their treatment
 * journey (sometimes an earlier, closed one too), the referrals between agencies around
 * it with the consents that allow them, and every event and timer the engine would have
 * logged. The person's own random stream is derived from the seed and their number, so
 * any person can be regenerated alone and the cohort does not depend on batch size.
 */
import type { ReferralSource } from '../../machines/codes.ts';
import type { ReferralKind, ReferralUrgency } from '../../machines/referral-kinds.ts';
import type { DataCategory } from '../../src/consent/data-categories.ts';
import type { EngineEvent } from '../../src/engine/plan-transition.ts';
import { stateLabel } from '../../src/engine/state-label.ts';
import { DEMO_AGENCY_IDS, DEMO_USERS, demoKeyworkers, demoSenderOf } from '../demo-area-data.ts';
import type { SubstanceGroup } from '../code-lists.ts';
import { createRandom, mixSeed, type Random } from '../prng.ts';
import { bump, type CohortBatch, type CohortTally } from './cohort-batch.ts';
import type { IdKind } from './cohort-ids.ts';
import { writeJourneyStory, type JourneyStory, type StoryCast } from './journey-story.ts';
import { drawPerson, personDetails, type PersonSeed } from './person.ts';
import { REFERRAL_REASONS, REFERRAL_STATES, drawReferralState, writeReferralStory, type ReferralState } from './referral-story.ts';
import { drawScenario, type Scenario } from './scenarios.ts';
import { pickAge, type StoryStep } from './story-builder.ts';
import { StreamReplay, type ReplayActor } from './stream-replay.ts';

const DAY_MS = 86_400_000;
const A = DEMO_AGENCY_IDS;
const AGENCY_OF = new Map(DEMO_USERS.map((u) => [u.id, u.agencyId]));

/** Everything the generator needs that is the same for every person. */
export interface CohortContext {
  seed: number;
  /** Midnight (UTC) of the reference date, in ms: every seeded fact happened before it. */
  referenceMs: number;
  /** How far back referrals go, in days (about two years). */
  horizonDays: number;
  ids: (kind: IdKind, index: number, sub?: number) => string;
}

const REFERRAL_SOURCE_WEIGHTS: Record<SubstanceGroup, Partial<Record<ReferralSource, number>>> = {
  opiate: { self: 52, gp: 5, drug_service_statutory: 2, drug_service_non_statutory: 2, arrest_referral_dip: 5, drr: 2.5, probation: 6, prison: 8, a_and_e: 1, general_hospital: 2, psychiatry: 1, syringe_exchange: 1.5, social_services: 2, employment_service: 1.5, relative: 1, concerned_other: 1, sex_worker_project: 0.5, other: 3 },
  alcohol_only: { self: 55, gp: 17, drug_service_statutory: 1, drug_service_non_statutory: 1, arrest_referral_dip: 0.5, drr: 0.5, probation: 2.5, prison: 1, a_and_e: 2.5, general_hospital: 6, psychiatry: 2, social_services: 2.5, employment_service: 1.5, education: 0.2, relative: 2, concerned_other: 1.5, other: 3 },
  non_opiate_only: { self: 58, gp: 8, drug_service_statutory: 1, drug_service_non_statutory: 2, arrest_referral_dip: 4, drr: 2, probation: 6, prison: 3, a_and_e: 1, general_hospital: 1, psychiatry: 2, social_services: 3, employment_service: 2, education: 1, relative: 1.5, concerned_other: 1, sex_worker_project: 0.3, other: 3 },
  non_opiate_and_alcohol: { self: 57, gp: 9, drug_service_statutory: 1, drug_service_non_statutory: 1.5, arrest_referral_dip: 3.5, drr: 1.5, probation: 5, prison: 3, a_and_e: 2, general_hospital: 2, psychiatry: 2, social_services: 3, employment_service: 2, education: 0.5, relative: 1.5, concerned_other: 1, other: 3 },
};

/** The partner agency behind a referral source, when one sent the referral. */
const SOURCE_AGENCY: Partial<Record<ReferralSource, string>> = {
  gp: A.gp,
  arrest_referral_dip: A.custody,
  drr: A.court,
  probation: A.probation,
  prison: A.prison,
  a_and_e: A.hospital,
  general_hospital: A.hospital,
  psychiatry: A.mentalHealth,
  social_services: A.children,
  employment_service: A.jobcentre,
};

const CATEGORIES: Record<ReferralKind, DataCategory[]> = {
  treatment: ['identity', 'contact', 'substance_use'],
  employment_support: ['identity', 'contact', 'treatment_progress', 'employment'],
  housing: ['identity', 'contact', 'housing'],
  mental_health: ['identity', 'contact', 'substance_use', 'health'],
  mutual_aid: ['identity', 'contact'],
  residential_rehabilitation: ['identity', 'contact', 'substance_use', 'health', 'treatment_progress'],
  inpatient_detox: ['identity', 'contact', 'substance_use', 'health', 'treatment_progress'],
  safeguarding: ['identity', 'contact', 'safeguarding', 'substance_use'],
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

const iso = (ms: number): string => new Date(ms).toISOString();

/** Generates one person into `batch` and counts them into `tally`. */
export function generatePerson(ctx: CohortContext, index: number, batch: CohortBatch, tally: CohortTally): void {
  new PersonGenerator(ctx, index, batch, tally).run();
}

class PersonGenerator {
  private readonly random: Random;
  private readonly person: PersonSeed;
  private readonly leadAgency: string;
  private readonly intakeUser: string;
  private timerCount = 0;
  private subCount = 0;

  constructor(
    private readonly ctx: CohortContext,
    private readonly index: number,
    private readonly batch: CohortBatch,
    private readonly tally: CohortTally,
  ) {
    this.random = createRandom(mixSeed(ctx.seed, index));
    this.person = drawPerson(this.random, ctx.ids('person', index), ctx.referenceMs);
    const alcohol = this.person.substanceGroup === 'alcohol_only';
    this.leadAgency = alcohol && this.random.chance(0.6) ? A.alcoholService : A.recovery;
    this.intakeUser = this.leadAgency === A.recovery ? demoSenderOf(A.recovery).id : DEMO_USERS.find((u) => u.agencyId === A.alcoholService && u.role === 'referrer')!.id;
  }

  run(): void {
    const { random, person, ctx } = this;
    let source = random.weighted(REFERRAL_SOURCE_WEIGHTS[person.substanceGroup] as Record<ReferralSource, number>);
    const criminalJustice = source === 'probation' || source === 'drr' || source === 'arrest_referral_dip';
    const scenario = drawScenario(random, this.index, person.substanceGroup, source === 'prison', criminalJustice);
    if (scenario.custody === 'fromPrison') source = 'prison';

    const { story, age } = this.writeDatedStory(scenario);
    const openedMs = ctx.referenceMs - age * DAY_MS;
    const caseId = ctx.ids('case', this.index, 0);
    const journey = this.replayJourney(caseId, story, openedMs, source, age);
    if (journey.label !== story.targetStage) this.tally.offTarget += 1;

    let createdMs = openedMs + story.openedAt * DAY_MS;
    // About one in twenty has an earlier journey that closed: they are re-presenting.
    if (this.index >= 40 && random.chance(0.05)) {
      const earlier = this.earlierJourney(age);
      if (earlier !== null) createdMs = Math.min(createdMs, earlier);
    }
    this.batch.people.push({
      id: person.id,
      given_name: person.givenName,
      family_name: person.familyName,
      date_of_birth: person.dateOfBirth,
      sex: person.sex,
      ethnicity: person.ethnicity,
      postcode_district: person.postcodeDistrict,
      details: JSON.stringify(personDetails(person)),
      created_by_agency_id: this.leadAgency,
      created_at: iso(createdMs),
    });
    this.tally.people += 1;

    this.referralsAround(caseId, story, openedMs, age, source, journey.keyworkerId);
    if (random.chance(0.5)) {
      this.consent({ toAgencyId: null, toAgencyKind: 'gp', categories: ['identity', 'treatment_progress', 'health'], purpose: 'Keep the GP informed of treatment and prescribing.', atMs: openedMs + story.openedAt * DAY_MS, recordedBy: journey.keyworkerId ?? this.intakeUser });
    }
  }

  /** A story whose target stage holds at some midnight within the horizon, and that age in days. */
  private writeDatedStory(scenario: Scenario): { story: JourneyStory; age: number } {
    const cast = castFor(this.leadAgency);
    let story = writeJourneyStory(this.random, this.person, scenario, cast);
    for (let attempt = 0; attempt < 6; attempt++) {
      const age = pickAge(this.random, story.segments, story.targetStage, this.ctx.horizonDays);
      if (age !== null) return { story, age };
      story = writeJourneyStory(this.random, this.person, scenario, cast);
    }
    // Never expected; a story always has a last stage to be seen in.
    const last = story.segments[story.segments.length - 1]!;
    story = { ...story, targetStage: last.stage };
    return { story, age: pickAge(this.random, story.segments, last.stage, this.ctx.horizonDays) ?? Math.floor(last.from) + 1 };
  }

  private timerId = (): string => this.ctx.ids('timer', this.index, this.timerCount++);

  private actorOf(userId: string): ReplayActor {
    return { userId, agencyId: AGENCY_OF.get(userId) ?? null };
  }

  /** Replays a journey story up to the reference date and adds its rows. */
  private replayJourney(caseId: string, story: JourneyStory, openedMs: number, source: ReferralSource, age: number): { label: string; keyworkerId: string | null } {
    const replay = new StreamReplay('case', caseId, this.timerId);
    const openedAt = iso(openedMs + story.openedAt * DAY_MS);
    const referredOn = openedAt.slice(0, 10);
    const input = { referralSource: source, referredOn, keyworkerId: story.initialKeyworkerId };
    replay.open(input, openedAt, 'CASE_OPENED', input, this.actorOf(this.intakeUser));
    let keyworker = story.initialKeyworkerId;
    for (const step of story.steps) {
      if (step.t > age) break;
      const event = this.dated(step, openedMs);
      const actor = step.actor === 'keyworker' ? this.actorOf(keyworker ?? this.intakeUser) : this.actorOf(step.actor);
      replay.apply(event, actor);
      if (event.type === 'KEYWORKER_ASSIGNED') keyworker = event.keyworkerId as string;
    }
    replay.fireDue(this.ctx.referenceMs);
    const keyworkerId = (replay.snapshot.context.keyworkerId as string | null) ?? null;
    this.batch.cases.push({
      id: caseId,
      person_id: this.person.id,
      lead_agency_id: this.leadAgency,
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
    });
    this.collect(replay);
    const label = stateLabel(replay.stateValue);
    this.tally.journeys += 1;
    bump(this.tally.journeysByState, label);
    if (label === 'closed') {
      const closure = replay.snapshot.context.closure as { reason: string; sustainedRecovery: boolean } | null;
      bump(this.tally.closedByReason, closure ? `${closure.reason}${closure.sustainedRecovery ? ' (sustained)' : ''}` : 'unknown');
    }
    return { label, keyworkerId };
  }

  private dated(step: StoryStep, openedMs: number): EngineEvent {
    const ms = openedMs + step.t * DAY_MS;
    const at = iso(ms);
    return { ...step.make(at.slice(0, 10)), at };
  }

  private collect(replay: StreamReplay): void {
    for (const e of replay.events) this.batch.events.push(e);
    for (const t of replay.timers) this.batch.timers.push(t);
    this.tally.events += replay.events.length;
    this.tally.timers += replay.timers.length;
    this.tally.pendingTimers += replay.pendingCount;
  }

  /** An earlier journey, closed some months before this one began; returns its opening time. */
  private earlierJourney(age: number): number | null {
    const { random } = this;
    const reason = random.weighted({ dropped_out: 50, completed_drug_free: 25, declined_treatment: 8, moved_away: 7, treatment_withdrawn: 5, transferred_not_in_custody: 5 });
    const scenario: Scenario = { target: { kind: 'closed', reason }, custody: 'none', engagement: 'within', representation: false, slowStart: random.chance(0.07) };
    const story = writeJourneyStory(random, this.person, scenario, castFor(this.leadAgency));
    const closedAt = story.moments.closedAt;
    if (closedAt === null) return null;
    const earlierAge = age + Math.ceil(closedAt) + random.int(30, 400);
    if (earlierAge > this.ctx.horizonDays * 1.6) return null;
    const openedMs = this.ctx.referenceMs - earlierAge * DAY_MS;
    const source = random.weighted(REFERRAL_SOURCE_WEIGHTS[this.person.substanceGroup] as Record<ReferralSource, number>);
    const journey = this.replayJourney(this.ctx.ids('case', this.index, 1), story, openedMs, source === 'prison' ? 'self' : source, earlierAge);
    if (journey.label !== 'closed') this.tally.offTarget += 1;
    return openedMs + story.openedAt * DAY_MS;
  }

  /** Referrals in (from the partner who referred) and out (to partners for other needs). */
  private referralsAround(caseId: string, story: JourneyStory, openedMs: number, age: number, source: ReferralSource, keyworkerId: string | null): void {
    const { random, person } = this;
    const m = story.moments;
    const sender = SOURCE_AGENCY[source];
    if (sender) this.inboundReferral(caseId, story, openedMs, age, sender, source);

    // Outbound referrals happen while the person is in treatment.
    const from = m.firstStartAt ?? m.screeningAt;
    if (from !== null) {
      // Sent by the day before the reference date at the latest (the referral's own day is after midnight).
      const until = Math.min(age - 1, m.endedAt ?? m.closedAt ?? age);
      const needs: Array<[ReferralKind, string]> = [];
      if (person.housingNeed === 'nfa_or_urgent' ? random.chance(0.7) : person.housingNeed === 'housing_problem' && random.chance(0.4)) needs.push(['housing', A.housing]);
      if (random.chance(0.14)) needs.push(['mental_health', A.mentalHealth]);
      if (random.chance(0.3)) needs.push(['mutual_aid', random.chance(0.8) ? A.mutualAidPeer : A.mutualAidFamily]);
      if (source === 'employment_service' || random.chance(0.07)) needs.push(['employment_support', A.jobcentre]);
      if (person.parent && random.chance(0.2)) needs.push(['safeguarding', A.children]);
      if (random.chance(0.025)) needs.push(['residential_rehabilitation', this.leadAgency === A.recovery ? A.alcoholService : A.recovery]);
      if (random.chance(person.substanceGroup === 'alcohol_only' ? 0.05 : 0.02)) needs.push(['inpatient_detox', A.hospital]);
      for (const [kind, to] of needs) {
        const senderUser = keyworkerId ?? this.intakeUser;
        this.referral({ kind, from: this.leadAgency, senderUser, to, caseId, target: drawReferralState(random), window: [Math.floor(from) + 1, Math.floor(until)], age, openedMs });
      }
    }
    // A new referral waiting in the inbox: the first people tour every referral state.
    const touring = this.index < REFERRAL_STATES.length;
    const closed = m.closedAt !== null && m.closedAt <= age;
    if (touring || (closed && random.chance(0.05))) {
      const target = touring ? (REFERRAL_STATES[this.index] as ReferralState) : random.weighted({ requested: 40, received: 30, accepted: 15, rejected: 15 } as Record<ReferralState, number>);
      const partner = random.pick([A.gp, A.jobcentre, A.probation, A.hospital, A.custody]);
      this.referral({ kind: 'treatment', from: partner, senderUser: demoSenderOf(partner).id, to: this.leadAgency, caseId: null, target, window: null, age, openedMs });
    }
  }

  /** The partner's referral that opened the journey: accepted on the day, closed by the journey's progress. */
  private inboundReferral(caseId: string, story: JourneyStory, openedMs: number, age: number, from: string, source: ReferralSource): void {
    const { random } = this;
    const m = story.moments;
    const id = this.ctx.ids('referral', this.index, this.subCount++);
    const senderUser = demoSenderOf(from).id;
    const receiver = this.intakeUser;
    const urgency: ReferralUrgency = source === 'prison' || source === 'arrest_referral_dip' ? (random.chance(0.5) ? 'urgent' : 'routine') : random.chance(0.1) ? 'urgent' : 'routine';
    const sentAt = story.openedAt - random.int(0, urgency === 'urgent' ? 0 : 2) - 0.05;
    const steps: StoryStep[] = [];
    const at = (t: number): number => t;
    if (random.chance(0.6)) steps.push({ t: at(sentAt + 0.02), make: () => ({ type: 'REFERRAL_RECEIVED' }), actor: receiver });
    steps.push({ t: story.openedAt - 0.01, make: () => ({ type: 'REFERRAL_ACCEPTED' }), actor: receiver });
    if (m.screeningAt !== null) steps.push({ t: m.screeningAt + 0.001, make: (on) => ({ type: 'FIRST_CONTACT_MADE', contactOn: on }), actor: receiver });
    if (m.firstStartAt !== null) steps.push({ t: m.firstStartAt + 0.001, make: (on) => ({ type: 'REFERRAL_COMPLETED', outcome: `Assessed and started treatment on ${on}.` }), actor: receiver });
    else if (m.closedAt !== null) steps.push({ t: m.closedAt + 0.001, make: () => ({ type: 'REFERRAL_FAILED', reason: 'Did not engage with assessment.' }), actor: receiver });
    this.replayReferral({ id, kind: 'treatment', urgency, from, senderUser, to: this.leadAgency, caseId, openedAt: sentAt, steps, age, openedMs, reason: random.pick(REFERRAL_REASONS.treatment) });
    // Criminal-justice and Jobcentre partners hear back how treatment is going, with consent.
    if (source === 'prison' || source === 'probation' || source === 'drr' || source === 'employment_service' || source === 'arrest_referral_dip') {
      this.consent({ toAgencyId: from, toAgencyKind: null, categories: ['identity', 'treatment_progress'], purpose: 'Report attendance and progress back to the referring agency.', atMs: openedMs + story.openedAt * DAY_MS, recordedBy: receiver });
    }
  }

  /** An outbound or inbox referral written towards a target state. */
  private referral(r: { kind: ReferralKind; from: string; senderUser: string; to: string; caseId: string | null; target: ReferralState; window: [number, number] | null; age: number; openedMs: number }): void {
    const { random } = this;
    const urgency: ReferralUrgency = random.chance(r.kind === 'safeguarding' ? 0.5 : 0.12) ? 'urgent' : 'routine';
    const receiverUser = demoSenderOf(r.to).id;
    const story = writeReferralStory(random, { kind: r.kind, urgency, senderUserId: r.senderUser, receiverUserId: receiverUser }, r.target);
    // Day (counted like the journey's story days) the referral is sent on.
    const wanted = pickAge(random, story.segments, r.target, 400);
    let day = wanted === null ? null : r.age - wanted;
    if (r.window) {
      const [lo, hi] = r.window;
      if (hi < lo) return;
      if (day === null || day < lo || day > hi) day = random.int(lo, hi);
    } else if (day === null) return;
    const steps = story.steps.map((s) => ({ ...s, t: s.t + day }));
    const id = this.ctx.ids('referral', this.index, this.subCount++);
    this.replayReferral({ id, kind: r.kind, urgency, from: r.from, senderUser: r.senderUser, to: r.to, caseId: r.caseId, openedAt: story.openedAt + day, steps, age: r.age, openedMs: r.openedMs, reason: random.pick(REFERRAL_REASONS[r.kind]) });
  }

  private replayReferral(r: {
    id: string;
    kind: ReferralKind;
    urgency: ReferralUrgency;
    from: string;
    senderUser: string;
    to: string;
    caseId: string | null;
    openedAt: number;
    steps: StoryStep[];
    age: number;
    openedMs: number;
    reason: string;
  }): void {
    const { random, person } = this;
    const sentMs = r.openedMs + r.openedAt * DAY_MS;
    const sentAt = iso(sentMs);
    // Safeguarding may go without consent when a child is at risk; the decision is recorded.
    const override = r.kind === 'safeguarding' && random.chance(0.15) ? { justification: 'Risk of significant harm to a child; consent not sought to avoid increasing the risk.', by: r.senderUser, at: sentAt } : null;
    const replay = new StreamReplay('referral', r.id, this.timerId);
    const input = { kind: r.kind, urgency: r.urgency, requestedAt: sentAt };
    const plan = replay.open(input, sentAt, 'REFERRAL_REQUESTED', {
      personId: person.id,
      fromAgencyId: r.from,
      toAgencyId: r.to,
      kind: r.kind,
      urgency: r.urgency,
      reason: r.reason,
      caseId: r.caseId,
      ...(override ? { safeguardingOverride: override } : {}),
    }, this.actorOf(r.senderUser));
    const due = (key: string): string | null => plan.timersToAdd.find((t) => t.key === key)?.dueAt ?? null;
    for (const step of r.steps) {
      if (step.t > r.age) break;
      replay.apply(this.dated(step, r.openedMs), this.actorOf(step.actor));
    }
    replay.fireDue(this.ctx.referenceMs);
    this.batch.referrals.push({
      id: r.id,
      person_id: person.id,
      case_id: r.caseId,
      from_agency_id: r.from,
      from_user_id: r.senderUser,
      to_agency_id: r.to,
      kind: r.kind,
      reason: r.reason,
      urgency: r.urgency,
      machine_version: 1,
      state: replay.stage,
      snapshot: JSON.stringify(replay.snapshot),
      version: replay.version,
      acknowledge_by: due('acknowledge-deadline'),
      first_contact_by: due('first-contact-deadline'),
      safeguarding_override: override ? JSON.stringify(override) : null,
      created_at: sentAt,
      updated_at: replay.updatedAt,
    });
    this.collect(replay);
    this.tally.referrals += 1;
    bump(this.tally.referralsByState, replay.stage);
    if (override) {
      this.audit({ atMs: sentMs, userId: r.senderUser, action: 'override', entityType: 'referral', entityId: r.id, purpose: 'safeguarding', detail: { justification: override.justification, toAgencyId: r.to }, flagged: 1 });
    } else {
      this.consent({ toAgencyId: r.to, toAgencyKind: null, categories: CATEGORIES[r.kind], purpose: r.reason, atMs: sentMs - 60_000, recordedBy: r.senderUser });
    }
  }

  private consent(c: { toAgencyId: string | null; toAgencyKind: string | null; categories: DataCategory[]; purpose: string; atMs: number; recordedBy: string }): void {
    const { random } = this;
    const id = this.ctx.ids('consent', this.index, this.subCount++);
    const at = iso(c.atMs);
    // A few people withdraw consent later; from then on nothing new flows to that agency.
    const withdrawnMs = random.chance(0.03) ? c.atMs + random.int(7, 200) * DAY_MS : null;
    const withdrawn = withdrawnMs !== null && withdrawnMs < this.ctx.referenceMs ? iso(withdrawnMs) : null;
    this.batch.consents.push({
      id,
      person_id: this.person.id,
      to_agency_id: c.toAgencyId,
      to_agency_kind: c.toAgencyKind,
      categories: JSON.stringify(c.categories),
      purpose: c.purpose,
      given_on: at.slice(0, 10),
      valid_until: null,
      recorded_by: c.recordedBy,
      recorded_at: at,
      withdrawn_at: withdrawn,
      withdrawn_by: withdrawn ? c.recordedBy : null,
      withdrawal_reason: withdrawn ? 'Person asked for sharing to stop.' : null,
    });
    this.tally.consents += 1;
    this.audit({ atMs: c.atMs, userId: c.recordedBy, action: 'consent_given', entityType: 'consent', entityId: id, purpose: c.purpose, detail: { toAgencyId: c.toAgencyId, toAgencyKind: c.toAgencyKind, categories: c.categories }, flagged: 0 });
    if (withdrawn) this.audit({ atMs: withdrawnMs!, userId: c.recordedBy, action: 'consent_withdrawn', entityType: 'consent', entityId: id, purpose: null, detail: { reason: 'Person asked for sharing to stop.' }, flagged: 0 });
  }

  private audit(a: { atMs: number; userId: string; action: string; entityType: string; entityId: string; purpose: string | null; detail: Record<string, unknown>; flagged: number }): void {
    this.batch.audit.push({
      id: this.ctx.ids('audit', this.index, this.subCount++),
      at: iso(a.atMs),
      user_id: a.userId,
      agency_id: AGENCY_OF.get(a.userId) ?? null,
      action: a.action,
      person_id: this.person.id,
      entity_type: a.entityType,
      entity_id: a.entityId,
      purpose: a.purpose,
      detail: JSON.stringify(a.detail),
      flagged: a.flagged,
    });
  }
}
