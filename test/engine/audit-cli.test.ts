import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import { createEngineWorld } from '../support/engine-world.ts';
import { DIALECTS, createTestStore, type TestStore } from '../support/stores.ts';

const run = promisify(execFile);

async function pathways(url: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/pathways.js', ...args], { env: { ...process.env, DATABASE_URL: url } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.each(DIALECTS)('pathways audit verify on %s', (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore(dialect);
    const world = await createEngineWorld(store.db);
    const engine = createEngine(store);
    const { row } = await engine.openCase({ personId: world.personId, leadAgencyId: world.provider.agencyId, referralSource: 'self', referredOn: new Date().toISOString().slice(0, 10), actor: world.keyworker });
    await engine.apply({ stream: 'case', id: row.id, event: { type: 'SCREENING_STARTED' }, expectedVersion: 1, actor: world.keyworker });
    await engine.apply({ stream: 'case', id: row.id, event: { type: 'SCREENING_COMPLETED', outcome: 'assess' }, expectedVersion: 2, actor: world.keyworker });
    await engine.close();
  });
  afterEach(async () => {
    await store.dispose();
  });

  it('reports an intact chain and exits 0', async () => {
    const result = await pathways(store.url, 'audit', 'verify');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Event log OK: 3 rows checked/);
  });

  it('names the first broken row and exits 1', async () => {
    const rows = await store.db.selectFrom('events').select('seq').orderBy('seq').execute();
    const second = rows[1]!.seq;
    await store.db.updateTable('events').set({ user_id: 'someone-else' }).where('seq', '=', second).execute();
    const result = await pathways(store.url, 'audit', 'verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`BROKEN at seq ${second}: its contents no longer match`));
  });
});

describe('pathways audit usage', () => {
  it('rejects a missing sub-command with usage', async () => {
    const result = await pathways('sqlite::memory:', 'audit');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Usage: pathways audit verify/);
  });
});
