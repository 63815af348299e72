/**
 * PostgreSQL array literals built by src/db/pg-array.ts: PostgreSQL reads each back as the
 * very values it was built from, and as it reads the arrays pg itself would have sent —
 * over random texts full of the characters a literal must escape (quotes, backslashes,
 * commas, braces, spaces, the word NULL), nulls, and numbers of both signs.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgNumberArray, pgTextArray } from '../../src/db/pg-array.ts';
import { mulberry32 } from '../../seeds/prng.ts';
import { TEST_PG_URL } from '../support/stores.ts';

const PIECES = ['"', '\\', ',', '{', '}', ' ', 'NULL', 'null', "'", 'a', 'Z', '9', 'é', '🙂', '\n', '\t', '\\"', '""', 'all', 'sex:f'];

function randomText(next: () => number): string {
  let out = '';
  const length = Math.floor(next() * 6);
  for (let i = 0; i < length; i++) out += PIECES[Math.floor(next() * PIECES.length)]!;
  return out;
}

describe('PostgreSQL array literals (postgres)', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
  });

  it('text arrays read back as the values they were built from, as pg’s own arrays do', async () => {
    const next = mulberry32(15);
    for (let round = 0; round < 200; round++) {
      const values = Array.from({ length: Math.floor(next() * 8) }, () => (next() < 0.1 ? null : randomText(next)));
      const literal = pgTextArray(values);
      const { rows } = await client.query<{ ours: (string | null)[]; theirs: (string | null)[] }>('select $1::text[] as ours, $2::text[] as theirs', [literal, values]);
      expect(rows[0]!.ours, `literal ${literal}`).toEqual(values);
      expect(rows[0]!.ours).toEqual(rows[0]!.theirs);
    }
  });

  it('number arrays read back as the numbers they were built from, as pg’s own arrays do', async () => {
    const next = mulberry32(300);
    for (let round = 0; round < 100; round++) {
      const values = Array.from({ length: Math.floor(next() * 40) }, () => (next() < 0.05 ? null : Math.floor((next() - 0.5) * 2 ** (next() * 31))));
      const literal = pgNumberArray(values);
      const { rows } = await client.query<{ ours: (number | null)[]; theirs: (number | null)[] }>('select $1::int[] as ours, $2::int[] as theirs', [literal, values]);
      expect(rows[0]!.ours, `literal ${literal}`).toEqual(values.map((v) => (v === null ? null : v + 0)));
      expect(rows[0]!.ours).toEqual(rows[0]!.theirs);
    }
  });

  it('an empty array is an empty literal, read back empty', async () => {
    expect(pgTextArray([])).toBe('{}');
    expect(pgNumberArray([])).toBe('{}');
    const { rows } = await client.query<{ t: string[]; n: number[] }>('select $1::text[] as t, $2::int[] as n', [pgTextArray([]), pgNumberArray([])]);
    expect(rows[0]).toEqual({ t: [], n: [] });
  });
});
