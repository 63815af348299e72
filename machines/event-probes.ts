/**
 * Representative payloads for each event a user may send, so `allowedNow`
 * (machines/allowed-now.ts) can ask the statechart itself — guards included — which events
 * and which field values it would accept now. The rules stay in the machines' guards; a
 * probe only says "try this". An event whose acceptance depends on a field lists one probe
 * per value of that field (`option`), and the accepted values become its `eventOptions`.
 *
 * Every user event of the pathway and referral machines has probes (a test checks it): an
 * event without any would be listed whenever its state handles it, guards unasked.
 */
import { DISCHARGE_REASONS, INTERVENTION_EXIT_STATUSES, INTERVENTION_MODALITIES } from './codes.ts';
import { DATA_CATEGORIES } from './data-categories.ts';
import { APPOINTMENT_KINDS, CONTACT_MODES } from './keywork-codes.ts';
import type { KeyworkContext } from './keywork-types.ts';
import type { PathwayContext } from './pathway-types.ts';
import type { TopKind, TopRecord } from './top-record.ts';

/** One payload to try: the event's fields (without `type` and `at`). */
export interface EventProbe {
  fields: Record<string, unknown>;
  /** The field and value this probe stands for, when the event's acceptance depends on it. */
  option?: { field: string; value: string };
}

/** The probes of one event type, built from the stream's context and today's date. */
export type ProbeBuilder = (context: Record<string, unknown>, date: string) => EventProbe[];

const plain: ProbeBuilder = () => [{ fields: {} }];

/** A well-formed TOP, so TOP-carrying events are judged by the journey, not by the sample. */
function sampleTop(kind: TopKind, recordedOn: string): TopRecord {
  return {
    kind,
    recordedOn,
    substanceDays: { alcohol: 0, opiates: 0, crack: 0, cocaine: 0, amphetamines: 0, cannabis: 0, other: 0, tobacco: 0 },
    injectingDays: 0,
    sharedEquipment: false,
    shopliftingDays: 0,
    sellingDrugsDays: 0,
    otherTheftDays: 0,
    assaultOrViolence: false,
    psychologicalHealth: 10,
    physicalHealth: 10,
    qualityOfLife: 10,
    paidWorkDays: 0,
    educationDays: 0,
    acuteHousingProblem: false,
    atRiskOfEviction: false,
  };
}

/** One probe per intervention in the care package, each standing for its id. */
function perIntervention(extra: Record<string, unknown> = {}): ProbeBuilder {
  return (context) =>
    ((context as unknown as PathwayContext).carePlan?.interventions ?? []).map((i) => ({
      fields: { interventionId: i.id, ...extra },
      option: { field: 'interventionId', value: i.id },
    }));
}

/** An id no record of `ids` has yet, for events that must name a new appointment or contact. */
function freshId(prefix: string, ids: ReadonlyArray<{ id: string }> | undefined): string {
  const taken = new Set((ids ?? []).map((r) => r.id));
  let n = taken.size + 1;
  while (taken.has(`${prefix}-${n}`)) n += 1;
  return `${prefix}-${n}`;
}

/** One probe per booked appointment, each standing for its id. */
function perBookedAppointment(extra: Record<string, unknown> = {}): ProbeBuilder {
  return (context) =>
    ((context as unknown as KeyworkContext).appointments ?? [])
      .filter((a) => a.status === 'booked')
      .map((a) => ({ fields: { appointmentId: a.id, ...extra }, option: { field: 'appointmentId', value: a.id } }));
}

/** One probe per open task, each standing for its id. */
function perOpenTask(extra: Record<string, unknown> = {}): ProbeBuilder {
  return (context) =>
    ((context as unknown as KeyworkContext).tasks ?? [])
      .filter((t) => t.status === 'open')
      .map((t) => ({ fields: { taskId: t.id, ...extra }, option: { field: 'taskId', value: t.id } }));
}

/** Probes of the keyworker's-day events on a journey (appointments, contacts, tasks). */
const KEYWORK_PROBES: Record<string, ProbeBuilder> = {
  APPOINTMENT_BOOKED: (context, date) => [
    { fields: { appointmentId: freshId('probe', (context as unknown as KeyworkContext).appointments), kind: APPOINTMENT_KINDS[0], startsAt: `${date}T12:00:00.000Z` } },
  ],
  // Attendance can be recorded from the appointment's day on: the date of `at` decides.
  APPOINTMENT_ATTENDED: perBookedAppointment({ outcome: 'probe' }),
  APPOINTMENT_MISSED: perBookedAppointment(),
  APPOINTMENT_CANCELLED: perBookedAppointment({ by: 'service' }),
  CONTACT_RECORDED: (context, date) => [
    {
      fields: {
        contactId: freshId('probe', (context as unknown as KeyworkContext).contacts),
        contactOn: date,
        mode: CONTACT_MODES[0],
        category: DATA_CATEGORIES[0],
        summary: 'probe',
      },
    },
  ],
  TASK_ASSIGNED: perOpenTask({ assigneeId: 'probe' }),
  TASK_COMPLETED: perOpenTask(),
};

/** Probes of the `pathway` machine (a treatment journey). */
export const PATHWAY_PROBES: Record<string, ProbeBuilder> = {
  SCREENING_STARTED: plain,
  SCREENING_COMPLETED: () => [
    { fields: { outcome: 'assess' }, option: { field: 'outcome', value: 'assess' } },
    { fields: { outcome: 'brief_advice' }, option: { field: 'outcome', value: 'brief_advice' } },
    // Brief advice closes the journey: which discharge reasons it may close with.
    ...DISCHARGE_REASONS.map((reason) => ({ fields: { outcome: 'brief_advice', dischargeReason: reason }, option: { field: 'dischargeReason', value: reason } })),
  ],
  ASSESSMENT_COMPLETED: () => [{ fields: { domains: {} } }],
  CARE_PLAN_AGREED: () => [{ fields: { interventions: [{ id: 'probe', modality: INTERVENTION_MODALITIES[0] }] } }],
  INTERVENTION_OFFERED: perIntervention(),
  INTERVENTION_STARTED: perIntervention(),
  INTERVENTION_ENDED: (context, date) => [
    ...perIntervention({ exitStatus: INTERVENTION_EXIT_STATUSES[0] })(context, date),
    ...INTERVENTION_EXIT_STATUSES.map((exitStatus) => ({ fields: { interventionId: firstStarted(context), exitStatus }, option: { field: 'exitStatus', value: exitStatus } })),
  ],
  TOP_RECORDED: (_context, date) => [{ fields: { top: sampleTop('review', date) } }],
  REVIEW_COMPLETED: (_context, date) => [{ fields: { top: sampleTop('review', date) } }],
  // A successful reason may need the exit TOP the form can carry: tried without it first.
  DISCHARGED: (_context, date) =>
    DISCHARGE_REASONS.flatMap((reason) => [
      { fields: { reason, dischargedOn: date }, option: { field: 'reason', value: reason } },
      { fields: { reason, dischargedOn: date, exitTop: sampleTop('exit', date) }, option: { field: 'reason', value: reason } },
    ]),
  CHECKUP_COMPLETED: plain,
  RELAPSE_REPORTED: plain,
  REENTRY_CONFIRMED: plain,
  CUSTODY_STARTED: plain,
  RELEASED_FROM_CUSTODY: plain,
  COMMUNITY_ENGAGED: plain,
  KEYWORKER_ASSIGNED: () => [{ fields: { keyworkerId: 'probe' } }],
  ...KEYWORK_PROBES,
};

/** The id of a started intervention, so exit statuses are judged on one that can end. */
function firstStarted(context: Record<string, unknown>): string | null {
  return (context as unknown as PathwayContext).carePlan?.interventions.find((i) => i.status === 'started')?.id ?? null;
}

/** Probes of the `referral` machine. */
export const REFERRAL_PROBES: Record<string, ProbeBuilder> = {
  REFERRAL_RECEIVED: plain,
  REFERRAL_ACCEPTED: plain,
  REFERRAL_REJECTED: () => [{ fields: { reason: 'probe' } }],
  FIRST_CONTACT_MADE: plain,
  REFERRAL_COMPLETED: () => [{ fields: { outcome: 'probe' } }],
  REFERRAL_FAILED: () => [{ fields: { reason: 'probe' } }],
  REFERRAL_CANCELLED: plain,
};

/** Probes by machine id (the same across a machine's versions). */
export const EVENT_PROBES: Readonly<Record<string, Record<string, ProbeBuilder>>> = {
  pathway: PATHWAY_PROBES,
  referral: REFERRAL_PROBES,
};
