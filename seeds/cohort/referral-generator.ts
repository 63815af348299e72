/**
 * The referrals around one journey, each a `referral` stream replayed through the engine's
 * planner: the partner's referral that opened it, referrals out to partners for the needs
 * the assessment found (housing, mental health, mutual aid, employment, safeguarding,
 * rehab and detox), and now and then a new referral waiting in the provider's inbox.
 * Each carries the person's consent, or a recorded safeguarding override.
 */
import type { ReferralSource } from '../../machines/codes.ts';
import type { ReferralKind, ReferralUrgency } from '../../machines/referral-kinds.ts';
import type { DataCategory } from '../../machines/data-categories.ts';
import { DEMO_AGENCY_IDS, demoSenderOf } from '../demo-area-data.ts';
import { bump } from './cohort-batch.ts';
import type { JourneyStory } from './journey-story.ts';
import { DAY_MS, iso, type PersonScope } from './person-scope.ts';
import { REFERRAL_REASONS, REFERRAL_STATES, drawReferralState, writeReferralStory, type ReferralState } from './referral-story.ts';
import { pickAge, type StoryStep } from './story-builder.ts';
import { StreamReplay } from './stream-replay.ts';

const A = DEMO_AGENCY_IDS;

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

/** Writes the referrals of one person's journey. */
export class ReferralGenerator {
  constructor(private readonly s: PersonScope) {}

  /** Referrals in (from the partner who referred) and out (to partners for other needs). */
  around(caseId: string, story: JourneyStory, openedMs: number, age: number, source: ReferralSource, keyworkerId: string | null): void {
    const { random, person } = this.s;
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
      if (random.chance(0.025)) needs.push(['residential_rehabilitation', this.s.leadAgency === A.recovery ? A.alcoholService : A.recovery]);
      if (random.chance(person.substanceGroup === 'alcohol_only' ? 0.05 : 0.02)) needs.push(['inpatient_detox', A.hospital]);
      for (const [kind, to] of needs) {
        const senderUser = keyworkerId ?? this.s.intakeUser;
        this.referral({ kind, from: this.s.leadAgency, senderUser, to, caseId, target: drawReferralState(random), window: [Math.floor(from) + 1, Math.floor(until)], age, openedMs });
      }
    }
    // A new referral waiting in the inbox: the first people tour every referral state.
    const touring = this.s.index < REFERRAL_STATES.length;
    const closed = m.closedAt !== null && m.closedAt <= age;
    if (touring || (closed && random.chance(0.05))) {
      const target = touring ? (REFERRAL_STATES[this.s.index] as ReferralState) : random.weighted({ requested: 40, received: 30, accepted: 15, rejected: 15 } as Record<ReferralState, number>);
      const partner = random.pick([A.gp, A.jobcentre, A.probation, A.hospital, A.custody]);
      this.referral({ kind: 'treatment', from: partner, senderUser: demoSenderOf(partner).id, to: this.s.leadAgency, caseId: null, target, window: null, age, openedMs });
    }
  }

  /** The partner's referral that opened the journey: accepted on the day, closed by the journey's progress. */
  private inboundReferral(caseId: string, story: JourneyStory, openedMs: number, age: number, from: string, source: ReferralSource): void {
    const { random } = this.s;
    const m = story.moments;
    const id = this.s.nextId('referral');
    const senderUser = demoSenderOf(from).id;
    const receiver = this.s.intakeUser;
    const urgency: ReferralUrgency = source === 'prison' || source === 'arrest_referral_dip' ? (random.chance(0.5) ? 'urgent' : 'routine') : random.chance(0.1) ? 'urgent' : 'routine';
    const sentAt = story.openedAt - random.int(0, urgency === 'urgent' ? 0 : 2) - 0.05;
    const steps: StoryStep[] = [];
    const at = (t: number): number => t;
    if (random.chance(0.6)) steps.push({ t: at(sentAt + 0.02), make: () => ({ type: 'REFERRAL_RECEIVED' }), actor: receiver });
    steps.push({ t: story.openedAt - 0.01, make: () => ({ type: 'REFERRAL_ACCEPTED' }), actor: receiver });
    if (m.screeningAt !== null) steps.push({ t: m.screeningAt + 0.001, make: (on) => ({ type: 'FIRST_CONTACT_MADE', contactOn: on }), actor: receiver });
    if (m.firstStartAt !== null) steps.push({ t: m.firstStartAt + 0.001, make: (on) => ({ type: 'REFERRAL_COMPLETED', outcome: `Assessed and started treatment on ${on}.` }), actor: receiver });
    else if (m.closedAt !== null) steps.push({ t: m.closedAt + 0.001, make: () => ({ type: 'REFERRAL_FAILED', reason: 'Did not engage with assessment.' }), actor: receiver });
    this.replayReferral({ id, kind: 'treatment', urgency, from, senderUser, to: this.s.leadAgency, caseId, openedAt: sentAt, steps, age, openedMs, reason: random.pick(REFERRAL_REASONS.treatment) });
    // Criminal-justice and Jobcentre partners hear back how treatment is going, with consent.
    if (source === 'prison' || source === 'probation' || source === 'drr' || source === 'employment_service' || source === 'arrest_referral_dip') {
      this.s.consent({ toAgencyId: from, toAgencyKind: null, categories: ['identity', 'treatment_progress'], purpose: 'Report attendance and progress back to the referring agency.', atMs: openedMs + story.openedAt * DAY_MS, recordedBy: receiver });
    }
  }

  /** An outbound or inbox referral written towards a target state. */
  private referral(r: { kind: ReferralKind; from: string; senderUser: string; to: string; caseId: string | null; target: ReferralState; window: [number, number] | null; age: number; openedMs: number }): void {
    const { random } = this.s;
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
    const id = this.s.nextId('referral');
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
    const { random, person } = this.s;
    const sentMs = r.openedMs + r.openedAt * DAY_MS;
    const sentAt = iso(sentMs);
    // Safeguarding may go without consent when a child is at risk; the decision is recorded.
    const override = r.kind === 'safeguarding' && random.chance(0.15) ? { justification: 'Risk of significant harm to a child; consent not sought to avoid increasing the risk.', by: r.senderUser, at: sentAt } : null;
    const replay = new StreamReplay('referral', r.id, this.s.timerId);
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
    }, this.s.actorOf(r.senderUser));
    const due = (key: string): string | null => plan.timersToAdd.find((t) => t.key === key)?.dueAt ?? null;
    for (const step of r.steps) {
      if (step.t > r.age) break;
      replay.apply(this.s.dated(step, r.openedMs), this.s.actorOf(step.actor));
    }
    replay.fireDue(this.s.ctx.referenceMs);
    this.s.batch.referrals.push({
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
      referral_source: null,
      released_on: null,
      created_at: sentAt,
      updated_at: replay.updatedAt,
    });
    this.s.collect(replay);
    this.s.tally.referrals += 1;
    bump(this.s.tally.referralsByState, replay.stage);
    if (override) {
      this.s.audit({ atMs: sentMs, userId: r.senderUser, action: 'override', entityType: 'referral', entityId: r.id, purpose: 'safeguarding', detail: { justification: override.justification, toAgencyId: r.to }, flagged: 1 });
    } else {
      this.s.consent({ toAgencyId: r.to, toAgencyKind: null, categories: CATEGORIES[r.kind], purpose: r.reason, atMs: sentMs - 60_000, recordedBy: r.senderUser });
    }
  }
}
