/**
 * One person's share of the generator: their random stream, their row in the cohort, the
 * lead agency that holds their journey, and the helpers every stream of theirs writes
 * through (dating story steps, collecting replayed rows, consents and the audit trail).
 */
import type { DataCategory } from '../../machines/data-categories.ts';
import type { EngineEvent } from '../../src/engine/plan-transition.ts';
import { DEMO_AGENCY_IDS, DEMO_USERS, demoSenderOf } from '../demo-area-data.ts';
import { createRandom, mixSeed, type Random } from '../prng.ts';
import type { CohortBatch, CohortTally } from './cohort-batch.ts';
import type { IdKind } from './cohort-ids.ts';
import { drawPerson, type PersonSeed } from './person.ts';
import type { StoryStep } from './story-builder.ts';
import type { ReplayActor, StreamReplay } from './stream-replay.ts';

/** Milliseconds in a story day. */
export const DAY_MS = 86_400_000;

const A = DEMO_AGENCY_IDS;
const AGENCY_OF = new Map(DEMO_USERS.map((u) => [u.id, u.agencyId]));

/** An ISO-8601 UTC time. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** Everything the generator needs that is the same for every person. */
export interface CohortContext {
  seed: number;
  /** Midnight (UTC) of the reference date, in ms: every seeded fact happened before it. */
  referenceMs: number;
  /** How far back referrals go, in days (about two years). */
  horizonDays: number;
  ids: (kind: IdKind, index: number, sub?: number) => string;
}

/** A consent to record. */
export interface ConsentSpec {
  toAgencyId: string | null;
  toAgencyKind: string | null;
  categories: DataCategory[];
  purpose: string;
  atMs: number;
  recordedBy: string;
}

/** An audit-trail entry to record. */
export interface AuditSpec {
  atMs: number;
  userId: string;
  action: string;
  entityType: string;
  entityId: string;
  purpose: string | null;
  detail: Record<string, unknown>;
  flagged: number;
}

/** One person being generated, and the helpers their streams share. */
export class PersonScope {
  readonly random: Random;
  readonly person: PersonSeed;
  /** The treatment provider holding the journey. */
  readonly leadAgency: string;
  /** The provider's intake worker, who opens journeys and receives referrals. */
  readonly intakeUser: string;
  private timerCount = 0;
  private subCount = 0;

  constructor(
    readonly ctx: CohortContext,
    readonly index: number,
    readonly batch: CohortBatch,
    readonly tally: CohortTally,
  ) {
    this.random = createRandom(mixSeed(ctx.seed, index));
    this.person = drawPerson(this.random, ctx.ids('person', index), ctx.referenceMs);
    const alcohol = this.person.substanceGroup === 'alcohol_only';
    this.leadAgency = alcohol && this.random.chance(0.6) ? A.alcoholService : A.recovery;
    this.intakeUser = this.leadAgency === A.recovery ? demoSenderOf(A.recovery).id : DEMO_USERS.find((u) => u.agencyId === A.alcoholService && u.role === 'referrer')!.id;
  }

  /** The next timer id of this person (timers of all their streams share one range). */
  readonly timerId = (): string => this.ctx.ids('timer', this.index, this.timerCount++);

  /** A fresh id of `kind` within this person's range. */
  nextId(kind: IdKind): string {
    return this.ctx.ids(kind, this.index, this.subCount++);
  }

  /** A user as the event log records them: with their agency. */
  actorOf(userId: string): ReplayActor {
    return { userId, agencyId: AGENCY_OF.get(userId) ?? null };
  }

  /** A story step as an engine event, dated from the story's opening midnight. */
  dated(step: StoryStep, openedMs: number): EngineEvent {
    const ms = openedMs + step.t * DAY_MS;
    const at = iso(ms);
    return { ...step.make(at.slice(0, 10)), at };
  }

  /** Moves a replayed stream's events and timers into the batch. */
  collect(replay: StreamReplay): void {
    for (const e of replay.events) this.batch.events.push(e);
    for (const t of replay.timers) this.batch.timers.push(t);
    this.tally.events += replay.events.length;
    this.tally.timers += replay.timers.length;
    this.tally.pendingTimers += replay.pendingCount;
  }

  /** Records a consent (and its audit entry; a few are withdrawn later). */
  consent(c: ConsentSpec): void {
    const { random } = this;
    const id = this.nextId('consent');
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

  /** Records an audit-trail entry. */
  audit(a: AuditSpec): void {
    this.batch.audit.push({
      id: this.nextId('audit'),
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
