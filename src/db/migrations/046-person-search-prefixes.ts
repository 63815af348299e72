/**
 * The person search index with the starts of name words as keys of their own (`x:` terms,
 * src/people/search-terms.ts): a prefix search was a range of keys, read whole and sorted
 * before the first page (seconds at national scale); as exact keys every search walks the
 * index in person id order and stops when its page is full. Rebuilds the index of stores
 * migrated by 045.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';
import type { Database } from '../schema.ts';
import { rebuildSearchIndex } from '../../people/search-index.ts';

export const personSearchPrefixesMigration: Migration = {
  name: '046-person-search-prefixes',
  async up(db: Kysely<unknown>) {
    // Without counts: their table comes with migration 095, which counts this index.
    await rebuildSearchIndex(db as Kysely<Database>, { counts: false });
  },
};
