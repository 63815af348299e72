/**
 * The socket events Pathways emits and accepts (public contract, see docs/ARCHITECTURE.md
 * "Live updates"). Every record message carries the record id and version and `seq`, the
 * event-log sequence number, which is the client's catch-up cursor.
 */

/** Server → client. */
export const LIVE_EVENTS = {
  /** A journey the user may see changed: `{id, version, seq, at?, type?, stage?, state?}` (fields cut to consent). */
  caseChanged: 'case.changed',
  /** A referral sent or received by the user's agency changed: `{id, version, seq, at, type, status}`. */
  referralChanged: 'referral.changed',
  /** A person record the user's agency holds (or a consent naming it) changed: `{id, version, seq, type, at}`; refetch the person. */
  personChanged: 'person.changed',
  /** A durable timer fired on a record the user may see: `{stream, id, version, seq, type, at}`. */
  timerFired: 'timer.fired',
  /** A deadline passed: `{stream, id, version, seq, deadline, at}` (waiting_time, review, continuity_of_care, acknowledge, first_contact). */
  deadlineBreached: 'deadline.breached',
  /** Managers: the measures of their area changed; refetch `GET /api/v1/metrics/…`. `{area, seq, measures, workInProgress?}` (coalesced; the area's open journeys by stage and agency). */
  metricsChanged: 'metrics.changed',
  /** The catch-up requested with `since` is complete up to `seq`; `truncated` when the client should ask again from `seq`. */
  catchUpDone: 'catch-up.done',
  /** Sent just before the server disconnects a socket whose token expired or was revoked. */
  sessionEnded: 'session.ended',
} as const;

/** Client → server: `{since}` — send everything after this `seq` the user may see. */
export const CATCH_UP_REQUEST = 'catch-up';

/** Timer events that mean a deadline passed, and the deadline's name. */
export const DEADLINE_OF_TIMER: Readonly<Record<string, string>> = {
  WAITING_TIME_BREACHED: 'waiting_time',
  REVIEW_DUE: 'review',
  CONTINUITY_OF_CARE_BREACHED: 'continuity_of_care',
  ACKNOWLEDGE_DEADLINE_PASSED: 'acknowledge',
  FIRST_CONTACT_DEADLINE_PASSED: 'first_contact',
};

/** The room of an agency's case readers. */
export const agencyRoom = (agencyId: string): string => `agency:${agencyId}`;
/** The room of an area's managers, for measures. */
export const areaMetricsRoom = (area: string): string => `metrics:${area}`;
