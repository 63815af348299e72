/**
 * The tables of Pathways as Kysely sees them. Both stores (SQLite and PostgreSQL) hold
 * the same shapes: times are ISO-8601 UTC strings (`2026-11-25T16:00:00.000Z`, which sort
 * as text), calendar dates are `YYYY-MM-DD`, and structured values are JSON text, so one
 * query runs unchanged on either store.
 */
import type { Generated, Selectable } from 'kysely';

/** A stream is one statechart instance: a care journey or a referral. */
export type StreamType = 'case' | 'referral';

export interface AgencyTable {
  id: string;
  name: string;
  /** treatment_provider, jobcentre_plus, probation, prison, police_custody, court, housing, hospital, mental_health, children_services, mutual_aid, gp */
  kind: string;
  area: string;
  created_at: string;
}

export interface UserTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  /** admin | keyworker | referrer | manager | auditor */
  role: string;
  agency_id: string;
  created_at: string;
  disabled_at: string | null;
}

export interface AuthTokenTable {
  id: string;
  /** sha256 of the bearer token; the token itself is never stored. */
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface PersonTable {
  id: string;
  given_name: string;
  family_name: string;
  date_of_birth: string;
  sex: string;
  ethnicity: string | null;
  postcode_district: string | null;
  /** Further identity, contact and monitoring fields as JSON. */
  details: string;
  created_by_agency_id: string;
  created_at: string;
}

export interface ConsentTable {
  id: string;
  person_id: string;
  /** Exactly one of to_agency_id and to_agency_kind is set. */
  to_agency_id: string | null;
  to_agency_kind: string | null;
  /** JSON array of data categories (identity, contact, substance_use, …). */
  categories: string;
  purpose: string;
  given_on: string;
  valid_until: string | null;
  recorded_by: string;
  recorded_at: string;
  withdrawn_at: string | null;
  withdrawn_by: string | null;
  withdrawal_reason: string | null;
}

/** One treatment journey (the `pathway` statechart). */
export interface CaseTable {
  id: string;
  person_id: string;
  lead_agency_id: string;
  keyworker_id: string | null;
  machine_version: number;
  /** The top-level stage (`referred`, `inTreatment`, …), kept beside the snapshot for queries. */
  stage: string;
  /** The full state value as JSON (`{"inTreatment":"active"}`). */
  state_value: string;
  /** The persisted XState snapshot (value, context, status) as JSON. */
  snapshot: string;
  version: number;
  referral_source: string;
  referred_on: string;
  /** When the current stage was entered (effective time). */
  stage_entered_at: string;
  opened_at: string;
  closed_at: string | null;
  updated_at: string;
  /** 1 when the open journey is past a deadline (machines/overdue.ts), kept with every change. */
  overdue: number;
}

/** One referral between agencies (the `referral` statechart). */
export interface ReferralTable {
  id: string;
  person_id: string;
  case_id: string | null;
  from_agency_id: string;
  from_user_id: string | null;
  to_agency_id: string;
  kind: string;
  reason: string;
  urgency: string;
  machine_version: number;
  state: string;
  snapshot: string;
  version: number;
  acknowledge_by: string | null;
  first_contact_by: string | null;
  /** JSON `{justification, by, at}` when sent without consent for safeguarding. */
  safeguarding_override: string | null;
  created_at: string;
  updated_at: string;
}

/** The append-only event log, one hash chain across all streams. */
export interface EventTable {
  seq: Generated<number>;
  stream_type: StreamType;
  stream_id: string;
  stream_version: number;
  type: string;
  payload: string;
  from_state: string | null;
  to_state: string;
  user_id: string | null;
  agency_id: string | null;
  recorded_at: string;
  effective_at: string;
  backdate_reason: string | null;
  prev_hash: string;
  hash: string;
}

/** Durable timers: delayed statechart events waiting to be delivered. */
export interface TimerTable {
  id: string;
  stream_type: StreamType;
  stream_id: string;
  /** The statechart's delayed-event id; one pending timer per key and stream. */
  timer_key: string;
  /** The event to deliver, as JSON. */
  event: string;
  due_at: string;
  created_at: string;
  /** pending | fired | noop | cancelled */
  status: string;
  fired_at: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
}

/** Who saw, shared or overrode what, and why. */
export interface AuditTable {
  id: string;
  at: string;
  user_id: string | null;
  agency_id: string | null;
  /** read | share | override | consent_given | consent_withdrawn | login | … */
  action: string;
  person_id: string | null;
  entity_type: string;
  entity_id: string | null;
  purpose: string | null;
  detail: string;
  /** 1 when an auditor should look (safeguarding overrides). */
  flagged: number;
}

/** Reference codes (referral sources, interventions, discharge reasons, …), editable. */
export interface CodeTable {
  system: string;
  code: string;
  label: string;
  active: number;
  sort_order: number;
}

export interface MigrationTable {
  name: string;
  applied_at: string;
}

export interface Database {
  agencies: AgencyTable;
  users: UserTable;
  auth_tokens: AuthTokenTable;
  people: PersonTable;
  consents: ConsentTable;
  cases: CaseTable;
  referrals: ReferralTable;
  events: EventTable;
  timers: TimerTable;
  audit_log: AuditTable;
  codes: CodeTable;
  pathways_migrations: MigrationTable;
}

export type CaseRow = Selectable<CaseTable>;
export type ReferralRow = Selectable<ReferralTable>;
export type EventRow = Selectable<EventTable>;
export type TimerRow = Selectable<TimerTable>;
