/**
 * Fixed SQL on a transaction's connection (src/db/direct-sql.ts): the same rows as the
 * query builder gives on both dialects, counts of changed rows, failures as rejections,
 * and nothing kept when the transaction rolls back.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { directSql } from '../../src/db/direct-sql.ts';
import { DIALECTS, createTestStore, type TestStore } from '../support/stores.ts';

describe.each(DIALECTS)('direct SQL on %s', (dialect) => {
  let store: TestStore;
  const at = '2026-01-01T00:00:00.000Z';

  beforeEach(async () => {
    store = await createTestStore(dialect);
    await store.db
      .insertInto('agencies')
      .values(['a', 'b', 'c'].map((id) => ({ id: `ag-${id}`, name: `Agency ${id}`, kind: 'housing', area: id === 'c' ? 'Elsewhere' : 'Northbridge', created_at: at })))
      .execute();
  });
  afterEach(async () => {
    await store.dispose();
  });

  it('reads what the query builder reads, with numbered placeholders on PostgreSQL', async () => {
    await store.db.transaction().execute(async (trx) => {
      const db = directSql(trx, store.sqlite);
      const built = await trx.selectFrom('agencies').selectAll().where('area', '=', 'Northbridge').where('id', '!=', 'ag-b').execute();
      expect(await db.all('select * from agencies where area = ? and id != ?', ['Northbridge', 'ag-b'])).toEqual(built);
      expect(await db.get('select name from agencies where id = ?', ['ag-c'])).toEqual({ name: 'Agency c' });
      expect(await db.get('select name from agencies where id = ?', ['ag-none'])).toBeUndefined();
    });
  });

  it('counts changed rows, rejects a bad statement, and keeps nothing after a rollback', async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        const db = directSql(trx, store.sqlite);
        expect(await db.run('update agencies set area = ? where area = ?', ['Southgate', 'Northbridge'])).toBe(2);
        expect(await db.run('update agencies set area = ? where id = ?', ['Southgate', 'ag-none'])).toBe(0);
        await expect(db.get('select id from nowhere', [])).rejects.toThrow(/nowhere/);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const areas = await store.db.selectFrom('agencies').select('area').where('area', '=', 'Southgate').execute();
    expect(areas).toEqual([]);
  });
});
