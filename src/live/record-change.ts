/**
 * A change to one record as the fan-out handles it, whether it comes live from the engine
 * after commit or from the event log during a catch-up.
 */
import type { StreamChange } from '../engine/engine-types.ts';
import type { CaseRow, EventRow, StreamType } from '../db/schema.ts';

export interface RecordChange {
  stream: StreamType;
  id: string;
  version: number;
  seq: number;
  type: string;
  toState: string;
  toStage: string;
  effectiveAt: string;
  /** True when a durable timer (the system) delivered the event. */
  byTimer: boolean;
  /** When the event was recorded: an agency whose consent was withdrawn before it hears nothing of it. */
  recordedAt: string;
  /** The agency that sent the event (null for the system). */
  actorAgencyId: string | null;
  /** For a new consent: the agency it names (other consent events look it up). */
  consentAgencyId?: string;
  /** The journey's person and lead agency when known (live changes carry the row). */
  caseRow?: { person_id: string; lead_agency_id: string };
}

/** From an engine change. */
export function recordChangeOf(change: StreamChange, timerEventTypes: ReadonlySet<string>): RecordChange {
  return {
    stream: change.stream,
    id: change.id,
    version: change.version,
    seq: change.seq,
    type: change.type,
    toState: change.toState,
    toStage: change.toStage,
    effectiveAt: change.effectiveAt,
    byTimer: change.actor.userId === null && timerEventTypes.has(change.type),
    recordedAt: change.event.recorded_at,
    actorAgencyId: change.actor.agencyId ?? null,
    ...(change.stream === 'person' && typeof change.payload.toAgencyId === 'string' ? { consentAgencyId: change.payload.toAgencyId } : {}),
    ...(change.stream === 'case' ? { caseRow: { person_id: (change.row as CaseRow).person_id, lead_agency_id: (change.row as CaseRow).lead_agency_id } } : {}),
  };
}

/** From an event-log row (catch-up). */
export function recordChangeOfEvent(row: EventRow, timerEventTypes: ReadonlySet<string>): RecordChange {
  return {
    stream: row.stream_type,
    id: row.stream_id,
    version: row.stream_version,
    seq: Number(row.seq),
    type: row.type,
    toState: row.to_state,
    toStage: row.to_state.split(/[.,]/)[0] ?? row.to_state,
    effectiveAt: row.effective_at,
    byTimer: row.user_id === null && timerEventTypes.has(row.type),
    recordedAt: row.recorded_at,
    actorAgencyId: row.agency_id,
    // As the live change carries it (the log tail on PostgreSQL fans out from rows like these).
    ...(row.stream_type === 'person' ? consentAgencyOf(row.payload) : {}),
  };
}

function consentAgencyOf(payload: string): { consentAgencyId?: string } {
  const parsed = JSON.parse(payload) as { toAgencyId?: unknown };
  return typeof parsed.toAgencyId === 'string' ? { consentAgencyId: parsed.toAgencyId } : {};
}
