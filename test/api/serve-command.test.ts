/**
 * `pathways serve` as a real process: migrates an empty store, creates the first admin
 * from the environment, serves on the port it prints, and stops cleanly on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestStore, DIALECTS, type TestStore } from '../support/stores.ts';

function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 45_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${String(code)}: ${out}`));
    });
  });
}

describe.each(DIALECTS)('pathways serve on %s', (dialect) => {
  let store: TestStore | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await store?.dispose();
    store = undefined;
  });

  it('migrates, creates the first admin, serves and stops on SIGTERM', async () => {
    store = await createTestStore(dialect, { migrate: false });
    child = spawn(process.execPath, ['bin/pathways.js', 'serve', '--port', '0'], {
      env: {
        ...process.env,
        DATABASE_URL: store.url,
        PATHWAYS_ADMIN_EMAIL: 'first@serve.example',
        PATHWAYS_ADMIN_PASSWORD: 'first admin password',
        PATHWAYS_SCRYPT_COST: '1024',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await waitForUrl(child);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'first@serve.example', password: 'first admin password' }),
    });
    expect(login.status).toBe(200);
    const { token, user } = (await login.json()) as { token: string; user: { role: string } };
    expect(user.role).toBe('admin');
    const agencies = await fetch(`${url}/api/v1/agencies`, { headers: { authorization: `Bearer ${token}` } });
    expect(agencies.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
