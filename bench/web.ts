/**
 * The web app's figures: the built bundle's size gzipped (everything, and what the first
 * page load needs), and the time from pressing "Sign in" to the manager's dashboard
 * showing live figures (the pathway diagram filled in and the socket connected), in
 * Debian's Chromium against the real server over a national-scale cohort.
 *
 * Then the live dashboard's delay: a keyworker, in a second browser, starts screening on a
 * referred journey; the time from that click to the manager's screen showing the stage's new
 * count (issue: p99 ≤ 1 s), BENCH_WEB_CLICKS times: as Playwright sees it, by the pages' own
 * clocks (click event to DOM change), and split into its parts (the write sent and answered,
 * the `metrics.changed` frame, the screen).
 *
 * Sizes (env): BENCH_WEB_PEOPLE (people in the cohort, default 330,000: national scale —
 * seeding takes minutes), BENCH_WEB_RUNS (sign-ins timed, default 5), BENCH_WEB_CLICKS
 * (keyworker clicks timed, default 20), BENCH_DIR (parent
 * of the temp dir), PATHWAYS_CHROMIUM (default /usr/bin/chromium). BENCH_WEB_DB names an
 * SQLite file already seeded with `pathways seed` to time against instead (kept as is).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { openStore } from '../src/db/database.ts';
import { migrate } from '../src/db/migrator.ts';
import { startPathways } from '../cli/commands/serve.ts';
import { seedCohort } from '../seeds/cohort.ts';
import { DEMO_PASSWORD, loadDemoArea } from '../seeds/demo-area.ts';
import { loadReferenceCodes } from '../seeds/reference-codes.ts';
import { envInt, percentile, type BenchModule, type Figure } from './bench-types.ts';
import { openReferredJourney } from '../test/web/journey-setup.ts';
import type { Browser, Request } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'web', 'dist');
const MANAGER = 'manager@northbridge.example';

const kb = (bytes: number): number => Math.round((bytes / 1024) * 10) / 10;

/** Builds the app and sums gzipped sizes: all assets, and those index.html loads first. */
function bundleFigures(): Figure[] {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts'], { cwd: ROOT, stdio: 'pipe' });
  const assets = readdirSync(join(DIST, 'assets')).filter((f) => /\.(js|css)$/.test(f));
  const gz = (file: string) => gzipSync(readFileSync(join(DIST, 'assets', file)), { level: 9 }).length;
  const index = readFileSync(join(DIST, 'index.html'), 'utf8');
  const initial = assets.filter((f) => index.includes(`/assets/${f}`));
  const total = assets.reduce((n, f) => n + gz(f), 0);
  const first = initial.reduce((n, f) => n + gz(f), 0);
  const dashboard = assets.filter((f) => f.startsWith('dashboard-page')).reduce((n, f) => n + gz(f), 0);
  return [
    { name: 'web bundle, all JS and CSS (gzip -9)', value: kb(total), unit: 'KiB', note: `${assets.length} files` },
    { name: 'web bundle, first load (sign-in page)', value: kb(first), unit: 'KiB', note: initial.join(', ') },
    { name: 'web bundle, dashboard chunk', value: kb(dashboard), unit: 'KiB', note: 'loaded on demand for managers' },
  ];
}

async function dashboardFigures(people: number, runs: number): Promise<Figure[]> {
  const existing = process.env.BENCH_WEB_DB;
  const dir = existing ? null : mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'pathways-bench-web-'));
  const store = await openStore(`sqlite:${existing ?? join(dir ?? '', 'pathways.db')}`);
  try {
    await migrate(store);
    if (!existing) {
      await loadReferenceCodes(store.db);
      await loadDemoArea(store);
      process.stdout.write(`   seeding ${people.toLocaleString('en-GB')} people… `);
      const seeded = await seedCohort(store, { people });
      console.log(`${seeded.journeys.toLocaleString('en-GB')} journeys in ${((seeded.ms + seeded.metricsMs) / 1000).toFixed(1)} s`);
    }
    const journeys = Number((await store.db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const label = existing ? `${journeys.toLocaleString('en-GB')} journeys` : `${people.toLocaleString('en-GB')} people`;
    const running = await startPathways(store, { port: 0, host: '127.0.0.1' });
    const browser = await chromium.launch({
      executablePath: process.env.PATHWAYS_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    });
    const times: number[] = [];
    const failures: string[] = [];
    const figures0: Figure[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        // A fresh context each time: nothing cached, as for a manager starting the day.
        const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
        const page = await context.newPage();
        await page.goto(`${running.server.url}/`);
        await page.getByLabel('Email').fill(MANAGER);
        await page.getByLabel('Password').fill(DEMO_PASSWORD);
        const started = performance.now();
        await page.getByRole('button', { name: 'Sign in' }).click();
        try {
          await page.waitForFunction(
            () => {
              const n = document.querySelector('[data-testid="stage-count-inTreatment"]')?.textContent ?? '';
              return /\d/.test(n) && document.querySelector('.live-live') !== null;
            },
            undefined,
            { timeout: 120_000, polling: 'raf' },
          );
          times.push(performance.now() - started);
        } catch {
          // Report what the page showed rather than lose the run's other figures.
          failures.push((await page.locator('main').textContent().catch(() => ''))?.slice(0, 200) ?? '');
        }
        await context.close();
      }
      figures0.push(...(await clickToScreen(browser, running.server.url, label, envInt('BENCH_WEB_CLICKS', 20))));
    } finally {
      await browser.close();
      await running.stop();
    }
    times.sort((a, b) => a - b);
    const note = `${journeys.toLocaleString('en-GB')} journeys; fresh browser context per run, ${times.length}/${runs} runs; includes the scrypt sign-in`;
    const figures: Figure[] = [];
    if (times.length > 0) {
      figures.push(
        { name: `sign-in to live dashboard, p50, ${label}`, value: Math.round(percentile(times, 0.5)), unit: 'ms', note },
        { name: `sign-in to live dashboard, max, ${label}`, value: Math.round(times[times.length - 1] ?? NaN), unit: 'ms', note },
      );
    }
    if (failures.length > 0) figures.push({ name: `sign-in to live dashboard, runs over 120 s, ${label}`, value: failures.length, note: `page showed: ${failures[0]}` });
    return [...figures, ...figures0];
  } finally {
    await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A keyworker's click to the manager's screen: the keyworker starts screening on a referred
 * journey in one browser; the manager's dashboard, live in another, shows Screening one up.
 */
async function clickToScreen(browser: Browser, url: string, label: string, clicks: number): Promise<Figure[]> {
  const manager = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  const frames: number[] = [];
  manager.on('websocket', (ws) => {
    ws.on('framereceived', (f) => {
      if (typeof f.payload === 'string' && f.payload.includes('"metrics.changed"')) frames.push(performance.now());
    });
  });
  await manager.goto(`${url}/`);
  await manager.getByLabel('Email').fill(MANAGER);
  await manager.getByLabel('Password').fill(DEMO_PASSWORD);
  await manager.getByRole('button', { name: 'Sign in' }).click();
  await manager.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="stage-count-screening"]')?.textContent ?? '') && document.querySelector('.live-live') !== null, undefined, { timeout: 120_000 });
  const keyworker = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  await keyworker.goto(`${url}/`);
  await keyworker.getByLabel('Email').fill('keyworker@northbridge.example');
  await keyworker.getByLabel('Password').fill(DEMO_PASSWORD);
  await keyworker.getByRole('button', { name: 'Sign in' }).click();
  await keyworker.getByTestId('signed-in-user').waitFor();
  const count = () => manager.evaluate(() => Number((document.querySelector('[data-testid="stage-count-screening"]')?.textContent ?? '').replace(/[^\d]/g, '') || '0'));
  // Where the time goes, stamped in this process as Playwright reports each step: the
  // keyworker's write answered, the manager's socket frame carrying `metrics.changed`, and
  // the manager's last measures response before the screen changed.
  const stamps = { sent: [] as number[], answered: [] as number[], server: [] as number[], message: frames, fetched: [] as number[] };
  const isWrite = (r: Request) => r.method() === 'POST' && /\/api\/v1\/cases\/[^/]+\/events$/.test(r.url());
  keyworker.on('request', (r) => {
    if (isWrite(r)) stamps.sent.push(performance.now());
  });
  keyworker.on('response', (r) => {
    if (!isWrite(r.request())) return;
    stamps.answered.push(performance.now());
    // The browser's own clock: request sent to first byte back, the server's share.
    const t = r.request().timing();
    stamps.server.push(t.responseStart - t.requestStart);
  });
  manager.on('requestfinished', (r) => {
    if (r.url().includes('/api/v1/metrics/')) stamps.fetched.push(performance.now());
  });
  const firstAfter = (list: number[], t: number) => list.find((x) => x >= t) ?? NaN;
  const lastBetween = (list: number[], a: number, b: number) => list.filter((x) => x >= a && x <= b).at(-1) ?? NaN;
  const segments = { sent: [] as number[], server: [] as number[], answered: [] as number[], message: [] as number[], screen: [] as number[], fetchToScreen: [] as number[] };
  const delays: number[] = [];
  const inPage: number[] = [];
  for (let i = 0; i < clicks; i++) {
    const { caseId } = await openReferredJourney(url);
    await keyworker.goto(`${url}/#/cases/${caseId}`);
    await keyworker.locator('button[data-action="SCREENING_STARTED"]').click();
    const submit = keyworker.locator('form[data-event-form="SCREENING_STARTED"] button[type=submit]');
    await submit.waitFor();
    // Settle: the journey's own opening has reached the dashboard before the click.
    await manager.waitForTimeout(600);
    const before = await count();
    // The browsers' own clocks too (one machine, one epoch): the click event in the keyworker's
    // page, and the DOM change of the manager's count — without Playwright's round trips.
    await keyworker.evaluate(() => {
      const w = window as unknown as { clickAt?: number };
      delete w.clickAt;
      document.addEventListener('click', () => (w.clickAt = performance.timeOrigin + performance.now()), { capture: true, once: true });
    });
    await manager.evaluate((n) => {
      const w = window as unknown as { shownAt?: number };
      delete w.shownAt;
      // No named functions in here: tsx would wrap them in a helper the page does not have.
      const watch = new MutationObserver(() => {
        if (Number((document.querySelector('[data-testid="stage-count-screening"]')?.textContent ?? '').replace(/[^\d]/g, '') || '0') <= n) return;
        w.shownAt = performance.timeOrigin + performance.now();
        watch.disconnect();
      });
      watch.observe(document.body, { subtree: true, childList: true, characterData: true });
    }, before);
    const started = performance.now();
    await submit.click();
    await manager.waitForFunction((n) => Number((document.querySelector('[data-testid="stage-count-screening"]')?.textContent ?? '').replace(/[^\d]/g, '') || '0') > n, before, { timeout: 30_000, polling: 'raf' });
    const shown = performance.now();
    delays.push(shown - started);
    const clickAt = await keyworker.evaluate(() => (window as unknown as { clickAt?: number }).clickAt ?? NaN);
    const shownAt = await manager.evaluate(() => (window as unknown as { shownAt?: number }).shownAt ?? NaN);
    inPage.push(shownAt - clickAt);
    const answered = firstAfter(stamps.answered, started);
    segments.sent.push(firstAfter(stamps.sent, started) - started);
    segments.server.push(stamps.server.at(-1) ?? NaN);
    const message = firstAfter(stamps.message, started);
    segments.answered.push(answered - started);
    segments.message.push(message - started);
    segments.screen.push(shown - message);
    segments.fetchToScreen.push(shown - lastBetween(stamps.fetched, message, shown));
  }
  await manager.context().close();
  await keyworker.context().close();
  const note = `${delays.length} clicks, Chromium; the keyworker's submit to the manager's stage count (HTTP, commit, socket, refetch, render)`;
  const median = (xs: number[]) => Math.round(percentile(xs.filter((x) => !Number.isNaN(x)), 0.5));
  const parts = `click → write sent ${median(segments.sent)} ms; write sent → first byte back ${median(segments.server)} ms; click → write answered ${median(segments.answered)} ms; click → metrics.changed frame ${median(segments.message)} ms; frame → screen ${median(segments.screen)} ms (last measures response → screen ${median(segments.fetchToScreen)} ms)`;
  console.log(`   where the time goes (medians): ${parts}`);
  const inPageTimes = inPage.filter((x) => !Number.isNaN(x));
  const pageNote = `${inPageTimes.length} clicks: the click event in the keyworker's page to the DOM change of the manager's count (MutationObserver), without Playwright's own delays`;
  return [
    { name: `keyworker click to manager's screen, medians of its parts, ${label}`, value: '', note: parts },
    { name: `keyworker click to manager's screen, p50, ${label}`, value: Math.round(percentile(delays, 0.5)), unit: 'ms', note },
    { name: `keyworker click to manager's screen, p99, ${label}`, value: Math.round(percentile(delays, 0.99)), unit: 'ms', note },
    { name: `keyworker click to manager's screen by the pages' clocks, p50, ${label}`, value: Math.round(percentile(inPageTimes, 0.5)), unit: 'ms', note: pageNote },
    { name: `keyworker click to manager's screen by the pages' clocks, p99, ${label}`, value: Math.round(percentile(inPageTimes, 0.99)), unit: 'ms', note: pageNote },
  ];
}

export const bench: BenchModule = {
  name: 'web',
  summary: 'web bundle size (gzip) and time from sign-in to the live dashboard at national scale',
  async run() {
    const figures = bundleFigures();
    for (const f of figures) console.log(`   ${f.name}: ${f.value} ${f.unit ?? ''}`);
    figures.push(...(await dashboardFigures(envInt('BENCH_WEB_PEOPLE', 330_000), envInt('BENCH_WEB_RUNS', 5))));
    return figures;
  },
};
