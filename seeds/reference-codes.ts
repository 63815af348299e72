/**
 * Loads the reference codes into the `codes` table. The statecharts' own lists come from
 * `machines/codes.ts` (one spelling for machines, API, web and seeds); the rest from
 * `seeds/code-lists.ts`. Running it again updates labels and order in place and never
 * touches `active`, so a local deactivation survives a re-seed.
 */
import type { Kysely } from 'kysely';
import { CODE_SYSTEMS } from '../machines/codes.ts';
import type { Database } from '../src/db/schema.ts';
import {
  AGENCY_KINDS,
  DATA_CATEGORY_CODES,
  ETHNICITIES,
  REFERRAL_KIND_CODES,
  SEXES,
  SUBSTANCES,
  SUBSTANCE_GROUPS,
  type CodeEntry,
} from './code-lists.ts';

/** Every code system the seeds load, by system name, in display order. */
export const REFERENCE_CODE_SYSTEMS: Readonly<Record<string, readonly CodeEntry[]>> = {
  ...CODE_SYSTEMS,
  agency_kind: AGENCY_KINDS,
  referral_kind: REFERRAL_KIND_CODES,
  ethnicity: ETHNICITIES,
  sex: SEXES,
  substance: SUBSTANCES,
  substance_group: SUBSTANCE_GROUPS,
  data_category: DATA_CATEGORY_CODES,
};

/** How many codes `loadReferenceCodes` writes. */
export function referenceCodeCount(): number {
  return Object.values(REFERENCE_CODE_SYSTEMS).reduce((n, list) => n + list.length, 0);
}

/**
 * Upserts every reference code; safe to run any number of times.
 * @param db - the store's Kysely instance or an open transaction
 * @returns the number of codes written
 */
export async function loadReferenceCodes(db: Kysely<Database>): Promise<number> {
  const rows = Object.entries(REFERENCE_CODE_SYSTEMS).flatMap(([system, list]) =>
    list.map((entry, index) => ({ system, code: entry.code, label: entry.label, active: 1, sort_order: (index + 1) * 10 })),
  );
  await db.transaction().execute(async (trx) => {
    // Small batches keep each statement well under SQLite's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 100) {
      await trx
        .insertInto('codes')
        .values(rows.slice(i, i + 100))
        .onConflict((oc) =>
          oc.columns(['system', 'code']).doUpdateSet((eb) => ({
            label: eb.ref('excluded.label'),
            sort_order: eb.ref('excluded.sort_order'),
          })),
        )
        .execute();
    }
  });
  return rows.length;
}
