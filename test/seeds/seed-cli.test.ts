import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgressBar } from '../../seeds/progress-bar.ts';
import { DEFAULT_SEED_PEOPLE, parseSeedArgs } from '../../cli/commands/seed.ts';
import { verifyChain } from '../../src/engine/hash-chain.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/pathways.js');

async function pathways(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, PATHWAYS_SCRYPT_COST: '1024', ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('pathways seed: arguments', () => {
  const today = '2026-11-25';

  it('reads every option, with defaults', () => {
    expect(parseSeedArgs([], today)).toEqual({ people: DEFAULT_SEED_PEOPLE, seed: 20260401, referenceDate: today, areaOnly: false, workers: undefined });
    expect(parseSeedArgs(['--people', '330_000', '--seed=42', '--reference-date', '2026-04-01', '--workers', '2'], today)).toEqual({
      people: 330000,
      seed: 42,
      referenceDate: '2026-04-01',
      areaOnly: false,
      workers: 2,
    });
    expect(parseSeedArgs(['--area-only'], today)).toMatchObject({ areaOnly: true });
  });

  it.each([
    [['--people', 'abc'], /--people needs a whole number/],
    [['--people'], /--people needs a whole number of people .* got nothing/],
    [['--people', '-5'], /--people needs a whole number/],
    [['--seed', '1.5'], /--seed needs an integer/],
    [['--reference-date', '2026-02-30'], /--reference-date needs a calendar date/],
    [['--reference-date', '2027-01-01'], /is in the future/],
    [['--workers', 'many'], /--workers needs a whole number/],
    [['--area-only=yes'], /takes no value/],
    [['--colour'], /unknown option "--colour"/],
  ])('refuses %j with a message that says what to give', (args, message) => {
    const parsed = parseSeedArgs(args, today);
    expect(typeof parsed).toBe('string');
    expect(parsed).toMatch(message);
  });
});

describe('pathways seed: the command', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore('sqlite', { migrate: false });
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('exits 2 with the reason and the usage on a bad flag, and writes nothing', { timeout: 60_000 }, async () => {
    const result = await pathways(['seed', '--people', 'lots'], { DATABASE_URL: store.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pathways seed: --people needs a whole number of people/);
    expect(result.stderr).toMatch(/Usage: pathways seed/);
    expect(result.stdout).toBe('');
  });

  it('migrates, seeds and prints a summary; the audit chain verifies', { timeout: 180_000 }, async () => {
    const result = await pathways(['seed', '--people', '80', '--seed', '5', '--reference-date', '2026-06-30'], { DATABASE_URL: store.url });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Demo area: 14 agencies, 25 staff/);
    expect(result.stdout).toMatch(/Cohort \(seed 5, reference date 2026-06-30\): 80 people, \d+ journeys/);
    expect(result.stdout).toMatch(/Events: [\d,]+\. Timers: [\d,]+ \([\d,]+ pending\)/);
    // Not a terminal: plain progress lines, no redraws.
    expect(result.stderr).not.toContain('\r');
    expect(result.stderr).toMatch(/80 people in/);
    const people = await store.db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(people.n)).toBe(80);
    expect((await verifyChain(store.db)).ok).toBe(true);
    const audit = await pathways(['audit', 'verify'], { DATABASE_URL: store.url });
    expect(audit.code, audit.stderr + audit.stdout).toBe(0);
  });
});

describe('progress on stderr', () => {
  const sink = (tty: boolean): { stream: NodeJS.WriteStream; text: () => string } => {
    let text = '';
    const stream = { isTTY: tty, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
    return { stream, text: () => text };
  };

  it('redraws one line with rate and ETA on a terminal', () => {
    let now = 0;
    const out = sink(true);
    const bar = createProgressBar({ unit: 'journeys', total: 1000, stream: out.stream, now: () => now });
    now = 2000;
    bar.update(500);
    bar.finish();
    expect(out.text()).toMatch(/\r\[#{14}-{14}\] 500\/1,000 journeys {2}250\/s {2}ETA 2s/);
    expect(out.text()).toMatch(/500 journeys in 2s\n$/);
  });

  it('writes at most a line every few seconds elsewhere', () => {
    let now = 0;
    const out = sink(false);
    const bar = createProgressBar({ unit: 'people', total: 100, stream: out.stream, now: () => now });
    for (let i = 1; i <= 100; i++) {
      now += 100;
      bar.update(i);
    }
    bar.finish();
    const lines = out.text().trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(4);
    expect(lines.at(-1)).toBe('100 people in 10s');
  });
});
