/**
 * What the measures remember about one referral between agencies, and how one event
 * changes it. Pure, shared by the in-transaction hook and the rebuild (see case-facts.ts).
 * Referral measures belong to the receiving agency: they show whose inbox is slow.
 */
import { DEFAULT_TIME_ZONE, localDayOf } from '../../machines/calendar-days.ts';
import type { DimensionValues } from '../../machines/measure-dimensions.ts';
import type { EventCount } from './case-facts.ts';
import type { MetricChange, ReferralSubject } from './metric-change.ts';

/** States in which a referral waits on its receiver (FHIR Task: requested, received, accepted). */
export const REFERRAL_WAITING_STATES: ReadonlySet<string> = new Set(['requested', 'received', 'accepted']);

export interface ReferralFacts {
  toAgencyId: string;
  dims: DimensionValues;
  state: string;
  /** Day the referral was sent. */
  createdDay: number;
  createdAt: string;
  acknowledgeBy: string | null;
  firstContactBy: string | null;
  /**
   * The zone its days count in; absent in facts kept before days were local, which keep
   * counting in UTC so a later change takes off exactly what was added.
   */
  timeZone?: string;
}

export interface ReferralReduction {
  facts: ReferralFacts;
  counts: EventCount[];
}

/** Applies one event to a referral's facts; `prev` is null for its first event. */
export function reduceReferral(prev: ReferralFacts | null, subject: ReferralSubject, change: MetricChange): ReferralReduction {
  const counts: EventCount[] = [];
  const facts: ReferralFacts = prev
    ? { ...prev }
    : {
        toAgencyId: subject.toAgencyId,
        dims: subject.dims,
        state: change.toStage,
        createdDay: localDayOf(subject.createdAt, change.timeZone ?? DEFAULT_TIME_ZONE),
        createdAt: subject.createdAt,
        acknowledgeBy: subject.acknowledgeBy,
        firstContactBy: subject.firstContactBy,
        timeZone: change.timeZone ?? DEFAULT_TIME_ZONE,
      };
  // Referral measures are states (waiting, deadlines running), so no event counters: the
  // referral's own history is its event log.
  facts.state = change.toStage;
  return { facts, counts };
}

/** A referral deadline still running: `acknowledge` while requested, `first_contact` until first contact. */
export interface PendingDeadline {
  deadline: 'acknowledge' | 'first_contact';
  dueAt: string;
  /** The calendar day it falls due on (local to the facts' zone). */
  dueDay: number;
}

/** The deadlines a referral in this state still has to meet. */
export function pendingDeadlines(facts: ReferralFacts | null): PendingDeadline[] {
  if (!facts) return [];
  const out: PendingDeadline[] = [];
  const dayOf = (at: string): number => localDayOf(at, facts.timeZone ?? 'UTC');
  if (facts.state === 'requested' && facts.acknowledgeBy) out.push({ deadline: 'acknowledge', dueAt: facts.acknowledgeBy, dueDay: dayOf(facts.acknowledgeBy) });
  if (REFERRAL_WAITING_STATES.has(facts.state) && facts.firstContactBy) {
    out.push({ deadline: 'first_contact', dueAt: facts.firstContactBy, dueDay: dayOf(facts.firstContactBy) });
  }
  return out;
}
