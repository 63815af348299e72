/**
 * The lists behind the figures as a manager reads them: each row named where the manager
 * may see the person (the access rules of src/access, row by row on the page), the agency
 * and keyworker by name, and the days the row has spent in its counted state.
 */
import type { Kysely } from 'kysely';
import { caseScope, personScope, type Scope } from '../access/record-access.ts';
import type { Viewer } from '../access/viewer.ts';
import type { Database } from '../db/schema.ts';
import { keyworkersAt } from './caseloads.ts';
import { dateOfDay, dayOf } from './days.ts';
import { FIGURE_DEFINITIONS } from './definitions.ts';
import {
  countReferralsBehind,
  journeysBehind,
  listReferralsBehind,
  overdueAt,
  type DrillCursor,
  type DrillDialect,
  type JourneyDrillQuery,
  type ReferralDrillQuery,
} from './drill-down.ts';

/** A named thing the viewer may see, or null. */
export interface Named {
  id: string;
  name: string;
}

/** One journey in a figure's list. */
export interface FigureJourney {
  id: string;
  /** The person, or null where the manager may not see who it is. */
  person: Named | null;
  agency: Named;
  keyworker: Named | null;
  stage: string;
  /** The day the counted state began (`YYYY-MM-DD`) and whole days since, at the as-of day. */
  since: string;
  days: number;
  overdue: boolean;
}

/** One referral in a figure's list. */
export interface FigureReferral {
  id: string;
  person: Named | null;
  from: Named;
  to: Named;
  kind: string;
  state: string;
  sentAt: string;
  dueAt: string | null;
  /** Whole days since it was sent, at the as-of day. */
  days: number;
}

export interface FigureList<T> {
  definition: string;
  total: number;
  items: T[];
  next: DrillCursor | null;
}

async function agencyNames(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('agencies').select(['id', 'name']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

async function userNames(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** People's names, only for those the viewer may see (holder, or shared with identity): `scopeOf` says which. */
async function visibleNames<R extends { person_id: string }>(
  db: Kysely<Database>,
  records: readonly R[],
  scopeOf: (record: R) => Promise<Scope | null>,
): Promise<Map<string, string>> {
  const ids = [...new Set(records.map((r) => r.person_id))];
  if (ids.length === 0) return new Map();
  const people = await db.selectFrom('people').select(['id', 'given_name', 'family_name']).where('id', 'in', ids).execute();
  const byId = new Map(people.map((p) => [p.id, `${p.given_name} ${p.family_name}`]));
  const out = new Map<string, string>();
  const checked = new Set<string>();
  for (const r of records) {
    if (checked.has(r.person_id)) continue;
    checked.add(r.person_id);
    const scope = await scopeOf(r);
    const name = byId.get(r.person_id);
    if (scope && name !== undefined && (scope.categories === 'all' || scope.categories.has('identity'))) out.set(r.person_id, name);
  }
  return out;
}

/** A page of the journeys behind a figure, with its total and definition. */
export async function journeysBehindFigure(
  db: Kysely<Database>,
  dialect: DrillDialect,
  viewer: Viewer,
  q: JourneyDrillQuery,
): Promise<FigureList<FigureJourney>> {
  const { total, rows: page } = await journeysBehind(db, dialect, { ...q, limit: q.limit + 1 });
  const rows = page.slice(0, q.limit);
  const asOfDay = q.asOfDay ?? dayOf(q.asOf);
  // On a past day a journey is overdue as it was then; today, as its flag says now.
  const overdueThen = q.past ? await overdueAt(db, rows.map((r) => r.caseId), asOfDay) : null;
  const cases = rows.length
    ? await db.selectFrom('cases').select(['id', 'person_id', 'lead_agency_id', 'keyworker_id', 'overdue']).where('id', 'in', rows.map((r) => r.caseId)).execute()
    : [];
  // On a past day, who held each journey then (the caseload it was in); today, its keyworker now.
  const heldThen = q.past ? await keyworkersAt(db, rows.map((r) => r.caseId), asOfDay) : null;
  const caseById = new Map(cases.map((c) => [c.id, heldThen ? { ...c, keyworker_id: heldThen.get(c.id) ?? null } : c]));
  const today = q.asOf.slice(0, 10);
  const [agencies, keyworkers, names] = await Promise.all([
    agencyNames(db, rows.map((r) => r.agencyId)),
    userNames(db, [...caseById.values()].flatMap((c) => (c.keyworker_id ? [c.keyworker_id] : []))),
    visibleNames(db, cases, (c) => caseScope(db, viewer, c, today)),
  ]);
  const items = rows.map((r): FigureJourney => {
    const c = caseById.get(r.caseId);
    const personName = c ? names.get(c.person_id) : undefined;
    const keyworkerName = c?.keyworker_id ? keyworkers.get(c.keyworker_id) : undefined;
    return {
      id: r.caseId,
      person: c && personName !== undefined ? { id: c.person_id, name: personName } : null,
      agency: { id: r.agencyId, name: agencies.get(r.agencyId) ?? r.agencyId },
      keyworker: c?.keyworker_id && keyworkerName !== undefined ? { id: c.keyworker_id, name: keyworkerName } : null,
      stage: r.stage,
      since: dateOfDay(r.day),
      days: asOfDay - r.day,
      overdue: overdueThen ? overdueThen.has(r.caseId) : c?.overdue === 1,
    };
  });
  const last = rows[rows.length - 1];
  return {
    definition: FIGURE_DEFINITIONS[q.figure],
    total,
    items,
    next: page.length > q.limit && last ? { at: String(last.day), id: last.caseId } : null,
  };
}

/** A page of the referrals behind a figure, oldest first. */
export async function referralsBehindFigure(db: Kysely<Database>, viewer: Viewer, q: ReferralDrillQuery): Promise<FigureList<FigureReferral>> {
  const [total, page] = await Promise.all([countReferralsBehind(db, q), listReferralsBehind(db, { ...q, limit: q.limit + 1 })]);
  const rows = page.slice(0, q.limit);
  const refs = rows.length
    ? await db.selectFrom('referrals').select(['id', 'person_id', 'from_agency_id', 'to_agency_id', 'kind']).where('id', 'in', rows.map((r) => r.referralId)).execute()
    : [];
  const refById = new Map(refs.map((r) => [r.id, r]));
  const today = q.asOf.slice(0, 10);
  const [agencies, names] = await Promise.all([
    agencyNames(db, refs.flatMap((r) => [r.from_agency_id, r.to_agency_id])),
    visibleNames(db, refs, (r) => personScope(db, viewer, r.person_id, today)),
  ]);
  const asOfDay = q.asOfDay ?? dayOf(q.asOf);
  const named = (id: string): Named => ({ id, name: agencies.get(id) ?? id });
  const items = rows.map((r): FigureReferral => {
    const ref = refById.get(r.referralId);
    const personName = ref ? names.get(ref.person_id) : undefined;
    return {
      id: r.referralId,
      person: ref && personName !== undefined ? { id: ref.person_id, name: personName } : null,
      from: named(ref?.from_agency_id ?? ''),
      to: named(r.agencyId),
      kind: ref?.kind ?? '',
      state: r.state,
      sentAt: r.createdAt,
      dueAt: r.dueAt,
      days: asOfDay - dayOf(r.createdAt),
    };
  });
  const last = rows[rows.length - 1];
  return {
    definition: FIGURE_DEFINITIONS[q.figure],
    total,
    items,
    next: page.length > q.limit && last ? { at: last.createdAt, id: last.referralId } : null,
  };
}
