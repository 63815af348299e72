import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { directSql } from '../../src/db/direct-sql.ts';
import { appendEvent, lockEventLog } from '../../src/engine/event-log.ts';
import { GENESIS_HASH, eventHash, verifyChain } from '../../src/engine/hash-chain.ts';
import { DIALECTS, createTestStore, type TestStore } from '../support/stores.ts';

function fields(streamId: string, version: number) {
  return {
    stream_type: 'case' as const,
    stream_id: streamId,
    stream_version: version,
    type: version === 1 ? 'CASE_OPENED' : 'SCREENING_STARTED',
    payload: JSON.stringify({ n: version }),
    from_state: version === 1 ? null : 'referred',
    to_state: 'screening',
    user_id: 'u-1',
    agency_id: 'a-1',
    recorded_at: `2026-01-0${version}T10:00:00.000Z`,
    effective_at: `2026-01-0${version}T09:00:00.000Z`,
    backdate_reason: null,
  };
}

describe('eventHash', () => {
  it('covers every field and the previous hash', () => {
    const base = fields('s', 1);
    const h = eventHash(GENESIS_HASH, base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(GENESIS_HASH, { ...base })).toBe(h);
    expect(eventHash('1'.repeat(64), base)).not.toBe(h);
    for (const key of Object.keys(base) as Array<keyof typeof base>) {
      const changed = { ...base, [key]: key === 'stream_version' ? 9 : 'x' };
      expect(eventHash(GENESIS_HASH, changed), key).not.toBe(h);
    }
    // null and the empty string must not collide
    expect(eventHash(GENESIS_HASH, { ...base, backdate_reason: '' })).not.toBe(h);
  });
});

describe.each(DIALECTS)('hash chain on %s', (dialect) => {
  let store: TestStore;
  const streamId = randomUUID();

  beforeEach(async () => {
    store = await createTestStore(dialect);
    for (let v = 1; v <= 5; v += 1) {
      await store.db.transaction().execute(async (trx) => {
        await lockEventLog(trx, dialect);
        await appendEvent(directSql(trx, store.sqlite), fields(streamId, v));
      });
    }
  });
  afterEach(async () => {
    await store.dispose();
  });

  async function seqs(): Promise<number[]> {
    const rows = await store.db.selectFrom('events').select('seq').orderBy('seq').execute();
    return rows.map((r) => Number(r.seq));
  }

  it('verifies an intact chain', async () => {
    const report = await verifyChain(store.db, { pageSize: 2 });
    expect(report).toMatchObject({ ok: true, rowsChecked: 5 });
    const first = await store.db.selectFrom('events').selectAll().orderBy('seq').executeTakeFirstOrThrow();
    expect(first.prev_hash).toBe(GENESIS_HASH);
  });

  it('verifies an empty log', async () => {
    await store.db.deleteFrom('events').execute();
    expect(await verifyChain(store.db)).toEqual({ ok: true, rowsChecked: 0, lastSeq: null, headHash: GENESIS_HASH, unsealed: 0 });
  });

  it('detects an edited row', async () => {
    const third = (await seqs())[2]!;
    await store.db.updateTable('events').set({ payload: '{"n":99}' }).where('seq', '=', third).execute();
    expect(await verifyChain(store.db, { pageSize: 2 })).toMatchObject({ ok: false, brokenSeq: third, reason: 'hash_mismatch', rowsChecked: 2 });
  });

  it('detects an edited row whose own hash was recomputed', async () => {
    const [, second, third] = await seqs();
    const row = await store.db.selectFrom('events').selectAll().where('seq', '=', second!).executeTakeFirstOrThrow();
    const forged = { ...row, agency_id: 'a-2' };
    await store.db
      .updateTable('events')
      .set({ agency_id: 'a-2', hash: eventHash(row.prev_hash!, forged) })
      .where('seq', '=', second!)
      .execute();
    expect(await verifyChain(store.db)).toMatchObject({ ok: false, brokenSeq: third, reason: 'prev_mismatch' });
  });

  it('detects a deleted row', async () => {
    const [, second, third] = await seqs();
    await store.db.deleteFrom('events').where('seq', '=', second!).execute();
    expect(await verifyChain(store.db)).toMatchObject({ ok: false, brokenSeq: third, reason: 'prev_mismatch', rowsChecked: 1 });
  });

  it('detects reordered rows', async () => {
    const [, second, third] = await seqs();
    // Swap the positions of rows 2 and 3.
    await store.db.updateTable('events').set({ seq: 1000 }).where('seq', '=', second!).execute();
    await store.db.updateTable('events').set({ seq: second! }).where('seq', '=', third!).execute();
    await store.db.updateTable('events').set({ seq: third! }).where('seq', '=', 1000).execute();
    expect(await verifyChain(store.db)).toMatchObject({ ok: false, brokenSeq: second, reason: 'prev_mismatch' });
  });
});
