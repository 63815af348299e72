/**
 * src/db/prepared-statements.ts: statements are prepared once per handle and SQL text, a
 * statement mid-iteration is never handed out twice, and the cache stays bounded. SQLite
 * only: PostgreSQL prepares nothing here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PreparedStatements, preparedStatementsOf } from '../../src/db/prepared-statements.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

describe('prepared statements on a SQLite handle', () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore('sqlite');
  });
  afterEach(async () => {
    await store.dispose();
  });

  it('hands out the same statement for the same text, one cache per handle', () => {
    const statements = preparedStatementsOf(store.sqlite!);
    expect(preparedStatementsOf(store.sqlite!)).toBe(statements);
    const a = statements.get('select count(*) as n from agencies');
    expect(statements.get('select count(*) as n from agencies')).toBe(a);
    expect(statements.get('select count(*) as n from people')).not.toBe(a);
  });

  it('gives a fresh statement while the cached one is mid-iteration', () => {
    const statements = preparedStatementsOf(store.sqlite!);
    const text = 'select name from sqlite_master';
    const first = statements.get(text);
    const rows = first.iterate();
    rows.next();
    expect(first.busy).toBe(true);
    const second = statements.get(text);
    expect(second).not.toBe(first);
    expect(second.all().length).toBeGreaterThan(0);
    rows.return?.();
    expect(statements.get(text)).toBe(first);
  });

  it('keeps at most its bound, dropping the least recently used', () => {
    const statements = new PreparedStatements(store.sqlite!, 2);
    const one = statements.get('select 1');
    statements.get('select 2');
    statements.get('select 1');
    statements.get('select 3'); // drops `select 2`, the least recently used
    expect(statements.get('select 1')).toBe(one);
    const two = statements.get('select 2');
    expect(statements.get('select 2')).toBe(two);
  });

  it('Kysely queries on the store go through the same statements', async () => {
    const statements = preparedStatementsOf(store.sqlite!);
    const text = 'select "id", "name" from "agencies" where "kind" = ?';
    expect(statements.has(text)).toBe(false);
    await store.db.selectFrom('agencies').select(['id', 'name']).where('kind', '=', 'probation').execute();
    expect(statements.has(text)).toBe(true);
  });
});
