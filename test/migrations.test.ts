import { afterEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../src/db/migrator.ts';
import { createTestStore, DIALECTS, type TestStore } from './support/stores.ts';

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  let store: TestStore | undefined;
  afterEach(async () => {
    await store?.dispose();
    store = undefined;
  });

  it('applies every migration once and is idempotent', async () => {
    store = await createTestStore(dialect, { migrate: false });
    const first = await migrate(store);
    expect(first.applied).toEqual(MIGRATIONS.map((m) => m.name));
    const second = await migrate(store);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(MIGRATIONS.map((m) => m.name));
    const rows = await store.db.selectFrom('pathways_migrations').select('name').execute();
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });
});
