/**
 * What a journey's timeline says of each event: a plain-English label and one line of
 * detail built from the event's fields — names, not ids; dates as people write them; never
 * the raw payload. An attendance, a did-not-attend, a cancellation or a follow-up task
 * names the appointment it is about, found by its booking in the same timeline; a
 * correction names the entry it corrects.
 */
import type { DataCategory } from '../../../machines/data-categories.ts';
import type { AppointmentKind, ContactMode } from '../../../machines/keywork-codes.ts';
import { taskOfId } from '../../../machines/keywork-rules.ts';
import { formatDate, formatDateTime, humanise } from '../lib/format.ts';
import { eventFactLabel } from '../lib/labels.ts';
import { valueLabel } from '../forms/field-words.ts';
import { APPOINTMENT_KIND_LABELS, CATEGORY_LABELS, CONTACT_MODE_LABELS, TASK_KIND_LABELS } from '../keywork/keywork-labels.ts';
import type { TimelineEntry } from './case-types.ts';

/** How the timeline names the people and agencies an event mentions. */
export interface TimelineNames {
  staff: (id: string | null) => string;
  agency: (id: string) => string;
}

/** The words for one timeline entry. */
export interface TimelineWords {
  label: string;
  /** One line of detail, or '' when the label says it all. */
  detail: string;
}

type Payload = Record<string, unknown>;

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const joined = (parts: Array<string | null | false | undefined>): string => parts.filter((p): p is string => typeof p === 'string' && p !== '').join(' · ');
/** A note quoted on one line, cut at a word near 160 characters. */
function quoted(note: string | null): string | null {
  if (!note) return null;
  const line = note.replace(/\s+/g, ' ');
  if (line.length <= 160) return `“${line}”`;
  const cut = line.slice(0, 160);
  return `“${cut.slice(0, Math.max(cut.lastIndexOf(' '), 120))}…”`;
}

// Pathway events: their dates, reasons and modalities, as the journey's own forms name them.
const SHOWN = ['outcome', 'reason', 'dischargeReason', 'exitStatus', 'modality', 'reportedOn', 'releasedOn', 'custodyOn', 'engagedOn', 'startedOn', 'offeredOn', 'endedOn', 'dischargedOn', 'reviewedOn', 'checkupOn'];

function pathwayDetail(p: Payload): string {
  const parts: string[] = [];
  for (const k of SHOWN) {
    const v = p[k];
    if (typeof v === 'string') parts.push(k.endsWith('On') ? `${humanise(k)} ${formatDate(v)}` : valueLabel(k, v));
  }
  if (Array.isArray(p.interventions)) {
    parts.push(
      (p.interventions as Array<{ modality?: string }>)
        .map((i) => (i.modality ? valueLabel('modality', i.modality) : ''))
        .filter(Boolean)
        .join(', '),
    );
  }
  if (p.top && typeof p.top === 'object') parts.push('with TOP');
  if (p.exitTop && typeof p.exitTop === 'object') parts.push('with exit TOP');
  return joined(parts);
}

/** Words for every entry of a timeline, by `seq`. */
export function timelineWords(items: readonly TimelineEntry[], names: TimelineNames): Map<number, TimelineWords> {
  const bookings = new Map<string, Payload>();
  const contacts = new Map<string, Payload>();
  for (const e of items) {
    if (e.type === 'APPOINTMENT_BOOKED' && typeof e.payload.appointmentId === 'string') bookings.set(e.payload.appointmentId, e.payload);
    if (e.type === 'CONTACT_RECORDED' && typeof e.payload.contactId === 'string') contacts.set(e.payload.contactId, e.payload);
  }
  /** `Keywork session, 3 Dec 2026, 10:00 · with Dr Patel` */
  const appointment = (p: Payload | undefined): string | null => {
    if (!p) return null;
    const kind = APPOINTMENT_KIND_LABELS[p.kind as AppointmentKind] ?? humanise(String(p.kind));
    const withWhom = text(p.withWhom);
    const partner = text(p.partnerAgencyId);
    return joined([`${kind}, ${formatDateTime(String(p.startsAt))}`, withWhom && `with ${withWhom}`, partner && `with ${names.agency(partner)}`]);
  };
  const bookingOf = (p: Payload): string | null => appointment(typeof p.appointmentId === 'string' ? bookings.get(p.appointmentId) : undefined);
  const task = (taskId: unknown): string | null => {
    const t = typeof taskId === 'string' ? taskOfId(taskId) : null;
    if (!t) return 'Task';
    const about = appointment(bookings.get(t.appointmentId));
    return joined([TASK_KIND_LABELS[t.kind], about && `for the ${about.charAt(0).toLowerCase()}${about.slice(1)}`]);
  };

  const out = new Map<number, TimelineWords>();
  for (const e of items) {
    const p = e.payload;
    let words: TimelineWords;
    switch (e.type) {
      case 'CASE_OPENED':
        words = {
          label: eventFactLabel(e.type),
          detail: joined([typeof p.referredOn === 'string' && `Referred ${formatDate(p.referredOn)}`, typeof p.referralSource === 'string' && `Source: ${valueLabel('referralSource', p.referralSource)}`]),
        };
        break;
      case 'KEYWORKER_ASSIGNED':
        words = { label: 'Keyworker assigned', detail: joined([names.staff(text(p.keyworkerId)), text(p.reason) && `Reason: ${text(p.reason)}`]) };
        break;
      case 'APPOINTMENT_BOOKED':
        words = { label: 'Appointment booked', detail: appointment(p) ?? '' };
        break;
      case 'APPOINTMENT_ATTENDED':
        words = { label: 'Appointment attended', detail: joined([bookingOf(p), text(p.outcome) && `Outcome: ${text(p.outcome)}`]) };
        break;
      case 'APPOINTMENT_MISSED':
        words = { label: 'Did not attend', detail: bookingOf(p) ?? '' };
        break;
      case 'APPOINTMENT_CANCELLED':
        words = {
          label: p.by === 'person' ? 'Appointment cancelled by the person' : 'Appointment cancelled by the service',
          detail: joined([bookingOf(p), text(p.reason) && `Reason: ${text(p.reason)}`]),
        };
        break;
      case 'CONTACT_RECORDED': {
        const corrected = typeof p.corrects === 'string' ? contacts.get(p.corrects) : undefined;
        const mode = CONTACT_MODE_LABELS[p.mode as ContactMode] ?? humanise(String(p.mode));
        words = {
          label: typeof p.corrects === 'string' ? 'Contact entry corrected' : 'Contact recorded',
          detail: joined([
            `${mode} on ${formatDate(String(p.contactOn))}`,
            CATEGORY_LABELS[p.category as DataCategory] ?? humanise(String(p.category)),
            corrected && `corrects the entry of ${formatDate(String(corrected.contactOn))}`,
            quoted(text(p.summary)),
          ]),
        };
        break;
      }
      case 'TASK_ASSIGNED':
        words = { label: 'Task assigned', detail: joined([task(p.taskId), `to ${names.staff(text(p.assigneeId))}`, text(p.reason) && `Reason: ${text(p.reason)}`]) };
        break;
      case 'TASK_COMPLETED':
        words = { label: 'Task done', detail: joined([task(p.taskId), quoted(text(p.note))]) };
        break;
      case 'BREACH_WITHDRAWN':
        // The breach stays above it in the timeline; this says why it no longer holds.
        words = {
          label: p.clock === 'continuity_of_care' ? 'Continuity of care breach withdrawn' : 'Waiting time breach withdrawn',
          detail: joined([typeof p.breachedAt === 'string' && `breach of ${formatDateTime(p.breachedAt)}`, text(p.reason)]),
        };
        break;
      default:
        words = { label: eventFactLabel(e.type), detail: pathwayDetail(p) };
    }
    out.set(e.seq, words);
  }
  return out;
}
