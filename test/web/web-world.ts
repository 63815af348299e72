/**
 * The real product for browser tests: the built web app served by the real server
 * (`startPathways`, as `npm start` runs it: API, measures, live sockets, timer sweeper) on
 * an ephemeral port over a fresh SQLite store seeded with the Northbridge demo area, and
 * Debian's Chromium driven by playwright-core.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../seeds/demo-area.ts';
import { loadDemoArea } from '../../seeds/demo-area.ts';
import { loadReferenceCodes } from '../../seeds/reference-codes.ts';
import { seedCohort } from '../../seeds/cohort.ts';
import { startPathways, type RunningPathways, type StartOptions } from '../../cli/commands/serve.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';


const ROOT = resolve(import.meta.dirname, '..', '..');
const DIST_INDEX = join(ROOT, 'web', 'dist', 'index.html');
/** Screenshots of the main screens, kept as test artefacts (gitignored). */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'web');

function newestMtime(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Sources the bundle is built from: the app and what it imports from the rest of the tree. */
const SOURCES = ['web/src', 'web/index.html', 'web/vite.config.ts', 'api/schemas', 'machines', 'src/consent', 'src/metrics/dimensions.ts'].map((p) => join(ROOT, p));

/**
 * Builds `web/dist` when it is missing or older than its sources (about two seconds).
 * Test files run in parallel, so one builds under a lock while the others wait for it.
 */
export async function ensureWebBuilt(): Promise<void> {
  const fresh = () => newestMtime(DIST_INDEX) > Math.max(...SOURCES.map(newestMtime));
  if (fresh()) return;
  const lock = join(tmpdir(), `pathways-web-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 10)}.lock`);
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker is building; a lock older than two minutes is left over from a crash.
      if (waited > 120_000 || Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 120_000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 250));
      if (fresh()) return;
    }
  }
  try {
    if (!fresh()) {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts'], { cwd: ROOT, stdio: 'pipe' });
    }
  } finally {
    rmdirSync(lock);
  }
}

/** A running product and a browser. */
export interface WebWorld {
  url: string;
  store: TestStore;
  running: RunningPathways;
  browser: Browser;
  /** A fresh browser context (its own session storage, so its own sign-in). */
  newPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** Launch options for Debian's Chromium (no sandbox in containers, no background traffic). */
export const CHROMIUM_LAUNCH = {
  executablePath: process.env.PATHWAYS_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
};

/**
 * Starts the world.
 * @param options.cohort - synthetic people to seed beside the demo staff (0 for none)
 */
export async function startWebWorld(options: { cohort?: number; start?: Partial<StartOptions> } = {}): Promise<WebWorld> {
  await ensureWebBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  const store = await createTestStore('sqlite');
  await loadReferenceCodes(store.db);
  await loadDemoArea(store);
  if (options.cohort) await seedCohort(store, { people: options.cohort });
  const running = await startPathways(store, { ...options.start, port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  const url = running.server.url;
  return {
    url,
    store,
    running,
    browser,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB', timezoneId: 'UTC' });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      return { context, page, errors };
    },
    async close() {
      await browser.close();
      await running.stop();
      await store.dispose();
    },
  };
}

/** Signs in through the sign-in form and waits for the user's home page. */
export async function signIn(page: Page, url: string, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-user').waitFor();
}

/** Saves a full-page screenshot as a test artefact. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The bearer token the page signed in with (to set up data over the API). */
export async function tokenOf(page: Page): Promise<string> {
  const raw = await page.evaluate(() => sessionStorage.getItem('pathways.session'));
  if (!raw) throw new Error('not signed in');
  return (JSON.parse(raw) as { token: string }).token;
}

/** Calls the API as a signed-in user (test set-up; the browser does the real work). */
export async function apiAs<T = Record<string, unknown>>(url: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Signs in over the API (no browser) and returns the token. */
export async function loginToken(url: string, email: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`login ${email} → ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * Form controls on the page that have no accessible name (no label, aria-label or
 * aria-labelledby): each would be unusable with a screen reader.
 */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.locator('input:not([type=hidden]), select, textarea, button').evaluateAll((els) =>
    els
      .filter((el) => {
        const e = el as HTMLInputElement;
        const named = (e.labels?.length ?? 0) > 0 || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || (e.tagName === 'BUTTON' && e.textContent?.trim());
        return !named;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}
