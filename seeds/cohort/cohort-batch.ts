/**
 * The rows of a batch of generated people, in the order they must be written, and the
 * running tallies the seed command prints. A batch is written and dropped before the
 * next is generated, so memory does not grow with the cohort.
 */
import type { Insertable } from 'kysely';
import type { AuditTable, CaseRow, ConsentTable, PersonTable, ReferralRow, TimerRow } from '../../src/db/schema.ts';
import type { HashedEventFields } from '../../src/engine/hash-chain.ts';

export interface CohortBatch {
  people: Array<Insertable<PersonTable>>;
  cases: CaseRow[];
  referrals: ReferralRow[];
  consents: Array<Insertable<ConsentTable>>;
  /** Event-log rows in append order; the writer chains their hashes. */
  events: HashedEventFields[];
  timers: TimerRow[];
  audit: Array<Insertable<AuditTable>>;
}

/** An empty batch. */
export function newBatch(): CohortBatch {
  return { people: [], cases: [], referrals: [], consents: [], events: [], timers: [], audit: [] };
}

/** What a seed run produced. */
export interface CohortTally {
  people: number;
  journeys: number;
  /** Journeys by state on the reference date (`inTreatment.active`, `closed`, …). */
  journeysByState: Record<string, number>;
  /** Closed journeys by discharge reason; sustained recoveries as `<reason> (sustained)`. */
  closedByReason: Record<string, number>;
  referrals: number;
  referralsByState: Record<string, number>;
  consents: number;
  events: number;
  timers: number;
  pendingTimers: number;
  /** Journeys that did not end in the stage their scenario aimed at (a generator defect if non-zero). */
  offTarget: number;
}

/** A zeroed tally. */
export function newTally(): CohortTally {
  return {
    people: 0,
    journeys: 0,
    journeysByState: {},
    closedByReason: {},
    referrals: 0,
    referralsByState: {},
    consents: 0,
    events: 0,
    timers: 0,
    pendingTimers: 0,
    offTarget: 0,
  };
}

/** Adds one to a key of a count record. */
export function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Adds `from` into `into`. */
export function mergeTally(into: CohortTally, from: CohortTally): void {
  for (const key of ['people', 'journeys', 'referrals', 'consents', 'events', 'timers', 'pendingTimers', 'offTarget'] as const) into[key] += from[key];
  for (const key of ['journeysByState', 'closedByReason', 'referralsByState'] as const) {
    for (const [k, n] of Object.entries(from[key])) bump(into[key], k, n);
  }
}
