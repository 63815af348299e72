/**
 * `PATHWAYS_CLOCK` and `PATHWAYS_TIME_ZONE`: parsed once with the rest of the configuration,
 * refused in production, shown loudly at start-up and in `/readyz` by a real `serve`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../cli/config.ts';
import { clockFrom, parseClockSetting } from '../../src/service-clock.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

const problemsOf = (env: Record<string, string>): Array<{ variable: string; message: string }> => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('the settable clock in the configuration', () => {
  it('is off by default, with the service in Europe/London', () => {
    expect(loadConfig({})).toMatchObject({ clock: null, timeZone: 'Europe/London' });
  });

  it('takes a fixed instant, a date or an offset', () => {
    const fixed = loadConfig({ PATHWAYS_CLOCK: '2026-03-29T00:30:00Z' }).clock;
    expect(fixed).toMatchObject({ kind: 'fixed' });
    expect(clockFrom(fixed)().toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(clockFrom(parseClockSetting('2026-10-25'))().toISOString()).toBe('2026-10-25T00:00:00.000Z');
    const real = () => new Date('2026-01-01T00:00:00.000Z');
    expect(clockFrom(parseClockSetting('+30d'), real)().toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(clockFrom(parseClockSetting('-12h'), real)().toISOString()).toBe('2025-12-31T12:00:00.000Z');
    expect(clockFrom(parseClockSetting('+90m'), real)().toISOString()).toBe('2026-01-01T01:30:00.000Z');
    expect(clockFrom(null, real)).toBe(real);
  });

  it('refuses it with NODE_ENV=production, and refuses settings it cannot read', () => {
    const named = (env: Record<string, string>) => problemsOf(env).map((p) => `${p.variable}: ${p.message}`);
    expect(named({ PATHWAYS_CLOCK: '+30d', NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^PATHWAYS_CLOCK: .*NODE_ENV=production/)]);
    expect(named({ PATHWAYS_CLOCK: 'next tuesday' })).toEqual([expect.stringMatching(/^PATHWAYS_CLOCK: .*\+30d/)]);
    expect(named({ PATHWAYS_TIME_ZONE: 'Mars/Olympus_Mons' })).toEqual([expect.stringMatching(/^PATHWAYS_TIME_ZONE: .*IANA/)]);
    expect(loadConfig({ NODE_ENV: 'production', PATHWAYS_TIME_ZONE: 'Europe/Dublin' })).toMatchObject({ clock: null, timeZone: 'Europe/Dublin' });
  });
});

describe('pathways serve with PATHWAYS_CLOCK', () => {
  let store: TestStore | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await store?.dispose();
    store = undefined;
  });

  function run(env: Record<string, string>): { done: Promise<number | null>; output: () => string; url: Promise<string> } {
    child = spawn(process.execPath, ['bin/pathways.js', 'serve', '--port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = new Promise<string>((resolve, reject) => {
      child!.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child!.on('exit', () => reject(new Error(`serve exited: ${out}`)));
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const done = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    return { done, output: () => out, url };
  }

  it('says so loudly at start-up and in /readyz, and moves the server’s now', async () => {
    store = await createTestStore('sqlite', { migrate: false });
    const serve = run({ DATABASE_URL: store.url, PATHWAYS_CLOCK: '2026-03-29T00:30:00Z', PATHWAYS_TIME_ZONE: 'Europe/London' });
    const url = await serve.url;
    expect(serve.output()).toContain('*** PATHWAYS_CLOCK=2026-03-29T00:30:00Z');
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      timeZone: 'Europe/London',
      now: '2026-03-29T00:30:00.000Z',
      clock: 'PATHWAYS_CLOCK=2026-03-29T00:30:00Z: the server\'s "now" is fixed at 2026-03-29T00:30:00.000Z',
    });
    child!.kill('SIGTERM');
    expect(await serve.done).toBe(0);
  });

  it('refuses to start in production', async () => {
    store = await createTestStore('sqlite', { migrate: false });
    const serve = run({ DATABASE_URL: store.url, PATHWAYS_CLOCK: '+30d', NODE_ENV: 'production' });
    serve.url.catch(() => undefined);
    expect(await serve.done).not.toBe(0);
    expect(serve.output()).toContain('PATHWAYS_CLOCK is refused with NODE_ENV=production');
  });
});
