/**
 * Agencies by id (kind and area), cached: the fan-out needs them for every change, and
 * agencies are created rarely and never change kind or area in place.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

export interface AgencyInfo {
  id: string;
  kind: string;
  area: string;
}

export class AgencyDirectory {
  private readonly byId = new Map<string, AgencyInfo>();

  constructor(private readonly db: Kysely<Database>) {}

  /** The agency, or undefined when there is no such agency. */
  async get(id: string): Promise<AgencyInfo | undefined> {
    const cached = this.byId.get(id);
    if (cached) return cached;
    const row = await this.db.selectFrom('agencies').select(['id', 'kind', 'area']).where('id', '=', id).executeTakeFirst();
    if (row) this.byId.set(id, row);
    return row;
  }
}
