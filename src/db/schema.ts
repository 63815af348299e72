/**
 * The tables of Pathways as Kysely sees them. Both stores (SQLite and PostgreSQL) hold
 * the same shapes: times are ISO-8601 UTC strings (`2026-11-25T16:00:00.000Z`, which sort
 * as text), calendar dates are `YYYY-MM-DD`, and structured values are JSON text, so one
 * query runs unchanged on either store.
 */
import type { ColumnType, Generated, Selectable } from 'kysely';

/**
 * A stream is one statechart instance: a care journey, a referral, or a record (a person
 * with their consents, an agency, a member of staff) kept in `record_streams`.
 */
export type StreamType = 'case' | 'referral' | 'person' | 'agency' | 'user';

export interface AgencyTable {
  id: string;
  name: string;
  /** treatment_provider, jobcentre_plus, probation, prison, police_custody, court, housing, hospital, mental_health, children_services, mutual_aid, gp */
  kind: string;
  area: string;
  created_at: string;
  /** Set by `AGENCY_DEACTIVATED` (migration 014); null while active. */
  deactivated_at: ColumnType<string | null, string | null | undefined, string | null>;
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
  /**
   * The linked group's representative record (migration 061): null for a record on its own
   * and for the representative; `coalesce(linked_to, id)` is the person measures count.
   */
  linked_to?: string | null;
}

/** Two person records linked as the same person (migration 063); `person_a` < `person_b`. */
export interface PersonLinkTable {
  person_a: string;
  person_b: string;
  reason: string;
  /** The referral whose acceptance linked them, or null (linked from a person page). */
  referral_id: string | null;
  linked_at: string;
  linked_by: string | null;
}

/** An identifier of a person in another system (migration 045; `machines/person-identifiers.ts`). */
export interface PersonIdentifierTable {
  person_id: string;
  /** nhs_number | pnc_id | crn | prison_number | local */
  system: string;
  /** For `local`, the agency whose id it is; otherwise the agency that registered the person. */
  agency_id: string;
  /** The value in its kept form (`checkIdentifier`). */
  value: string;
  recorded_at: string;
}

/** One search term of a person under an agency that holds them (src/people/search-terms.ts). */
export interface PersonSearchTermTable {
  agency_id: string;
  term: string;
  person_id: string;
}

/** How many rows `person_search_terms` holds under one (agency, term) (migration 095). */
export interface PersonSearchTermCountTable {
  agency_id: string;
  term: string;
  n: number;
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
  /** The `referral_source` code a journey opened from it records; null: from the sender's kind (migration 015). */
  referral_source: ColumnType<string | null, string | null | undefined, string | null>;
  /** A referral on release from prison: the release day, which starts the journey's continuity clock (migration 015). */
  released_on: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: string;
  updated_at: string;
}

/** The stream row of a person, agency or member of staff (migration 014); the tables of those records are its projections. */
export interface RecordStreamTable {
  stream_type: StreamType;
  id: string;
  machine_version: number;
  /** The top-level state (`recorded`, `active`, `deactivated`). */
  state: string;
  /** The persisted XState snapshot as JSON. */
  snapshot: string;
  version: number;
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
  /** Null on PostgreSQL until the chain sealer has chained the event (src/engine/chain-sealer.ts). */
  prev_hash: string | null;
  hash: string | null;
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

/** An appointment of a journey (read model of its APPOINTMENT_* events). */
export interface AppointmentTable {
  id: string;
  case_id: string;
  person_id: string;
  /** The agency leading the journey. */
  agency_id: string;
  kind: string;
  starts_at: string;
  with_whom: string | null;
  partner_agency_id: string | null;
  /** booked | attended | did_not_attend | cancelled_by_person | cancelled_by_service */
  status: string;
  outcome: string | null;
  cancellation_reason: string | null;
  booked_by: string | null;
  booked_at: string;
  settled_by: string | null;
  settled_at: string | null;
}

/** A dated contact entry (read model of CONTACT_RECORDED); append-only. */
export interface ContactEntryTable {
  id: string;
  case_id: string;
  person_id: string;
  agency_id: string;
  contact_on: string;
  mode: string;
  /** The data category the entry belongs to: it is shared only where consent covers it. */
  category: string;
  summary: string;
  /** The entry this one corrects. */
  corrects: string | null;
  author_id: string | null;
  recorded_at: string;
}

/** A task a journey's rules made (read model of the journey's tasks). */
export interface TaskTable {
  id: string;
  case_id: string;
  person_id: string;
  agency_id: string;
  /** dna_follow_up | case_review */
  kind: string;
  appointment_id: string | null;
  due_on: string;
  assignee_id: string | null;
  /** open | done */
  status: string;
  created_at: string;
  assigned_reason: string | null;
  done_at: string | null;
  done_by: string | null;
}

/** Failed sign-ins in the current window, per scope (`pair`, `account`, `address`) and subject. */
export interface SignInFailureTable {
  scope: string;
  subject: string;
  window_start: string;
  failures: number;
}

/** Where a user last signed in successfully (the address as the server saw it). */
export interface SignInAddressTable {
  user_id: string;
  address: string;
  last_success_at: string;
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
  person_links: PersonLinkTable;
  consents: ConsentTable;
  person_identifiers: PersonIdentifierTable;
  person_search_terms: PersonSearchTermTable;
  person_search_term_counts: PersonSearchTermCountTable;
  cases: CaseTable;
  referrals: ReferralTable;
  events: EventTable;
  timers: TimerTable;
  audit_log: AuditTable;
  codes: CodeTable;
  appointments: AppointmentTable;
  contact_entries: ContactEntryTable;
  tasks: TaskTable;
  record_streams: RecordStreamTable;
  pathways_migrations: MigrationTable;
  sign_in_failures: SignInFailureTable;
  sign_in_addresses: SignInAddressTable;
}

export type CaseRow = Selectable<CaseTable>;
export type ReferralRow = Selectable<ReferralTable>;
export type RecordStreamRow = Selectable<RecordStreamTable>;
export type EventRow = Selectable<EventTable>;
export type TimerRow = Selectable<TimerTable>;
