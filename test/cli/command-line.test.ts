/**
 * The command line's front matter: the configuration is parsed once and a wrong variable
 * stops the command with its name; unknown flags and stray words answer a clear error and
 * exit 2; and `pathways serve` on a checkout whose web app was never built says so loudly
 * at start-up and at `/`. Real processes where the behaviour is the process's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCommandArgs } from '../../cli/command-args.ts';
import { ConfigError, loadConfig } from '../../cli/config.ts';
import { main } from '../../cli/main.ts';
import { parseServeArgs } from '../../cli/commands/serve.ts';

describe('configuration', () => {
  it('has a default for everything but the first administrator', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ databaseUrl: undefined, port: 3000, pgPoolSize: 10, syncInCommit: false, tokenTtlMinutes: 720, scryptCost: 32768, logLevel: 'info', consentMonths: 12, firstAdmin: null });
    expect(config.webDist).toMatch(/web[/\\]dist$/);
  });

  it('reads every variable, LOG_LEVEL when PATHWAYS_LOG_LEVEL is unset, and blank as unset', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@db/x?schema=p',
      PORT: '8080',
      PATHWAYS_PG_POOL: '25',
      PATHWAYS_SYNC_IN_COMMIT: '1',
      PATHWAYS_TOKEN_TTL_MINUTES: '60',
      PATHWAYS_CONSENT_MONTHS: '6',
      PATHWAYS_SCRYPT_COST: '1024',
      LOG_LEVEL: 'debug',
      PATHWAYS_WEB_DIST: '/srv/web',
      PATHWAYS_ADMIN_EMAIL: 'first@admin.example',
      PATHWAYS_ADMIN_PASSWORD: 'twelve chars!',
      PATHWAYS_AREA: 'Northbridge',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://u@db/x?schema=p',
      port: 8080,
      pgPoolSize: 25,
      syncInCommit: true,
      tokenTtlMinutes: 60,
      consentMonths: 6,
      scryptCost: 1024,
      logLevel: 'debug',
      webDist: '/srv/web',
      firstAdmin: { email: 'first@admin.example', password: 'twelve chars!', area: 'Northbridge' },
    });
    expect(loadConfig({ PATHWAYS_LOG_LEVEL: 'warn', LOG_LEVEL: 'debug' }).logLevel).toBe('warn');
    expect(loadConfig({ PORT: '', PATHWAYS_PG_POOL: ' ' })).toMatchObject({ port: 3000, pgPoolSize: 10 });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number from 0 to 65535'],
    [{ PORT: '70000' }, 'PORT must be at most 65535'],
    [{ PATHWAYS_PG_POOL: '0' }, 'PATHWAYS_PG_POOL must be at least 1'],
    [{ PATHWAYS_SCRYPT_COST: '3000' }, 'PATHWAYS_SCRYPT_COST must be a power of two'],
    [{ PATHWAYS_SYNC_IN_COMMIT: 'yes' }, 'PATHWAYS_SYNC_IN_COMMIT must be 1 (on) or 0 (off)'],
    [{ PATHWAYS_LOG_LEVEL: 'loud' }, 'PATHWAYS_LOG_LEVEL must be one of fatal, error, warn, info'],
    [{ PATHWAYS_TOKEN_TTL_MINUTES: '-5' }, 'PATHWAYS_TOKEN_TTL_MINUTES must be a whole number'],
    [{ PATHWAYS_CONSENT_MONTHS: '0' }, 'PATHWAYS_CONSENT_MONTHS must be at least 1'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL "mysql:" is not supported'],
    [{ PATHWAYS_ADMIN_EMAIL: 'admin@x.example' }, 'PATHWAYS_ADMIN_PASSWORD must be set too'],
    [{ PATHWAYS_ADMIN_EMAIL: 'admin@x.example', PATHWAYS_ADMIN_PASSWORD: 'short' }, 'PATHWAYS_ADMIN_PASSWORD must be at least 12 characters'],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('names every bad variable at once, and never echoes a password', () => {
    try {
      loadConfig({ PORT: 'x', PATHWAYS_PG_POOL: 'y', PATHWAYS_ADMIN_EMAIL: 'a@b.example', PATHWAYS_ADMIN_PASSWORD: 'secret-pw' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.variable)).toEqual(['PORT', 'PATHWAYS_ADMIN_PASSWORD', 'PATHWAYS_PG_POOL']);
      expect((err as Error).message).not.toContain('secret-pw');
    }
  });

  it('stops a command with exit status 2 before it opens anything', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main(['migrate'], { PATHWAYS_PG_POOL: 'many' })).toBe(2);
    expect(err.mock.calls.flat().join(' ')).toMatch(/pathways migrate: the configuration is not valid:\s+PATHWAYS_PG_POOL must be a whole number/);
    err.mockRestore();
  });
});

describe('arguments', () => {
  it('parses options with parseArgs and words where the command takes them', () => {
    expect(parseServeArgs(['--port', '8080', '--host=0.0.0.0'], { port: 3000 })).toEqual({ port: 8080, host: '0.0.0.0' });
    expect(parseServeArgs([], { port: 3000 })).toEqual({ port: 3000 });
    expect(parseCommandArgs(['verify'], {}, 1)).toEqual({ values: {}, positionals: ['verify'] });
  });

  it.each([
    [['--port', 'high'], '--port needs a port number 0–65535 (e.g. --port 8080), got "high"'],
    [['--port'], '--port needs a port number 0–65535 (e.g. --port 8080), got nothing'],
    [['--port', '-1'], '--port needs a port number 0–65535 (e.g. --port 8080), got "-1"'],
    [['--colour', 'red'], 'unknown option "--colour"; its options are --port, --host'],
    [['-p', '80'], 'unknown option "-p"; its options are --port, --host'],
    [['extra'], 'unexpected argument "extra"'],
  ])('refuses serve %j: %s', (args, message) => {
    expect(parseServeArgs(args, { port: 3000 })).toBe(message);
  });

  it.each([
    [['serve', '--colour'], /pathways serve: unknown option "--colour"[^]*Usage: pathways serve/],
    [['migrate', 'now'], /pathways migrate: unexpected argument "now"/],
    [['audit', 'verify', '--fast'], /pathways audit: unknown option "--fast"; it takes no options/],
    [['metrics', 'rebuild', 'twice'], /pathways metrics: unexpected argument "twice"/],
    [['seed', '--people'], /pathways seed: --people needs a whole number of people/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['help', 'frobnicate'], /unknown command "frobnicate"/],
  ])('exits 2 on %j with a message saying what to give', async (argv, message) => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main(argv, {})).toBe(2);
    expect(err.mock.calls.flat().join('\n')).toMatch(message);
    err.mockRestore();
  });

  it('answers help, help COMMAND and COMMAND --help with exit 0, listing the variables', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await main(['help'], {})).toBe(0);
    const text = log.mock.calls.flat().join('\n');
    for (const name of ['serve', 'seed', 'DATABASE_URL', 'PATHWAYS_LOG_LEVEL', 'PATHWAYS_WEB_DIST']) expect(text).toContain(name);
    log.mockClear();
    expect(await main(['help', 'serve'], {})).toBe(0);
    expect(await main(['seed', '--help'], {})).toBe(0);
    expect(log.mock.calls.flat().join('\n')).toMatch(/Usage: pathways serve[^]*Usage: pathways seed/);
    log.mockRestore();
  });
});

describe('pathways serve without a built web app', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('says so at start-up and at /, and serves the API', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pathways-unbuilt-'));
    child = spawn(process.execPath, ['bin/pathways.js', 'serve', '--port', '0'], {
      env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'p.db')}`, PATHWAYS_WEB_DIST: join(dir, 'no-web'), PATHWAYS_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child!.stderr!.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      child!.on('exit', (code) => reject(new Error(`serve exited with ${String(code)}: ${out}${err}`)));
    });
    expect(err).toMatch(/The web app is not built[^]*npm run build:web/);
    const page = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('npm run build:web');
    const ready = await fetch(`${url}/readyz`, { headers: { 'x-request-id': 'serve-test-1' } });
    expect(ready.status).toBe(200);
    expect(ready.headers.get('x-request-id')).toBe('serve-test-1');
    // The request line reaches stdout as JSON (written as the answer finishes: wait for it).
    if (!out.includes('serve-test-1')) {
      await new Promise<void>((resolve) => {
        child!.stdout!.on('data', () => {
          if (out.includes('serve-test-1')) resolve();
        });
      });
    }
    const line = out.split('\n').find((l) => l.includes('serve-test-1'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ msg: 'request', route: '/readyz', status: 200, method: 'GET' });
    const exited = new Promise<number | null>((resolve) => child!.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
