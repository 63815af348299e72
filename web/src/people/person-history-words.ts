/**
 * What a person's history says of each event on their record: recorded, details corrected
 * (which fields, and to what), each consent given, renewed, withdrawn or expired (to whom,
 * what it covers, until when), and records linked or unlinked — in words, with agencies by
 * name, never ids or raw payloads. A renewal, withdrawal or expiry names the consent by its
 * agency, found by the consent's giving in the same history.
 */
import type { DataCategory } from '../../../machines/data-categories.ts';
import type { z } from 'zod';
import type { personTimelineEntrySchema } from '../../../api/schemas/person.ts';
import { formatDate, humanise } from '../lib/format.ts';
import { fieldLabel } from '../forms/field-words.ts';
import { CATEGORY_LABELS } from '../keywork/keywork-labels.ts';

/** One entry of `GET /people/:id/timeline`. */
export type PersonHistoryEntry = z.infer<typeof personTimelineEntrySchema>;

type Payload = Record<string, unknown>;

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const joined = (parts: Array<string | null | false | undefined>): string => parts.filter((p): p is string => typeof p === 'string' && p !== '').join(' · ');

/** `to Northbridge Probation` or `to every GP practice`. */
function recipient(p: Payload | undefined, agency: (id: string) => string): string | null {
  if (!p) return null;
  const id = text(p.toAgencyId);
  if (id) return `to ${agency(id)}`;
  const kind = text(p.toAgencyKind);
  return kind ? `to every ${humanise(kind).toLowerCase()} agency` : null;
}

/** A corrected field and its new value, in words. */
function change(field: string, value: unknown): string {
  const label = fieldLabel(field);
  if (value === null) return `${label} cleared`;
  if (typeof value === 'string') return `${label}: ${/^\d{4}-\d{2}-\d{2}$/.test(value) ? formatDate(value) : value}`;
  if (typeof value === 'boolean') return `${label}: ${value ? 'yes' : 'no'}`;
  return `${label} changed`;
}

/** Words for every entry, by `seq`: a label and one line of detail ('' when the label says it all). */
export function personHistoryWords(items: readonly PersonHistoryEntry[], agency: (id: string) => string): Map<number, { label: string; detail: string }> {
  const given = new Map<string, Payload>();
  for (const e of items) if (e.type === 'CONSENT_GIVEN' && typeof e.payload.consentId === 'string') given.set(e.payload.consentId, e.payload);
  const consentOf = (p: Payload) => (typeof p.consentId === 'string' ? given.get(p.consentId) : undefined);
  const out = new Map<number, { label: string; detail: string }>();
  for (const e of items) {
    const p = e.payload;
    const by = e.byAgencyId ? `by ${agency(e.byAgencyId)}` : null;
    let words: { label: string; detail: string };
    switch (e.type) {
      case 'PERSON_RECORDED':
        words = { label: 'Record created', detail: joined([by, p.genesis === true && 'carried over from before records had a history']) };
        break;
      case 'PERSON_DETAILS_CORRECTED': {
        const changes = p.changes && typeof p.changes === 'object' ? Object.entries(p.changes as Payload) : [];
        words = { label: 'Details corrected', detail: joined([changes.length > 0 ? changes.map(([k, v]) => change(k, v)).join('; ') : 'Fields you may not see', by]) };
        break;
      }
      case 'CONSENT_GIVEN': {
        const categories = Array.isArray(p.categories) ? (p.categories as DataCategory[]).map((c) => CATEGORY_LABELS[c] ?? humanise(c)).join(', ') : null;
        words = {
          label: 'Consent given',
          detail: joined([recipient(p, agency), categories, text(p.validUntil) && `until ${formatDate(String(p.validUntil))}`, text(p.purpose) && `for “${text(p.purpose)}”`]),
        };
        break;
      }
      case 'CONSENT_RENEWED':
        words = { label: 'Consent renewed', detail: joined([recipient(consentOf(p), agency), text(p.validUntil) && `until ${formatDate(String(p.validUntil))}`]) };
        break;
      case 'CONSENT_WITHDRAWN':
        words = { label: 'Consent withdrawn', detail: joined([recipient(consentOf(p), agency), text(p.reason) && `Reason: ${text(p.reason)}`]) };
        break;
      case 'CONSENT_EXPIRED':
        words = { label: 'Consent expired', detail: recipient(consentOf(p), agency) ?? '' };
        break;
      case 'PERSON_LINKED':
        words = { label: 'Linked to another record of the same person', detail: joined([text(p.reason) && `Reason: ${text(p.reason)}`, by]) };
        break;
      case 'PERSON_UNLINKED':
        words = { label: 'Link to another record removed', detail: joined([text(p.reason) && `Reason: ${text(p.reason)}`, by]) };
        break;
      default:
        words = { label: humanise(e.type), detail: '' };
    }
    out.set(e.seq, words);
  }
  return out;
}
