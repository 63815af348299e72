/**
 * One committed change as the measures see it: the event that was applied to one stream
 * (a journey or a referral), with the stages either side. The in-transaction hook builds it
 * from the engine's change; the rebuild builds it from an event-log row, so both paths feed
 * the same reducers and cannot drift apart.
 */
import type { DimensionValues } from '../../machines/measure-dimensions.ts';

export interface MetricChange {
  stream: 'case' | 'referral';
  /** Stream id (case id or referral id). */
  id: string;
  /** Stream version after the change. */
  version: number;
  /** Event-log sequence number. */
  seq: number;
  /** Event type (`INTERVENTION_STARTED`, …, or the engine's opening event). */
  type: string;
  /** Event payload fields (dates such as `startedOn`, `reason`, …). */
  payload: Record<string, unknown>;
  /** Top-level stage before the change; null when the stream was just created. */
  fromStage: string | null;
  /** Top-level stage after the change. */
  toStage: string;
  /** ISO-8601 effective time of the fact. */
  effectiveAt: string;
  /** The service's time zone: days are local calendar days there (default Europe/London). */
  timeZone?: string;
}

/** What a journey's measures need to know about it beyond its events. */
export interface CaseSubject {
  personId: string;
  agencyId: string;
  referredOn: string;
  dims: DimensionValues;
}

/** What a referral's measures need to know about it beyond its events. */
export interface ReferralSubject {
  /** The receiving agency: referral measures are the receiver's workload. */
  toAgencyId: string;
  createdAt: string;
  acknowledgeBy: string | null;
  firstContactBy: string | null;
  dims: DimensionValues;
}

/** A payload field as a date string, or the fallback (the event's effective time). */
export function payloadDate(payload: Record<string, unknown>, field: string, fallback: string): string {
  const value = payload[field];
  return typeof value === 'string' && value.length >= 10 ? value : fallback;
}
