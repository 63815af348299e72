/**
 * Consents: a person's agreement to share categories of their data with one agency (or
 * every agency of a kind) for a purpose, until a date. Plain functions taking `db` or a
 * transaction first. A consent is active from `given_on` through `valid_until` (inclusive)
 * unless withdrawn; withdrawal is immediate.
 */
import type { Kysely } from 'kysely';
import type { ConsentTable, Database } from '../db/schema.ts';
import { DATA_CATEGORIES, type DataCategory } from '../../machines/data-categories.ts';

/** A consent as the rest of Pathways sees it. */
export interface Consent {
  id: string;
  personId: string;
  toAgencyId: string | null;
  toAgencyKind: string | null;
  categories: DataCategory[];
  purpose: string;
  givenOn: string;
  validUntil: string | null;
  recordedBy: string;
  recordedAt: string;
  withdrawnAt: string | null;
  withdrawnBy: string | null;
  withdrawalReason: string | null;
}

function fromRow(row: ConsentTable): Consent {
  const parsed = JSON.parse(row.categories) as unknown;
  const categories = Array.isArray(parsed) ? parsed.filter((c): c is DataCategory => (DATA_CATEGORIES as readonly unknown[]).includes(c)) : [];
  return {
    id: row.id,
    personId: row.person_id,
    toAgencyId: row.to_agency_id,
    toAgencyKind: row.to_agency_kind,
    categories,
    purpose: row.purpose,
    givenOn: row.given_on,
    validUntil: row.valid_until,
    recordedBy: row.recorded_by,
    recordedAt: row.recorded_at,
    withdrawnAt: row.withdrawn_at,
    withdrawnBy: row.withdrawn_by,
    withdrawalReason: row.withdrawal_reason,
  };
}

/** True when the consent is in force on `today` (`YYYY-MM-DD`). */
export function isConsentActive(consent: Consent, today: string): boolean {
  return consent.withdrawnAt === null && consent.givenOn <= today && (consent.validUntil === null || consent.validUntil >= today);
}

/** One consent of one person, or undefined. */
export async function findConsent(db: Kysely<Database>, personId: string, consentId: string): Promise<Consent | undefined> {
  const row = await db.selectFrom('consents').selectAll().where('id', '=', consentId).where('person_id', '=', personId).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** Every consent of a person, newest first. */
export async function listConsents(db: Kysely<Database>, personId: string): Promise<Consent[]> {
  const rows = await db.selectFrom('consents').selectAll().where('person_id', '=', personId).orderBy('recorded_at', 'desc').execute();
  return rows.map(fromRow);
}

/**
 * The categories a person has consented to share with an agency on `today`: the union of
 * every active consent naming that agency or its kind. With `explicitOnly`, only consents
 * naming the agency itself count (the Jobcentre Plus referral pair needs the claimant's
 * explicit consent to that office, not a blanket one to every jobcentre).
 */
export async function consentedCategories(
  db: Kysely<Database>,
  personId: string,
  agency: { id: string; kind: string },
  today: string,
  options: { explicitOnly?: boolean } = {},
): Promise<Set<DataCategory>> {
  const rows = await db
    .selectFrom('consents')
    .selectAll()
    .where('person_id', '=', personId)
    .where('withdrawn_at', 'is', null)
    .where('given_on', '<=', today)
    .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>=', today)]))
    .where((eb) =>
      options.explicitOnly ? eb('to_agency_id', '=', agency.id) : eb.or([eb('to_agency_id', '=', agency.id), eb('to_agency_kind', '=', agency.kind)]),
    )
    .execute();
  const categories = new Set<DataCategory>();
  for (const row of rows) for (const c of fromRow(row).categories) categories.add(c);
  return categories;
}
