/**
 * How a person's consents stand toward one agency: the categories they share with it now,
 * or — when every consent that named it has been withdrawn — the instant sharing stopped
 * and what it covered until then. From that instant nothing new flows to the agency
 * (DOMAIN.md, "Sharing information"); what it already held stays readable as it was.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { DATA_CATEGORIES, type DataCategory } from '../../machines/data-categories.ts';

/** The consents of one person toward one agency. */
export interface AgencySharing {
  /** Categories active consents naming the agency (or its kind) cover today. */
  categories: Set<DataCategory>;
  /**
   * When no consent names the agency any more because the person withdrew it: the latest
   * withdrawal (ISO time). Null while a consent is active, or when none was ever withdrawn.
   */
  withdrawnAt: string | null;
  /** What the consents withdrawn at `withdrawnAt` covered (empty when it is null). */
  withdrawnCategories: Set<DataCategory>;
}

function categoriesOf(json: string): DataCategory[] {
  const parsed = JSON.parse(json) as unknown;
  return Array.isArray(parsed) ? parsed.filter((c): c is DataCategory => (DATA_CATEGORIES as readonly unknown[]).includes(c)) : [];
}

/**
 * The sharing between a person and an agency on `today`. With `explicitOnly`, only consents
 * naming the agency itself count (the Jobcentre Plus pair).
 */
export async function sharingWithAgency(
  db: Kysely<Database>,
  personId: string,
  agency: { id: string; kind: string },
  today: string,
  options: { explicitOnly?: boolean } = {},
): Promise<AgencySharing> {
  const rows = await db
    .selectFrom('consents')
    .select(['categories', 'given_on', 'valid_until', 'withdrawn_at'])
    .where('person_id', '=', personId)
    .where((eb) =>
      options.explicitOnly ? eb('to_agency_id', '=', agency.id) : eb.or([eb('to_agency_id', '=', agency.id), eb('to_agency_kind', '=', agency.kind)]),
    )
    .execute();
  const categories = new Set<DataCategory>();
  let withdrawnAt: string | null = null;
  for (const r of rows) {
    if (r.withdrawn_at === null) {
      if (r.given_on <= today && (r.valid_until === null || r.valid_until >= today)) for (const c of categoriesOf(r.categories)) categories.add(c);
    } else if (withdrawnAt === null || r.withdrawn_at > withdrawnAt) {
      withdrawnAt = r.withdrawn_at;
    }
  }
  const withdrawnCategories = new Set<DataCategory>();
  if (categories.size > 0 || withdrawnAt === null) return { categories, withdrawnAt: null, withdrawnCategories };
  for (const r of rows) if (r.withdrawn_at === withdrawnAt) for (const c of categoriesOf(r.categories)) withdrawnCategories.add(c);
  return { categories, withdrawnAt, withdrawnCategories };
}
