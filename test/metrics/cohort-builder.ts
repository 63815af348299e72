/**
 * Builds small journeys for the measures tests through the real engine, one event at a
 * time, with the clock moved to each event's date (so nothing is backdated). Agencies,
 * users and people are written directly, with unique ids so suites can share a store.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import type { Engine, StreamChange } from '../../src/engine/engine-types.ts';

/** A settable clock for the engine. */
export interface TestClock {
  now: () => Date;
  set(iso: string): void;
}

/** A clock starting at `iso`. */
export function testClock(iso: string): TestClock {
  let current = new Date(iso);
  return {
    now: () => new Date(current),
    set(value: string) {
      current = new Date(value.length === 10 ? `${value}T12:00:00.000Z` : value);
    },
  };
}

/** A TOP record of the given kind taken on `on`. */
export function top(kind: 'start' | 'review' | 'exit' | 'post_exit', on: string): Record<string, unknown> {
  return {
    kind,
    recordedOn: on,
    substanceDays: { alcohol: 0, opiates: 0, crack: 0, cocaine: 0, amphetamines: 0, cannabis: 0, other: 0, tobacco: 0 },
    injectingDays: 0,
    sharedEquipment: false,
    shopliftingDays: 0,
    sellingDrugsDays: 0,
    otherTheftDays: 0,
    assaultOrViolence: false,
    psychologicalHealth: 14,
    physicalHealth: 14,
    qualityOfLife: 14,
    paidWorkDays: 0,
    educationDays: 0,
    acuteHousingProblem: false,
    atRiskOfEviction: false,
  };
}

const WALK_DISCHARGE_REASONS = ['completed_drug_free', 'completed_occasional_user', 'dropped_out', 'died', 'moved_away', 'transferred_in_custody'];

/** The episode's substance group, recorded or corrected now and then (the substance breakdown moves with it). */
function substance(pick: <T>(xs: readonly T[]) => T): { substanceGroup?: string } {
  const group = pick(['opiate', 'non_opiate_only', 'non_opiate_and_alcohol', 'alcohol_only', null, null]);
  return group === null ? {} : { substanceGroup: group };
}

/**
 * The payload a random walk sends with an event of `type` on `date` (`pick` for the choices,
 * `pick2` for the substance group, recorded or corrected now and then); null for an event the
 * walk leaves out (KEYWORKER_ASSIGNED and anything unknown).
 */
export function walkPayload(type: string, date: string, pick: <T>(xs: readonly T[]) => T, pick2: <T>(xs: readonly T[]) => T = pick): Record<string, unknown> | null {
  switch (type) {
    case 'SCREENING_STARTED':
    case 'REENTRY_CONFIRMED':
    case 'REFERRAL_RECEIVED':
    case 'REFERRAL_ACCEPTED':
    case 'REFERRAL_CANCELLED':
      return {};
    case 'SCREENING_COMPLETED':
      return { outcome: pick(['assess', 'assess', 'assess', 'brief_advice']) };
    case 'ASSESSMENT_COMPLETED':
      return { domains: {}, ...substance(pick2) };
    case 'CARE_PLAN_AGREED':
      return { interventions: [{ id: 'i1', modality: 'structured_psychosocial' }], ...substance(pick2) };
    case 'INTERVENTION_OFFERED':
      return { interventionId: 'i1' };
    case 'INTERVENTION_STARTED':
      return { interventionId: 'i1', startedOn: date };
    case 'INTERVENTION_ENDED':
      return { interventionId: 'i1', exitStatus: 'planned', endedOn: date };
    case 'TOP_RECORDED':
      return { top: top('review', date) };
    case 'REVIEW_COMPLETED':
      return { reviewedOn: date, top: top('review', date) };
    case 'DISCHARGED':
      return { reason: pick(WALK_DISCHARGE_REASONS), dischargedOn: date, exitTop: top('exit', date) };
    case 'CHECKUP_COMPLETED':
      return { checkupOn: date };
    case 'RELAPSE_REPORTED':
      return { reportedOn: date };
    case 'CUSTODY_STARTED':
      return { custodyOn: date };
    case 'RELEASED_FROM_CUSTODY':
      return { releasedOn: date };
    case 'COMMUNITY_ENGAGED':
      return { engagedOn: date };
    case 'REFERRAL_REJECTED':
    case 'REFERRAL_FAILED':
      return { reason: 'not suitable' };
    case 'FIRST_CONTACT_MADE':
      return { contactOn: date };
    case 'REFERRAL_COMPLETED':
      return { outcome: 'attended' };
    default:
      return null; // KEYWORKER_ASSIGNED and anything else: not part of the walk
  }
}

/** Inserts an agency; returns its id. */
export async function addAgency(db: Kysely<Database>, kind: string, area: string): Promise<string> {
  const id = randomUUID();
  await db.insertInto('agencies').values({ id, name: `${kind} ${id.slice(0, 6)}`, kind, area, created_at: '2025-01-01T00:00:00.000Z' }).execute();
  return id;
}

/** Inserts a user of an agency; returns its id. */
export async function addUser(db: Kysely<Database>, agencyId: string, role: string): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('users')
    .values({ id, email: `${role}-${id.slice(0, 8)}@example.test`, name: `${role} ${id.slice(0, 4)}`, password_hash: 'x', role, agency_id: agencyId, created_at: '2025-01-01T00:00:00.000Z', disabled_at: null })
    .execute();
  return id;
}

/** Inserts a person registered by an agency; returns its id. */
export async function addPerson(
  db: Kysely<Database>,
  agencyId: string,
  fields: { sex?: string; dateOfBirth?: string; ethnicity?: string | null; postcodeDistrict?: string | null; substanceGroup?: string } = {},
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('people')
    .values({
      id,
      given_name: 'Sam',
      family_name: `Person ${id.slice(0, 6)}`,
      date_of_birth: fields.dateOfBirth ?? '1985-06-15',
      sex: fields.sex ?? 'female',
      ethnicity: fields.ethnicity ?? null,
      postcode_district: fields.postcodeDistrict ?? null,
      details: JSON.stringify(fields.substanceGroup ? { substanceGroup: fields.substanceGroup } : {}),
      created_by_agency_id: agencyId,
      created_at: '2025-01-01T00:00:00.000Z',
    })
    .execute();
  return id;
}

/** One stream driven through the engine with the clock at each event's date. */
export class StreamDriver {
  version = 1;
  /** Event types the stream accepted after the last applied event. */
  allowed: string[] = [];
  constructor(
    readonly engine: Engine,
    readonly clock: TestClock,
    readonly stream: 'case' | 'referral',
    readonly id: string,
    readonly actor: { userId: string | null; agencyId: string | null },
  ) {}

  /**
   * Applies `event` on `date` (`YYYY-MM-DD`, taken as 12:00 UTC, or an ISO time); with
   * `effectiveAt`, recorded on `date` as a fact of that earlier time (a late entry).
   */
  async on(date: string, event: { type: string; [k: string]: unknown }, effectiveAt?: string): Promise<StreamChange> {
    this.clock.set(date);
    const late = effectiveAt === undefined ? {} : { effectiveAt, backdateReason: 'recorded late' };
    const result = await this.engine.apply({ stream: this.stream, id: this.id, event, expectedVersion: this.version, actor: this.actor, ...late });
    this.version = result.row.version;
    this.allowed = result.allowedEvents;
    return result.change;
  }
}

/** Opens a journey on its referral date. */
export async function openJourney(
  engine: Engine,
  clock: TestClock,
  o: { personId: string; agencyId: string; referredOn: string; referralSource?: string; keyworkerId?: string; actor?: { userId: string | null; agencyId: string | null } },
): Promise<StreamDriver> {
  clock.set(o.referredOn);
  const actor = o.actor ?? { userId: null, agencyId: o.agencyId };
  const result = await engine.openCase({
    personId: o.personId,
    leadAgencyId: o.agencyId,
    referralSource: o.referralSource ?? 'self',
    referredOn: o.referredOn,
    ...(o.keyworkerId ? { keyworkerId: o.keyworkerId } : {}),
    actor,
  });
  const driver = new StreamDriver(engine, clock, 'case', result.row.id, actor);
  driver.allowed = result.allowedEvents;
  return driver;
}

/** Takes a journey from referral through screening, assessment and care planning to its first intervention start. */
export async function intoTreatment(j: StreamDriver, referredOn: string, startedOn: string): Promise<void> {
  await j.on(referredOn, { type: 'SCREENING_STARTED' });
  await j.on(referredOn, { type: 'SCREENING_COMPLETED', outcome: 'assess' });
  await j.on(referredOn, { type: 'ASSESSMENT_COMPLETED', domains: {} });
  await j.on(referredOn, { type: 'CARE_PLAN_AGREED', interventions: [{ id: 'i1', modality: 'structured_psychosocial' }] });
  await j.on(referredOn, { type: 'INTERVENTION_OFFERED', interventionId: 'i1' });
  await j.on(startedOn, { type: 'INTERVENTION_STARTED', interventionId: 'i1', startedOn });
}

/** A successful completion on `on` with its exit TOP. */
export async function completeSuccessfully(j: StreamDriver, on: string): Promise<void> {
  await j.on(on, { type: 'DISCHARGED', reason: 'completed_drug_free', dischargedOn: on, exitTop: top('exit', on) });
}

/** Sends a referral at `at` (ISO time). */
export async function sendReferral(
  engine: Engine,
  clock: TestClock,
  o: { personId: string; fromAgencyId: string; toAgencyId: string; kind: string; at: string; urgency?: string },
): Promise<StreamDriver> {
  clock.set(o.at);
  const actor = { userId: null, agencyId: o.fromAgencyId };
  const result = await engine.openReferral({
    personId: o.personId,
    fromAgencyId: o.fromAgencyId,
    fromUserId: null,
    toAgencyId: o.toAgencyId,
    kind: o.kind,
    reason: 'test referral',
    urgency: o.urgency ?? 'routine',
    actor,
  });
  const driver = new StreamDriver(engine, clock, 'referral', result.row.id, { userId: null, agencyId: o.toAgencyId });
  driver.allowed = result.allowedEvents;
  return driver;
}
